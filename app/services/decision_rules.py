"""How a coalition decides: the outcome of a vote under its decision rule. Pure rules."""

from collections import Counter
from dataclasses import dataclass
from fractions import Fraction


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
    summary = (
        f"{yes} yes, {no} no, {abstain} abstain, {block} block; turnout {len(counted)} of "
        f"{len(eligible)}"
    )
    if not eligible or turnout < Fraction(quorum).limit_denominator(1000):
        return Result("no_quorum", tally, f"no quorum: {summary}, below quorum {quorum:.0%}")
    if rule in ("consensus", "unanimous") and block:
        return Result("blocked", tally, f"blocked: {block} member(s) blocked; {summary}")
    against = no + block
    passed = _passes(rule, yes, against, len(eligible), counted, leads)
    if passed is None:
        return Result("no_quorum", tally, f"no quorum: no lead organization voted; {summary}")
    word = "passed" if passed else "failed"
    return Result(word, tally, f"{word}: {summary}, above quorum {quorum:.0%} ({_rule(rule)})")


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
    return {
        "majority": "more yes than no",
        "supermajority": "two thirds of yes and no",
        "consensus": "no block and more yes than no",
        "unanimous": "every member voted yes",
        "lead_decides": "the lead organization decides",
    }[rule]
