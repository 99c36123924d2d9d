"""The webhook outbox: each event queued for the subscriptions that may see it, in the
event's own transaction, so a rollback drops the delivery with the change."""

import json
from typing import Any

from sqlmodel import Session, select

from app import clock
from app.ids import new_id
from app.models import Event, EventAudience, WebhookDelivery, WebhookSubscription


def body_of(event: Event, data: dict[str, Any]) -> str:
    return json.dumps(
        {"type": event.type, "timestamp": clock.iso(event.occurred_at), "data": data},
        separators=(",", ":"),
        default=str,
    )


def enqueue(
    session: Session, subscription: WebhookSubscription, event: Event, data: dict[str, Any]
) -> WebhookDelivery:
    delivery = WebhookDelivery(
        id=new_id("dlv"),
        subscription_id=subscription.id,
        event_id=event.id,
        event_type=event.type,
        payload=body_of(event, data),
        next_attempt_at=clock.now(),
        created_at=clock.now(),
    )
    session.add(delivery)
    return delivery


def fan_out(session: Session, event: Event, audience: list[EventAudience]) -> None:
    """Queue the event for every enabled subscription whose organization may see it.
    Each organization gets the copy it may see."""
    # A test event is addressed to one subscription; the sender queues it itself.
    if event.type == "webhook.test" or not audience:
        return
    full_by_org = {row.organization_id: row.full for row in audience}
    subscriptions = session.exec(
        select(WebhookSubscription).where(
            WebhookSubscription.enabled.is_(True),  # type: ignore[attr-defined]
            WebhookSubscription.organization_id.in_(list(full_by_org)),  # type: ignore[attr-defined]
        )
    )
    for subscription in subscriptions:
        wanted = subscription.event_types
        if "*" not in wanted and event.type not in wanted:
            continue
        if event.data.get("webhook_id") == subscription.id:
            continue  # a subscription is not told of its own changes: its owner made them
        full = full_by_org[subscription.organization_id]
        data = event.data if full or event.shared_data is None else event.shared_data
        enqueue(session, subscription, event, data)
