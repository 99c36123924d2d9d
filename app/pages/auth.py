"""Sign in and sign out."""

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from app.deps import SessionDep, SettingsDep, client_address
from app.errors import TooManyRequests, Unauthorized
from app.pages.browser_session import end_session, start_session
from app.pages.routing import PageRoute
from app.pages.templating import render
from app.schemas.base import UNSTORABLE_MESSAGE, unstorable_at
from app.services import accounts, profiles

router = APIRouter(route_class=PageRoute)


def _safe_next(value: str | None) -> str:
    # Only paths on this site: never send a fresh sign-in to another host.
    if value and value.startswith("/") and not value.startswith("//"):
        return value
    return "/"


@router.get("/login")
def login_form(
    request: Request,
    settings: SettingsDep,
    next: str | None = None,
    signed_out: str | None = None,
    ended: str | None = None,
) -> Response:
    notice = "You are signed out of every browser." if signed_out == "everywhere" else None
    context = {
        "next": _safe_next(next),
        "errors": {},
        "notice": notice,
        "signup_open": settings.signup == "open",
        # The session ran out under a form: say so, and that what was typed is kept.
        "session_ended": ended is not None and bool(request.session.get("kept")),
    }
    return render(request, "auth/login.html", context)


@router.post("/login")
async def login(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    form = await request.form()
    email = str(form.get("email", "")).strip()
    password = str(form.get("password", ""))
    next_path = _safe_next(str(form.get("next", "/")))
    context = {"next": next_path, "email": email}
    if unstorable_at([email, password]) is not None:
        errors = {"": UNSTORABLE_MESSAGE}
        return render(request, "auth/login.html", {**context, "errors": errors}, status_code=422)
    try:
        principal = accounts.authenticate(
            session,
            email=email,
            password=password,
            address=client_address(request),
            settings=settings,
        )
    except Unauthorized as exc:
        session.commit()  # keep the recorded failure: throttling depends on it
        return render(
            request, "auth/login.html", {**context, "errors": {"": exc.detail}}, status_code=401
        )
    except TooManyRequests as exc:
        return render(
            request, "auth/login.html", {**context, "errors": {"": exc.detail}}, status_code=429
        )
    kept = request.session.get("kept")  # a form typed before the session ended
    profiles.adopt_browser_zone(session, principal.user_id, form.get("browser_time_zone"))
    start_session(request.session, principal.user_id, principal.session_version)
    if kept:
        request.session["kept"] = kept
    return RedirectResponse(next_path, status_code=303)


@router.get("/logout")
def logout_form(request: Request) -> Response:
    return render(request, "auth/logout.html")


@router.post("/logout")
def logout(request: Request) -> Response:
    end_session(request.session)
    return RedirectResponse("/login", status_code=303)
