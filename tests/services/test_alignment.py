"""The alignment and engagement rules, branch by branch."""

import pytest

from app.services.alignment import (
    Capacity,
    Room,
    StanceOnIssue,
    assess,
    issue_verdict,
    overall_verdict,
)


def stance(stance=None, priority=None, limitations=None, name="Early literacy", **more):
    return StanceOnIssue("isa_1", name, stance, priority, limitations, **more)


# Every combination: what the coalition (or ask) works for or against, the organization's
# stance and priority, its limitations, and the kind of advocacy asked.
WORKS = ["support", "oppose"]
STANCES = ["support", "oppose", "neutral", None]
PRIORITIES = ["main", "secondary"]
LIMITS = {
    "none": {},
    "text": {"limitations": "No paid ads"},
    "kind": {"limited_activity_kinds": ("testimony",)},
}
KINDS = ["sign_on_letter", "testimony"]


def expected(works, held, limit, kind):
    """The rule as PRODUCT.md states it, one line per case."""
    if held is None:
        return "unknown"
    if held == "neutral":
        return "partial"
    if held != works:
        return "conflict"
    if limit == "text" or (limit == "kind" and kind == "testimony"):
        return "partial"
    return "aligned"


@pytest.mark.parametrize(
    ("works", "held", "priority", "limit", "kind"),
    [
        (w, h, p, lim, k)
        for w in WORKS
        for h in STANCES
        for p in PRIORITIES
        for lim in LIMITS
        for k in KINDS
    ],
)
def test_every_combination_of_stances(works, held, priority, limit, kind):
    position = stance(held, priority, works=works, **LIMITS[limit])
    result = issue_verdict(position, kinds={kind}, subject="this coalition")
    assert result.verdict == expected(works, held, limit, kind)
    assert "Early literacy" in result.note


@pytest.mark.parametrize(
    ("position", "kinds", "note_part"),
    [
        (
            stance("oppose", "main", works="oppose"),
            set(),
            "You oppose Early literacy, as this coalition does.",
        ),
        (stance("support", "main", works="oppose"), set(), "this coalition works against it"),
        (stance("oppose", "main", works="support"), set(), "this coalition works for it"),
        (stance("support", "main", limitations="No ads"), set(), "Your limitations: No ads"),
        (
            stance("support", "main", limited_activity_kinds=("testimony",)),
            {"testimony"},
            "You cannot take on testimony for this issue.",
        ),
        (
            stance("neutral", "none", works="oppose"),
            set(),
            "neutral on Early literacy; this coalition works against it",
        ),
        (stance(None), set(), "no recorded position"),
    ],
)
def test_notes_say_why_in_words(position, kinds, note_part):
    assert note_part in issue_verdict(position, kinds=kinds, subject="this coalition").note


def test_an_opposing_member_fits_a_coalition_against_the_same_thing():
    """The State PTA opposes vouchers as a main priority; the coalition works against them."""
    vouchers = stance("oppose", "main", name="Private school vouchers", works="oppose")
    result = assess([vouchers], Capacity(staff_count=6, volunteer_count=400))
    assert result.verdict == "aligned"
    assert result.recommended_engagement == "lead"
    assert not any("Do not join" in reason for reason in result.reasons)


@pytest.mark.parametrize(
    ("verdicts", "overall"),
    [
        ([], "unknown"),
        (["unknown", "unknown"], "unknown"),
        (["aligned", "aligned"], "aligned"),
        (["aligned", "conflict"], "conflict"),
        (["unknown", "conflict"], "conflict"),
        (["aligned", "partial"], "partial"),
        (["aligned", "unknown"], "partial"),
        (["partial", "unknown"], "partial"),
    ],
)
def test_overall_verdict(verdicts, overall):
    assert overall_verdict(verdicts) == overall


ROOMY = Capacity(staff_count=6, volunteer_count=400)
NO_STAFF = Capacity(staff_count=0, volunteer_count=10)
LEADS_TWO = Capacity(staff_count=6, volunteer_count=400, lead_roles_held=2)
ONE_STAFF_LEADS_ONE = Capacity(staff_count=1, volunteer_count=100, lead_roles_held=1)


@pytest.mark.parametrize(
    ("positions", "capacity", "engagement", "reason_part"),
    [
        ([stance("support", "main")], ROOMY, "lead", "room to take a lead"),
        ([stance("support", "main")], NO_STAFF, "core", "more sustainable"),
        ([stance("support", "main")], LEADS_TWO, "core", "2 lead roles"),
        ([stance("support", "main")], ONE_STAFF_LEADS_ONE, "core", "1 lead role "),
        ([stance("support", "secondary")], ROOMY, "supporter", "secondary concern"),
        ([stance("support", "none")], ROOMY, "observer", "None of the coalition's issues"),
        ([stance("neutral", "main")], ROOMY, "core", "lead is not advised"),
        ([stance("support", "main", "No vouchers")], ROOMY, "core", "agree a game plan"),
        ([stance("oppose", "main")], ROOMY, "observer", "Do not join"),
        ([stance(None)], ROOMY, "observer", "record them"),
        (
            [stance("support", "main"), stance("support", "secondary", name="Funding")],
            ROOMY,
            "lead",
            "Early literacy is a main priority",
        ),
        (
            [stance("support", "main"), stance("support", "main", name="Funding")],
            ROOMY,
            "lead",
            "Early literacy and Funding are main priorities",
        ),
    ],
)
def test_engagement_recommendation(positions, capacity, engagement, reason_part):
    result = assess(positions, capacity)
    assert result.recommended_engagement == engagement
    assert any(reason_part in reason for reason in result.reasons), result.reasons


@pytest.mark.parametrize(
    ("capacity", "engagement", "reason_part"),
    [
        (Capacity(staff_count=6, volunteer_count=400, dues_amount=500), "lead", "fit your size"),
        (Capacity(staff_count=0, volunteer_count=10, dues_amount=5000), "supporter", "waiver"),
        (Capacity(staff_count=6, volunteer_count=10, dues_amount=9000), "core", "waiver"),
    ],
)
def test_dues_weighed_against_size(capacity, engagement, reason_part):
    result = assess([stance("support", "main")], capacity)
    assert result.recommended_engagement == engagement
    assert any(reason_part in reason for reason in result.reasons)


def test_observers_stay_observers_when_dues_are_high():
    result = assess([stance("support", "none")], Capacity(dues_amount=10_000))
    assert result.recommended_engagement == "observer"


MAIN = [stance("support", "main")]
LIMITED = [stance("support", "main", limitations="No paid ads")]


@pytest.mark.parametrize(
    ("positions", "capacity", "room", "engagement", "reason_part", "absent"),
    [
        # Partner research: a member marked not reputable, most members unknown.
        (
            MAIN,
            ROOMY,
            Room(members=3, not_reputable=("Acme PAC",)),
            "core",
            "marked Acme PAC as not reputable",
            None,
        ),
        (MAIN, ROOMY, Room(members=4, unresearched=3), "core", "not researched 3 of the 4", None),
        (MAIN, ROOMY, Room(members=4, unresearched=1), "lead", "not researched 1 of the 4", None),
        (MAIN, ROOMY, Room(members=1, unresearched=1), "core", "the one other member yet", None),
        # Hours already given elsewhere, against what staff and volunteers can spare.
        (
            MAIN,
            Capacity(staff_count=2, volunteer_count=10, hours_committed=40),
            Room(),
            "core",
            "about all that 2 staff",
            None,
        ),
        (
            MAIN,
            Capacity(staff_count=6, volunteer_count=400, hours_committed=40),
            Room(),
            "lead",
            "40 hours a month; your staff and volunteers can spare about 460",
            None,
        ),
        # Size.
        (MAIN, ROOMY, Room(members=2), "lead", "A small coalition (3 members with you)", None),
        (MAIN, ROOMY, Room(members=20), "lead", "A large coalition (21 members with you)", None),
        # The reader: a current lead is advised on staying in the lead.
        (
            LIMITED,
            ROOMY,
            Room(current_engagement="lead"),
            "lead",
            "You lead this coalition. To stay in the lead",
            "lead is not advised",
        ),
        (
            MAIN,
            ROOMY,
            Room(current_engagement="lead"),
            "lead",
            "You lead this coalition: you have",
            "consider a leading role",
        ),
        (LIMITED, ROOMY, Room(current_engagement="supporter"), "core", "lead is not advised", None),
    ],
)
def test_the_recommendation_reads_the_room(
    positions, capacity, room, engagement, reason_part, absent
):
    result = assess(positions, capacity, room=room)
    assert result.recommended_engagement == engagement
    assert any(reason_part in reason for reason in result.reasons), result.reasons
    if absent:
        assert not any(absent in reason for reason in result.reasons)
