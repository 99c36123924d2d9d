"""The webhooks page: an organization's subscriptions with their delivery log."""

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.deps import SessionDep, SettingsDep
from app.models.events import EVENT_TYPES
from app.pages.deps import PagePrincipal
from app.pages.forms import (
    FormOutcome,
    Section,
    parse,
    run_form,
    section_action,
    unconfirmed,
)
from app.pages.templating import htmx_target, is_htmx, render
from app.principal import Principal
from app.schemas.webhooks import WebhookCreate, WebhookUpdate
from app.services import accounts, webhooks

router = APIRouter()


def webhooks_context(session: Session, principal: Principal) -> dict[str, Any]:
    subscriptions = webhooks.list_subscriptions(session, principal, limit=200).items
    return {
        "subscriptions": [
            (s, webhooks.list_deliveries(session, principal, s.id, limit=20).items)
            for s in subscriptions
        ],
        "admin_orgs": accounts.my_admin_organizations(session, principal),
        "event_types": EVENT_TYPES,
        "new_secret": None,
        "form_errors": {},
        "drafts": {},
        "notices": {},
    }


@router.get("/webhooks")
def webhooks_page(
    request: Request, session: SessionDep, principal: PagePrincipal, log: str | None = None
) -> Response:
    """The page, or one webhook's delivery log alone (asked for again while a delivery
    waits to go out)."""
    if log and htmx_target(request) == f"deliveries-{log}":
        subscription = webhooks.get_subscription(session, principal, log)
        deliveries = webhooks.list_deliveries(session, principal, log, limit=20).items
        context = {"subscription": subscription, "deliveries": deliveries}
        return render(request, "webhooks/_deliveries.html", context)
    return render(request, "webhooks/list.html", webhooks_context(session, principal))


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
