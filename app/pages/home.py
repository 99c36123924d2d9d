"""My dashboard: what waits on me and my organization, my coalitions, what just happened."""

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.deps import SessionDep
from app.models import User
from app.pages.deps import PagePrincipal
from app.pages.routing import PageRoute
from app.pages.templating import htmx_target, render
from app.principal import Principal
from app.services import (
    access,
    accounts,
    activities,
    coalitions,
    events,
    goals,
    proposals,
    waiting,
)
from app.services.organizations import names_by_id, organization_names

router = APIRouter(route_class=PageRoute)


def dashboard_context(session: Session, principal: Principal) -> dict[str, Any]:
    mine = coalitions.list_coalitions(session, principal, scope="mine", limit=200).items
    recent = events.recent(session, principal, limit=10)
    org_ids = {e["data"].get("organization_id") for e in recent} | set(principal.roles)
    coalition_ids = {e["coalition_id"] for e in recent if e["coalition_id"]}
    coalition_names = coalitions.coalition_names(session, coalition_ids)
    # The four panels read what waits from the same place as the bell and the calendar.
    waits = waiting.waiting_on(session, principal)
    # "Recently" links what it tells of, but only to pages the reader can still open: an
    # organization that left a private coalition keeps its history, not the way in.
    rights = access.rights_in_coalitions(session, principal, coalition_ids)
    goals_by_coalition = goals.goals_of_coalitions(session, mine)
    return {
        "principal": principal,
        "memberships": accounts.my_organizations(session, principal),
        "asks": waits.asks,
        "my_steps": waits.steps,
        "votes_waiting": waits.votes,
        "votes_of_others": waiting.votes_cast_by_others(session, principal),
        "coalitions": [(c, goals_by_coalition[c.id]) for c in mine],
        "invited": waits.invitations,
        "recent": recent,
        "names": organization_names(session, {o for o in org_ids if o}),
        "coalition_names": coalition_names,
        # Who did what, for events told with a person ("Dana sent the advocacy report").
        "people": names_by_id(
            session,
            User,
            {e["data"]["actor_user_id"] for e in recent if e["data"].get("actor_user_id")},
        ),
        "working_in": {cid for cid, r in rights.items() if r.takes_part},
        "seeing": {
            cid
            for cid, r in rights.items()
            if r.takes_part
            or any(m.status in access.VISIBLE_MEMBERSHIP for m in r.memberships.values())
        },
        "proposal_titles": proposals.proposal_titles(
            session, {e["data"]["proposal_id"] for e in recent if e["data"].get("proposal_id")}
        ),
        "activity_titles": activities.activity_titles(
            session, {e["data"]["activity_id"] for e in recent if e["data"].get("activity_id")}
        ),
    }


@router.get("/")
def dashboard(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    """The whole dashboard, or its blocks alone, refreshed in place when something happens."""
    context = dashboard_context(session, principal)
    if htmx_target(request) == "dashboard-blocks":
        return render(request, "_dashboard_blocks.html", context)
    return render(request, "home.html", context)
