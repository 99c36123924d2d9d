"""The OpenAPI description integrators generate clients from: operation ids are the route
functions' names."""

from fastapi.routing import APIRoute


def operation_id(route: APIRoute) -> str:
    """A route function's name is its operation id, so it reads as a verb (`decide_approval`)."""
    return route.name
