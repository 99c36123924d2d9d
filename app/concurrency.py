"""Two ways writers stay out of each other's way: versions checked against If-Match
(optimistic), and claims of due work that several workers can make at once."""

from typing import Any

from sqlmodel import Session

from app.errors import PreconditionFailed


def check_version(current: int, expected: int | None) -> None:
    """Optimistic concurrency: a stale `expected` version (from If-Match) is refused."""
    if expected is not None and expected != current:
        raise PreconditionFailed(
            f"This was changed by someone else (now version {current}); reload and try again."
        )


def claimable(session: Session, statement: Any, *, of: Any = None) -> Any:
    """`statement` locking the rows it returns and skipping rows another worker holds.

    On PostgreSQL that is `FOR UPDATE SKIP LOCKED`; SQLite has one writer at a time
    (BEGIN IMMEDIATE), so the statement runs as it is.
    """
    if session.get_bind().dialect.name != "postgresql":
        return statement
    if of is None:
        return statement.with_for_update(skip_locked=True)
    return statement.with_for_update(skip_locked=True, of=of)
