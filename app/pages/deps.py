"""Page dependencies: the signed-in principal (or a trip to /login) and the CSRF check."""

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request

from app.deps import SessionDep
from app.errors import Forbidden
from app.principal import Principal
from app.security import csrf_matches
from app.services import accounts

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """Raised by pages that need a signed-in user; answered with a redirect to /login."""

    def __init__(self, next_path: str) -> None:
        self.next_path = next_path


def login_url(next_path: str) -> str:
    return f"/login?next={quote(next_path, safe='/')}"


async def verify_csrf(request: Request) -> None:
    """Every form post and every htmx request must carry the session's CSRF token."""
    if request.method not in UNSAFE_METHODS:
        return
    given = request.headers.get(CSRF_HEADER)
    if given is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not csrf_matches(request.session.get("csrf"), given):
        raise Forbidden("This form has expired or did not come from Coalesce. Reload the page.")


def _page_principal(request: Request, session: SessionDep) -> Principal:
    user_id = request.session.get("uid")
    principal = accounts.principal_for_user_id(session, user_id) if user_id else None
    # Sessions from before "sign out everywhere" (or a password reset) carry an older version.
    if principal is None or request.session.get("sv", 1) != principal.session_version:
        raise LoginRequired(request.url.path)
    request.state.time_zone = principal.time_zone  # pages are written in the reader's zone
    return principal


PagePrincipal = Annotated[Principal, Depends(_page_principal)]
