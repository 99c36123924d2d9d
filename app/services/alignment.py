"""The alignment check and the engagement recommendation: pure rules, no database.

Used before an organization joins a coalition and when an activity asks it to act. A
coalition or an activity works *for* or *against* each of its issue areas; an
organization's equal stance aligns, the opposite one conflicts.
Reasons are plain sentences a board member can read aloud.
"""

from dataclasses import dataclass, field

from app import labels
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
    hours_committed: float = 0  # a month, across its other coalitions


@dataclass(frozen=True)
class Room:
    """The coalition as this organization sees it: who is in it, what it knows of them,
    and where the reader stands now."""

    members: int = 0  # joined organizations, the reader's own not counted
    not_reputable: tuple[str, ...] = ()  # members the reader's research marked not reputable
    unresearched: int = 0  # members the reader has no research on
    current_engagement: str | None = None  # the reader's, when it has joined already


SMALL, LARGE = 5, 15  # coalition sizes that change the advice
HOURS_PER_STAFF, HOURS_PER_VOLUNTEER = 10, 1  # a month, for coalition work


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


def _and(names: list[str]) -> str:
    """ "A", "A and B", "A, B and C": names in a sentence."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


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
    issues: list[IssueVerdict], overall: str, capacity: Capacity, room: Room = Room()
) -> tuple[str, list[str]]:
    """The engagement level to choose, and why, in sentences written for the reader."""
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
    leading = room.current_engagement == LEAD
    engagement, reasons = _by_priority(issues, capacity, leading=leading)
    engagement = _weigh_limitations(issues, engagement, reasons, leading=leading)
    engagement = _weigh_hours(capacity, engagement, reasons)
    engagement = _weigh_dues(capacity, engagement, reasons)
    engagement = _weigh_partners(room, engagement, reasons)
    _describe_size(room, reasons)
    settle = any(issue.verdict == PARTIAL for issue in issues)
    return _for_the_reader(room, engagement, reasons, settle_a_plan=settle)


def _by_priority(
    issues: list[IssueVerdict], capacity: Capacity, *, leading: bool
) -> tuple[str, list[str]]:
    reasons: list[str] = []
    engaged = [issue for issue in issues if issue.verdict in (ALIGNED, PARTIAL)]
    main = [issue.issue_area_name for issue in engaged if issue.priority == "main"]
    secondary = [issue.issue_area_name for issue in engaged if issue.priority == "secondary"]
    if main:
        advice = "" if leading else ": consider a leading role"
        are = "is a main priority" if len(main) == 1 else "are main priorities"
        reasons.append(f"{_and(main)} {are} for you{advice}.")
        if _is_stretched(capacity):
            reasons.append(
                f"With {capacity.staff_count} staff, {capacity.volunteer_count} volunteers and "
                f"{labels.counted(capacity.lead_roles_held, 'lead role')} elsewhere, a core "
                "role is more sustainable than leading."
            )
            return CORE, reasons
        reasons.append(
            f"With {capacity.staff_count} staff and {capacity.volunteer_count} volunteers "
            "you have room to take a lead."
        )
        return LEAD, reasons
    if secondary:
        reasons.append(
            f"{_and(secondary)} "
            f"{'is a secondary concern' if len(secondary) == 1 else 'are secondary concerns'} "
            "for you: support the coalition's work rather than drive it."
        )
        return SUPPORTER, reasons
    reasons.append("None of the coalition's issues is a priority for you: observe for now.")
    return OBSERVER, reasons


def _weigh_limitations(
    issues: list[IssueVerdict], engagement: str, reasons: list[str], *, leading: bool
) -> str:
    partial = [issue for issue in issues if issue.verdict == PARTIAL]
    if partial:
        # The stance and limitations themselves are shown once, with the issue they are about.
        names = _and([issue.issue_area_name for issue in partial])
        positions = "Your position on" if len(partial) == 1 else "Your positions on"
        reasons.append(
            f"{positions} {names} may not fit every ask the coalition makes: agree a game "
            "plan for asks you cannot support."
        )
    if partial and engagement == LEAD and not leading:
        reasons.append("Your limitations mean you may not sign everything: lead is not advised.")
        return CORE
    return engagement


def _weigh_hours(capacity: Capacity, engagement: str, reasons: list[str]) -> str:
    available = (
        HOURS_PER_STAFF * capacity.staff_count + HOURS_PER_VOLUNTEER * capacity.volunteer_count
    )
    if capacity.hours_committed <= 0 or engagement == OBSERVER:
        return engagement
    if capacity.hours_committed >= available:
        reasons.append(
            f"You already give {capacity.hours_committed:g} hours a month to other coalitions, "
            f"about all that {capacity.staff_count} staff and {capacity.volunteer_count} "
            "volunteers can spare: take a lighter role."
        )
        return STEP_DOWN[engagement]
    reasons.append(
        f"You already give other coalitions {labels.hours_a_month(capacity.hours_committed)}; "
        f"your staff and volunteers can spare about {labels.number(available)}."
    )
    return engagement


def _weigh_dues(capacity: Capacity, engagement: str, reasons: list[str]) -> str:
    if capacity.dues_amount <= 0:
        return engagement
    if capacity.dues_amount > _affordable_dues(capacity):
        reasons.append(
            f"Dues of {labels.money(capacity.dues_amount)} are high for an organization of "
            "your size: ask about a waiver, or take a lighter role."
        )
        return STEP_DOWN[engagement]
    reasons.append(f"Dues of {labels.money(capacity.dues_amount)} fit your size.")
    return engagement


def _weigh_partners(room: Room, engagement: str, reasons: list[str]) -> str:
    if room.not_reputable:
        reasons.append(
            f"Your research marked {', '.join(room.not_reputable)} as not reputable: your "
            "name would stand beside theirs. Raise it with the leads before you commit."
        )
        engagement = STEP_DOWN[engagement]
    if room.unresearched and room.members:
        if room.members == 1:
            unknown = "the one other member"
        elif room.unresearched == room.members:
            unknown = f"any of the {room.members} other members"
        else:
            unknown = f"{room.unresearched} of the {room.members} other members"
        them = "it" if room.members == 1 else "them"
        reasons.append(
            f"You have not researched {unknown} yet: look into {them} on the joining page."
        )
        if engagement == LEAD and room.unresearched * 2 > room.members:
            reasons.append("Know most of your partners before you lead them.")
            engagement = CORE
    return engagement


def _describe_size(room: Room, reasons: list[str]) -> None:
    size = room.members + 1  # with the reader
    if room.members and size <= SMALL:
        reasons.append(
            f"A small coalition ({size} members with you): expect to give more of your time, "
            "and a real chance to shape it."
        )
    elif size >= LARGE:
        reasons.append(
            f"A large coalition ({size} members with you): the work is shared, and decisions "
            "take longer."
        )


def _for_the_reader(
    room: Room, engagement: str, reasons: list[str], *, settle_a_plan: bool
) -> tuple[str, list[str]]:
    """A lead reads advice on staying in the lead, not on whether to take it."""
    if room.current_engagement != LEAD:
        return engagement, reasons
    if engagement == LEAD and not settle_a_plan:
        opening = "You lead this coalition: you have what staying in the lead takes."
    else:
        opening = (
            "You lead this coalition. To stay in the lead, share the work with core members "
            "and settle a game plan for the asks below."
        )
    return LEAD, [opening, *reasons]


def assess(
    positions: list[StanceOnIssue],
    capacity: Capacity,
    *,
    room: Room = Room(),
    kinds: set[str] | frozenset[str] = frozenset(),
    subject: str = "this coalition",
) -> Alignment:
    issues = [issue_verdict(position, kinds=kinds, subject=subject) for position in positions]
    overall = overall_verdict([issue.verdict for issue in issues])
    engagement, reasons = recommend(issues, overall, capacity, room)
    return Alignment(
        verdict=overall, issues=issues, recommended_engagement=engagement, reasons=reasons
    )
