"""Notifications, as a person sees them: the bell, marking read, and how often e-mail comes.

services/event_notifications.py decides who hears about which event; the worker
(app/delivery/mail.py) e-mails them by each person's preference.
"""

from sqlalchemy import func
from sqlmodel import Session, select

from app import clock
from app.errors import Invalid, NotFound
from app.ids import new_id
from app.models import (
    Activity,
    Event,
    Membership,
    Notification,
    NotificationPreference,
    OrganizationUser,
    Proposal,
)
from app.pagination import Page, paginate
from app.principal import Principal

EMAIL_CHOICES = ("immediate", "daily", "off")


def notify(
    session: Session,
    user_id: str,
    *,
    kind: str,
    text: str,
    link: str | None,
    event_id: str | None = None,
) -> Notification:
    note = Notification(
        id=new_id("ntf"),
        user_id=user_id,
        kind=kind,
        text=text,
        link=link,
        event_id=event_id,
        created_at=clock.now(),
    )
    session.add(note)
    session.flush()
    return note


def users_with_role(session: Session, organization_id: str, roles: set[str]) -> list[str]:
    return list(
        session.exec(
            select(OrganizationUser.user_id).where(
                OrganizationUser.organization_id == organization_id,
                OrganizationUser.role.in_(roles),  # type: ignore[attr-defined]
            )
        ).all()
    )


def people_of(session: Session, organization_ids: list[str]) -> list[str]:
    """Everyone in these organizations, whatever their role, each once."""
    if not organization_ids:
        return []
    return list(
        session.exec(
            select(OrganizationUser.user_id)
            .where(OrganizationUser.organization_id.in_(organization_ids))  # type: ignore[attr-defined]
            .distinct()
            .order_by(OrganizationUser.user_id)
        ).all()
    )


def admins_of(session: Session, organization_id: str) -> list[str]:
    return users_with_role(session, organization_id, {"admin"})


def unread_count(session: Session, principal: Principal) -> int:
    return session.exec(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == principal.user_id, Notification.read_at.is_(None))  # type: ignore[union-attr]
    ).one()


def list_notifications(
    session: Session,
    principal: Principal,
    *,
    unread: bool = False,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    statement = select(Notification).where(Notification.user_id == principal.user_id)
    if unread:
        statement = statement.where(Notification.read_at.is_(None))  # type: ignore[union-attr]
    return paginate(session, statement, Notification.id, limit=limit, cursor=cursor)  # type: ignore[arg-type]


def mark_read(session: Session, principal: Principal, notification_id: str | None) -> int:
    """Mark one notification read, or all of them when `notification_id` is None."""
    if notification_id:
        note = session.get(Notification, notification_id)
        if note is None or note.user_id != principal.user_id:
            raise NotFound("No such notification.")
    statement = select(Notification).where(
        Notification.user_id == principal.user_id,
        Notification.read_at.is_(None),  # type: ignore[union-attr]
    )
    if notification_id:
        statement = statement.where(Notification.id == notification_id)
    notes = list(session.exec(statement))
    for note in notes:
        note.read_at = clock.now()
        session.add(note)
    session.flush()
    return len(notes)


def mark_read_on_leaving(session: Session, *, coalition_id: str, organization_id: str) -> int:
    """An organization left a coalition: its people's unread notifications about the
    coalition's asks of it are marked read, so the bell stops counting what no longer waits.
    Someone who still takes part through another organization keeps the rest.

    Marked read rather than filtered out: the bell counts unread rows on every page, and a
    filter would have to check each notification's ask there; the list keeps them as history.
    """
    people = set(
        session.exec(
            select(OrganizationUser.user_id).where(
                OrganizationUser.organization_id == organization_id
            )
        ).all()
    )
    if not people:
        return 0
    still_taking_part = set(
        session.exec(
            select(OrganizationUser.user_id)
            .join(Membership, Membership.organization_id == OrganizationUser.organization_id)
            .where(
                OrganizationUser.user_id.in_(people),  # type: ignore[attr-defined]
                Membership.coalition_id == coalition_id,
                Membership.status == "joined",
            )
        ).all()
    )
    pages = {
        *(f"/activities/{i}" for i in _ids(session, Activity, coalition_id)),
        *(f"/proposals/{i}" for i in _ids(session, Proposal, coalition_id)),
    }
    rows = session.exec(
        select(Notification, Event)
        .join(Event, Event.id == Notification.event_id, isouter=True)
        .where(
            Notification.user_id.in_(people),  # type: ignore[attr-defined]
            Notification.read_at.is_(None),  # type: ignore[union-attr]
        )
    ).all()
    marked = 0
    for note, event in rows:
        about_here = note.link in pages or (
            event is not None and event.coalition_id == coalition_id
        )
        about_it = event is not None and event.data.get("organization_id") == organization_id
        if about_here and (about_it or note.user_id not in still_taking_part):
            note.read_at = clock.now()
            session.add(note)
            marked += 1
    session.flush()
    return marked


def _ids(session: Session, table: type[Activity] | type[Proposal], coalition_id: str) -> list[str]:
    return list(session.exec(select(table.id).where(table.coalition_id == coalition_id)).all())


def preference(session: Session, user_id: str) -> str:
    row = session.get(NotificationPreference, user_id)
    return row.email if row else "immediate"


def set_preference(session: Session, principal: Principal, email: str) -> str:
    if email not in EMAIL_CHOICES:
        raise Invalid.field(["body", "email"], "Choose immediate, daily or off.")
    row = session.get(NotificationPreference, principal.user_id) or NotificationPreference(
        user_id=principal.user_id
    )
    row.email = email
    session.add(row)
    session.flush()
    return email
