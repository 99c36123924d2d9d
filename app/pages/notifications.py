"""Notifications: the list, marking them read, the e-mail preference and the bell's count."""

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.deps import SessionDep
from app.pages.deps import PagePrincipal
from app.pages.forms import Section, section_action
from app.pages.routing import PageRoute
from app.pages.templating import htmx_target, render
from app.principal import Principal
from app.services import notifications, reports, waiting

router = APIRouter(route_class=PageRoute)


@router.get("/notifications")
def notifications_page(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    """The whole list, or the bell alone: every page's navigation loads the count of what
    waits on the person (the dashboard's count)."""
    if htmx_target(request) == "bell":
        count = waiting.bell_count(session, principal)
        return render(request, "notifications/_bell.html", {"waiting_count": count})
    return render(request, "notifications/list.html", _notifications_context(session, principal))


def _notifications_context(session: Session, principal: Principal) -> dict[str, Any]:
    waits = waiting.waiting_on(session, principal)
    notes = waiting.live_notifications(session, principal, waits)
    return {
        "waiting": waits,
        "notifications": notes,
        "asked_letters": waiting.asked_letters(session, notes),
        "unread": sum(1 for _, live in notes if live),
        "preference": notifications.preference(session, principal.user_id),
        "has_feed": reports.has_calendar(session, principal),
        "address": None,
        "choices": notifications.EMAIL_CHOICES,
        "form_errors": {},
        "drafts": {},
        "notices": {},
    }


def _list(session: Session, principal: Principal) -> Section:
    """The notifications page's forms answer with its list, refreshed."""
    return Section(
        name="notifications",
        partial="notifications/_list.html",
        page="notifications/list.html",
        context=lambda: _notifications_context(session, principal),
        address="/notifications",
    )


@router.post("/notifications/read")
async def mark_read(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    def save(values: dict[str, Any]) -> None:
        notifications.mark_read(session, principal, values.get("notification_id"))

    return await section_action(
        request, session, _list(session, principal), save, notice="Marked read."
    )


@router.post("/notifications/preferences")
async def save_preferences(
    request: Request, session: SessionDep, principal: PagePrincipal
) -> Response:
    def save(values: dict[str, Any]) -> None:
        notifications.set_preference(session, principal, values.get("email") or "")

    return await section_action(
        request, session, _list(session, principal), save, notice="Preference saved."
    )
