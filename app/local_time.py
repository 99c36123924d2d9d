"""Dates and times as the reader reads them: in their own time zone, in one format, and in
words when near ("tomorrow at 5 pm"). Stored times stay UTC; only what people read and type
moves into their zone."""

from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app import clock

# The zone of the person a page or an e-mail is being written for; set around each render.
reader_zone: ContextVar[str] = ContextVar("reader_zone", default="UTC")


def zone(name: str | None = None) -> ZoneInfo:
    try:
        return ZoneInfo(name or reader_zone.get())
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local(value: datetime, name: str | None = None) -> datetime:
    """`value` (UTC when naive, as the database hands it back) in the reader's zone."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(zone(name))


def clock_time(moment: datetime) -> str:
    """5 pm, 9:30 am, noon: the time of day as people say it."""
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    if (moment.hour, moment.minute) == (12, 0):
        return "noon"
    return f"{hour}{minutes} {'am' if moment.hour < 12 else 'pm'}"


def day(value: date) -> str:
    """The one date format: 25 Feb 2027."""
    return f"{value.day} {value:%b %Y}"


def period(start: date | str | None, end: date | str | None) -> str:
    """ "Nov 2026" for a whole calendar month, else "3 Nov 2026 to 28 Nov 2026": a report's
    dates as a person says them."""
    if not start or not end:
        return ""
    first = date.fromisoformat(start) if isinstance(start, str) else start
    last = date.fromisoformat(end) if isinstance(end, str) else end
    whole_month = (
        first.day == 1
        and (first.year, first.month) == (last.year, last.month)
        and (last + timedelta(days=1)).day == 1
    )
    if whole_month:
        return f"{first:%b %Y}"
    return f"{day(first)} to {day(last)}"


def moment(value: datetime, name: str | None = None) -> str:
    """ "27 Nov 2026 at 9:55 pm": for text kept and read later (a notification, an e-mail),
    where "tomorrow" would go stale."""
    local_moment = local(value, name)
    return f"{day(local_moment.date())} at {clock_time(local_moment)}"


def when(value: datetime | date | None, name: str | None = None) -> str:
    """ "today at 5 pm", "tomorrow at 9:30 am", "27 Nov 2026 at 9:55 pm"; a date alone
    as "25 Feb 2027"."""
    if value is None:
        return ""
    if not isinstance(value, datetime):
        return day(value)
    moment = local(value, name)
    today = local(clock.now(), name).date()
    near = {today: "today", today + timedelta(days=1): "tomorrow"}
    near[today - timedelta(days=1)] = "yesterday"
    return f"{near.get(moment.date(), day(moment.date()))} at {clock_time(moment)}"


def due_in_words(value: datetime | date | None, name: str | None = None) -> str:
    """ "due in 3 days", "due today", "overdue by 2 days": counted in the reader's days."""
    if value is None:
        return ""
    now = clock.now()
    if isinstance(value, datetime):
        days = (local(value, name).date() - local(now, name).date()).days
        late = value if value.tzinfo else value.replace(tzinfo=UTC)
        is_late = late < now
    else:
        days = (value - local(now, name).date()).days
        is_late = days < 0
    if is_late:
        overdue = max(1, -days)
        return f"overdue by {overdue} day{'s' if overdue != 1 else ''}"
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    return f"due in {days} days"


def closes(value: datetime | None, name: str | None = None) -> str:
    """ "closes 5 Dec 2026 at 9:59 am (in 7 days)", "closes tomorrow at 5 pm": the one
    phrase for a vote's or a sign-on's end, wherever it is shown."""
    if value is None:
        return ""
    text = when(value, name)
    days = (local(value, name).date() - local(clock.now(), name).date()).days
    if days > 1:
        return f"closes {text} (in {days} days)"
    if days < -1:
        return f"was due to close {text} ({-days} days ago)"
    return f"closes {text}" if days >= 0 else f"was due to close {text}"


def short_day(value: datetime | date | None, name: str | None = None) -> str:
    """ "Thu 4 Dec" (with the year when it is not this year's): a deadline at a glance."""
    if value is None:
        return ""
    the_day = local(value, name).date() if isinstance(value, datetime) else value
    this_year = local(clock.now(), name).year
    year = "" if the_day.year == this_year else f" {the_day.year}"
    return f"{the_day:%a} {the_day.day} {the_day:%b}{year}"


def in_days(value: datetime | date | None, name: str | None = None) -> str:
    """ "in 6 days", "today", "tomorrow", "6 days ago": how far a day is, in the reader's
    days."""
    if value is None:
        return ""
    the_day = local(value, name).date() if isinstance(value, datetime) else value
    days = (the_day - local(clock.now(), name).date()).days
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    if days < 0:
        return f"{-days} days ago"
    return f"in {days} days"


def input_value(value: datetime | str | None, name: str | None = None) -> str:
    """The value of an <input type="datetime-local"> in the reader's zone; a posted one as
    it came."""
    if isinstance(value, datetime):
        return local(value, name).strftime("%Y-%m-%dT%H:%M")
    return value or ""


def from_input(value: str, name: str | None = None) -> str:
    """A posted <input type="datetime-local"> value, read in the reader's zone, as an ISO
    moment with its offset; a value that is not a date goes on as it came, for the schema
    to refuse in its own words."""
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        return value
    if naive.tzinfo is not None:
        return value
    return naive.replace(tzinfo=zone(name)).isoformat()
