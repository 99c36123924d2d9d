"""Security headers on every response: a Content-Security-Policy without inline script,
no framing, no MIME sniffing, a same-origin referrer, and HSTS when served over https."""

from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def _policy(*directives: str) -> str:
    return "; ".join(directives)


_LOCKED_DOWN = (
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
    "frame-ancestors 'none'",
)

# Scripts come only from /static (htmx, its SSE extension, our own files): no inline
# script and no eval, and base.html turns htmx's eval off too. Styles come only from
# /static as well: base.html turns off the <style> htmx would inject for its indicators,
# and templates carry no style attributes (UI.md: no inline styles).
CONTENT_SECURITY_POLICY = _policy(
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",  # pico draws its icons as data: SVGs in its CSS
    "connect-src 'self'",  # htmx requests and the live stream (/events/stream)
    *_LOCKED_DOWN,
)

# FastAPI's /docs (Swagger UI) and /redoc load their code and styles from a CDN, and
# Swagger UI starts from an inline script and styles itself inline. They only show the
# API's own schema, no user content, so these pages alone get this looser policy.
_CDN = "https://cdn.jsdelivr.net"
DOCS_CONTENT_SECURITY_POLICY = _policy(
    "default-src 'self'",
    f"script-src 'self' 'unsafe-inline' {_CDN}",
    f"style-src 'self' 'unsafe-inline' {_CDN} https://fonts.googleapis.com",
    "font-src 'self' https://fonts.gstatic.com",
    # FastAPI's favicon for the docs, ReDoc's "powered by" logo
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly",
    "worker-src blob:",  # ReDoc searches in a worker it makes from a blob
    "connect-src 'self'",
    *_LOCKED_DOWN,
)

# Features no page uses, closed to our pages and to anything they could embed.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "serial",
        "usb",
        "xr-spatial-tracking",
        "browsing-topics",
    )
)

# A year, the usual. No includeSubDomains: other hosts under the same domain are not ours
# to pin to https.
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


def _encode(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [
        (name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in headers.items()
    ]


class SecurityHeadersMiddleware:
    """Sets the headers on every HTTP response, errors, static files and streams included.

    They replace any of the same name a route set: this is the one place they are decided.
    """

    def __init__(self, app: ASGIApp, docs_paths: Iterable[str] = ()) -> None:
        self.app = app
        self.docs_paths = frozenset(docs_paths)
        common = {
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            "Permissions-Policy": PERMISSIONS_POLICY,
        }
        self._pages = _encode({"Content-Security-Policy": CONTENT_SECURITY_POLICY, **common})
        self._docs = _encode({"Content-Security-Policy": DOCS_CONTENT_SECURITY_POLICY, **common})
        self._https = _encode({"Strict-Transport-Security": STRICT_TRANSPORT_SECURITY})
        self._names = {name for name, _ in self._pages + self._https}

    def _headers_for(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        headers = self._docs if scope["path"] in self.docs_paths else self._pages
        # uvicorn sets the scheme from X-Forwarded-Proto too when it trusts the proxy.
        if scope.get("scheme") == "https":
            headers = headers + self._https
        return headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = self._headers_for(scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [h for h in message.get("headers", []) if h[0].lower() not in self._names]
                message["headers"] = [*kept, *added]
            await send(message)

        await self.app(scope, receive, send_with_headers)
