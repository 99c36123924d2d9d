"""Keyset pagination over time-ordered ids: `{items, next_cursor}`, stable under inserts."""

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select
from sqlmodel import Session

from app.errors import Invalid

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None


_CURSOR_PREFIX = "after:"


def whole(items: list[Any]) -> Page:
    """A list small enough to answer in one page (a coalition's members, one decision's
    history), in the same `{items, next_cursor}` shape as every other list."""
    return Page(items=items, next_cursor=None)


def encode_cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode((_CURSOR_PREFIX + last_id).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = base64.urlsafe_b64decode(padded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if not decoded.startswith(_CURSOR_PREFIX):
        raise Invalid.field(["query", "cursor"], "The cursor is not one this API gave out.")
    return decoded.removeprefix(_CURSOR_PREFIX)


def paginate(
    session: Session,
    statement: Select,
    key: ColumnElement[str],
    *,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> Page:
    """Rows after `cursor` ordered by `key` (a unique, time-ordered id column)."""
    if cursor:
        statement = statement.where(key > decode_cursor(cursor))
    statement = statement.order_by(key).limit(limit + 1)
    if _plain_columns(statement):
        # Columns, not entities: the connection runs it without the ORM's bookkeeping
        # (after the flush the ORM would make first, which costs nothing when clean).
        session.flush()
        rows = list(session.connection().execute(statement).all())
    else:
        rows = list(session.exec(statement).all())  # type: ignore[call-overload]
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(_key_of(rows[-1], key)) if has_more else None
    return Page(items=rows, next_cursor=next_cursor)


def _plain_columns(statement: Select) -> bool:
    return not any(isinstance(d["type"], type) for d in statement.column_descriptions)


def _key_of(row: Any, key: ColumnElement[str]) -> str:
    name = key.key  # type: ignore[attr-defined]
    if hasattr(row, name):
        return getattr(row, name)
    # A select of several entities: the first one holds the key.
    return getattr(row[0], name)
