"""Keyset pagination over time-ordered ids: `{items, next_cursor}`, stable under inserts.
A list may also be ordered by another column (a name, a deadline), the id breaking ties,
or newest first."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, String, and_, func, literal, or_
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


@dataclass(frozen=True)
class Order:
    """How a list is ordered: by `column` (ascending, empty values last, the id breaking
    ties), or by the id alone; `newest` puts the latest ids first."""

    column: ColumnElement[Any] | None = None
    newest: bool = False


BY_ID = Order()


def paginate(
    session: Session,
    statement: Select,
    key: ColumnElement[str],
    *,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
    order: Order = BY_ID,
) -> Page:
    """Rows after `cursor` ordered by `key` (a unique, time-ordered id column), or by
    `order` with `key` breaking ties."""
    if order.column is not None:
        return _paginate_by(session, statement, key, order.column, limit=limit, cursor=cursor)
    if cursor:
        after = decode_cursor(cursor)
        statement = statement.where(key < after if order.newest else key > after)
    ordering = key.desc() if order.newest else key
    rows = _rows(session, statement.order_by(ordering).limit(limit + 1))
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(_key_of(rows[-1], key)) if has_more else None
    return Page(items=rows, next_cursor=next_cursor)


def _paginate_by(
    session: Session,
    statement: Select,
    key: ColumnElement[str],
    column: ColumnElement[Any],
    *,
    limit: int,
    cursor: str | None,
) -> Page:
    # Rows without a value come last on every backend (SQLite and PostgreSQL disagree by
    # default), so the position after them is "empty, and a later id".
    sort_key = _folded(column)
    if cursor:
        value, last_id = _decode_position(cursor)
        if value is None:
            statement = statement.where(column.is_(None), key > last_id)
        else:
            after = _folded(literal(value)) if sort_key is not column else value
            statement = statement.where(
                or_(sort_key > after, and_(sort_key == after, key > last_id), column.is_(None))
            )
    ordered = statement.order_by(column.is_(None), sort_key, key)
    rows = _rows(session, ordered.limit(limit + 1))
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if has_more:
        value = _key_of(rows[-1], column)
        moment = isinstance(value, datetime)
        value = value.isoformat() if moment else value
        next_cursor = encode_cursor(json.dumps([value, _key_of(rows[-1], key), moment]))
    return Page(items=rows, next_cursor=next_cursor)


def _folded(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """What a text column sorts by: its lower case, so "apple" comes before "Zebra" on
    SQLite as on PostgreSQL. The cursor keeps the value as stored and is folded by the same
    SQL function, so a page boundary is where the database put it."""
    affinity = column.type._type_affinity  # String behind SQLModel's AutoString too
    if affinity is not None and issubclass(affinity, String):
        return func.lower(column)
    return column


def _decode_position(cursor: str) -> tuple[Any, str]:
    try:
        value, last_id, moment = json.loads(decode_cursor(cursor))
        if value is not None and moment:
            value = datetime.fromisoformat(value)
    except (ValueError, TypeError):
        raise Invalid.field(
            ["query", "cursor"], "The cursor is not one this API gave out."
        ) from None
    return value, str(last_id)


def _rows(session: Session, statement: Select) -> list[Any]:
    if _plain_columns(statement):
        # Columns, not entities: the connection runs it without the ORM's bookkeeping
        # (after the flush the ORM would make first, which costs nothing when clean).
        session.flush()
        return list(session.connection().execute(statement).all())
    return list(session.exec(statement).all())  # type: ignore[call-overload]


def _plain_columns(statement: Select) -> bool:
    return not any(isinstance(d["type"], type) for d in statement.column_descriptions)


def _key_of(row: Any, key: ColumnElement[str]) -> str:
    name = key.key  # type: ignore[attr-defined]
    if hasattr(row, name):
        return getattr(row, name)
    # A select of several entities: the first one holds the key.
    return getattr(row[0], name)


def containing(columns: list[ColumnElement[str]], query: str | None) -> ColumnElement[bool] | None:
    """A list's search: rows where one of `columns` holds every word of `query`, whatever
    the case (None when there is nothing to search for)."""
    words = (query or "").lower().split()
    if not words:
        return None
    return and_(
        *(or_(*(func.lower(c).contains(word, autoescape=True) for c in columns)) for word in words)
    )
