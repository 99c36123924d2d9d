"""The application factory: routers, middleware, error handlers and static files."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import ASGIApp

from app.api import openapi, problems
from app.api.health import router as health_router
from app.api.idempotency import IdempotencyMiddleware
from app.api.rate_limits import RateLimitMiddleware, RequestLedger
from app.api.router import api_routes
from app.db import Database, engine_for
from app.observability import BodyLimitMiddleware, RequestIdMiddleware, configure_logging
from app.pages.browser_session import BrowserSessionMiddleware
from app.pages.deps import LoginRequired, login_url
from app.pages.router import pages_router
from app.pages.templating import is_htmx, render_error_page
from app.security import SessionSigner
from app.security_headers import SecurityHeadersMiddleware
from app.serving import settle_heap
from app.settings import Settings, get_settings

STATIC_DIR = Path(__file__).resolve().parent / "static"
log = logging.getLogger("coalesce")


_TELEMETRY_OFF = {"tracing": False, "metrics": False, "logs": False}


class _CoalesceApp(FastAPI):
    def build_middleware_stack(self) -> ASGIApp:
        # Outside Starlette's ServerErrorMiddleware, which answers an unexpected error
        # itself, past every middleware added with add_middleware: a 500 gets them too.
        docs_paths = (self.docs_url, self.redoc_url, self.swagger_ui_oauth2_redirect_url)
        return SecurityHeadersMiddleware(
            super().build_middleware_stack(), docs_paths=[path for path in docs_paths if path]
        )


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    run_worker: bool = False,
) -> FastAPI:
    """Build the app; tests pass a `database` bound to a connection they roll back."""
    settings = settings or get_settings()
    database = database or Database(engine_for(settings))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        worker = None
        if run_worker:
            from app.worker import Worker

            worker = Worker(database, settings)
            worker.start_in_thread()
        yield
        if worker is not None:
            worker.stop()
        await to_thread.run_sync(app.state.request_ledger.close, database)

    app = _CoalesceApp(
        # No OpenTelemetry provider is configured here: asking whether one is, on every
        # request, costs more than the request's own routing.
        telemetry=_TELEMETRY_OFF,
        title="Coalesce",
        version="1.0",
        description="The working space of advocacy coalitions.",
        lifespan=lifespan,
        generate_unique_id_function=openapi.operation_id,
    )
    app.state.settings = settings
    app.state.database = database

    problems.install(app, render_error_page)
    openapi.install(app)

    async def on_login_required(request: Request, exc: LoginRequired) -> Response:
        target = login_url(exc.next_path, ended=exc.ended)
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    app.add_exception_handler(LoginRequired, on_login_required)  # type: ignore[arg-type]

    # Added as they are, not included: FastAPI matches an included router level by level
    # on every request, which costs more than the shortest API read's own work.
    app.router.routes.extend(health_router.routes)
    app.router.routes.extend(api_routes)
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # Added last runs first: the request id wraps everything, so every log line carries it.
    app.add_middleware(IdempotencyMiddleware, database_of=lambda scope: scope["app"].state.database)
    # Over the limit is refused before idempotency keys or sessions cost anything.
    app.state.request_ledger = RequestLedger(settings)
    app.add_middleware(
        RateLimitMiddleware,
        ledger=app.state.request_ledger,
        database_of=lambda scope: scope["app"].state.database,
    )
    app.add_middleware(
        BrowserSessionMiddleware,
        signer=SessionSigner(settings.secret_key, settings.session_max_age_seconds),
    )
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app


def serve_app() -> FastAPI:
    """For `uvicorn app.main:serve_app --factory`: logging as in production."""
    settings = get_settings()
    configure_logging(settings.log_level)
    app = create_app(settings)
    settle_heap()
    return app
