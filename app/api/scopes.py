"""What an API token may do: the scope each route needs, decided here for every route.

A token carries scopes (`read`, `write`, `webhooks`, `admin`); a browser session and HTTP
Basic carry none and keep every right. The principal dependency (app/api/deps.py) asks
`authorize` on every request made with a token, so a route is covered as soon as it exists.
What a scope allows stops at what the person may do: access.py still decides that.
"""

from datetime import datetime

from fastapi.routing import APIRoute

from app import clock
from app.deps import READ_METHODS
from app.errors import InsufficientScope, Unauthorized
from app.principal import ADMIN, READ, WEBHOOKS, WRITE, Principal

# Operations that administer people, their access and tokens, whatever their method.
_ADMIN_OPERATIONS = frozenset(
    {
        "create_token",
        "list_tokens",
        "revoke_token",
        "set_my_password",
        "delete_my_sessions",
        "delete_organization",
        "add_organization_user",
        "send_invitation_again",
        "update_organization_user",
        "remove_organization_user",
    }
)
# Reached from an e-mail by someone not signed in: no caller, so no scope (the schema says so).
NO_CALLER = frozenset(
    {
        "create_password_reset",
        "set_password_from_reset",
        "accept_invitation",
        "create_signup",
        "complete_signup",
    }
)


def required_scope(operation: str, methods: set[str], tags: list[str]) -> str:
    """The scope a route needs: `admin` for the operations above, `webhooks` for the
    webhooks router, `read` to read, `write` for every other change."""
    if operation in _ADMIN_OPERATIONS:
        return ADMIN
    if "webhooks" in tags:
        return WEBHOOKS
    return READ if methods <= READ_METHODS else WRITE


def scope_of_route(route: APIRoute) -> str:
    """Worked out once per route and kept on it, not per request."""
    scope: str | None = getattr(route, "required_scope", None)
    if scope is None:
        scope = required_scope(route.name, set(route.methods or ()), [str(t) for t in route.tags])
        route.required_scope = scope  # type: ignore[attr-defined]
    return scope


def authorize(principal: Principal, route: object | None, now: datetime | None = None) -> None:
    """Refuse an expired token (401) or one without the route's scope (403)."""
    if principal.scopes is None:
        return
    moment = now or clock.now()
    if principal.token_expires_at is not None and principal.token_expires_at <= moment:
        raise Unauthorized(
            "This token expired; make a new one (`POST /api/v1/tokens`).", code="token_expired"
        )
    if not isinstance(route, APIRoute):
        return
    needed = scope_of_route(route)
    if needed not in principal.scopes:
        raise InsufficientScope(
            f"This token lacks the `{needed}` scope this needs; it has "
            f"{', '.join(sorted(principal.scopes)) or 'none'}.",
            scope=needed,
        )
