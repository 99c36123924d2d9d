"""My dashboard."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api.deps import SessionDep
from app.pages.deps import PagePrincipal
from app.pages.templating import render
from app.services import accounts, coalitions, goals

router = APIRouter()


@router.get("/")
def dashboard(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    mine = coalitions.list_coalitions(session, principal, scope="mine", limit=200).items
    invited = coalitions.list_coalitions(session, principal, scope="invited", limit=200).items
    return render(
        request,
        "home.html",
        {
            "principal": principal,
            "memberships": accounts.my_organizations(session, principal),
            "coalitions": [
                (c, goals.list_goals(session, principal, c.id, limit=200).items) for c in mine
            ],
            "invited": invited,
        },
    )
