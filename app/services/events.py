"""The event log: `emit` records a decision change in the caller's transaction and hands
it to the listeners registered with `listen` (the webhook outbox, notifications)."""

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import Integer, cast, func
from sqlmodel import Session, select

from app import clock
from app.ids import new_id
from app.models import Event, EventAudience, Membership
from app.models.coalitions import MembershipStatus
from app.models.events import EVENT_TYPES
from app.pagination import Page, encode_cursor, paginate
from app.principal import Principal

Listener = Callable[[Session, Event, list[EventAudience]], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> Listener:
    """Register a listener: it gets every event, in the event's own transaction."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def emit(
    session: Session,
    type: str,
    data: dict[str, Any],
    *,
    visible_to: Iterable[str],
    private_to: Iterable[str] = (),
    shared_data: dict[str, Any] | None = None,
    coalition_id: str | None = None,
    actor: Principal | None = None,
) -> Event:
    """Record an event seen by the organizations `visible_to` and `private_to`.

    `private_to` organizations see `data` whole; the others see `shared_data` when it is
    given (an organization's internal comments stay inside it), else `data`.
    """
    assert type in EVENT_TYPES, f"unknown event type {type}"
    event = Event(
        id=new_id("evt"),
        type=type,
        occurred_at=clock.now(),
        coalition_id=coalition_id,
        actor_user_id=actor.user_id if actor else None,
        data={**data, "actor_user_id": actor.user_id if actor else None},
        shared_data=shared_data,
    )
    session.add(event)
    private = set(private_to)
    audience = set(visible_to) | private
    session.flush()
    rows = [
        EventAudience(
            event_id=event.id,
            organization_id=organization_id,
            full=shared_data is None or organization_id in private,
        )
        for organization_id in sorted(audience)
    ]
    session.add_all(rows)
    session.flush()
    # Listeners read the event in its own transaction: nothing is lost, nothing half-sent.
    for listener in _listeners:
        listener(session, event, rows)
    session.flush()
    return event


def latest_cursor(session: Session) -> str | None:
    """A cursor at the end of the log as it stands: following from it sees only what comes next."""
    newest = session.exec(select(func.max(Event.id))).one()
    return encode_cursor(newest) if newest else None


def coalition_audience(session: Session, coalition_id: str) -> set[str]:
    """The organizations that currently take part in a coalition."""
    rows = session.exec(
        select(Membership.organization_id).where(
            Membership.coalition_id == coalition_id,
            Membership.status == MembershipStatus.joined,
        )
    )
    return set(rows.all())


def list_events(
    session: Session,
    principal: Principal,
    *,
    types: list[str] | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    """The events the principal's organizations may see, oldest first."""
    if principal.is_platform_admin:
        statement = select(Event)
    else:
        seen = (
            select(
                EventAudience.event_id,
                func.max(cast(EventAudience.full, Integer)).label("full"),
            )
            .where(EventAudience.organization_id.in_(list(principal.roles)))  # type: ignore[attr-defined]
            .group_by(EventAudience.event_id)
            .subquery()
        )
        statement = select(Event, seen.c.full).join(seen, seen.c.event_id == Event.id)
    if types:
        statement = statement.where(Event.type.in_(types))  # type: ignore[attr-defined]
    page = paginate(session, statement, Event.id, limit=limit, cursor=cursor)  # type: ignore[arg-type]
    page.items = [_as_seen(row) for row in page.items]
    return page


def _as_seen(row: Any) -> dict[str, Any]:
    event, full = (row, 1) if isinstance(row, Event) else row
    data = event.data if full or event.shared_data is None else event.shared_data
    return {
        "id": event.id,
        "type": event.type,
        "timestamp": event.occurred_at,
        "coalition_id": event.coalition_id,
        "data": data,
    }


def recent(session: Session, principal: Principal, *, limit: int = 10) -> list[dict[str, Any]]:
    """The latest events the principal may see, newest first (for the dashboard)."""
    if principal.is_platform_admin:
        statement = select(Event)
    else:
        seen = select(EventAudience.event_id).where(
            EventAudience.organization_id.in_(list(principal.roles))  # type: ignore[attr-defined]
        )
        statement = select(Event).where(Event.id.in_(seen))  # type: ignore[attr-defined]
    rows = session.exec(statement.order_by(Event.id.desc()).limit(limit))  # type: ignore[attr-defined]
    # A summary line needs no internal comment: everyone gets the copy shared with members.
    return [_as_seen((event, 0)) for event in rows]
