"""The event log: `emit` records a decision change in the caller's transaction and hands
it to the listeners registered with `listen` (the webhook outbox, notifications).

Followers read the log in commit order, so one polling with the cursor it was given
never misses an event and never sees one twice, however many processes write:

- PostgreSQL: each event carries its transaction's id (`txid`) and a sequence value
  (`position`). A reader returns only events of transactions older than every
  transaction still in flight (`txid` below its snapshot's xmin), in (`txid`, `position`)
  order. Whatever commits later has a `txid` at or above that horizon, so it sorts after
  everything already returned. A long-running write transaction holds followers back
  until it ends; it never makes them skip.
- SQLite: one writer at a time (BEGIN IMMEDIATE), so numbering events as they are
  written (`txid` 0, `position` max + 1) is commit order already.
"""

from collections.abc import Callable, Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Integer, bindparam, cast, func, literal, or_, text, true, tuple_, union_all
from sqlmodel import Session, select

from app import clock
from app.db import plain_rows
from app.errors import Invalid, NotFound
from app.ids import new_id
from app.models import Event, EventAudience, Membership
from app.models.coalitions import MembershipStatus
from app.models.events import EVENT_TYPES
from app.pagination import Page, decode_cursor, encode_cursor, updated_since
from app.principal import Principal

Listener = Callable[[Session, Event, list[EventAudience]], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> Listener:
    """Register a listener: it gets every event, in the event's own transaction."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def emit(
    session: Session,
    type: str,
    data: dict[str, Any],
    *,
    visible_to: Iterable[str],
    private_to: Iterable[str] = (),
    shared_data: dict[str, Any] | None = None,
    coalition_id: str | None = None,
    actor: Principal | None = None,
) -> Event:
    """Record an event seen by the organizations `visible_to` and `private_to`.

    `private_to` organizations see `data` whole; the others see `shared_data` when it is
    given (an organization's internal comments stay inside it), else `data`.
    """
    assert type in EVENT_TYPES, f"unknown event type {type}"
    txid, position = _place(session)
    event_id, moment = new_id("evt"), clock.now()
    # Every copy stands alone: a receiver needs no further call to know what happened,
    # where, and (by the object's `version`) whether it already knows something newer.
    envelope = {
        "event_id": event_id,
        "type": type,
        "timestamp": moment,
        "coalition_id": coalition_id,
    }
    event = Event(
        id=event_id,
        txid=txid,
        position=position,
        type=type,
        occurred_at=moment,
        coalition_id=coalition_id,
        actor_user_id=actor.user_id if actor else None,
        data=clock.plain({**envelope, **data, "actor_user_id": actor.user_id if actor else None}),
        shared_data=None if shared_data is None else clock.plain({**envelope, **shared_data}),
    )
    session.add(event)
    private = set(private_to)
    audience = set(visible_to) | private
    session.flush()
    rows = [
        EventAudience(
            event_id=event.id,
            organization_id=organization_id,
            full=shared_data is None or organization_id in private,
            txid=txid,
            position=position,
        )
        for organization_id in sorted(audience)
    ]
    session.add_all(rows)
    session.flush()
    # Listeners read the event in its own transaction: nothing is lost, nothing half-sent.
    for listener in _listeners:
        listener(session, event, rows)
    session.flush()
    return event


# Commit order ------------------------------------------------------------------------------

Place = tuple[int, int]  # (txid, position)
_END = 2**62  # a position past any real one


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _place(session: Session) -> Place:
    """Where a new event stands in the log (see the module's docstring)."""
    if _is_postgres(session):
        row = session.execute(
            text("SELECT pg_current_xact_id()::text::bigint, nextval('event_position_seq')")
        ).one()
        return int(row[0]), int(row[1])
    return 0, _last_position(session) + 1


def _last_position(session: Session) -> int:
    # Read from the end of the (txid, position) index, not counted over the whole log.
    last = session.exec(
        select(Event.position).order_by(Event.txid.desc(), Event.position.desc()).limit(1)  # type: ignore[attr-defined]
    ).first()
    return last or 0


def _horizon(session: Session) -> tuple[int, int | None] | None:
    """PostgreSQL: the oldest transaction still in flight, and the reader's own (whose
    events it sees already). None on SQLite, where every committed event is in order."""
    if not _is_postgres(session):
        return None
    row = session.execute(
        text(
            "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint, "
            "pg_current_xact_id_if_assigned()::text::bigint"
        )
    ).one()
    return int(row[0]), (int(row[1]) if row[1] is not None else None)


def _settled(horizon: tuple[Any, Any] | None, txid: Any) -> Any:
    """The condition an event (its `txid` column) must meet to be read: its transaction can
    no longer be overtaken by one committing below it. `horizon` holds the values, or the
    parameters a statement built once binds them to (`_bound_horizon`)."""
    if horizon is None:
        return true()
    oldest_in_flight, own = horizon
    settled = txid < oldest_in_flight
    return or_(settled, txid == own) if own is not None else settled


def _cursor_of(place: Place) -> str:
    return encode_cursor(f"{place[0]}.{place[1]}")


def _place_of(session: Session, cursor: str) -> Place:
    value = decode_cursor(cursor)
    if value.startswith("evt_"):  # cursors given out before the log had positions
        event = session.get(Event, value)
        if event is None:
            raise Invalid.field(["query", "after"], "The cursor is not one this API gave out.")
        return event.txid, event.position
    txid, _, position = value.partition(".")
    if not (txid.isdigit() and position.isdigit()):
        raise Invalid.field(["query", "after"], "The cursor is not one this API gave out.")
    return int(txid), int(position)


def _after(place: Place | tuple[Any, Any], txid: Any, position: Any) -> Any:
    # A row value, which both backends read as one range of the (…, txid, position) index.
    # `place` holds the values, or the parameters a statement built once binds them to.
    return tuple_(txid, position) > tuple_(*place)


def latest_cursor(session: Session) -> str:
    """A cursor at the end of the log as it stands: following from it sees what comes next
    (on PostgreSQL perhaps a few events committed just before, never fewer)."""
    horizon = _horizon(session)
    if horizon is not None:
        return _cursor_of((horizon[0] - 1, _END))
    return _cursor_of((0, _last_position(session)))


def coalition_audience(session: Session, coalition_id: str) -> set[str]:
    """The organizations that currently take part in a coalition."""
    rows = session.exec(
        select(Membership.organization_id).where(
            Membership.coalition_id == coalition_id,
            Membership.status == MembershipStatus.joined,
        )
    )
    return set(rows.all())


def list_events(
    session: Session,
    principal: Principal,
    *,
    types: list[str] | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    """The events the principal's organizations may see, in commit order, after `cursor`.
    `next_cursor` is always given, also at the end of the log: poll with it."""
    check_types(types)
    place = _place_of(session, cursor) if cursor else (0, 0)
    horizon = _horizon(session)
    since = updated_since()
    if principal.is_platform_admin:
        statement = select(*_LISTED, literal(1).label("full")).where(
            _after(place, Event.txid, Event.position), _settled(horizon, Event.txid)
        )
        if types:
            statement = statement.where(Event.type.in_(types))  # type: ignore[attr-defined]
        if since is not None:
            statement = statement.where(Event.occurred_at >= since)  # type: ignore[operator]
        # Plain rows of the columns a page shows: fifty events loaded as entities cost
        # more than the query that finds them, and nothing here changes them.
        rows = session.execute(
            statement.order_by(Event.txid, Event.position).limit(limit)  # type: ignore[arg-type]
        ).all()
    else:
        if not principal.roles:
            return Page(items=[], next_cursor=_cursor_of(place))
        shape = _Seen(
            len(principal.roles), limit, bool(types), since is not None, _settled_shape(horizon)
        )
        rows = plain_rows(
            session,
            _listed_page(shape),
            **_seen_params(principal, types, since, horizon),
            after_txid=place[0],
            after_position=place[1],
        )
    items = [_as_seen((row, row.full)) for row in rows]
    if rows:
        place = (rows[-1].txid, rows[-1].position)
    return Page(items=items, next_cursor=_cursor_of(place))


_LISTED = (
    Event.id,
    Event.type,
    Event.occurred_at,
    Event.coalition_id,
    Event.data,
    Event.shared_data,
    Event.txid,
    Event.position,
)


def _audience_place() -> tuple[Any, Any]:
    return EventAudience.txid, EventAudience.position


class _Seen(NamedTuple):
    """The shape of a read of the events some organizations see: with it, the statement
    is built once and its values (organizations, cursor, horizon, filters) bound to it."""

    organizations: int
    limit: int
    typed: bool = False
    since: bool = False
    settled: str = "any"  # see _settled_shape
    after: bool = True  # after a cursor (`after_txid`, `after_position`)
    newest_first: bool = False


def _settled_shape(horizon: tuple[int, int | None] | None) -> str:
    """`_settled` as a shape: any event (SQLite), those below the horizon, or those and
    the reader's own transaction's."""
    if horizon is None:
        return "any"
    return "older" if horizon[1] is None else "older_or_own"


def _bound_horizon(settled: str) -> tuple[Any, Any] | None:
    """The horizon of a `settled` shape as the parameters `_seen_params` binds."""
    if settled == "any":
        return None
    own = bindparam("own_txid") if settled == "older_or_own" else None
    return bindparam("oldest_in_flight"), own


def _seen_params(
    principal: Principal,
    types: list[str] | None,
    since: datetime | None,
    horizon: tuple[int, int | None] | None,
) -> dict[str, Any]:
    """The values bound to a `_seen` statement (organizations in its order)."""
    params: dict[str, Any] = {
        f"organization_{i}": organization_id
        for i, organization_id in enumerate(sorted(principal.roles))
    }
    if types:
        params["types"] = types
    if since is not None:
        params["since"] = since
    if horizon is not None:
        params["oldest_in_flight"] = horizon[0]
        if horizon[1] is not None:
            params["own_txid"] = horizon[1]
    return params


@lru_cache(maxsize=256)
def _seen(shape: _Seen) -> Any:
    """The events (id, and whether `data` is seen whole) the principal's organizations may
    see among the first `limit` in log order (after the cursor, if the shape has one).

    One short read per organization along its (organization_id, txid, position) index,
    then merged: the cost is the page's, not the log's, however long the log has grown.
    Built once a shape: putting it together costs more than running it.
    """
    txid, position = _audience_place()
    order = (txid.desc(), position.desc()) if shape.newest_first else (txid, position)
    settled = _settled(_bound_horizon(shape.settled), txid)
    after = (
        _after((bindparam("after_txid"), bindparam("after_position")), txid, position)
        if shape.after
        else true()
    )
    parts = []
    for i in range(shape.organizations):
        part = select(
            EventAudience.event_id, cast(EventAudience.full, Integer).label("full")
        ).where(
            EventAudience.organization_id == bindparam(f"organization_{i}"),
            after,
            settled,
        )
        if shape.typed or shape.since:
            part = part.join(Event, Event.id == EventAudience.event_id)
        if shape.typed:
            part = part.where(Event.type.in_(bindparam("types", expanding=True)))  # type: ignore[attr-defined]
        if shape.since:
            part = part.where(Event.occurred_at >= bindparam("since"))  # type: ignore[operator]
        page = part.order_by(*order).limit(shape.limit).subquery()
        parts.append(select(page.c.event_id, page.c.full))
    merged = union_all(*parts).subquery() if len(parts) > 1 else parts[0].subquery()
    return (
        select(merged.c.event_id, func.max(merged.c.full).label("full"))
        .group_by(merged.c.event_id)
        .subquery()
    )


@lru_cache(maxsize=256)
def _listed_page(shape: _Seen) -> Any:
    """A page of the log as `list_events` reads it, for one shape (see _Seen)."""
    seen = _seen(shape)
    return (
        select(*_LISTED, seen.c.full)
        .join(seen, seen.c.event_id == Event.id)
        .order_by(Event.txid, Event.position)  # type: ignore[arg-type]
        .limit(shape.limit)
    )


def check_types(types: list[str] | None) -> None:
    """A filter naming a type that does not exist would answer nothing, forever: 422."""
    unknown = [t for t in types or [] if t not in EVENT_TYPES]
    if unknown:
        raise Invalid(
            f"Unknown event type {', '.join(unknown)}; the types are: {', '.join(EVENT_TYPES)}.",
            errors=[
                {"loc": ["query", "type"], "msg": f"Not an event type: {t}.", "type": "enum"}
                for t in unknown
            ],
        )


def get_event(session: Session, principal: Principal, event_id: str) -> dict[str, Any]:
    """One event, as the list shows it to the caller; 404 when none of the caller's
    organizations may see it."""
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound("No such event.")
    if principal.is_platform_admin:
        return _as_seen((event, 1))
    audience = session.exec(
        select(EventAudience.full).where(
            EventAudience.event_id == event_id,
            EventAudience.organization_id.in_(sorted(principal.roles)),  # type: ignore[attr-defined]
        )
    ).all()
    if not audience:
        raise NotFound("No such event.")
    return _as_seen((event, int(any(audience))))


def _as_seen(row: Any) -> dict[str, Any]:
    """An event (an entity or a row of its columns) as the caller sees it."""
    event, full = (row, 1) if isinstance(row, Event) else row
    data = event.data if full or event.shared_data is None else event.shared_data
    return {
        "id": event.id,
        "type": event.type,
        "timestamp": event.occurred_at,
        "coalition_id": event.coalition_id,
        "data": data,
    }


def recent(session: Session, principal: Principal, *, limit: int = 10) -> list[dict[str, Any]]:
    """The latest events the principal may see, newest first (for the dashboard)."""
    if principal.is_platform_admin:
        statement = select(Event)
    else:
        if not principal.roles:
            return []
        shape = _Seen(len(principal.roles), limit, after=False, newest_first=True)
        seen = _seen(shape)
        statement = select(Event).join(seen, seen.c.event_id == Event.id)
    rows = session.exec(
        statement.order_by(Event.txid.desc(), Event.position.desc()).limit(limit),  # type: ignore[attr-defined]
        params=_seen_params(principal, None, None, None),
    )
    # A summary line needs no internal comment: everyone gets the copy shared with members.
    return [_as_seen((event, 0)) for event in rows]
