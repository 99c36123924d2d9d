"""Every error as RFC 9457 problem+json on the API, and as an error page in the browser."""

import logging
from typing import Any, NamedTuple

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from app.errors import DomainError, InsufficientScope, TooManyRequests, Unauthorized

log = logging.getLogger("coalesce.errors")

PROBLEM_BASE = "https://coalesce.dev/problems/"


class _Kind(NamedTuple):
    slug: str  # the problem `type` is PROBLEM_BASE + slug
    title: str
    code: str


# One kind of error per status unless a DomainError names its own: a 404 is `not-found`
# whether a service, the router or a middleware raised it.
KINDS = {
    400: _Kind("bad-request", "Bad request", "bad_request"),
    401: _Kind("unauthorized", "Unauthorized", "unauthorized"),
    403: _Kind("forbidden", "Forbidden", "forbidden"),
    404: _Kind("not-found", "Not found", "not_found"),
    405: _Kind("method-not-allowed", "Method not allowed", "method_not_allowed"),
    409: _Kind("conflict", "Conflict", "conflict"),
    412: _Kind("precondition-failed", "Precondition failed", "stale_version"),
    413: _Kind("content-too-large", "Content too large", "content_too_large"),
    415: _Kind("unsupported-media-type", "Unsupported media type", "unsupported_media_type"),
    422: _Kind("validation", "Validation failed", "validation_failed"),
    429: _Kind("too-many-requests", "Too many requests", "rate_limited"),
    500: _Kind("internal-error", "Internal server error", "internal_error"),
    503: _Kind("service-unavailable", "Service unavailable", "service_unavailable"),
}
_TITLES = {status: kind.title for status, kind in KINDS.items()}


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
    code: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    kind = KINDS.get(status) or _Kind(f"status-{status}", "Error", f"status_{status}")
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + (slug or kind.slug),
        "title": title or kind.title,
        "status": status,
        "detail": detail,
        "code": code or kind.code,
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
    code: str = Field(
        description="Stable and machine-readable: `not_found`, `stale_version`, "
        "`insufficient_scope`, `rate_limited`, or what a 409 is about "
        "(`approval_step_not_active`, …). The list is in the README."
    )
    errors: list[ProblemFieldError] | None = None


def _headers_for(exc: DomainError) -> dict[str, str]:
    if isinstance(exc, TooManyRequests):
        return {"Retry-After": str(exc.retry_after)}
    if isinstance(exc, Unauthorized):
        return {"WWW-Authenticate": 'Bearer realm="coalesce"'}
    if isinstance(exc, InsufficientScope):
        # As RFC 6750 says a bearer token short of a scope is answered.
        return {
            "WWW-Authenticate": f'Bearer realm="coalesce", error="insufficient_scope", '
            f'scope="{exc.scope}"'
        }
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
                code=exc.code,
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
