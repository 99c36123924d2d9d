"""Notifications: who hears about which event, the bell, e-mail preferences and sending.

Notifications are made from events in the events' own transaction (`for_event`), and
e-mails are queued in an outbox that the worker sends with retries.
"""

import smtplib
from datetime import timedelta
from email.message import EmailMessage as MimeMessage
from urllib.parse import unquote, urlsplit

from sqlalchemy import func
from sqlmodel import Session, select

from app import clock
from app.db import Database
from app.errors import Invalid, NotFound
from app.ids import new_id
from app.models import (
    Activity,
    ApprovalRequest,
    ApprovalStep,
    Coalition,
    EmailMessage,
    Event,
    EventAudience,
    Notification,
    NotificationPreference,
    OrganizationUser,
    User,
)
from app.pagination import Page, paginate
from app.principal import Principal
from app.settings import Settings, get_settings

EMAIL_CHOICES = ("immediate", "daily", "off")
EMAIL_RETRY_SECONDS = (60, 300, 1800, 7200)


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
    if get_settings().smtp_url and preference(session, user_id) == "immediate":
        user = session.get(User, user_id)
        if user is not None:
            _queue_email(session, user.email, f"Coalesce: {text[:120]}", _email_body([note]))
            note.emailed = True
    session.flush()
    return note


def _users_with_role(session: Session, organization_id: str, roles: set[str]) -> list[str]:
    return list(
        session.exec(
            select(OrganizationUser.user_id).where(
                OrganizationUser.organization_id == organization_id,
                OrganizationUser.role.in_(roles),  # type: ignore[attr-defined]
            )
        ).all()
    )


def admins_of(session: Session, organization_id: str) -> list[str]:
    return _users_with_role(session, organization_id, {"admin"})


def _deciders(step: ApprovalStep) -> set[str]:
    return {"admin", step.approver_role}


def _active_step(session: Session, activity_id: str, organization_id: str) -> ApprovalStep | None:
    return session.exec(
        select(ApprovalStep)
        .join(ApprovalRequest, ApprovalRequest.id == ApprovalStep.request_id)
        .where(
            ApprovalRequest.activity_id == activity_id,
            ApprovalRequest.organization_id == organization_id,
            ApprovalRequest.status == "in_progress",
            ApprovalStep.status == "active",
        )
    ).first()


def for_event(session: Session, event: Event, audience: list[EventAudience]) -> None:
    """Turn an event into the notifications people act on."""
    data = event.data
    org = data.get("organization_id")
    if event.type == "signon.decision_changed" and data.get("from") is None and org:
        activity = session.get(Activity, data["activity_id"])
        assert activity is not None
        deadline = f" by {activity.sign_on_deadline:%d %b}" if activity.sign_on_deadline else ""
        for user_id in _users_with_role(session, org, {"admin"}):
            notify(
                session, user_id, kind="ask_waiting",
                text=f"Your organization is asked to sign “{activity.title}”{deadline}.",
                link=f"/activities/{activity.id}", event_id=event.id,
            )  # fmt: skip
        if data.get("to") == "in_approval":
            _step_waiting(session, event, data["activity_id"], org)
    elif event.type == "approval.step_completed" and data.get("request_status") == "in_progress":
        _step_waiting(session, event, data["activity_id"], org)
    elif event.type == "approval.step_overdue" and org:
        activity = session.get(Activity, data["activity_id"])
        roles = {"admin", data.get("approver_role", "admin")}
        for user_id in _users_with_role(session, org, roles):
            notify(
                session, user_id, kind="step_overdue",
                text=f"Overdue: {data.get('name', 'an approval step')} for "
                f"“{activity.title if activity else ''}”.",
                link="/approvals", event_id=event.id,
            )  # fmt: skip
    elif event.type == "membership.changed" and data.get("to") == "invited" and org:
        coalition = session.get(Coalition, data["coalition_id"])
        name = coalition.name if coalition else "a coalition"
        for user_id in _users_with_role(session, org, {"admin"}):
            notify(
                session, user_id, kind="invitation",
                text=f"Your organization is invited to join {name}.",
                link="/coalitions", event_id=event.id,
            )  # fmt: skip
    elif event.type == "proposal.opened":
        for row in audience:
            for user_id in _users_with_role(session, row.organization_id, {"admin"}):
                notify(
                    session, user_id, kind="proposal_opened",
                    text=f"A proposal is open for your vote: {data.get('title', '')}",
                    link=f"/proposals/{data.get('proposal_id', '')}", event_id=event.id,
                )  # fmt: skip


def _step_waiting(session: Session, event: Event, activity_id: str, org: str) -> None:
    step = _active_step(session, activity_id, org)
    activity = session.get(Activity, activity_id)
    if step is None or activity is None:
        return
    for user_id in _users_with_role(session, org, _deciders(step)):
        notify(
            session, user_id, kind="approval_waiting",
            text=f"Waiting on you: {step.name} for “{activity.title}”.",
            link="/approvals", event_id=event.id,
        )  # fmt: skip


# The bell ------------------------------------------------------------------------------


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


# E-mail (the worker) ---------------------------------------------------------------------


def _email_body(notes: list[Notification]) -> str:
    lines = [f"- {n.text}" + (f" ({n.link})" if n.link else "") for n in notes]
    return "\n".join(
        ["Hello from Coalesce,", "", *lines, "", "Change how often we write at /notifications."]
    )


def _queue_email(session: Session, to: str, subject: str, body: str) -> None:
    session.add(
        EmailMessage(
            id=new_id("eml"),
            to_address=to,
            subject=subject,
            body=body,
            next_attempt_at=clock.now(),
            created_at=clock.now(),
        )
    )


def queue_daily_digests(session: Session) -> int:
    """Once a day, one e-mail per person who chose the daily digest and has news."""
    if not get_settings().smtp_url:
        return 0
    now = clock.now()
    count = 0
    rows = session.exec(
        select(NotificationPreference, User)
        .join(User, User.id == NotificationPreference.user_id)
        .where(NotificationPreference.email == "daily")
    ).all()
    for pref, user in rows:
        if pref.last_digest_at and now - pref.last_digest_at < timedelta(days=1):
            continue
        notes = list(
            session.exec(
                select(Notification)
                .where(Notification.user_id == user.id, Notification.emailed.is_(False))  # type: ignore[attr-defined]
                .order_by(Notification.id)  # type: ignore[arg-type]
            )
        )
        pref.last_digest_at = now
        session.add(pref)
        if not notes:
            continue
        _queue_email(
            session, user.email, f"Coalesce: {len(notes)} update(s) today", _email_body(notes)
        )
        for note in notes:
            note.emailed = True
            session.add(note)
        count += 1
    session.flush()
    return count


def send_emails(database: Database, settings: Settings) -> int:
    """Send due e-mails through COALESCE_SMTP_URL, each retried on a schedule."""
    if not settings.smtp_url:
        return 0
    now = clock.now()
    with database.session() as session:
        due = list(
            session.exec(
                select(EmailMessage)
                .where(
                    EmailMessage.status == "pending",
                    EmailMessage.next_attempt_at <= now,  # type: ignore[operator]
                )
                .limit(50)
            )
        )
        for message in due:
            message.locked_until = now + timedelta(minutes=5)
            message.status = "sending"
            session.add(message)
    results: dict[str, str | None] = {}
    for message in due:
        try:
            _smtp_send(settings.smtp_url, message)
            results[message.id] = None
        except (OSError, smtplib.SMTPException) as exc:
            results[message.id] = f"{type(exc).__name__}: {exc}"[:1000]
    with database.session() as session:
        for message_id, error in results.items():
            message = session.get(EmailMessage, message_id)
            assert message is not None
            message.attempt_count += 1
            if error is None:
                message.status, message.sent_at = "sent", clock.now()
            elif message.attempt_count > len(EMAIL_RETRY_SECONDS):
                message.status, message.last_error = "failed", error
            else:
                message.status, message.last_error = "pending", error
                wait = EMAIL_RETRY_SECONDS[message.attempt_count - 1]
                message.next_attempt_at = clock.now() + timedelta(seconds=wait)
            session.add(message)
    return len(due)


def release_stuck_emails(session: Session) -> int:
    """An e-mail left `sending` by a crashed worker goes back to the queue after its lease."""
    stuck = list(
        session.exec(
            select(EmailMessage).where(
                EmailMessage.status == "sending",
                EmailMessage.locked_until < clock.now(),  # type: ignore[operator]
            )
        )
    )
    for message in stuck:
        message.status = "pending"
        session.add(message)
    return len(stuck)


def _smtp_send(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    mime = MimeMessage()
    mime["From"] = parts.path.strip("/") or "coalesce@localhost"
    mime["To"] = message.to_address
    mime["Subject"] = message.subject
    mime.set_content(message.body)
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with smtp_class(parts.hostname or "127.0.0.1", parts.port or 25, timeout=10) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(mime)
