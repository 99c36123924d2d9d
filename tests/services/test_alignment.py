"""The alignment and engagement rules, branch by branch."""

import pytest

from app.services.alignment import (
    Capacity,
    StanceOnIssue,
    assess,
    issue_verdict,
    overall_verdict,
)


def stance(stance=None, priority=None, limitations=None, name="Early literacy"):
    return StanceOnIssue("isa_1", name, stance, priority, limitations)


@pytest.mark.parametrize(
    ("position", "verdict", "note_part"),
    [
        (stance("support", "main"), "aligned", "You support Early literacy."),
        (stance("support", "main", "No scripted curricula"), "partial", "with limitations"),
        (stance("neutral", "none"), "partial", "neutral"),
        (stance("oppose", "main"), "conflict", "You oppose"),
        (stance(None), "unknown", "no recorded position"),
    ],
)
def test_issue_verdicts(position, verdict, note_part):
    result = issue_verdict(position)
    assert result.verdict == verdict
    assert note_part in result.note


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
        ([stance("support", "main")], LEADS_TWO, "core", "2 lead role(s)"),
        ([stance("support", "main")], ONE_STAFF_LEADS_ONE, "core", "1 lead role(s)"),
        ([stance("support", "secondary")], ROOMY, "supporter", "secondary concern"),
        ([stance("support", "none")], ROOMY, "observer", "None of the coalition's issues"),
        ([stance("neutral", "main")], ROOMY, "core", "lead is not advised"),
        ([stance("support", "main", "No vouchers")], ROOMY, "core", "Agree a game plan"),
        ([stance("oppose", "main")], ROOMY, "observer", "Do not join"),
        ([stance(None)], ROOMY, "observer", "record them"),
        (
            [stance("support", "main"), stance("support", "secondary", name="Funding")],
            ROOMY,
            "lead",
            "Early literacy is a main priority",
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
