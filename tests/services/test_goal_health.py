"""Goal health from time used and work done."""

from datetime import UTC, date, datetime

import pytest

from app.services.goals import goal_health, progress_of

START = datetime(2026, 1, 1, 9, tzinfo=UTC)
DUE = date(2026, 1, 31)  # 30 days after the start


def at(day: int) -> datetime:
    return datetime(2026, 1, day, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "done", "total", "health"),
    [
        (at(10), 3, 3, "done"),
        (datetime(2026, 2, 5, tzinfo=UTC), 3, 3, "done"),  # done beats overdue
        (datetime(2026, 2, 1, tzinfo=UTC), 1, 3, "overdue"),
        (datetime(2026, 2, 1, tzinfo=UTC), 0, 0, "overdue"),
        (at(31), 0, 3, "at_risk"),  # the last day still counts, but all time is used
        (at(16), 0, 4, "at_risk"),  # half the time, nothing done
        (at(16), 1, 4, "on_track"),  # 0.5 used, 0.25 done: not more than 0.25 behind
        (at(19), 1, 4, "at_risk"),  # 0.6 used > 0.25 + 0.25
        (at(1), 0, 0, "on_track"),
    ],
)
def test_goal_health(now, done, total, health):
    assert goal_health(now=now, created_at=START, due_date=DUE, done=done, total=total) == health


def test_a_goal_due_the_day_it_starts_has_used_all_its_time():
    assert goal_health(now=START, created_at=START, due_date=START.date(), done=0, total=1) == (
        "at_risk"
    )


def test_progress_is_done_over_total():
    assert progress_of(0, 0) == 0
    assert progress_of(1, 4) == 0.25
