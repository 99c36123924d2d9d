"""All page routers; every route's parameters are checked once, every unsafe request passes
the CSRF check."""

from fastapi import APIRouter, Depends

from app.deps import storable_parameters
from app.pages import (
    account_links,
    activities,
    approvals,
    auth,
    coalition_settings,
    coalitions,
    home,
    live,
    messages,
    notifications,
    organizations,
    profile,
    proposals,
    reports,
    webhooks,
)
from app.pages.deps import verify_csrf

pages_router = APIRouter(
    dependencies=[Depends(storable_parameters), Depends(verify_csrf)], include_in_schema=False
)
pages_router.include_router(auth.router)
pages_router.include_router(account_links.router)
pages_router.include_router(home.router)
pages_router.include_router(organizations.router)
pages_router.include_router(coalitions.router)
pages_router.include_router(coalition_settings.router)
pages_router.include_router(activities.router)
pages_router.include_router(approvals.router)
pages_router.include_router(webhooks.router)
pages_router.include_router(notifications.router)
pages_router.include_router(proposals.router)
pages_router.include_router(profile.router)
pages_router.include_router(live.router)
pages_router.include_router(reports.router)
pages_router.include_router(messages.router)
