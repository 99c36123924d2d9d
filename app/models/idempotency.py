"""Responses remembered per Idempotency-Key, so a retried create does not create twice."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: str = Field(primary_key=True, max_length=40)
    scope: str = Field(max_length=64)
    key: str = Field(max_length=255)
    request_hash: str = Field(max_length=64)
    status_code: int | None = None
    response_body: bytes | None = None
    response_headers: str | None = None
    created_at: datetime = timestamp_field(index=True)
