"""Vote outcomes under each decision rule: a table, then properties with hypothesis."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.decision_rules import decide

ORGS = [f"org{n}" for n in range(8)]
LEAD = "org0"


def votes(*choices: str) -> dict[str, str]:
    return {org: choice for org, choice in zip(ORGS, choices, strict=False) if choice}


@pytest.mark.parametrize(
    ("rule", "quorum", "ballots", "outcome"),
    [
        ("majority", 0.5, votes("yes", "yes", "no"), "no_quorum"),  # 3 of 8
        ("majority", 0.5, votes("yes", "yes", "yes", "no", "no"), "passed"),
        ("majority", 0.5, votes("yes", "yes", "no", "no", "abstain"), "failed"),  # a tie fails
        ("majority", 0.5, votes("yes", "yes", "yes", "no", "block"), "passed"),  # block = no
        ("majority", 0.5, votes("yes", "yes", "no", "no", "block"), "failed"),
        ("majority", 0.0, {}, "failed"),  # nobody voted, no quorum needed: nothing passes
        ("supermajority", 0.5, votes("yes", "yes", "no", "abstain"), "passed"),  # exactly 2/3
        ("supermajority", 0.5, votes("yes", "yes", "no", "no"), "failed"),
        ("supermajority", 0.5, votes("yes", "yes", "yes", "yes", "block", "block"), "passed"),
        ("consensus", 0.5, votes("yes", "yes", "yes", "block"), "blocked"),
        ("consensus", 0.5, votes("yes", "yes", "yes", "no"), "passed"),
        ("consensus", 0.5, votes("yes", "no", "no", "abstain"), "failed"),
        ("unanimous", 0.5, votes("yes", "yes", "yes", "yes", "yes", "yes", "yes", "yes"), "passed"),
        ("unanimous", 0.5, votes("yes", "yes", "yes", "yes", "yes", "yes", "yes", "abstain"), "failed"),
        ("unanimous", 0.5, votes("yes", "yes", "yes", "yes", "yes", "yes", "yes"), "failed"),  # one silent
        ("unanimous", 0.5, votes("yes", "yes", "yes", "block"), "blocked"),
        ("lead_decides", 0.5, votes("yes", "no", "no", "no"), "passed"),
        ("lead_decides", 0.5, votes("no", "yes", "yes", "yes"), "failed"),
        ("lead_decides", 0.5, votes("", "yes", "yes", "yes", "yes"), "no_quorum"),  # lead silent
        ("lead_decides", 0.75, votes("yes", "yes"), "no_quorum"),  # quorum comes first
    ],
)  # fmt: skip
def test_outcome_table(rule, quorum, ballots, outcome):
    assert decide(rule, quorum, set(ORGS), ballots, {LEAD}).outcome == outcome


def test_explanation_in_words():
    result = decide(
        "majority", 0.5, set(ORGS), votes("yes", "yes", "yes", "yes", "yes", "no", "no"), {LEAD}
    )
    assert result.explanation == (
        "Passed: 5 yes, 2 no, 0 abstain; 7 of 8 members voted. "
        "More yes than no, as the majority rule asks."
    )
    assert result.tally == {"yes": 5, "no": 2, "abstain": 0, "block": 0, "eligible": 8, "voted": 7}


def test_votes_from_outside_the_eligible_do_not_count():
    result = decide("majority", 0.5, {"a", "b"}, {"a": "yes", "b": "no", "stranger": "yes"}, set())
    assert result.tally["voted"] == 2 and result.outcome == "failed"


RULES = st.sampled_from(["majority", "supermajority", "consensus", "unanimous", "lead_decides"])
BALLOTS = st.dictionaries(st.sampled_from(ORGS), st.sampled_from(["yes", "no", "abstain", "block"]))


@given(rule=RULES, quorum=st.sampled_from([0.0, 0.25, 0.5, 0.75]), ballots=BALLOTS)
def test_turning_a_no_into_a_yes_never_turns_passed_into_failed(rule, quorum, ballots):
    before = decide(rule, quorum, set(ORGS), ballots, {LEAD}).outcome
    for org, choice in ballots.items():
        if choice == "no":
            after = decide(rule, quorum, set(ORGS), {**ballots, org: "yes"}, {LEAD}).outcome
            assert not (before == "passed" and after == "failed")


@given(
    rule=RULES, quorum=st.sampled_from([0.0, 0.5]), ballots=BALLOTS, newcomer=st.sampled_from(ORGS)
)
def test_adding_a_yes_never_turns_passed_into_failed(rule, quorum, ballots, newcomer):
    if newcomer in ballots:
        return
    before = decide(rule, quorum, set(ORGS), ballots, {LEAD}).outcome
    after = decide(rule, quorum, set(ORGS), {**ballots, newcomer: "yes"}, {LEAD}).outcome
    assert not (before == "passed" and after == "failed")


@given(ballots=BALLOTS, blocker=st.sampled_from(ORGS))
def test_a_block_under_consensus_always_blocks_once_quorum_is_met(ballots, blocker):
    ballots = {**ballots, blocker: "block"}
    result = decide("consensus", 0.0, set(ORGS), ballots, {LEAD})
    assert result.outcome == "blocked"


@given(rule=RULES, ballots=BALLOTS)
def test_tally_adds_up(rule, ballots):
    tally = decide(rule, 0.5, set(ORGS), ballots, {LEAD}).tally
    assert tally["yes"] + tally["no"] + tally["abstain"] + tally["block"] == tally["voted"]
    assert tally["voted"] <= tally["eligible"]


@pytest.mark.parametrize(
    ("rule", "quorum", "ballots", "sentence"),
    [
        ("majority", 0.5, votes("yes", "no", "no", "no", "abstain"),
         "Failed: 1 yes, 3 no, 1 abstain; 5 of 8 members voted. "
         "It needed more yes than no (majority)."),
        ("majority", 0.5, votes("yes", "yes"),
         "No quorum: 2 of 8 members voted; at least 50% had to vote."),
        ("consensus", 0.5, votes("yes", "yes", "yes", "block"),
         "Blocked: 1 member(s) blocked (3 yes, 0 no, 0 abstain, 1 block; 4 of 8 members voted)."),
        ("unanimous", 0.5, votes("yes", "yes", "yes", "yes", "yes", "yes", "yes", "no"),
         "Failed: 7 yes, 1 no, 0 abstain; 8 of 8 members voted. "
         "It needed a yes from every member (unanimous)."),
    ],
)  # fmt: skip
def test_an_outcome_sentence_never_contradicts_itself(rule, quorum, ballots, sentence):
    """A failed vote never reads as if its rule were met, and the count is the tally's."""
    result = decide(rule, quorum, set(ORGS), ballots, {LEAD})
    assert result.explanation == sentence
    assert f"{result.tally['voted']} of {result.tally['eligible']} members voted" in sentence
