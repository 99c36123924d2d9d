"""All JSON routers, mounted under /api/v1; every route's parameters are checked once."""

from fastapi import APIRouter, Depends

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
from app.api.openapi import problems
from app.api.routing import query_parameters
from app.deps import storable_parameters

# Every API route needs a caller (Basic sign-ins are throttled), whose token may lack the
# route's scope (403), is rate limited (429) and validates its input, its path and query
# parameters included; each route adds the problems its own rules answer.
api_router = APIRouter(
    prefix="/api/v1",
    responses=problems(401, 403, 422, 429),
    dependencies=[Depends(storable_parameters), Depends(query_parameters)],
)
api_router.include_router(accounts.router)
api_router.include_router(organizations.router)
api_router.include_router(coalitions.router)
api_router.include_router(goals.router)
api_router.include_router(events.router)
api_router.include_router(activities.router)
api_router.include_router(approvals.router)
api_router.include_router(webhooks.router)
api_router.include_router(notifications.router)
api_router.include_router(proposals.router)
api_router.include_router(messages.router)
api_router.include_router(reports.router)
