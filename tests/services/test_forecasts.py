"""Forecast rules, table by table."""

from datetime import UTC, datetime, timedelta

import pytest

from app.models import Activity, Position
from app.services.activities import game_plan_reason
from app.services.forecasts import (
    PlannedStep,
    expected_completion,
    is_at_risk,
    recommended_deadline,
    step_days,
    step_windows,
)

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("expected_days", "history", "days"),
    [
        (10, [], 10),
        (10, [2, 3], 10),  # two completions are not enough to learn from
        (10, [2, 3, 7], 3),  # the median of three
        (10, [1, 2, 3, 4], 2.5),
    ],
)
def test_step_days(expected_days, history, days):
    assert step_days(expected_days, history) == days


def steps(*specs):
    return [PlannedStep(name, status, days, started) for name, status, days, started in specs]


@pytest.mark.parametrize(
    ("planned", "history", "expected"),
    [
        # active since now, 3 days, then 2 and 5 days waiting
        (
            steps(("Committee", "active", 3, NOW), ("ED", "waiting", 2, None), ("Board", "waiting", 5, None)),
            {},
            NOW + 10 * DAY,
        ),
        # the first step is done; the active one started 1 day ago and takes 2
        (
            steps(("Committee", "approved", 3, NOW - 4 * DAY), ("ED", "active", 2, NOW - DAY), ("Board", "waiting", 5, None)),
            {},
            NOW + 6 * DAY,
        ),
        # an overdue step is expected to end now at the earliest, never in the past
        (steps(("Board", "active", 1, NOW - 5 * DAY)), {}, NOW),
        # the board has met three times, taking 2 days each time, not the 14 expected
        (steps(("Committee", "active", 3, NOW), ("Board", "waiting", 14, None)), {"Board": [2, 2, 2]}, NOW + 5 * DAY),
        # nothing active: finished
        (steps(("Board", "approved", 3, NOW - 3 * DAY)), {}, None),
    ],
)  # fmt: skip
def test_expected_completion(planned, history, expected):
    assert expected_completion(planned, NOW, history) == expected


@pytest.mark.parametrize(
    ("expected", "deadline", "at_risk"),
    [
        (NOW + DAY, NOW + 2 * DAY, False),
        (NOW + 3 * DAY, NOW + 2 * DAY, True),
        (NOW + DAY, None, False),
        (None, NOW, False),
    ],
)
def test_at_risk(expected, deadline, at_risk):
    assert is_at_risk(expected, deadline) is at_risk


def test_recommended_deadline_lets_the_slowest_finish():
    assert recommended_deadline([NOW + 3 * DAY, NOW + 9 * DAY, NOW]) == NOW + 10 * DAY
    assert recommended_deadline([]) is None


def position(stance, priority, area="isa_1", kinds=()):
    return Position(
        id="p", organization_id="o", issue_area_id=area, stance=stance, priority=priority,
        limited_activity_kinds=list(kinds),
    )  # fmt: skip


def ask(kind="sign_on_letter"):
    return Activity(id="act", coalition_id="coa", kind=kind, title="Fund tutors")


NAMES = {"isa_1": "Early literacy", "isa_2": "Vouchers"}


@pytest.mark.parametrize(
    ("positions", "works", "kind", "reason_part"),
    [
        ([position("support", "main")], {"isa_1": "support"}, "sign_on_letter", None),
        # A secondary issue is still the organization's: it supports the coalition's asks.
        ([position("support", "secondary")], {"isa_1": "support"}, "sign_on_letter", None),
        ([position("oppose", "main", "isa_2")], {"isa_2": "oppose"}, "sign_on_letter", None),
        ([position("oppose", "main")], {"isa_1": "support"}, "sign_on_letter", "works for it"),
        ([position("neutral", "none")], {"isa_1": "support"}, "sign_on_letter", "neutral"),
        ([], {"isa_1": "support"}, "sign_on_letter", "no recorded position on Early literacy"),
        (
            [position("support", "main", kinds=["testimony"])],
            {"isa_1": "support"},
            "testimony",
            "cannot take on testimony",
        ),
        (
            [position("support", "main", kinds=["testimony"])],
            {"isa_1": "support"},
            "sign_on_letter",
            None,
        ),
        ([position("support", "main")], {}, "sign_on_letter", None),  # an ask with no issue areas
        (
            [position("support", "main"), position("support", "main", "isa_2")],
            {"isa_1": "support", "isa_2": "oppose"},
            "sign_on_letter",
            "You support Vouchers; this ask works against it.",
        ),
    ],
)
def test_game_plans_answer_only_asks_that_do_not_fit(positions, works, kind, reason_part):
    reason = game_plan_reason(positions, works=works, names=NAMES, activity=ask(kind))
    if reason_part is None:
        assert reason is None
    else:
        assert reason is not None and reason_part in reason


def test_step_windows_follow_the_forecast_and_stop_when_nothing_is_under_way():
    """What the approval timeline draws: a decided step from start to decision; the active
    one to its expected end, or to now once overdue; waiting ones after it, one by one."""
    steps = [
        PlannedStep("Committee", "approved", 3, NOW - 6 * DAY),
        PlannedStep("Director", "active", 2, NOW - 4 * DAY),  # due 2 days ago: overdue
        PlannedStep("Board", "waiting", 10),
    ]
    decided = [NOW - 4 * DAY, None, None]
    assert step_windows(steps, NOW, {}, decided) == [
        (NOW - 6 * DAY, NOW - 4 * DAY),
        (NOW - 4 * DAY, NOW),
        (NOW, NOW + 10 * DAY),
    ]
    assert step_windows(steps, NOW, {}, decided)[-1][1] == expected_completion(steps, NOW, {})
    withdrawn = [steps[0], PlannedStep("Director", "waiting", 2), steps[2]]
    assert step_windows(withdrawn, NOW, {}, decided) == [(NOW - 6 * DAY, NOW - 4 * DAY), None, None]
