"""A form posted after the browser's session ended, kept until its author signs in again
(or for a day at most), so the typed work is not lost to an expired session."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import json_list_field, timestamp_field


class KeptForm(SQLModel, table=True):
    __tablename__ = "kept_form"

    # A secret: only the browser holding it in its (new) session cookie gets the fields back.
    id: str = Field(primary_key=True, max_length=64)
    post_path: str = Field(max_length=500)  # where the form posted to, to find it again
    return_path: str = Field(max_length=500)  # the page the form was on
    fields: list[list[str]] = json_list_field()  # [[name, value], …] as posted
    created_at: datetime = timestamp_field(index=True)
