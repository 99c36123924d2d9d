"""Page dependencies: the signed-in principal (or a trip to /login) and the CSRF check."""

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from app.deps import SessionDep, run_read
from app.errors import Forbidden
from app.principal import Principal
from app.security import csrf_matches
from app.services import accounts, kept_forms

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


class LoginRequired(Exception):
    """Raised by pages that need a signed-in user; answered with a redirect to /login.
    `ended`: the browser's session ran out under a form, whose fields were kept."""

    def __init__(self, next_path: str, *, ended: bool = False) -> None:
        self.next_path = next_path
        self.ended = ended


def login_url(next_path: str, *, ended: bool = False) -> str:
    return f"/login?next={quote(next_path, safe='/')}" + ("&ended=1" if ended else "")


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
        # A token from a session that ran out: the form came from one of our pages, typed by
        # someone since signed out. Without any token, nothing is kept (nor written).
        stale = given is not None and not request.session.get("uid")
        if stale and not _signing_in(request.url.path):
            # Signed out under the form (the session ran out): keep what was typed, and
            # bring it back to the page once its author has signed in again.
            raise LoginRequired(await _keep_posted_form(request), ended=True)
        raise Forbidden("This form has expired or did not come from Coalesce. Reload the page.")


KEEP_AT_MOST = 200_000  # characters: a long letter, and then some


def _signing_in(path: str) -> bool:
    """Forms of signed-out people themselves: a stale token there is not an ended session,
    and nothing of theirs (a password least of all) is kept."""
    first = path.strip("/").split("/")[0]
    return first in {"login", "logout", "welcome", "forgot-password", "reset-password", "signup"}


async def _keep_posted_form(request: Request) -> str:
    """Keep the posted fields; returns the page the form was on (to go back to)."""
    form = await request.form()
    fields = [
        [key, value]
        for key, value in form.multi_items()
        if isinstance(value, str) and key != CSRF_FIELD and "password" not in key
    ]
    if sum(len(key) + len(value) for key, value in fields) > KEEP_AT_MOST:
        fields = []  # too much to be typed by hand: not kept, the login still says why
    back = _same_site_page(request)
    with request.app.state.database.session() as session:
        secret = kept_forms.keep(
            session, post_path=request.url.path, return_path=back, fields=fields
        )
    request.session["kept"] = secret
    return back


def _same_site_page(request: Request) -> str:
    """The page a form was posted from: htmx names it; a plain post's Referer does; the
    dashboard when neither says (or they name another site)."""
    source = request.headers.get("hx-current-url") or request.headers.get("referer") or ""
    parts = urlsplit(source)
    if parts.netloc and parts.netloc != request.url.netloc:
        return "/"
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


async def _page_principal(request: Request, session: SessionDep) -> Principal:
    # Looked up where the page itself reads (`run_read`): a thread hand-off each would cost
    # a short page as much as its own lookup.
    user_id = request.session.get("uid")
    principal = (
        await run_read(request, accounts.principal_for_user_id, session=session, user_id=user_id)
        if user_id
        else None
    )
    # Sessions from before "sign out everywhere" (or a password reset) carry an older version.
    if principal is None or request.session.get("sv", 1) != principal.session_version:
        raise LoginRequired(request.url.path)
    secret = request.session.get("kept")
    if secret and request.method == "GET" and not request.headers.get("hx-request"):
        # A write, which may wait for the lock: always in a thread.
        await run_in_threadpool(_hand_back_kept_form, request, secret)
    request.state.time_zone = principal.time_zone  # pages are written in the reader's zone
    return principal


def _hand_back_kept_form(request: Request, secret: str) -> None:
    """Back on the page whose form was posted after the session ended: hand it back."""
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    # Its own unit of work: a page's own session is read-only, and this one deletes.
    with request.app.state.database.session() as writable:
        kept = kept_forms.take(writable, secret, path)
        if kept is not None:
            request.session.pop("kept", None)
            request.state.kept_form = {"action": kept.post_path, "fields": kept.fields}


PagePrincipal = Annotated[Principal, Depends(_page_principal)]
