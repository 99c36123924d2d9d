"""The coalition's list as a page: threads with their replies, starting a thread, replying,
and the unsubscribe link of the list e-mail."""

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.deps import SessionDep, SettingsDep
from app.pages.coalitions import section_menu
from app.pages.deps import PagePrincipal
from app.pages.forms import Section, parse, section_action
from app.pages.routing import PageRoute, writes
from app.pages.templating import render
from app.principal import Principal
from app.schemas.messages import MessageCreate
from app.services import access, messages
from app.services.organizations import organization_names

router = APIRouter(route_class=PageRoute)

THREADS_A_PAGE = 20


def list_context(
    session: Session, principal: Principal, coalition_id: str, *, show: int = THREADS_A_PAGE
) -> dict[str, Any]:
    coalition = access.get_coalition_taking_part(session, principal, coalition_id)
    rights = access.coalition_rights(session, principal, coalition_id)
    threads, more = messages.threads(session, principal, coalition_id, limit=show)
    writers = rights.joined_admin_organizations
    return {
        "coalition": coalition,
        "menu": section_menu(coalition_id, rights, "messages"),
        "threads": threads,
        "more": more,
        "show": show,
        "may_start": rights.may_start_thread(coalition.who_may_post),
        "may_reply": rights.may_reply,
        "writers": writers,
        "names": organization_names(session, set(writers)),
        "receives_mail": messages.receives_list_mail(
            session, user_id=principal.user_id, coalition_id=coalition_id
        ),
        "form_errors": {},
        "drafts": {},
        "notices": {},
    }


@router.get("/coalitions/{coalition_id}/messages")
def list_page(
    request: Request,
    coalition_id: str,
    session: SessionDep,
    principal: PagePrincipal,
    show: int = THREADS_A_PAGE,
) -> Response:
    show = min(max(show, THREADS_A_PAGE), 1000)
    context = list_context(session, principal, coalition_id, show=show)
    return render(request, "messages/list.html", context)


@router.post("/coalitions/{coalition_id}/messages")
async def post_message(
    request: Request, coalition_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    """One form starts a thread, another under each thread replies to it; an error shows
    beside the form it came from."""
    form = await request.form()
    reply_to = form.get("reply_to")
    section = f"reply-{reply_to}" if isinstance(reply_to, str) and reply_to else "new-thread"

    def save(values: dict[str, Any]) -> None:
        # A blank box arrives as None; the service says in words what is missing.
        values["body"] = values.get("body") or ""
        messages.post_message(session, principal, coalition_id, parse(MessageCreate, values))

    notice = "Reply sent to the list." if reply_to else "Thread started: every member hears of it."
    return await section_action(
        request, session, _list(session, principal, coalition_id, section), save, notice=notice
    )


@router.post("/coalitions/{coalition_id}/messages/subscription")
async def subscribe_again(
    request: Request, coalition_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    """E-mail from this list again, after an unsubscribe link stopped it."""

    def save(_: dict[str, Any]) -> None:
        messages.subscribe_again(session, principal, coalition_id)

    return await section_action(
        request,
        session,
        _list(session, principal, coalition_id, "list-mail"),
        save,
        notice="You will get this list's messages by e-mail again.",
    )


def _list(session: Session, principal: Principal, coalition_id: str, name: str) -> Section:
    """The list's forms answer with the list, the banner beside the form named `name`."""
    return Section(
        name=name,
        partial="messages/_list.html",
        page="messages/list.html",
        context=lambda: list_context(session, principal, coalition_id),
        address=f"/coalitions/{coalition_id}/messages",
    )


@router.get("/lists/unsubscribe/{token}")
@writes
def unsubscribe(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    """The link at the foot of every list e-mail: no sign-in needed, it names the person."""
    user, coalition = messages.unsubscribe(session, settings, token)
    return render(request, "messages/unsubscribed.html", {"user": user, "coalition": coalition})
