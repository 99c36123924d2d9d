"""A minimal webhook receiver for `make bench-webhooks`: counts deliveries and measures
event → delivery latency from the body's timestamp. GET /stats reports them."""

import json
import time
from datetime import datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

latencies: list[float] = []
ids: set[str] = set()


async def hook(request: Request) -> Response:
    body = json.loads(await request.body())
    sent = datetime.fromisoformat(body["timestamp"]).timestamp()
    latencies.append(time.time() - sent)
    ids.add(request.headers["webhook-id"])
    return Response(status_code=204)


async def stats(request: Request) -> JSONResponse:
    ordered = sorted(latencies)
    pick = lambda q: ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else None  # noqa: E731
    return JSONResponse(
        {"requests": len(latencies), "distinct": len(ids), "p50": pick(0.5), "p99": pick(0.99)}
    )


async def reset(request: Request) -> Response:
    latencies.clear()
    ids.clear()
    return Response(status_code=204)


app = Starlette(
    routes=[
        Route("/hooks", hook, methods=["POST"]),
        Route("/stats", stats),
        Route("/reset", reset, methods=["POST"]),
    ]
)
