"""Shared column types and the metadata naming convention (keeps migrations stable)."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, TypeDecorator, event, inspect
from sqlalchemy.orm import Session
from sqlmodel import Field, SQLModel

from app import clock

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator):
    """Timestamps go in and come out as aware UTC datetimes on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        # SQLite keeps the UTC time as text; SQLAlchemy parses it with two regular
        # expressions a value, which on a page of rows costs more than the query.
        # fromisoformat reads the same text (and anything else ISO 8601) in C.
        return _utc_from_text


def _utc_from_text(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def timestamp_field(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


def json_list_field() -> Any:
    return Field(default_factory=list, sa_type=JSON)


@event.listens_for(Session, "before_flush")
def _stamp_changes(session: Session, flush_context: Any, instances: Any) -> None:
    """A row's `updated_at` moves with every change written through the ORM, wherever it
    is made (a letter opening, the worker disabling a webhook), so `updated_since` misses
    none; a change that sets `updated_at` itself keeps its own value."""
    moment: datetime | None = None
    for instance in session.dirty:
        state = inspect(instance)
        if "updated_at" not in state.mapper.columns or not session.is_modified(instance):
            continue
        if state.attrs.updated_at.history.has_changes():
            continue
        moment = moment or clock.now()
        instance.updated_at = moment
