"""All JSON routes, under /api/v1, in the order they are matched; each domain's router
declares what every API route shares (app/api/routing.py `api_router`)."""

from starlette.routing import BaseRoute

from app.api import (
    accounts,
    activities,
    approvals,
    coalitions,
    events,
    goals,
    messages,
    notifications,
    organizations,
    proposals,
    reports,
    webhooks,
)

api_routes: list[BaseRoute] = [
    route
    for module in (
        accounts,
        organizations,
        coalitions,
        goals,
        events,
        activities,
        approvals,
        webhooks,
        notifications,
        proposals,
        messages,
        reports,
    )
    for route in module.router.routes
]
