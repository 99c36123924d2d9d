"""Every error as RFC 9457 problem+json on the API, and as an error page in the browser."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from app.errors import DomainError, TooManyRequests, Unauthorized

log = logging.getLogger("coalesce.errors")

PROBLEM_BASE = "https://coalesce.dev/problems/"
_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


UNREADABLE_BODY = "The body could not be read as JSON: send UTF-8, nested less deeply."
_UNREADABLE_BODY = {"loc": ["body"], "msg": UNREADABLE_BODY, "type": "json_invalid"}


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def problem(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + (slug or str(status)),
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(
        jsonable_encoder(body),
        status_code=status,
        headers=headers,
        media_type="application/problem+json",
    )


class ProblemFieldError(BaseModel):
    """One invalid input: where (`["body", "name"]`, `["query", "cursor"]`) and what is wrong."""

    loc: list[str | int]
    msg: str
    type: str | None = None


class Problem(BaseModel):
    """What `problem()` renders (RFC 9457); the API's error responses declare this shape."""

    # RFC 9457 lets a problem type add members; a client must accept those it does not know.
    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    errors: list[ProblemFieldError] | None = None


def _headers_for(exc: DomainError) -> dict[str, str]:
    if isinstance(exc, TooManyRequests):
        return {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, Unauthorized):
        return {"WWW-Authenticate": 'Bearer realm="coalesce"'}
    return {}


def install(app: FastAPI, render_error_page: Any) -> None:
    """Register the handlers; `render_error_page(request, status, title, detail)` serves HTML."""

    async def on_domain_error(request: Request, exc: DomainError) -> Response:
        if is_api(request):
            return problem(
                exc.status,
                exc.detail,
                slug=exc.slug,
                title=exc.title,
                errors=exc.errors or None,
                headers=_headers_for(exc),
            )
        return render_error_page(request, exc.status, exc.title, exc.detail)

    async def on_validation_error(request: Request, exc: RequestValidationError) -> Response:
        # Our own validators speak in sentences; pydantic puts "Value error, " before them.
        errors = [
            {
                "loc": list(e["loc"]),
                "msg": e["msg"].removeprefix("Value error, "),
                "type": e["type"],
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors[:5])
        if is_api(request):
            return problem(422, detail, slug="validation", errors=errors)
        return render_error_page(request, 422, "Validation failed", detail)

    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else _TITLES.get(exc.status_code, "")
        if exc.status_code == 404:
            detail = "Nothing lives at this address."
        if is_api(request) and exc.status_code == 400 and exc.__cause__ is not None:
            # FastAPI's answer to a body it could not parse (not UTF-8, nested deeper than
            # the parser goes): malformed JSON like any other, so a 422 naming the body.
            return problem(422, UNREADABLE_BODY, slug="validation", errors=[_UNREADABLE_BODY])
        if is_api(request):
            return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))
        return render_error_page(
            request, exc.status_code, _TITLES.get(exc.status_code, "Error"), detail
        )

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        detail = "Something went wrong on our side; it has been logged."
        if is_api(request):
            return problem(500, detail)
        return render_error_page(request, 500, "Internal server error", detail)

    app.add_exception_handler(DomainError, on_domain_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, on_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, on_http_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, on_unexpected)
