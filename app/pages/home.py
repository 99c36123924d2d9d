"""My dashboard."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api.deps import SessionDep
from app.pages.deps import PagePrincipal
from app.pages.templating import render
from app.services import accounts

router = APIRouter()


@router.get("/")
def dashboard(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    return render(
        request,
        "home.html",
        {
            "principal": principal,
            "memberships": accounts.my_organizations(session, principal),
        },
    )
