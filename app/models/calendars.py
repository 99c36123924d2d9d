"""A person's calendar feed: a secret address, stored hashed, revocable."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class CalendarFeed(SQLModel, table=True):
    __tablename__ = "calendar_feed"

    user_id: str = Field(
        foreign_key="user_account.id", primary_key=True, max_length=40, ondelete="CASCADE"
    )
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = timestamp_field()
