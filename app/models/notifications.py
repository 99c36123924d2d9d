"""In-app notifications, each person's e-mail preference, and the e-mail outbox."""

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app import clock
from app.models.base import json_list_field, timestamp_field


class Notification(SQLModel, table=True):
    id: str = Field(primary_key=True, max_length=40)
    user_id: str = Field(
        foreign_key="user_account.id", max_length=40, index=True, ondelete="CASCADE"
    )
    kind: str = Field(max_length=40)
    text: str = Field(max_length=1000)
    link: str | None = Field(default=None, max_length=500)
    event_id: str | None = Field(default=None, max_length=40)
    read_at: datetime | None = timestamp_field(default=None)
    emailed: bool = False
    created_at: datetime = timestamp_field()
    updated_at: datetime = timestamp_field(default_factory=clock.now)  # read or not


class NotificationPreference(SQLModel, table=True):
    __tablename__ = "notification_preference"

    user_id: str = Field(
        foreign_key="user_account.id", primary_key=True, max_length=40, ondelete="CASCADE"
    )
    email: str = Field(default="immediate", max_length=20)  # immediate | daily | off
    last_digest_at: datetime | None = timestamp_field(default=None)


class EmailMessage(SQLModel, table=True):
    """The e-mail outbox: written with the notification, sent by the worker with retries."""

    __tablename__ = "email_message"

    id: str = Field(primary_key=True, max_length=40)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body: str = Field(sa_type=Text)
    # An HTML alternative to `body`, and files attached: [{filename, content_type, text}].
    html_body: str | None = Field(default=None, sa_type=Text)
    attachments: list[dict[str, str]] = json_list_field()
    status: str = Field(default="pending", max_length=20, index=True)
    attempt_count: int = 0
    last_error: str | None = Field(default=None, max_length=1000)
    next_attempt_at: datetime = timestamp_field()
    locked_until: datetime | None = timestamp_field(default=None)
    created_at: datetime = timestamp_field()
    sent_at: datetime | None = timestamp_field(default=None)
