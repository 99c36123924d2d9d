"""All JSON routers, mounted under /api/v1."""

from fastapi import APIRouter

from app.api import accounts, organizations

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(accounts.router)
api_router.include_router(organizations.router)
