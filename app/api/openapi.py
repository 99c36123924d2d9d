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
    401: "Not signed in: the token or credentials are missing, wrong or revoked.",
    403: "Signed in, but the caller's role does not allow this.",
    404: "No such object, or the caller may not see it.",
    409: "The object's current state does not allow this; a POST also answers 409 while "
    "a request with the same Idempotency-Key is still running.",
    412: "If-Match names a version that is no longer the current one.",
    422: "The input is not valid; `errors` names each field.",
    429: "Too many failed sign-ins with HTTP Basic (or password resets); wait as Retry-After says.",
    503: "Coalesce has no way to send e-mail (COALESCE_SMTP_URL is not set).",
}
_HEADERS = {
    401: {"WWW-Authenticate": {"schema": {"type": "string"}}},
    429: {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}},
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
    application/problem+json, so the schema says that instead."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            _declare_problem_media_type(schema)
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
