"""The person's own page (/me): name, time zone, e-mail preference, password, API tokens,
and signing out everywhere."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from app import clock
from app.deps import SessionDep
from app.pages.browser_session import end_session, start_session
from app.pages.deps import PagePrincipal
from app.pages.forms import Section, local_times, parse, section_action
from app.pages.routing import PageRoute
from app.pages.templating import is_htmx, render
from app.principal import Principal
from app.schemas.accounts import MeUpdate, PasswordChange, TokenCreate
from app.services import accounts, notifications, profiles

router = APIRouter(route_class=PageRoute)

# What each scope lets a token do, in the words the tokens section shows.
SCOPE_CHOICES = [
    ("read", "Read", "see everything you can see"),
    ("write", "Write", "change things as you can: sign, vote, edit"),
    ("webhooks", "Webhooks", "manage your organizations' webhooks"),
    ("admin", "Administer", "manage tokens, people and your password"),
]

SECTION_PARTIALS = {
    "profile": "me/_profile.html",
    "password": "me/_password.html",
    "tokens": "me/_tokens.html",
}


def profile_context(session: Session, principal: Principal) -> dict[str, Any]:
    return {
        "me": profiles.profile(session, principal),
        "email": principal.email,
        "time_zones": profiles.time_zones(),
        "email_choices": notifications.EMAIL_CHOICES,
        "tokens": accounts.list_tokens(session, principal, limit=200, cursor=None).items,
        "scope_choices": SCOPE_CHOICES,
        "now": clock.now(),
        "form_errors": {},
        "drafts": {},
        "notices": {},
    }


def _section(session: Session, principal: Principal, name: str) -> Section:
    return Section(
        name=name,
        partial=SECTION_PARTIALS[name],
        page="me/profile.html",
        context=lambda: profile_context(session, principal),
        address="/me",
    )


@router.get("/me")
def profile_page(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    return render(request, "me/profile.html", profile_context(session, principal))


@router.post("/me")
async def save_profile(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    def save(values: dict[str, Any]) -> None:
        profiles.update_profile(session, principal, parse(MeUpdate, values))

    return await section_action(
        request, session, _section(session, principal, "profile"), save, notice="Profile saved."
    )


@router.post("/me/password")
async def change_password(
    request: Request, session: SessionDep, principal: PagePrincipal
) -> Response:
    def save(values: dict[str, Any]) -> None:
        user = profiles.change_password(session, principal, parse(PasswordChange, values))
        # This browser stays signed in under the new version; the others are out.
        start_session(request.session, user.id, user.session_version)

    return await section_action(
        request, session, _section(session, principal, "password"), save,
        notice="Password changed. Other browsers were signed out; API tokens keep working.",
    )  # fmt: skip


@router.post("/me/tokens")
async def create_token(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    created: dict[str, str] = {}

    def save(values: dict[str, Any]) -> None:
        token_in = parse(TokenCreate, local_times(values, ("expires_at",), principal.time_zone))
        _, created["token"] = accounts.create_token(
            session,
            principal,
            name=token_in.name,
            # Every box cleared asks for none, which the service refuses; a post without
            # the field at all gets the default.
            scopes=token_in.scopes,
            expires_at=token_in.expires_at,
        )

    return await section_action(
        request, session, _section(session, principal, "tokens"), save, lists=("scopes",),
        notice="Token created. Copy it now: it is shown only this once.",
        extra=lambda: {"new_token": created.get("token")},
    )  # fmt: skip


@router.post("/me/tokens/{token_id}/revoke")
async def revoke_token(
    request: Request, token_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    def save(_values: dict[str, Any]) -> None:
        accounts.revoke_token(session, principal, token_id)

    return await section_action(
        request, session, _section(session, principal, "tokens"), save,
        notice="Token revoked: it no longer works.",
    )  # fmt: skip


@router.post("/me/sessions/end")
def sign_out_everywhere(
    request: Request, session: SessionDep, principal: PagePrincipal
) -> Response:
    """Every browser, this one included, must sign in again; API tokens keep working."""
    profiles.sign_out_everywhere(session, principal)
    end_session(request.session)
    target = "/login?signed_out=everywhere"
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)
