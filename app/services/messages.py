"""The coalition's list (its listserv): threads and replies, who may write, and the list
e-mail each member's people get, with a link that stops it for one person."""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from app import clock
from app.errors import Forbidden, Invalid, NotFound
from app.ids import new_id
from app.models import Coalition, Event, ListOptOut, Message, Notification, User
from app.pagination import Page, paginate
from app.principal import Principal
from app.schemas.messages import MessageCreate
from app.security import ListUnsubscribeSigner
from app.services import access, events
from app.services.organizations import names_by_id, organization_names
from app.settings import Settings

NOTE_KIND = "message_posted"  # the bell's kind for a message; mail.py asks us to write it


def post_message(
    session: Session, principal: Principal, coalition_id: str, message_in: MessageCreate
) -> dict[str, Any]:
    """A thread, or a reply to a thread of this coalition. Starting a thread follows the
    guidelines' `who_may_post`; any joined member's admins reply."""
    coalition = access.get_coalition(session, principal, coalition_id)
    rights = access.coalition_rights(session, principal, coalition_id)
    if not rights.may_reply:
        raise Forbidden("Only an admin of an organization taking part may write to the list.")
    thread = (
        _thread(session, coalition_id=coalition_id, message_id=message_in.reply_to)
        if message_in.reply_to
        else None
    )
    if thread is None and not rights.may_start_thread(coalition.who_may_post):
        raise Forbidden(
            "Under this coalition's guidelines only its leads and coordinators start threads "
            "on the list; you may reply to one."
        )
    subject = message_in.subject or (f"Re: {thread.subject}"[:200] if thread else "")
    if not subject:
        raise Invalid.field(["body", "subject"], "Give the thread a subject.")
    if not message_in.body.strip():
        raise Invalid.field(["body", "body"], "Write the message.")
    message = Message(
        id=new_id("msg"),
        coalition_id=coalition_id,
        reply_to=thread.id if thread else None,
        organization_id=_writing_for(rights, message_in.organization_id),
        author_user_id=principal.user_id,
        subject=subject,
        body=message_in.body,
        created_at=clock.now(),
    )
    session.add(message)
    session.flush()
    view = message_views(session, [message])[0]
    events.emit(
        session,
        "message.posted",
        {"message_id": message.id, "coalition_id": coalition_id,
         "coalition_name": coalition.name, "version": 1,
         **{k: v for k, v in view.items() if k not in {"id", "created_at"}},
         "created_at": message.created_at, "object": view},
        visible_to=events.coalition_audience(session, coalition_id),
        coalition_id=coalition_id,
        actor=principal,
    )  # fmt: skip
    return view


def _thread(session: Session, *, coalition_id: str, message_id: str) -> Message:
    """The thread a reply joins (a reply to a reply joins the same thread); a message of
    another coalition does not exist here."""
    message = session.get(Message, message_id)
    if message is None or message.coalition_id != coalition_id:
        raise NotFound("No such thread in this coalition.")
    if message.reply_to is not None:
        thread = session.get(Message, message.reply_to)
        assert thread is not None
        return thread
    return message


def _writing_for(rights: access.CoalitionRights, wanted: str | None) -> str | None:
    mine = rights.joined_admin_organizations
    if wanted is not None:
        if wanted not in mine and not rights.platform_admin:
            raise Forbidden("You can only write for an organization you are an admin of.")
        return wanted
    if mine:
        lead = rights.lead_organization
        return lead or mine[0]
    return None


def message_views(session: Session, rows: list[Message]) -> list[dict[str, Any]]:
    """Messages as the API and the pages show them, with their authors' names from one
    query each."""
    orgs = organization_names(session, {m.organization_id for m in rows if m.organization_id})
    people = names_by_id(session, User, {m.author_user_id for m in rows if m.author_user_id})
    return [
        {
            "id": m.id,
            "coalition_id": m.coalition_id,
            "reply_to": m.reply_to,
            "subject": m.subject,
            "body": m.body,
            "organization_id": m.organization_id,
            "organization_name": orgs.get(m.organization_id or ""),
            "author_user_id": m.author_user_id,
            "author_name": people.get(m.author_user_id or ""),
            "created_at": m.created_at,
        }
        for m in rows
    ]


def list_messages(
    session: Session,
    principal: Principal,
    coalition_id: str,
    *,
    reply_to: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    """Threads and replies in the order they were posted (one thread's with `reply_to`)."""
    access.get_coalition_taking_part(session, principal, coalition_id)
    statement = select(Message).where(Message.coalition_id == coalition_id)
    if reply_to is not None:
        statement = statement.where(Message.reply_to == reply_to)
    page = paginate(session, statement, Message.id, limit=limit, cursor=cursor)  # type: ignore[arg-type]
    return Page(items=message_views(session, page.items), next_cursor=page.next_cursor)


def threads(
    session: Session, principal: Principal, coalition_id: str, *, limit: int = 20
) -> tuple[list[dict[str, Any]], bool]:
    """The latest `limit` threads, newest first, each with its replies oldest first; and
    whether there are earlier threads."""
    access.get_coalition_taking_part(session, principal, coalition_id)
    heads = list(
        session.exec(
            select(Message)
            .where(Message.coalition_id == coalition_id, Message.reply_to.is_(None))  # type: ignore[union-attr]
            .order_by(Message.id.desc())  # type: ignore[attr-defined]
            .limit(limit + 1)
        )
    )
    more, heads = len(heads) > limit, heads[:limit]
    replies = list(
        session.exec(
            select(Message)
            .where(Message.reply_to.in_([h.id for h in heads]))  # type: ignore[union-attr]
            .order_by(Message.id)  # type: ignore[arg-type]
        )
    )
    views = message_views(session, heads + replies)
    by_thread: dict[str, list[dict[str, Any]]] = {h.id: [] for h in heads}
    for view in views[len(heads) :]:
        by_thread[view["reply_to"]].append(view)
    return [{**view, "replies": by_thread[view["id"]]} for view in views[: len(heads)]], more


# List e-mail and unsubscribing ------------------------------------------------------------


def receives_list_mail(session: Session, *, user_id: str, coalition_id: str) -> bool:
    return session.get(ListOptOut, (user_id, coalition_id)) is None


def unsubscribe(session: Session, settings: Settings, token: str) -> tuple[User, Coalition]:
    """Follow an unsubscribe link: that person gets no more e-mail from that coalition's
    list. Following it again changes nothing."""
    found = ListUnsubscribeSigner(settings.secret_key).loads(token)
    user = session.get(User, found[0]) if found else None
    coalition = session.get(Coalition, found[1]) if found else None
    if user is None or coalition is None:
        raise NotFound("This unsubscribe link is not one Coalesce sent.")
    if receives_list_mail(session, user_id=user.id, coalition_id=coalition.id):
        session.add(ListOptOut(user_id=user.id, coalition_id=coalition.id, created_at=clock.now()))
        session.flush()
    return user, coalition


def subscribe_again(session: Session, principal: Principal, coalition_id: str) -> None:
    """The person asks for the list's e-mail again (after an unsubscribe link)."""
    access.get_coalition_taking_part(session, principal, coalition_id)
    opt_out = session.get(ListOptOut, (principal.user_id, coalition_id))
    if opt_out is not None:
        session.delete(opt_out)
        session.flush()


@dataclass(frozen=True)
class ListMail:
    subject: str
    body: str


def list_mail(
    session: Session, note: Notification, user: User, settings: Settings
) -> ListMail | None:
    """The e-mail that brings one message to one person, with the thread's address and the
    person's own unsubscribe link; None when that person stopped this list's e-mail."""
    event = session.get(Event, note.event_id) if note.event_id else None
    if event is None:
        return None
    data = event.data
    if not receives_list_mail(session, user_id=user.id, coalition_id=data["coalition_id"]):
        return None
    site = settings.public_url.rstrip("/")
    token = ListUnsubscribeSigner(settings.secret_key).dumps(user.id, data["coalition_id"])
    author = data.get("author_name") or "Someone"
    if data.get("organization_name"):
        author += f" ({data['organization_name']})"
    body = "\n".join(
        [
            f"{author} wrote on the {data['coalition_name']} list:",
            "",
            data["body"],
            "",
            f"Read the thread and reply: {site}{note.link}",
            f"Stop e-mail from this list: {site}/lists/unsubscribe/{token}",
        ]
    )
    return ListMail(subject=f"[{data['coalition_name']}] {data['subject']}", body=body)
