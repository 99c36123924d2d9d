"""Liveness and readiness probes."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from app.api.openapi import operation_id

# Added to the app as they are (app/main.py), so they carry the operation ids it names.
router = APIRouter(tags=["health"], generate_unique_id_function=operation_id)


@router.get("/healthz")
async def get_health() -> dict:
    return {"status": "ok"}


@router.get("/readyz")
def get_readiness(request: Request) -> JSONResponse:
    if request.app.state.database.is_reachable():
        return JSONResponse({"status": "ok", "database": "ok"})
    return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
