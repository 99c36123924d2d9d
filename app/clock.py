"""The one clock of the code base; tests move it with time-machine."""

from datetime import UTC, datetime


def now() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)
