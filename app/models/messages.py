"""The coalition's list: threads and their replies, and the people who asked for no list
e-mail."""

from datetime import datetime

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class Message(SQLModel, table=True):
    """A thread (no `reply_to`) or a reply to one thread of the same coalition."""

    id: str = Field(primary_key=True, max_length=40)
    coalition_id: str = Field(
        foreign_key="coalition.id", max_length=40, index=True, ondelete="CASCADE"
    )
    # Always the thread itself, never a reply: the list is one level deep, as a listserv reads.
    reply_to: str | None = Field(
        default=None, foreign_key="message.id", max_length=40, index=True, ondelete="CASCADE"
    )
    # The member the author wrote for; None for a platform admin writing for no one.
    organization_id: str | None = Field(default=None, foreign_key="organization.id", max_length=40)
    author_user_id: str | None = Field(default=None, max_length=40)
    subject: str = Field(max_length=200)
    body: str = Field(sa_type=Text)
    created_at: datetime = timestamp_field()


class ListOptOut(SQLModel, table=True):
    """A person who followed a list e-mail's unsubscribe link: the bell still shows the
    coalition's messages, no e-mail brings them."""

    __tablename__ = "list_opt_out"

    user_id: str = Field(
        foreign_key="user_account.id", primary_key=True, max_length=40, ondelete="CASCADE"
    )
    coalition_id: str = Field(
        foreign_key="coalition.id", primary_key=True, max_length=40, ondelete="CASCADE"
    )
    created_at: datetime = timestamp_field()
