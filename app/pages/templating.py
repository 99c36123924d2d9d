"""One Jinja2 environment and one way to render a page or an htmx fragment."""

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES_DIR))


def _when(value: datetime | None) -> str:
    return value.strftime("%d %b %Y, %H:%M UTC") if value else ""


templates.env.filters["when"] = _when


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    context = dict(context or {})
    session = request.scope.get("session") or {}
    context.setdefault("csrf_token", session.get("csrf", ""))
    context.setdefault("signed_in", bool(session.get("uid")))
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def render_error_page(request: Request, status: int, title: str, detail: str) -> Response:
    if is_htmx(request):
        return render(
            request, "partials/error.html", {"title": title, "detail": detail}, status_code=status
        )
    return render(
        request, "errors/error.html", {"title": title, "detail": detail}, status_code=status
    )
