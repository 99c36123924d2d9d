"""The alignment check and the engagement recommendation: pure rules, no database.

Used before an organization joins a coalition and when an activity asks it to act. A
coalition or an activity works *for* or *against* each of its issue areas; an
organization's equal stance aligns, the opposite one conflicts.
Reasons are plain sentences a board member can read aloud.
"""

from dataclasses import dataclass, field

from app.errors import Invalid

ALIGNED, PARTIAL, CONFLICT, UNKNOWN = "aligned", "partial", "conflict", "unknown"
LEAD, CORE, SUPPORTER, OBSERVER = "lead", "core", "supporter", "observer"
STEP_DOWN = {LEAD: CORE, CORE: SUPPORTER, SUPPORTER: SUPPORTER, OBSERVER: OBSERVER}


@dataclass(frozen=True)
class StanceOnIssue:
    """Where the organization stands on one issue area the coalition (or an ask) takes up."""

    issue_area_id: str
    issue_area_name: str
    stance: str | None = None  # None: no recorded position
    priority: str | None = None
    limitations: str | None = None
    works: str = "support"  # what the coalition or the ask works for (or "oppose": against)
    limited_activity_kinds: tuple[str, ...] = ()


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


KIND_WORDS = {
    "sign_on_letter": "sign-on letters",
    "public_statement": "public statements",
    "policymaker_meeting": "meetings with policymakers",
    "public_event": "public events",
    "testimony": "testimony",
    "other": "other advocacy",
}


def _kinds_in_words(kinds: list[str]) -> str:
    return " or ".join(KIND_WORDS.get(kind, kind) for kind in kinds)


def issue_verdict(
    position: StanceOnIssue, *, kinds: set[str] | frozenset[str] = frozenset(), subject: str
) -> IssueVerdict:
    """One issue: the organization's stance against what `subject` ("this coalition", "this
    letter") works for or against, with the advocacy `kinds` it asks of its members."""
    name = position.issue_area_name
    direction = "for" if position.works == "support" else "against"
    if position.stance is None:
        verdict, note = UNKNOWN, f"You have no recorded position on {name}."
    elif position.stance == "neutral":
        verdict, note = PARTIAL, f"You are neutral on {name}; {subject} works {direction} it."
    elif position.stance != position.works:
        verdict = CONFLICT
        note = f"You {position.stance} {name}; {subject} works {direction} it."
    else:
        verdict, note = ALIGNED, f"You {position.stance} {name}, as {subject} does."
        cannot = sorted(set(position.limited_activity_kinds) & set(kinds))
        if cannot:
            verdict = PARTIAL
            note += f" You cannot take on {_kinds_in_words(cannot)} for this issue."
        elif position.limitations:
            verdict = PARTIAL
            note += f" Your limitations: {position.limitations}"
    return IssueVerdict(
        issue_area_id=position.issue_area_id,
        issue_area_name=name,
        stance=position.stance,
        priority=position.priority,
        verdict=verdict,
        note=note,
    )


def issue_positions(
    area_ids: list[str],
    stated: list[tuple[str, str]] | None,
    *,
    previous: list[dict[str, str]] | None = None,
    inherited: dict[str, str] | None = None,
) -> list[dict[str, str]]:
    """One {issue_area_id, stance} per issue area: the stance stated now, else the one held
    before, else the one `inherited` (an activity takes its coalition's), else support.
    A stance on an area outside `area_ids` is refused."""
    given = dict(stated or [])
    outside = [area for area in given if area not in area_ids]
    if outside:
        raise Invalid.field(
            ["body", "issue_positions"],
            f"{outside[0]} is not one of the issue areas here: add it to issue_area_ids first.",
        )
    before = {p["issue_area_id"]: p["stance"] for p in previous or []}
    fallback = inherited or {}
    return [
        {
            "issue_area_id": area,
            "stance": given.get(area) or before.get(area) or fallback.get(area) or "support",
        }
        for area in area_ids
    ]


def ask_misfit(positions: list[StanceOnIssue], *, kind: str, subject: str) -> str | None:
    """Why an ask does not fit the organization, in words, or None when it is aligned (or
    touches no issue area). An ask that is not aligned is what a game plan answers: a
    conflict, a partial fit, no recorded position, or a kind of advocacy it cannot take on;
    never merely because the issue is a secondary one."""
    issues = [issue_verdict(p, kinds={kind}, subject=subject) for p in positions]
    if not issues or overall_verdict([i.verdict for i in issues]) == ALIGNED:
        return None
    return " ".join(issue.note for issue in issues if issue.verdict != ALIGNED)


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


def assess(
    positions: list[StanceOnIssue],
    capacity: Capacity,
    *,
    kinds: set[str] | frozenset[str] = frozenset(),
    subject: str = "this coalition",
) -> Alignment:
    issues = [issue_verdict(position, kinds=kinds, subject=subject) for position in positions]
    overall = overall_verdict([issue.verdict for issue in issues])
    engagement, reasons = recommend(issues, overall, capacity)
    return Alignment(
        verdict=overall, issues=issues, recommended_engagement=engagement, reasons=reasons
    )
