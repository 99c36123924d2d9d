"""Webhook subscriptions and their delivery log."""

from typing import Annotated, Literal

from fastapi import Query, Response, status

from app.api.deps import CurrentPrincipal, Cursor, IfMatch, Limit, set_etag
from app.api.openapi import problems
from app.api.routing import api_router, version_only
from app.deps import RouteSessionDep as SessionDep
from app.deps import SettingsDep
from app.schemas.base import PageOut
from app.schemas.webhooks import (
    DeliveryRead,
    ReplayCreate,
    ReplayRead,
    WebhookCreate,
    WebhookRead,
    WebhookUpdate,
    WebhookWithSecret,
)
from app.services import webhooks

router = api_router("webhooks")


def _with_secret(subscription: object, secret: str) -> dict:
    return {**WebhookRead.model_validate(subscription).model_dump(), "secret": secret}


@router.post(
    "/webhooks",
    status_code=status.HTTP_201_CREATED,
    response_model=WebhookWithSecret,
    responses=problems(403, 404, 409),
)
def create_webhook(
    body: WebhookCreate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    settings: SettingsDep,
) -> dict:
    subscription, secret = webhooks.create_subscription(session, principal, body, settings=settings)
    response.headers["Location"] = f"/api/v1/webhooks/{subscription.id}"
    set_etag(response, subscription.version)
    return _with_secret(subscription, secret)


@router.get("/webhooks", response_model=PageOut[WebhookRead])
def list_webhooks(
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
    organization_id: Annotated[str | None, Query(max_length=40)] = None,
) -> object:
    return webhooks.list_subscriptions(
        session, principal, organization_id=organization_id, limit=limit, cursor=cursor
    )


@router.get("/webhooks/{webhook_id}", response_model=WebhookRead, responses=problems(404))
def get_webhook(
    webhook_id: str, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> object:
    subscription = webhooks.get_subscription(session, principal, webhook_id)
    set_etag(response, subscription.version)
    version_only(response)  # its derived parts change without its version
    return subscription


@router.patch("/webhooks/{webhook_id}", response_model=WebhookRead, responses=problems(404, 412))
def update_webhook(
    webhook_id: str,
    body: WebhookUpdate,
    response: Response,
    session: SessionDep,
    principal: CurrentPrincipal,
    if_match: IfMatch,
    settings: SettingsDep,
) -> object:
    subscription = webhooks.update_subscription(
        session, principal, webhook_id, body, settings=settings, expected_version=if_match
    )
    set_etag(response, subscription.version)
    return subscription


@router.delete(
    "/webhooks/{webhook_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(404)
)
def delete_webhook(webhook_id: str, session: SessionDep, principal: CurrentPrincipal) -> None:
    webhooks.delete_subscription(session, principal, webhook_id)


@router.post(
    "/webhooks/{webhook_id}/rotate-secret",
    response_model=WebhookWithSecret,
    responses=problems(404, 409),
)
def rotate_webhook_secret(
    webhook_id: str, session: SessionDep, principal: CurrentPrincipal, settings: SettingsDep
) -> dict:
    """A new secret, shown once; the previous one keeps signing beside it for 24 hours."""
    subscription, secret = webhooks.rotate_secret(session, principal, webhook_id, settings=settings)
    return _with_secret(subscription, secret)


@router.post(
    "/webhooks/{webhook_id}/test",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryRead,
    responses=problems(404, 409),
)
def send_webhook_test(webhook_id: str, session: SessionDep, principal: CurrentPrincipal) -> dict:
    delivery = webhooks.send_test(session, principal, webhook_id)
    return webhooks.delivery_view(delivery, [])


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response_model=PageOut[DeliveryRead],
    responses=problems(404),
)
def list_webhook_deliveries(
    webhook_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
    status: Annotated[
        Literal["pending", "succeeded", "failed"] | None, Query(description="Only these.")
    ] = None,
    event_type: Annotated[
        str | None, Query(max_length=60, description="Only deliveries of this event type.")
    ] = None,
) -> object:
    """Newest first."""
    return webhooks.list_deliveries(
        session,
        principal,
        webhook_id,
        status=status,
        event_type=event_type,
        limit=limit,
        cursor=cursor,
    )


@router.post(
    "/webhooks/{webhook_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ReplayRead,
    responses=problems(404, 409),
)
def replay_webhook(
    webhook_id: str, body: ReplayCreate, session: SessionDep, principal: CurrentPrincipal
) -> dict:
    """Queue again every event from `since` to `until` (at most 31 days) that the
    subscription's organization may see and its event types take, also those that happened
    while it was disabled. Answers how many were queued."""
    queued = webhooks.replay(session, principal, webhook_id, since=body.since, until=body.until)
    return {"queued": queued, "since": body.since, "until": body.until}


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryRead,
    responses=problems(404, 409),
)
def retry_delivery(
    webhook_id: str, delivery_id: str, session: SessionDep, principal: CurrentPrincipal
) -> dict:
    return webhooks.retry_delivery(
        session, principal, webhook_id=webhook_id, delivery_id=delivery_id
    )
