"""The one clock of the code base; tests move it with time-machine."""

from datetime import UTC, date, datetime
from typing import Any


def now() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """A moment as the API writes it everywhere: ISO 8601 in UTC ending in `Z`, the same
    text pydantic gives a resource's timestamps, so events and resources read alike."""
    text = moment.astimezone(UTC).isoformat()
    return text.removesuffix("+00:00") + "Z"


def plain(value: Any) -> Any:
    """`value` (event data: dicts, lists, scalars) with every moment written by `iso` and
    every date in ISO form, ready to be stored as JSON."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value
