"""What the pictures show, in domain terms: each member's approval against a letter's
deadline, a goal's objectives done over time, a report's counts. Pure functions over the
views the other services already make; app/charts.py turns them into geometry."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app import labels, local_time

STEP_KINDS = {"approved": "done", "active": "active", "waiting": "waiting", "rejected": "rejected"}


@dataclass(frozen=True)
class StepSpan:
    name: str
    kind: str  # done | active | waiting | rejected
    starts_at: datetime
    ends_at: datetime
    overdue: bool = False


@dataclass(frozen=True)
class MemberLine:
    """One member's row: its steps as spans, or the moment it decided without a process."""

    organization_name: str
    decision: str
    steps: tuple[StepSpan, ...]
    decided_at: datetime | None
    expected_at: datetime | None
    late_days: int | None  # forecast past the deadline by this many days
    said: str | None = None  # the row's own words, when it is not a member's decision

    @property
    def short_words(self) -> str:
        """The row in few words, beside its name on a phone."""
        if self.said:
            return self.said
        if self.steps and self.expected_at and self.decision == "in_approval":
            late = f", {_days(self.late_days)} late" if self.late_days else ""
            return f"forecast {_short_day(self.expected_at)}{late}"
        said = labels.label(self.decision, "decision")
        return f"{said} {_short_day(self.decided_at)}" if self.decided_at else said

    @property
    def words(self) -> str:
        """The row in words, for the table beside the picture."""
        if self.said:
            return self.said
        said = labels.label(self.decision, "decision")
        if self.steps and self.expected_at and self.decision == "in_approval":
            said += f", forecast {_day(self.expected_at)}"
            if self.late_days:
                said += f" ({_days(self.late_days)} late)"
        elif self.decided_at:
            said += f" on {_day(self.decided_at)}"
        return said


@dataclass(frozen=True)
class ApprovalTimeline:
    title: str
    summary: str
    rows: tuple[MemberLine, ...]
    deadline: datetime | None
    recommended_deadline: datetime | None
    now: datetime


def _aware(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def _day(value: datetime | date) -> str:
    if isinstance(value, datetime):
        return local_time.day(local_time.local(value).date())
    return local_time.day(value)


def _short_day(value: datetime) -> str:
    local = local_time.local(value)
    return f"{local.day} {local:%b}"


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def _late_days(expected: datetime, deadline: datetime) -> int:
    """Days past the deadline, to the nearest day, and at least one."""
    return max(1, round((expected - deadline) / timedelta(days=1)))


def _member_line(decision: dict[str, Any], deadline: datetime | None) -> MemberLine:
    approval = decision.get("approval") or {}
    steps = tuple(
        StepSpan(
            name=step["name"],
            kind=STEP_KINDS.get(step["status"], "waiting"),
            starts_at=_aware(step["starts_at"]),  # type: ignore[arg-type]
            ends_at=_aware(step["ends_at"]),  # type: ignore[arg-type]
            overdue=bool(step.get("overdue")),
        )
        for step in approval.get("steps", [])
        if step.get("starts_at") and step.get("ends_at")
    )
    expected = _aware(approval.get("expected_completion_at"))
    late = None
    if decision["status"] == "in_approval" and expected and deadline and expected > deadline:
        late = _late_days(expected, deadline)
    return MemberLine(
        organization_name=decision["organization_name"],
        decision=decision["status"],
        steps=steps,
        decided_at=_aware(decision.get("decided_at")),
        expected_at=expected,
        late_days=late,
    )


def approval_timeline(activity: dict[str, Any], now: datetime) -> ApprovalTimeline:
    """Every member asked on a letter or statement that has something to draw: its
    approval steps from start to forecast end, or when it decided, against the deadline
    and the recommended one."""
    deadline = _aware(activity.get("sign_on_deadline"))
    lines = tuple(_member_line(d, deadline) for d in activity["decisions"])
    # A member that has not decided and has no approval under way has nothing to draw:
    # the summary counts it and the board's table names it. A row each would make a big
    # coalition's new letter a picture of hundreds of empty rows (8,000 px tall on a phone).
    rows = tuple(line for line in lines if line.decision != "pending" or line.steps)
    recommended = _aware((activity.get("readiness") or {}).get("recommended_deadline"))
    closed = activity.get("status") == "closed"
    summary = (
        closed_summary(lines, deadline)
        if closed
        else timeline_summary(lines, deadline, recommended)
    )
    left_out = len(lines) - len(rows)
    if left_out:
        whom = f"the {left_out} members" if left_out > 1 else "the member"
        why = "that did not decide and had no approval" if closed else "with no approval under way"
        summary += f" The picture leaves out {whom} {why}."
    return ApprovalTimeline(
        title="When each member decided" if closed else "When each member will have decided",
        summary=summary,
        rows=rows,
        deadline=deadline,
        recommended_deadline=recommended,
        now=now,
    )


def timeline_summary(
    rows: tuple[MemberLine, ...], deadline: datetime | None, recommended: datetime | None
) -> str:
    """The picture in one or two sentences: who makes the deadline and who is forecast late."""
    if not rows:
        return "No member has been asked yet."
    asked = [r for r in rows if r.decision != "withdrawn"]
    decided = [r for r in asked if r.decision not in ("pending", "in_approval")]
    forecast = [r for r in asked if r.decision == "in_approval" and r.expected_at]
    if deadline is None:
        said = f"{len(decided)} of {len(asked)} members have decided; no sign-on deadline is set."
    else:
        in_time = sum(1 for r in decided if not r.decided_at or r.decided_at <= deadline)
        in_time += sum(1 for r in forecast if not r.late_days)
        said = (
            f"{in_time} of {len(asked)} members will decide before the deadline ({_day(deadline)})"
        )
        late = [r for r in forecast if r.late_days]
        if late:
            said += "; " + ", ".join(
                f"{r.organization_name} is forecast {_days(r.late_days or 0)} late" for r in late
            )
        said += "."
    undecided = sum(1 for r in asked if r.decision == "pending")
    if undecided:
        said += f" {undecided} {'has' if undecided == 1 else 'have'} not decided yet."
    if recommended and deadline and recommended > deadline:
        said += f" A deadline every member in approval can meet: {_day(recommended)}."
    return said


def closed_summary(rows: tuple[MemberLine, ...], deadline: datetime | None) -> str:
    """A closed collection in a sentence: who signed, and who had decided by the deadline."""
    asked = [r for r in rows if r.decision != "withdrawn"]
    signed = sum(1 for r in asked if r.decision == "signed")
    said = f"Closed: {signed} of {len(asked)} members signed"
    if deadline:
        decided = sum(
            1
            for r in asked
            if r.decision not in ("pending", "in_approval") and r.decided_at
            and r.decided_at <= deadline
        )  # fmt: skip
        said += f"; {decided} had decided by the deadline ({_day(deadline)})"
    return said + "."


def request_timeline(approval: dict[str, Any], now: datetime) -> ApprovalTimeline:
    """One organization's approval request, a row per step: where the step waiting on its
    approvers sits between those done and those to come, against the sign-on deadline."""
    deadline = _aware(approval.get("deadline"))
    rows = []
    for step in approval["steps"]:
        if not (step.get("starts_at") and step.get("ends_at")):
            continue
        span = StepSpan(
            name=step["name"],
            kind=STEP_KINDS.get(step["status"], "waiting"),
            starts_at=_aware(step["starts_at"]),  # type: ignore[arg-type]
            ends_at=_aware(step["ends_at"]),  # type: ignore[arg-type]
            overdue=bool(step.get("overdue")),
        )
        said = {
            "done": f"done {_short_day(span.ends_at)}",
            "rejected": f"rejected {_short_day(span.ends_at)}",
            "active": f"under way, forecast {_short_day(span.ends_at)}",
            "waiting": f"to come, forecast {_short_day(span.ends_at)}",
        }[span.kind]
        if span.overdue:
            said = f"overdue since {_short_day(_aware(step['due_at']) or span.ends_at)}"
        rows.append(
            MemberLine(
                organization_name=step["name"],
                decision="in_approval",
                steps=(span,),
                decided_at=None,
                expected_at=span.ends_at,
                late_days=None,
                said=said,
            )
        )
    return ApprovalTimeline(
        title="Where each step stands",
        summary=request_summary(approval, deadline),
        rows=tuple(rows),
        deadline=deadline,
        recommended_deadline=None,
        now=now,
    )


def request_summary(approval: dict[str, Any], deadline: datetime | None) -> str:
    active = next((s for s in approval["steps"] if s["status"] == "active"), None)
    said = ""
    if active:
        said = f"{active['name']} (step {active['position']} of {approval['steps_total']}) "
        if active.get("overdue") and active.get("due_at"):
            said += f"was due {_day(_aware(active['due_at']))}."  # type: ignore[arg-type]
        else:
            said += "is under way."
    expected = _aware(approval.get("expected_completion_at"))
    if expected:
        said += f" The approval is forecast to finish {_day(expected)}"
        if deadline and expected > deadline:
            late = _days(_late_days(expected, deadline))
            said += f", {late} after the sign-on deadline ({_day(deadline)})."
        elif deadline:
            said += f", before the sign-on deadline ({_day(deadline)})."
        else:
            said += "."
    return said.strip()


def draft_timeline(activity: dict[str, Any], now: datetime) -> ApprovalTimeline:
    """A draft's readiness as a picture: each member that would go through approval if it
    opened now, from now to its forecast end, against the deadline chosen so far."""
    deadline = _aware(activity.get("sign_on_deadline"))
    readiness = activity.get("readiness") or {}
    rows = []
    for forecast in readiness.get("forecasts", []):
        expected = _aware(forecast["expected_completion_at"])
        assert expected is not None
        late = _late_days(expected, deadline) if deadline and expected > deadline else None
        steps = forecast["steps_total"]
        rows.append(
            MemberLine(
                organization_name=forecast["organization_name"],
                decision="in_approval",
                steps=(
                    StepSpan(
                        f"{steps} approval step{'' if steps == 1 else 's'}",
                        "waiting",
                        now,
                        expected,
                    ),
                ),
                decided_at=None,
                expected_at=expected,
                late_days=late,
            )
        )
    recommended = _aware(readiness.get("recommended_deadline"))
    in_time = sum(1 for r in rows if not r.late_days)
    if deadline:
        said = (
            f"Opened now, {in_time} of {len(rows)} members in approval would finish before "
            f"the deadline ({_day(deadline)})"
        )
    else:
        members = f"{len(rows)} member{'' if len(rows) == 1 else 's'}"
        said = f"Opened now, {members} would go through approval first"
    late_words = [
        f"{r.organization_name} would finish {_days(r.late_days or 0)} late"
        for r in rows
        if r.late_days
    ]
    said += ("; " + ", ".join(late_words) if late_words else "") + "."
    if recommended:
        said += f" A deadline they can all meet: {_day(recommended)}."
    return ApprovalTimeline(
        title="If it opened now",
        summary=said,
        rows=tuple(rows),
        deadline=deadline,
        recommended_deadline=recommended,
        now=now,
    )


# Goals --------------------------------------------------------------------------------


@dataclass(frozen=True)
class BurnUp:
    title: str
    summary: str
    starts_at: datetime
    due_at: datetime
    now: datetime
    done: tuple[tuple[datetime, int], ...]  # each moment the count of done objectives moved
    scope: tuple[tuple[datetime, int], ...]  # each moment an objective was added
    health: str


def _end_of(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


def goal_burn_up(goal: dict[str, Any], now: datetime) -> BurnUp:
    """A goal's objectives done over time against the straight line to its due date."""
    starts = _aware(goal["created_at"])
    assert starts is not None
    objectives = goal["objectives"]
    total = len(objectives)
    done_moments = sorted(
        max(_aware(o["done_at"]) or starts, starts) for o in objectives if o["done"]
    )
    added = sorted(max(_aware(o["created_at"]) or starts, starts) for o in objectives)
    due = _end_of(goal["due_date"])
    share = (now - starts) / (due - starts) if due > starts else 1.0
    used = min(max(share, 0.0), 1.0)
    summary = (
        f"{len(done_moments)} of {total} objective{'' if total == 1 else 's'} done, with "
        f"{labels.percent(used)} of the time to {_day(goal['due_date'])} gone: "
        f"{labels.label(goal['health'], 'goal_health')}."
    )
    if total == 0:
        summary = f"No objectives yet; the goal is due {_day(goal['due_date'])}."
    return BurnUp(
        title=f"{goal['title']}: objectives done",
        summary=summary,
        starts_at=starts,
        due_at=due,
        now=now,
        done=tuple((moment, count) for count, moment in enumerate(done_moments, start=1)),
        scope=tuple((moment, count) for count, moment in enumerate(added, start=1)),
        health=goal["health"],
    )


# Reports ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Segment:
    kind: str  # a code: the class of its fill and the key of its words
    value: float
    words: str  # "2 signed", "about 4 days"


@dataclass(frozen=True)
class BarRow:
    label: str
    segments: tuple[Segment, ...]

    @property
    def words(self) -> str:
        return ", ".join(s.words for s in self.segments if s.value) or "none"


@dataclass(frozen=True)
class Bars:
    title: str
    summary: str
    rows: tuple[BarRow, ...]
    value_heading: str


DECISION_ORDER = ("signed", "in_approval", "pending", "declined", "abstained", "withdrawn")


def decisions_by_activity(report_rows: list[dict[str, Any]]) -> Bars:
    """Sign-on decisions by outcome, one bar per letter or statement of the report."""
    rows = []
    for row in report_rows:
        tally = row.get("tally") or {}
        if not any(tally.values()):
            continue
        rows.append(
            BarRow(
                row["activity"].title,
                tuple(
                    Segment(
                        status,
                        tally[status],
                        f"{tally[status]} {labels.label(status, 'decision').lower()}",
                    )
                    for status in DECISION_ORDER
                    if tally.get(status)
                ),
            )
        )
    signed = sum(s.value for r in rows for s in r.segments if s.kind == "signed")
    asked = sum(s.value for r in rows for s in r.segments)
    summary = (
        f"{int(signed)} of {int(asked)} asks were signed, across "
        + ("1 letter or statement." if len(rows) == 1 else f"{len(rows)} letters and statements.")
        if rows
        else "No letter or statement asked for signatures in this period."
    )
    return Bars("Sign-on decisions by letter", summary, tuple(rows), "Decisions")


def step_medians(step_times: list[tuple[str, float, int]], organization_name: str) -> Bars:
    """How long each of an organization's own approval steps usually takes."""
    rows = tuple(
        BarRow(name, (Segment("median", days, f"{labels.days(days)} ({count} done)"),))
        for name, days, count in step_times
    )
    if rows:
        slowest = max(step_times, key=lambda row: row[1])
        summary = (
            f"{organization_name}'s slowest step is {slowest[0]}: {labels.days(slowest[1])} "
            f"at the median, over {slowest[2]} completed."
        )
    else:
        summary = "No approval step has been completed yet."
    return Bars("Median days per approval step", summary, rows, "Usually takes")


PROPOSAL_OUTCOMES = ("passed", "failed", "blocked", "no_quorum", "open")


def proposals_by_outcome(proposals: list[dict[str, Any]]) -> Bars:
    """The coalition's proposals in the period, counted by outcome (open ones apart)."""
    counts = dict.fromkeys(PROPOSAL_OUTCOMES, 0)
    for proposal in proposals:
        outcome = proposal["outcome"] or "open"
        counts[outcome] = counts.get(outcome, 0) + 1
    rows = tuple(
        BarRow(
            labels.sentence(
                labels.label(outcome, "outcome") if outcome != "open" else "still open"
            ),
            (Segment(outcome, count, str(count)),),
        )
        for outcome, count in counts.items()
        if count
    )
    decided = sum(count for outcome, count in counts.items() if outcome != "open")
    summary = (
        f"{counts['passed']} of {decided} decided proposals passed"
        + (f"; {counts['open']} still open." if counts["open"] else ".")
        if proposals
        else "No proposals in this period."
    )
    return Bars("Proposals by outcome", summary, rows, "Proposals")
