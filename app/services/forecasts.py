"""When will an organization's approval finish? Pure rules over its steps and history."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

LEARN_AFTER = 3  # completions of a step before its history outweighs the expected days


@dataclass(frozen=True)
class PlannedStep:
    name: str
    status: str  # waiting | active | approved | rejected
    expected_days: float
    activated_at: datetime | None = None


def step_days(expected_days: float, history: list[float]) -> float:
    """A step's likely duration: the median of its past completions once there are enough."""
    return median(history) if len(history) >= LEARN_AFTER else expected_days


def expected_completion(
    steps: list[PlannedStep], now: datetime, history: dict[str, list[float]]
) -> datetime | None:
    """The active step's expected end (not before now), plus every waiting step after it.
    None when no step is active (the request is finished)."""
    active = next((s for s in steps if s.status == "active"), None)
    if active is None or active.activated_at is None:
        return None
    end = active.activated_at + timedelta(
        days=step_days(active.expected_days, history.get(active.name, []))
    )
    end = max(end, now)
    for step in steps:
        if step.status == "waiting":
            end += timedelta(days=step_days(step.expected_days, history.get(step.name, [])))
    return end


def step_windows(
    steps: list[PlannedStep],
    now: datetime,
    history: dict[str, list[float]],
    decided: list[datetime | None],
) -> list[tuple[datetime, datetime] | None]:
    """When each step ran or is forecast to run, the same way `expected_completion` counts:
    a decided step from its start to its decision, the active one to its expected end (not
    before now), each waiting one after the step before it. None where nothing is known
    (a step never started on a request that ended)."""
    windows: list[tuple[datetime, datetime] | None] = []
    cursor: datetime | None = None
    under_way = any(s.status == "active" for s in steps)
    for step, decided_at in zip(steps, decided, strict=True):
        days = timedelta(days=step_days(step.expected_days, history.get(step.name, [])))
        if step.status in ("approved", "rejected") and step.activated_at and decided_at:
            cursor = decided_at
            windows.append((step.activated_at, decided_at))
        elif step.status == "active" and step.activated_at is not None:
            cursor = max(step.activated_at + days, now)
            windows.append((step.activated_at, cursor))
        elif step.status == "waiting" and cursor is not None and under_way:
            windows.append((cursor, cursor + days))
            cursor += days
        else:
            windows.append(None)
    return windows


def is_at_risk(expected: datetime | None, deadline: datetime | None) -> bool:
    return expected is not None and deadline is not None and expected > deadline


def recommended_deadline(expected: list[datetime]) -> datetime | None:
    """A deadline the slowest member still in approval can meet: its forecast plus a day."""
    return max(expected) + timedelta(days=1) if expected else None
