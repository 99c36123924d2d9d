"""Reports an organization sent upward: a copy of each, as it went out."""

from datetime import date, datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class SentReport(SQLModel, table=True):
    __tablename__ = "sent_report"

    id: str = Field(primary_key=True, max_length=40)
    organization_id: str = Field(
        foreign_key="organization.id", max_length=40, index=True, ondelete="CASCADE"
    )
    sent_to: str = Field(max_length=254)
    start: date
    end: date
    note: str | None = Field(default=None, max_length=4000)
    sent_by_user_id: str | None = Field(default=None, max_length=40)
    # The e-mail in the outbox that carries it, and what it said (HTML and the CSV).
    email_message_id: str | None = Field(default=None, max_length=40)
    html: str = Field(sa_type=Text)
    csv: str = Field(sa_type=Text)
    created_at: datetime = timestamp_field()
