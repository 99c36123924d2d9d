"""Pages reached from an e-mail: choosing a password from an invitation, asking for a
password reset and using its link, and signing up (when COALESCE_SIGNUP=open)."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlmodel import Session
from starlette.responses import Response

from app.deps import SessionDep, SettingsDep, client_address
from app.errors import Invalid, LinkNotValid, MailUnavailable, NotFound, TooManyRequests
from app.models import AccountLink, Coalition, Organization
from app.models.organizations import OrganizationKind
from app.pages.browser_session import start_session
from app.pages.forms import field_errors, form_values, parse, refuse_unstorable
from app.pages.routing import PageRoute
from app.pages.templating import render
from app.schemas.accounts import PasswordResetCreate, SignupComplete, SignupCreate
from app.services import account_links, profiles

router = APIRouter(route_class=PageRoute)


def _link_problem(request: Request, exc: LinkNotValid, purpose: str) -> Response:
    """A 400 page that says what went wrong with the link and what to do instead."""
    context = {"detail": exc.detail, "reason": exc.reason, "purpose": purpose}
    return render(request, "auth/link_not_valid.html", context, status_code=400)


def _open_link(request: Request, session: Session, token: str, purpose: str) -> AccountLink:
    link = account_links.find_link(session, token, purpose)
    signed_in_as = request.session.get("uid")
    # Someone else's browser: never let one account act on another's link.
    if signed_in_as and signed_in_as != link.user_id:
        raise NotFound(
            "This link was sent to someone else. If it is yours, log out and follow it again."
        )
    return link


def _welcome_context(session: Session, link: AccountLink) -> dict[str, Any]:
    user = account_links.link_owner(session, link)
    organization = session.get(Organization, link.organization_id) if link.organization_id else None
    coalition = session.get(Coalition, link.coalition_id) if link.coalition_id else None
    return {
        "person": user,
        "organization": organization,
        "coalition": coalition,
        "invited_by": link.invited_by,
        "errors": {},
    }


@router.get("/welcome/{token}")
def invitation_form(request: Request, token: str, session: SessionDep) -> Response:
    try:
        link = _open_link(request, session, token, account_links.INVITATION)
    except LinkNotValid as exc:
        return _link_problem(request, exc, account_links.INVITATION)
    return render(request, "auth/welcome.html", _welcome_context(session, link))


@router.post("/welcome/{token}")
async def accept_invitation(request: Request, token: str, session: SessionDep) -> Response:
    values = await form_values(request)
    browser_zone = values.pop("browser_time_zone", None)  # see profiles.adopt_browser_zone
    try:
        link = _open_link(request, session, token, account_links.INVITATION)
        context = _welcome_context(session, link)
        refuse_unstorable(values)
        with session.begin_nested():
            used = account_links.accept_invitation(
                session,
                token=token,
                password=values.get("password") or "",
                name=values.get("name"),
            )
    except LinkNotValid as exc:
        return _link_problem(request, exc, account_links.INVITATION)
    except Invalid as exc:
        context.update(errors=field_errors(exc), name=values.get("name"))
        return render(request, "auth/welcome.html", context, status_code=422)
    profiles.adopt_browser_zone(session, used.user.id, browser_zone)
    start_session(request.session, used.user.id, used.user.session_version)
    return RedirectResponse(used.next_path, status_code=303)


@router.get("/forgot-password")
def forgot_password_form(request: Request) -> Response:
    return render(request, "auth/forgot_password.html", {"errors": {}})


@router.post("/forgot-password")
async def forgot_password(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    values = await form_values(request)
    email = values.get("email") or ""
    context: dict[str, Any] = {"email": email, "errors": {}}
    try:
        refuse_unstorable(values)
        reset_in = parse(PasswordResetCreate, {"email": email})
        account_links.request_password_reset(
            session, settings, email=reset_in.email, address=client_address(request)
        )
    except (ValidationError, Invalid) as exc:
        errors = field_errors(exc)
        if "email" in errors:
            errors["email"] = "Enter an e-mail address such as name@example.org."
        context["errors"] = errors
        return render(request, "auth/forgot_password.html", context, status_code=422)
    except (TooManyRequests, MailUnavailable) as exc:
        context["errors"] = {"": exc.detail}
        return render(request, "auth/forgot_password.html", context, status_code=exc.status)
    context["sent"] = True
    return render(request, "auth/forgot_password.html", context)


@router.get("/reset-password/{token}")
def reset_password_form(request: Request, token: str, session: SessionDep) -> Response:
    try:
        link = _open_link(request, session, token, account_links.PASSWORD_RESET)
    except LinkNotValid as exc:
        return _link_problem(request, exc, account_links.PASSWORD_RESET)
    person = account_links.link_owner(session, link)
    return render(request, "auth/reset_password.html", {"person": person, "errors": {}})


@router.post("/reset-password/{token}")
async def reset_password(request: Request, token: str, session: SessionDep) -> Response:
    values = await form_values(request)
    try:
        link = _open_link(request, session, token, account_links.PASSWORD_RESET)
        person = account_links.link_owner(session, link)
        refuse_unstorable(values)
        with session.begin_nested():
            user = account_links.reset_password(
                session, token=token, password=values.get("password") or ""
            )
    except LinkNotValid as exc:
        return _link_problem(request, exc, account_links.PASSWORD_RESET)
    except Invalid as exc:
        context = {"person": person, "errors": field_errors(exc)}
        return render(request, "auth/reset_password.html", context, status_code=422)
    # This browser stays signed in with the new session version; every other one is out.
    start_session(request.session, user.id, user.session_version)
    return render(request, "auth/reset_password.html", {"person": user, "done": True})


@router.get("/signup")
def signup_form(request: Request, settings: SettingsDep) -> Response:
    account_links.require_open_signup(settings)
    return render(request, "auth/signup.html", {"errors": {}})


@router.post("/signup")
async def signup(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    account_links.require_open_signup(settings)
    values = await form_values(request)
    email = values.get("email") or ""
    context: dict[str, Any] = {"email": email, "errors": {}}
    try:
        refuse_unstorable(values)
        signup_in = parse(SignupCreate, {"email": email})
        account_links.request_signup(
            session, settings, email=signup_in.email, address=client_address(request)
        )
    except (ValidationError, Invalid):
        context["errors"] = {"email": "Enter an e-mail address such as name@example.org."}
        return render(request, "auth/signup.html", context, status_code=422)
    except (TooManyRequests, MailUnavailable) as exc:
        context["errors"] = {"": exc.detail}
        return render(request, "auth/signup.html", context, status_code=exc.status)
    context["sent"] = True
    return render(request, "auth/signup.html", context)


def _signup_context(link: AccountLink, session: Session, draft: dict[str, Any]) -> dict[str, Any]:
    return {
        "person": account_links.link_owner(session, link),
        "kinds": [kind.value for kind in OrganizationKind],
        "draft": draft,
        "errors": {},
    }


@router.get("/signup/{token}")
def finish_signup_form(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    account_links.require_open_signup(settings)
    try:
        link = _open_link(request, session, token, account_links.SIGNUP)
    except LinkNotValid as exc:
        return _link_problem(request, exc, account_links.SIGNUP)
    draft = {"organization_kind": OrganizationKind.nonprofit.value}
    return render(request, "auth/signup_finish.html", _signup_context(link, session, draft))


@router.post("/signup/{token}")
async def finish_signup(
    request: Request, token: str, session: SessionDep, settings: SettingsDep
) -> Response:
    account_links.require_open_signup(settings)
    values = await form_values(request)
    browser_zone = values.pop("browser_time_zone", None)  # see profiles.adopt_browser_zone
    try:
        link = _open_link(request, session, token, account_links.SIGNUP)
        context = _signup_context(link, session, values)
        refuse_unstorable(values)
        signup_in = parse(SignupComplete, {**values, "token": token, "username": None})
        with session.begin_nested():
            used = account_links.complete_signup(
                session, settings, token=token, signup_in=signup_in
            )
    except LinkNotValid as exc:
        return _link_problem(request, exc, account_links.SIGNUP)
    except (ValidationError, Invalid) as exc:
        context["errors"] = field_errors(exc)
        return render(request, "auth/signup_finish.html", context, status_code=422)
    profiles.adopt_browser_zone(session, used.user.id, browser_zone)
    start_session(request.session, used.user.id, used.user.session_version)
    return RedirectResponse(used.next_path, status_code=303)
