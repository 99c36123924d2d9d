"""The webhooks page: an organization's subscriptions with their delivery log."""

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.deps import SessionDep, SettingsDep
from app.labels import counted
from app.models.events import EVENT_TYPES
from app.pages.deps import PagePrincipal
from app.pages.forms import (
    FormOutcome,
    Section,
    local_times,
    parse,
    run_form,
    section_action,
    section_response,
    unconfirmed,
)
from app.pages.routing import PageRoute
from app.pages.templating import htmx_target, is_htmx, reader_time_zone, render
from app.principal import Principal
from app.schemas.webhooks import ReplayCreate, WebhookCreate, WebhookUpdate
from app.services import accounts, webhooks

router = APIRouter(route_class=PageRoute)


LOG_LENGTH = 20


@dataclass(frozen=True)
class LogFilter:
    """What one webhook's delivery log is narrowed to (`?log=…&status=…&event_type=…`)."""

    webhook_id: str | None = None
    status: str | None = None
    event_type: str | None = None

    def of(self, webhook_id: str) -> dict[str, str | None]:
        if webhook_id != self.webhook_id:
            return {"status": None, "event_type": None}
        return {"status": self.status, "event_type": self.event_type}


def _log_filter(log: str | None, status: str | None, event_type: str | None) -> LogFilter:
    # A value the lists do not know shows the whole log rather than an error page.
    return LogFilter(
        webhook_id=log,
        status=status if status in webhooks.DELIVERY_STATUSES else None,
        event_type=event_type if event_type in EVENT_TYPES else None,
    )


def _deliveries(
    session: Session, principal: Principal, webhook_id: str, shown: LogFilter
) -> list[Any]:
    return webhooks.list_deliveries(
        session, principal, webhook_id, limit=LOG_LENGTH, **shown.of(webhook_id)
    ).items


def webhooks_context(
    session: Session, principal: Principal, shown: LogFilter = LogFilter()
) -> dict[str, Any]:
    subscriptions = webhooks.list_subscriptions(session, principal, limit=200).items
    return {
        "subscriptions": [(s, _deliveries(session, principal, s.id, shown)) for s in subscriptions],
        "log_filter": shown,
        "delivery_statuses": webhooks.DELIVERY_STATUSES,
        "open_log": shown.webhook_id,
        "admin_orgs": accounts.my_admin_organizations(session, principal),
        "event_types": EVENT_TYPES,
        "new_secret": None,
        "form_errors": {},
        "drafts": {},
        "notices": {},
    }


@router.get("/webhooks")
def webhooks_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    log: str | None = None,
    status: str | None = None,
    event_type: str | None = None,
) -> Response:
    """The page, or one webhook's delivery log alone (filtered, or asked for again while a
    delivery waits to go out), newest first."""
    shown = _log_filter(log, status, event_type)
    if log and htmx_target(request) == f"deliveries-{log}":
        subscription = webhooks.get_subscription(session, principal, log)
        context = {
            "subscription": subscription,
            "deliveries": _deliveries(session, principal, log, shown),
            "log_filter": shown,
            "event_types": EVENT_TYPES,
        }
        return render(request, "webhooks/_deliveries.html", context)
    return render(request, "webhooks/list.html", webhooks_context(session, principal, shown))


def _subscriptions(session: Session, principal: Principal) -> Section:
    return Section(
        name="subscriptions",
        partial="webhooks/_subscriptions.html",
        page="webhooks/list.html",
        context=lambda: webhooks_context(session, principal),
        address="/webhooks",
    )


def _secret_answer(
    request: Request,
    session: Session,
    principal: Principal,
    outcome: FormOutcome,
    shown: dict[str, Any],
    notice: str,
) -> Response:
    """The secret is shown once, on this answer: a plain post gets the page, not a redirect."""
    context = webhooks_context(session, principal)
    if outcome.errors:
        context.update(
            form_errors={"subscriptions": outcome.errors}, drafts={"subscriptions": outcome.values}
        )
    else:
        context.update(new_secret=shown, notices={"subscriptions": notice})
    template = "webhooks/_subscriptions.html" if is_htmx(request) else "webhooks/list.html"
    return render(request, template, context, status_code=422 if outcome.errors else 200)


@router.post("/webhooks")
async def create_webhook(
    request: Request, session: SessionDep, principal: PagePrincipal, settings: SettingsDep
) -> Response:
    shown: dict[str, Any] = {}
    form = await request.form()

    def save(values: dict[str, Any]) -> None:
        values["event_types"] = form.getlist("event_types") or ["*"]
        subscription, secret = webhooks.create_subscription(
            session, principal, parse(WebhookCreate, values), settings=settings
        )
        shown.update(id=subscription.id, secret=secret)

    outcome = await run_form(request, session, save)
    return _secret_answer(request, session, principal, outcome, shown, "Webhook created.")


@router.post("/webhooks/{webhook_id}/enabled")
async def toggle_webhook(
    request: Request,
    webhook_id: str,
    session: SessionDep,
    principal: PagePrincipal,
    settings: SettingsDep,
) -> Response:
    enabling = (await request.form()).get("enabled") == "true"
    if not enabling:
        subscription = webhooks.get_subscription(session, principal, webhook_id)
        confirm = await unconfirmed(
            request,
            question=f"Disable the webhook to {subscription.url}? Nothing is sent to it "
            "until you enable it again.",
            action="Yes, disable",
            back="/webhooks",
        )
        if confirm is not None:
            return confirm

    def save(values: dict[str, Any]) -> None:
        changes = WebhookUpdate(enabled=values.get("enabled") == "true")
        webhooks.update_subscription(session, principal, webhook_id, changes, settings=settings)

    notice = "Enabled: events go out to it again." if enabling else "Disabled: nothing is sent."
    return await section_action(
        request, session, _subscriptions(session, principal), save, notice=notice
    )


@router.post("/webhooks/{webhook_id}/rotate-secret")
async def rotate_secret(
    request: Request,
    webhook_id: str,
    session: SessionDep,
    principal: PagePrincipal,
    settings: SettingsDep,
) -> Response:
    shown: dict[str, Any] = {}

    def save(_: dict[str, Any]) -> None:
        subscription, secret = webhooks.rotate_secret(
            session, principal, webhook_id, settings=settings
        )
        shown.update(id=subscription.id, secret=secret)

    outcome = await run_form(request, session, save)
    notice = "New secret made; the old one signs too for 24 hours."
    return _secret_answer(request, session, principal, outcome, shown, notice)


@router.post("/webhooks/{webhook_id}/test")
async def send_test(
    request: Request, webhook_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    def save(_: dict[str, Any]) -> None:
        webhooks.send_test(session, principal, webhook_id)

    return await section_action(
        request, session, _subscriptions(session, principal), save,
        notice="Test queued: it goes out within seconds.", extra=lambda: {"open_log": webhook_id},
    )  # fmt: skip


@router.post("/webhooks/{webhook_id}/deliveries/{delivery_id}/retry")
async def retry_delivery(
    request: Request,
    webhook_id: str,
    delivery_id: str,
    session: SessionDep,
    principal: PagePrincipal,
) -> Response:
    def save(_: dict[str, Any]) -> None:
        webhooks.retry_delivery(session, principal, webhook_id=webhook_id, delivery_id=delivery_id)

    return await section_action(
        request, session, _subscriptions(session, principal), save, notice="Retry queued."
    )


@router.post("/webhooks/{webhook_id}/replay")
async def replay(
    request: Request, webhook_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    """Send again what happened between two moments the reader gives in their own time."""
    queued: list[int] = []

    def save(values: dict[str, Any]) -> None:
        moments = local_times(values, ("since", "until"), reader_time_zone(request))
        chosen = parse(ReplayCreate, {k: moments.get(k) for k in ("since", "until")})
        queued.append(
            webhooks.replay(session, principal, webhook_id, since=chosen.since, until=chosen.until)
        )

    outcome = await run_form(request, session, save)
    count = queued[0] if queued else 0
    return section_response(
        request,
        outcome,
        section="subscriptions",
        partial="webhooks/_subscriptions.html",
        page="webhooks/list.html",
        context=lambda: webhooks_context(session, principal),
        redirect_to="/webhooks",
        notice=f"Queued {counted(count, 'event')} for delivery.",
        extra={"open_log": webhook_id, "replayed": webhook_id},
    )
