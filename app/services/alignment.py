"""The alignment check and the engagement recommendation: pure rules, no database.

Used before an organization joins a coalition (and, later, before it signs an activity).
Reasons are plain sentences a board member can read aloud.
"""

from dataclasses import dataclass, field

ALIGNED, PARTIAL, CONFLICT, UNKNOWN = "aligned", "partial", "conflict", "unknown"
LEAD, CORE, SUPPORTER, OBSERVER = "lead", "core", "supporter", "observer"
STEP_DOWN = {LEAD: CORE, CORE: SUPPORTER, SUPPORTER: SUPPORTER, OBSERVER: OBSERVER}


@dataclass(frozen=True)
class StanceOnIssue:
    """Where the organization stands on one of the coalition's issue areas."""

    issue_area_id: str
    issue_area_name: str
    stance: str | None = None  # None: no recorded position
    priority: str | None = None
    limitations: str | None = None


@dataclass(frozen=True)
class Capacity:
    staff_count: int = 0
    volunteer_count: int = 0
    lead_roles_held: int = 0  # in other coalitions
    dues_amount: float = 0


@dataclass(frozen=True)
class IssueVerdict:
    issue_area_id: str
    issue_area_name: str
    stance: str | None
    priority: str | None
    verdict: str
    note: str


@dataclass
class Alignment:
    verdict: str
    issues: list[IssueVerdict]
    recommended_engagement: str
    reasons: list[str] = field(default_factory=list)


def issue_verdict(position: StanceOnIssue) -> IssueVerdict:
    name = position.issue_area_name
    if position.stance is None:
        verdict, note = UNKNOWN, f"You have no recorded position on {name}."
    elif position.stance == "oppose":
        verdict, note = CONFLICT, f"You oppose {name}, which this coalition works for."
    elif position.stance == "neutral":
        verdict, note = PARTIAL, f"You are neutral on {name}."
    elif position.limitations:
        verdict = PARTIAL
        note = f"You support {name}, with limitations: {position.limitations}"
    else:
        verdict, note = ALIGNED, f"You support {name}."
    return IssueVerdict(
        issue_area_id=position.issue_area_id,
        issue_area_name=name,
        stance=position.stance,
        priority=position.priority,
        verdict=verdict,
        note=note,
    )


def overall_verdict(verdicts: list[str]) -> str:
    if CONFLICT in verdicts:
        return CONFLICT
    if not verdicts or all(v == UNKNOWN for v in verdicts):
        return UNKNOWN
    if all(v == ALIGNED for v in verdicts):
        return ALIGNED
    return PARTIAL


def _affordable_dues(capacity: Capacity) -> float:
    # A rough yardstick: what an organization of this size can usually spend on one coalition.
    return 250 * capacity.staff_count + 10 * capacity.volunteer_count


def _is_stretched(capacity: Capacity) -> bool:
    few_people = capacity.staff_count == 0 and capacity.volunteer_count < 25
    leads_enough = capacity.lead_roles_held >= 2 or (
        capacity.lead_roles_held >= 1 and capacity.staff_count < 2
    )
    return few_people or leads_enough


def recommend(
    issues: list[IssueVerdict], overall: str, capacity: Capacity
) -> tuple[str, list[str]]:
    """The engagement level to choose, and why."""
    if overall == CONFLICT:
        reasons = [issue.note for issue in issues if issue.verdict == CONFLICT]
        reasons.append(
            "Do not join unless the coalition narrows its asks; if you join, observe only."
        )
        return OBSERVER, reasons
    if overall == UNKNOWN:
        names = ", ".join(issue.issue_area_name for issue in issues) or "its issue areas"
        return OBSERVER, [
            f"You have no recorded positions on {names}: record them before choosing a role."
        ]

    reasons: list[str] = []
    engaged = [issue for issue in issues if issue.verdict in (ALIGNED, PARTIAL)]
    main = [issue.issue_area_name for issue in engaged if issue.priority == "main"]
    secondary = [issue.issue_area_name for issue in engaged if issue.priority == "secondary"]
    if main:
        engagement = LEAD
        reasons.append(f"{', '.join(main)} is a main priority for you: consider a leading role.")
        if _is_stretched(capacity):
            engagement = CORE
            reasons.append(
                f"With {capacity.staff_count} staff, {capacity.volunteer_count} volunteers and "
                f"{capacity.lead_roles_held} lead role(s) elsewhere, a core role is more "
                "sustainable than leading."
            )
        else:
            reasons.append(
                f"With {capacity.staff_count} staff and {capacity.volunteer_count} volunteers "
                "you have room to take a lead."
            )
    elif secondary:
        engagement = SUPPORTER
        reasons.append(
            f"{', '.join(secondary)} is a secondary concern for you: support the coalition's "
            "work rather than drive it."
        )
    else:
        engagement = OBSERVER
        reasons.append("None of the coalition's issues is a priority for you: observe for now.")

    partial = [issue for issue in issues if issue.verdict == PARTIAL]
    for issue in partial:
        reasons.append(f"{issue.note} Agree a game plan for asks you cannot support.")
    if partial and engagement == LEAD:
        engagement = CORE
        reasons.append("Your limitations mean you may not sign everything: lead is not advised.")

    if capacity.dues_amount > 0:
        if capacity.dues_amount > _affordable_dues(capacity):
            engagement = STEP_DOWN[engagement]
            reasons.append(
                f"Dues of {capacity.dues_amount:g} are high for an organization of your size: "
                "ask about a waiver, or take a lighter role."
            )
        else:
            reasons.append(f"Dues of {capacity.dues_amount:g} fit your size.")
    return engagement, reasons


def assess(positions: list[StanceOnIssue], capacity: Capacity) -> Alignment:
    issues = [issue_verdict(position) for position in positions]
    overall = overall_verdict([issue.verdict for issue in issues])
    engagement, reasons = recommend(issues, overall, capacity)
    return Alignment(
        verdict=overall, issues=issues, recommended_engagement=engagement, reasons=reasons
    )
