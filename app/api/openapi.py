"""The OpenAPI description integrators generate clients from: operation ids are the route
functions' names, and every error a route can answer is declared as problem+json."""

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from app.api.problems import Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"
_PROBLEM_REF = "#/components/schemas/Problem"

_DESCRIPTIONS = {
    400: "The e-mailed link is unknown, already used or expired; `detail` says which.",
    401: "Not signed in: the token or credentials are missing, wrong, revoked or expired.",
    403: "Signed in, but the caller's role, or the token's scopes "
    "(`code` insufficient_scope), do not allow this.",
    404: "No such object, or the caller may not see it.",
    409: "The object's current state does not allow this; a POST also answers 409 while "
    "a request with the same Idempotency-Key is still running.",
    412: "If-Match names a version that is no longer the current one.",
    422: "The input is not valid; `errors` names each field.",
    429: "Over the rate limit (`code` rate_limited), or too many failed sign-ins with HTTP "
    "Basic or password resets; wait as Retry-After says.",
    503: "Coalesce has no way to send e-mail (COALESCE_SMTP_URL is not set).",
}
_RATE_LIMIT_HEADERS = {
    "RateLimit-Limit": {
        "description": "Requests allowed a minute, for the tightest of the caller's limits "
        "(per token, per client address); absent when limits are off.",
        "schema": {"type": "integer"},
    },
    "RateLimit-Remaining": {
        "description": "Requests left in the current minute.",
        "schema": {"type": "integer"},
    },
    "RateLimit-Reset": {
        "description": "Seconds until the minute ends.",
        "schema": {"type": "integer"},
    },
}
_HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}}},
    403: {
        "WWW-Authenticate": {
            "description": 'With a token short of a scope: `Bearer error="insufficient_scope", '
            'scope="…"` (RFC 6750).',
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}},
        **_RATE_LIMIT_HEADERS,
    },
}


def operation_id(route: APIRoute) -> str:
    """A route function's name is its operation id, so it reads as a verb (`decide_approval`)."""
    return route.name


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status it can answer, as a Problem."""
    return {
        status: {
            "model": Problem,
            "description": _DESCRIPTIONS[status],
            **({"headers": _HEADERS[status]} if status in _HEADERS else {}),
        }
        for status in statuses
    }


def install(app: FastAPI) -> None:
    """FastAPI files a response's model under application/json; problems are sent as
    application/problem+json, so the schema says that instead. Each operation that needs a
    caller also names the scope a token needs for it, and the schema's `webhooks` describe
    each event type with an example body."""
    from app.api import event_catalogue  # it reads the services; imported once the app is

    event_catalogue.install(app)
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            _declare_problem_media_type(schema)
            _declare_security(schema)
            _declare_updated_since(schema)
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _declare_problem_media_type(schema: dict[str, Any]) -> None:
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            operation["responses"] = dict(sorted(responses.items()))
            for response in responses.values():
                content = response.get("content", {})
                if content.get("application/json", {}).get("schema") == {"$ref": _PROBLEM_REF}:
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")


_SECURITY_SCHEMES = {
    "token": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token (`coal_…`). Its scopes (read, write, webhooks, admin) "
        "must include the one each operation names under `security`.",
    },
    "password": {
        "type": "http",
        "scheme": "basic",
        "description": "E-mail and password: every right the person has; meant for making a token.",
    },
}


def _declare_security(schema: dict[str, Any]) -> None:
    """Bearer with the operation's scope (OpenAPI 3.1 lets a non-OAuth scheme list the roles
    it needs), or Basic; operations reached from an e-mail need no caller and say so. Every
    API answer names the RateLimit headers it carries."""
    from app.api.scopes import NO_CALLER, required_scope

    schema.setdefault("components", {})["securitySchemes"] = _SECURITY_SCHEMES
    for path, operations in schema.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            name = operation.get("operationId", "")
            for status, response in operation.get("responses", {}).items():
                if status.startswith("2"):  # every API answer is counted, callers or not
                    response.setdefault("headers", {}).update(_RATE_LIMIT_HEADERS)
            if name in NO_CALLER:
                operation["security"] = []
                continue
            scope = required_scope(name, {method.upper()}, operation.get("tags", []))
            operation["security"] = [{"token": [scope]}, {"password": []}]


_UPDATED_SINCE = {
    "name": "updated_since",
    "in": "query",
    "required": False,
    "description": "Only the items changed at or after this moment (ISO 8601; UTC without "
    "an offset).",
    "schema": {"type": "string", "format": "date-time"},
}


def _declare_updated_since(schema: dict[str, Any]) -> None:
    """Every list takes `updated_since`, read by the API router for all of them at once
    (app/api/routing.py), so no route declares it itself: the schema says it here."""
    for path, operations in schema.get("paths", {}).items():
        operation = operations.get("get")
        if not path.startswith("/api/") or operation is None:
            continue
        ok = operation.get("responses", {}).get("200", {}).get("content", {})
        reference = ok.get("application/json", {}).get("schema", {}).get("$ref", "")
        if reference.startswith("#/components/schemas/PageOut"):
            operation.setdefault("parameters", []).append(dict(_UPDATED_SINCE))
