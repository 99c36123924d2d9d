"""The browser session: a signed cookie holding the user id and the CSRF token.

Nothing lives in process memory, so any web process can serve any request.
The cookie is HttpOnly, SameSite=Lax, and Secure whenever the request came over https.
"""

import json
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.security import SESSION_COOKIE, SessionSigner, new_csrf_token


class BrowserSessionMiddleware:
    def __init__(self, app: ASGIApp, signer: SessionSigner) -> None:
        self.app = app
        self.signer = signer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        connection = HTTPConnection(scope)
        data = self.signer.loads(connection.cookies.get(SESSION_COOKIE)) or {}
        before = json.dumps(data, sort_keys=True)
        if "csrf" not in data:
            data["csrf"] = new_csrf_token()
        scope["session"] = data
        secure = connection.url.scheme == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                session: dict[str, Any] = scope["session"]
                if json.dumps(session, sort_keys=True) != before:
                    headers = MutableHeaders(scope=message)
                    headers.append("Set-Cookie", self._cookie(session, secure))
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def _cookie(self, session: dict[str, Any], secure: bool) -> str:
        parts = [
            f"{SESSION_COOKIE}={self.signer.dumps(session)}",
            "Path=/",
            f"Max-Age={self.signer.max_age_seconds}",
            "HttpOnly",
            "SameSite=Lax",
        ]
        if secure:
            parts.append("Secure")
        return "; ".join(parts)


def start_session(session: dict[str, Any], user_id: str, session_version: int = 1) -> None:
    """Signing in gets a fresh CSRF token, so a token seen before sign-in is worthless after.
    The person's session version goes in too: raising it ends this session everywhere."""
    session.clear()
    session.update({"uid": user_id, "sv": session_version, "csrf": new_csrf_token()})


def end_session(session: dict[str, Any]) -> None:
    session.clear()
    session["csrf"] = new_csrf_token()
