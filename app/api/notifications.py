"""The caller's notifications: the bell's list, marking read, e-mail preference."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from app.api.deps import CurrentPrincipal, Cursor, Limit
from app.api.openapi import problems
from app.api.routing import api_router
from app.deps import RouteSessionDep as SessionDep
from app.schemas.base import Input, PageOut
from app.services import notifications

router = api_router("notifications")


class NotificationRead(BaseModel):
    id: str
    kind: str
    text: str
    link: str | None
    read_at: datetime | None
    created_at: datetime


class Preferences(Input):
    email: Literal["immediate", "daily", "off"]


@router.get("/notifications", response_model=PageOut[NotificationRead])
def list_notifications(
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
    unread: bool = False,
) -> object:
    page = notifications.list_notifications(
        session, principal, unread=unread, limit=limit, cursor=cursor
    )
    return {"items": [n.model_dump() for n in page.items], "next_cursor": page.next_cursor}


@router.post("/notifications/{notification_id}/read", responses=problems(404, 409))
def mark_notification_read(
    notification_id: str, session: SessionDep, principal: CurrentPrincipal
) -> dict:
    return {"marked": notifications.mark_read(session, principal, notification_id)}


@router.post("/notifications/read-all", responses=problems(409))
def mark_all_notifications_read(session: SessionDep, principal: CurrentPrincipal) -> dict:
    return {"marked": notifications.mark_read(session, principal, None)}


@router.get("/notifications/preferences", response_model=Preferences)
def get_notification_preferences(session: SessionDep, principal: CurrentPrincipal) -> dict:
    return {"email": notifications.preference(session, principal.user_id)}


@router.put("/notifications/preferences", response_model=Preferences)
def set_notification_preferences(
    body: Preferences, session: SessionDep, principal: CurrentPrincipal
) -> dict:
    return {"email": notifications.set_preference(session, principal, body.email)}
