"""Shapes of the coalition's list: a thread or a reply, as posted and as read."""

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from app.schemas.base import Input, Output
from app.schemas.coalitions import Id

Subject = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
MessageBody = Annotated[str, StringConstraints(max_length=20000)]  # blank: services say why


class MessageCreate(Input):
    subject: Subject | None = Field(
        default=None, description="Needed to start a thread; a reply defaults to “Re: …”."
    )
    body: MessageBody
    reply_to: Id | None = Field(default=None, description="The thread this replies to.")
    organization_id: Id | None = Field(
        default=None, description="The member you write for; needed when you admin several."
    )


class MessageRead(Output):
    id: str
    coalition_id: str
    reply_to: str | None
    subject: str
    body: str
    organization_id: str | None
    organization_name: str | None
    author_user_id: str | None
    author_name: str | None
    created_at: datetime
