"""All JSON routers, mounted under /api/v1."""

from fastapi import APIRouter

from app.api import (
    accounts,
    activities,
    approvals,
    coalitions,
    events,
    goals,
    notifications,
    organizations,
    proposals,
    webhooks,
)

api_router = APIRouter(prefix="/api/v1")
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
