"""Webhook subscriptions, as an organization's admins manage them: create, change, rotate
the secret, send a test, read the delivery log and retry a delivery.

The outbox (services/outbox.py) queues events for them; app/delivery/webhooks.py sends.
"""

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app import clock
from app.concurrency import check_version
from app.errors import Conflict, Invalid, NotFound
from app.ids import new_id
from app.models import Event, EventAudience, WebhookAttempt, WebhookDelivery, WebhookSubscription
from app.pagination import Order, Page, paginate
from app.principal import Principal
from app.schemas.webhooks import WebhookCreate, WebhookUpdate
from app.services import access, events, outbox, snapshots
from app.settings import Settings
from app.webhook_security import encrypt, new_secret, resolve_and_check

ROTATION_OVERLAP = timedelta(hours=24)
# A replay re-sends at most this span of the log at once, so one request cannot queue
# years of events; a longer outage is replayed in several ranges.
MAX_REPLAY_SPAN = timedelta(days=31)


def _check_url(url: str, settings: Settings) -> None:
    resolve_and_check(url, allow_private=settings.webhook_allow_private_urls)


def _manageable(session: Session, principal: Principal, webhook_id: str) -> WebhookSubscription:
    """Subscriptions are their organization's business: its admins see and manage them."""
    subscription = session.get(WebhookSubscription, webhook_id)
    if (
        subscription is None
        or not access.organization_rights(principal, subscription.organization_id).may_manage
    ):
        raise NotFound("No such webhook.")
    return subscription


def create_subscription(
    session: Session, principal: Principal, webhook_in: WebhookCreate, *, settings: Settings
) -> tuple[WebhookSubscription, str]:
    access.get_organization(session, principal, webhook_in.organization_id, private=True)
    access.require_admin(principal, webhook_in.organization_id)
    _check_url(webhook_in.url, settings)
    secret = new_secret()
    moment = clock.now()
    subscription = WebhookSubscription(
        id=new_id("whk"),
        organization_id=webhook_in.organization_id,
        url=webhook_in.url,
        event_types=webhook_in.event_types,
        description=webhook_in.description,
        secret_encrypted=encrypt(settings.secret_key, secret),
        created_at=moment,
        updated_at=moment,
    )
    session.add(subscription)
    session.flush()
    announce(session, principal, "webhook.created", subscription)
    return subscription, secret


def announce(
    session: Session, principal: Principal | None, type: str, subscription: WebhookSubscription
) -> None:
    """Tell the subscription's organization it changed (never with its secret)."""
    events.emit(
        session,
        type,
        {"webhook_id": subscription.id, "organization_id": subscription.organization_id,
         "version": subscription.version, "object": snapshots.webhook(subscription)},
        visible_to={subscription.organization_id},
        actor=principal,
    )  # fmt: skip


def list_subscriptions(
    session: Session,
    principal: Principal,
    *,
    organization_id: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    statement = select(WebhookSubscription)
    if not principal.is_platform_admin:
        statement = statement.where(
            WebhookSubscription.organization_id.in_(access.admin_organizations(principal))  # type: ignore[attr-defined]
        )
    if organization_id:
        statement = statement.where(WebhookSubscription.organization_id == organization_id)
    return paginate(session, statement, WebhookSubscription.id, limit=limit, cursor=cursor)  # type: ignore[arg-type]


def get_subscription(
    session: Session, principal: Principal, webhook_id: str
) -> WebhookSubscription:
    return _manageable(session, principal, webhook_id)


def update_subscription(
    session: Session,
    principal: Principal,
    webhook_id: str,
    changes: WebhookUpdate,
    *,
    settings: Settings,
    expected_version: int | None = None,
) -> WebhookSubscription:
    subscription = _manageable(session, principal, webhook_id)
    check_version(subscription.version, expected_version)
    values = changes.model_dump(exclude_unset=True)
    for field in ("url", "event_types", "enabled"):
        if field in values and values[field] is None:
            raise Invalid.field(["body", field], "This field cannot be empty.")
    if "url" in values:
        _check_url(values["url"], settings)
    for field, value in values.items():
        setattr(subscription, field, value)
    if values.get("enabled"):
        subscription.disabled_reason = None
        subscription.failing_since = None
    subscription.version += 1
    subscription.updated_at = clock.now()
    session.add(subscription)
    session.flush()
    announce(session, principal, "webhook.updated", subscription)
    return subscription


def delete_subscription(session: Session, principal: Principal, webhook_id: str) -> None:
    subscription = _manageable(session, principal, webhook_id)
    subscription.version += 1
    subscription.updated_at = clock.now()
    announce(session, principal, "webhook.deleted", subscription)
    session.delete(subscription)
    session.flush()


def rotate_secret(
    session: Session, principal: Principal, webhook_id: str, *, settings: Settings
) -> tuple[WebhookSubscription, str]:
    """A new secret; the old one keeps signing beside it for 24 hours."""
    subscription = _manageable(session, principal, webhook_id)
    secret = new_secret()
    subscription.previous_secret_encrypted = subscription.secret_encrypted
    subscription.previous_secret_expires_at = clock.now() + ROTATION_OVERLAP
    subscription.secret_encrypted = encrypt(settings.secret_key, secret)
    subscription.version += 1
    subscription.updated_at = clock.now()
    session.add(subscription)
    session.flush()
    announce(session, principal, "webhook.updated", subscription)
    return subscription, secret


def send_test(session: Session, principal: Principal, webhook_id: str) -> WebhookDelivery:
    """A `webhook.test` event for this subscription alone."""
    subscription = _manageable(session, principal, webhook_id)
    if not subscription.enabled:
        raise Conflict("Enable the webhook before sending it a test.", code="webhook_disabled")
    event = events.emit(
        session,
        "webhook.test",
        {
            "webhook_id": subscription.id,
            "organization_id": subscription.organization_id,
            "version": subscription.version,
            "object": snapshots.webhook(subscription),
        },
        visible_to={subscription.organization_id},
        actor=principal,
    )
    return outbox.enqueue(session, subscription, event, event.data)


DELIVERY_STATUSES = ("pending", "succeeded", "failed")


def list_deliveries(
    session: Session,
    principal: Principal,
    webhook_id: str,
    *,
    status: str | None = None,
    event_type: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    """The delivery log, newest first: what went wrong lately is what a reader looks for."""
    _manageable(session, principal, webhook_id)
    if event_type is not None:
        events.check_types([event_type])
    statement = select(WebhookDelivery).where(WebhookDelivery.subscription_id == webhook_id)
    if status is not None:
        statement = statement.where(WebhookDelivery.status == status)
    if event_type is not None:
        statement = statement.where(WebhookDelivery.event_type == event_type)
    page = paginate(
        session,
        statement,
        WebhookDelivery.id,  # type: ignore[arg-type]
        limit=limit,
        cursor=cursor,
        order=Order(newest=True),
    )
    attempts = _attempts(session, [d.id for d in page.items])
    page.items = [delivery_view(d, attempts.get(d.id, [])) for d in page.items]
    return page


def _attempts(session: Session, delivery_ids: list[str]) -> dict[str, list[WebhookAttempt]]:
    found: dict[str, list[WebhookAttempt]] = {}
    if delivery_ids:
        for attempt in session.exec(
            select(WebhookAttempt)
            .where(WebhookAttempt.delivery_id.in_(delivery_ids))  # type: ignore[attr-defined]
            .order_by(WebhookAttempt.id)  # type: ignore[arg-type]
        ):
            found.setdefault(attempt.delivery_id, []).append(attempt)
    return found


def delivery_view(delivery: WebhookDelivery, attempts: list[WebhookAttempt]) -> dict[str, Any]:
    return {**delivery.model_dump(), "attempts": [a.model_dump() for a in attempts]}


def retry_delivery(
    session: Session, principal: Principal, *, webhook_id: str, delivery_id: str
) -> dict[str, Any]:
    subscription = _manageable(session, principal, webhook_id)
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.subscription_id != subscription.id:
        raise NotFound("No such delivery.")
    if not subscription.enabled:
        raise Conflict(
            "Enable the webhook before retrying its deliveries.", code="webhook_disabled"
        )
    delivery.status = "pending"
    delivery.next_attempt_at = clock.now()
    delivery.locked_until = None
    delivery.completed_at = None
    session.add(delivery)
    session.flush()
    return delivery_view(delivery, _attempts(session, [delivery.id]).get(delivery.id, []))


def replay(
    session: Session, principal: Principal, webhook_id: str, *, since: datetime, until: datetime
) -> int:
    """Queue again every event from `since` up to `until` that the subscription's
    organization may see and its event types take, also those that happened while it was
    disabled; each as the organization may see it. Returns how many were queued."""
    subscription = _manageable(session, principal, webhook_id)
    if until < since:
        raise Invalid.field(["body", "until"], "The end of the range comes before its start.")
    if until - since > MAX_REPLAY_SPAN:
        raise Invalid.field(
            ["body", "until"],
            f"Replay at most {MAX_REPLAY_SPAN.days} days at once; split a longer range.",
        )
    if not subscription.enabled:
        raise Conflict("Enable the webhook before replaying events to it.")
    statement = (
        select(Event, EventAudience.full)
        .join(EventAudience, col(EventAudience.event_id) == Event.id)
        .where(
            EventAudience.organization_id == subscription.organization_id,
            col(Event.occurred_at) >= since,
            col(Event.occurred_at) <= until,
            Event.type != "webhook.test",
        )
        .order_by(col(Event.txid), col(Event.position))
    )
    wanted = subscription.event_types
    if "*" not in wanted:
        statement = statement.where(col(Event.type).in_(wanted))
    queued = 0
    for event, full in session.exec(statement):
        data = event.data if full or event.shared_data is None else event.shared_data
        outbox.enqueue(session, subscription, event, data)
        queued += 1
    session.flush()
    return queued
