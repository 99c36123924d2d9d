"""How a coalition decides: the outcome of a vote under its decision rule. Pure rules."""

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction

from app import labels


@dataclass(frozen=True)
class Result:
    outcome: str  # passed | failed | blocked | no_quorum
    tally: dict[str, int]
    explanation: str


def decide(
    rule: str,
    quorum: float,
    eligible: set[str],
    votes: dict[str, str],
    leads: set[str],
) -> Result:
    """The outcome of `votes` (organization → yes|no|abstain|block) among `eligible`.

    In order: turnout below the quorum → no_quorum; under consensus or unanimous any block
    → blocked; then the rule, over yes and no (abstain counts for turnout only; block
    counts as no under the other rules).
    """
    counted = {org: choice for org, choice in votes.items() if org in eligible}
    counts = Counter(counted.values())
    yes, no, abstain, block = (counts[c] for c in ("yes", "no", "abstain", "block"))
    tally = {"yes": yes, "no": no, "abstain": abstain, "block": block,
             "eligible": len(eligible), "voted": len(counted)}  # fmt: skip
    turnout = Fraction(len(counted), len(eligible)) if eligible else Fraction(0)
    ballots = f"{yes} yes, {no} no, {abstain} abstain" + (f", {block} block" if block else "")
    voted = f"{len(counted)} of {len(eligible)} members voted"
    if not eligible or turnout < Fraction(quorum).limit_denominator(1000):
        return Result("no_quorum", tally, f"No quorum: {voted}; at least {quorum:.0%} had to vote.")
    if rule in ("consensus", "unanimous") and block:
        return Result("blocked", tally, f"Blocked: {_members(block)} blocked ({ballots}; {voted}).")
    against = no + block
    passed = _passes(rule, yes, against, len(eligible), counted, leads)
    if passed is None:
        return Result("no_quorum", tally, f"No quorum: no lead organization voted ({voted}).")
    if passed:
        return Result("passed", tally, f"Passed: {ballots}; {voted}. {_rule(rule)}.")
    return Result("failed", tally, f"Failed: {ballots}; {voted}. It needed {_needed(rule)}.")


def _members(count: int) -> str:
    return labels.counted(count, "member")


def _passes(
    rule: str, yes: int, against: int, eligible: int, counted: dict[str, str], leads: set[str]
) -> bool | None:
    if rule == "majority":
        return yes > against
    if rule == "supermajority":
        return yes + against > 0 and Fraction(yes, yes + against) >= Fraction(2, 3)
    if rule == "consensus":
        return yes > against
    if rule == "unanimous":
        return yes == eligible
    if rule == "lead_decides":
        lead_votes = [counted[org] for org in leads if org in counted]
        if not lead_votes:
            return None
        return all(choice == "yes" for choice in lead_votes)
    raise ValueError(f"unknown decision rule {rule}")


def _rule(rule: str) -> str:
    """Why a passed vote passed, in the words of its rule."""
    return {
        "majority": "More yes than no, as the majority rule asks",
        "supermajority": "At least two thirds of yes and no, as the supermajority rule asks",
        "consensus": "No block and more yes than no, as consensus asks",
        "unanimous": "Every member voted yes, as the unanimous rule asks",
        "lead_decides": "The lead organization voted yes, and the lead decides",
    }[rule]


def _needed(rule: str) -> str:
    """What a failed vote lacked, under its rule."""
    return {
        "majority": "more yes than no (majority)",
        "supermajority": "two thirds of yes and no (supermajority)",
        "consensus": "more yes than no, with no block (consensus)",
        "unanimous": "a yes from every member (unanimous)",
        "lead_decides": "a yes from the lead organization (lead decides)",
    }[rule]


def allows_block(rule: str) -> bool:
    """`block` is a choice only where one member can stop a decision."""
    return rule in ("consensus", "unanimous")
