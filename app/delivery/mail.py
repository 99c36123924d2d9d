"""E-mail, run by the worker: notifications mailed at once or as a daily digest by each
person's preference, queued in the e-mail outbox and sent through COALESCE_SMTP_URL
with retries."""

import smtplib
from collections.abc import Sequence
from datetime import timedelta
from email.message import EmailMessage as MimeMessage
from urllib.parse import unquote, urlsplit

from sqlalchemy import or_
from sqlmodel import Session, select

from app import clock, labels, local_time
from app.db import Database
from app.ids import new_id
from app.models import EmailMessage, Notification, NotificationPreference, User
from app.services import messages, waiting
from app.settings import Settings

EMAIL_RETRY_SECONDS = (60, 300, 1800, 7200)


def _email_body(
    notes: list[Notification],
    letters: Sequence[messages.ListMail] = (),
    deadlines: dict[str, str] | None = None,
) -> str:
    deadlines = deadlines or {}
    lines = [
        f"- {n.text}{deadlines.get(n.id, '')}" + (f" ({n.link})" if n.link else "") for n in notes
    ]
    # Messages from a coalition's list come whole, each with its own unsubscribe link.
    posts = [part for letter in letters for part in ("", letter.subject, letter.body)]
    return "\n".join(
        ["Hello from Coalesce,", "", *lines, *posts, "",
         "Change how often we write at /notifications."]
    )  # fmt: skip


def _deadlines(session: Session, notes: list[Notification], user: User) -> dict[str, str]:
    """The deadline of each ask as the e-mail is written, in the reader's zone: kept out of
    the notification's own text, which would go stale when the deadline moves."""
    zone = user.time_zone or "UTC"
    found = {}
    for note_id, letter in waiting.asked_letters(session, [(n, True) for n in notes]).items():
        if letter.status == "open" and letter.sign_on_deadline:
            found[note_id] = f" Sign by {local_time.moment(letter.sign_on_deadline, zone)}."
    return found


def queue_email(
    session: Session,
    to: str,
    subject: str,
    body: str,
    *,
    html: str | None = None,
    attachments: Sequence[dict[str, str]] = (),
) -> EmailMessage:
    """Put an e-mail in the outbox, in the caller's transaction: the worker sends it once
    that commits. `attachments` are text files: {filename, content_type, text}."""
    message = EmailMessage(
        id=new_id("eml"),
        to_address=to,
        subject=subject,
        body=body,
        html_body=html,
        attachments=list(attachments),
        next_attempt_at=clock.now(),
        created_at=clock.now(),
    )
    session.add(message)
    return message


def queue_immediate(session: Session, settings: Settings) -> int:
    """One e-mail per new notification for people who want to hear at once."""
    # A day back at most: turning e-mail on later does not mail months of old news.
    since = clock.now() - timedelta(days=1)
    rows = session.exec(
        select(Notification, User)
        .join(User, User.id == Notification.user_id)
        .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
        .where(
            Notification.emailed.is_(False),  # type: ignore[attr-defined]
            Notification.created_at >= since,  # type: ignore[operator]
            or_(
                NotificationPreference.email.is_(None),  # type: ignore[attr-defined]
                NotificationPreference.email == "immediate",
            ),
        )
        .order_by(Notification.id)  # type: ignore[arg-type]
    ).all()
    for note, user in rows:
        if note.kind == messages.NOTE_KIND:
            letter = messages.list_mail(session, note, user, settings)
            if letter is not None:  # None: the person stopped this list's e-mail
                queue_email(session, user.email, letter.subject, letter.body)
        else:
            body = _email_body([note], deadlines=_deadlines(session, [note], user))
            queue_email(session, user.email, f"Coalesce: {note.text[:120]}", body)
        note.emailed = True
        session.add(note)
    session.flush()
    return len(rows)


def queue_daily_digests(session: Session, settings: Settings) -> int:
    """Once a day, one e-mail per person who chose the daily digest and has news."""
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
        others = [n for n in notes if n.kind != messages.NOTE_KIND]
        letters = [
            letter
            for n in notes
            if n.kind == messages.NOTE_KIND
            and (letter := messages.list_mail(session, n, user, settings)) is not None
        ]
        if others or letters:
            updates = len(others) + len(letters)
            queue_email(
                session,
                user.email,
                f"Coalesce: {labels.counted(updates, 'update')} today",
                _email_body(others, letters, _deadlines(session, others, user)),
            )
            count += 1
        for note in notes:
            note.emailed = True
            session.add(note)
    session.flush()
    return count


def send_emails(database: Database, settings: Settings) -> int:
    """Queue what people asked to hear, then send due e-mails through COALESCE_SMTP_URL,
    each retried on a schedule. Without an SMTP server nothing is queued."""
    if not settings.smtp_url:
        return 0
    with database.session() as session:
        queue_immediate(session, settings)
        queue_daily_digests(session, settings)
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
    if message.html_body:
        mime.add_alternative(message.html_body, subtype="html")
    for attached in message.attachments:
        maintype, _, subtype = attached["content_type"].partition("/")
        mime.add_attachment(
            attached["text"].encode(), maintype=maintype, subtype=subtype,
            filename=attached["filename"],
        )  # fmt: skip
    smtp_class = smtplib.SMTP_SSL if parts.scheme == "smtps" else smtplib.SMTP
    with smtp_class(parts.hostname or "127.0.0.1", parts.port or 25, timeout=10) as smtp:
        if parts.scheme == "smtp+starttls":
            smtp.starttls()
        if parts.username:
            smtp.login(unquote(parts.username), unquote(parts.password or ""))
        smtp.send_message(mime)
