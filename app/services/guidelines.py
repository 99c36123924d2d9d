"""The coalition's guidelines: how it decides, advocates and keeps its members informed.

The convener sets them while it is the only joined member; after that they change only
through a proposal of kind `guidelines`, applied when the proposal passes (the listener
below follows `proposal.closed`), so every member agreed to the rules it works under.
"""

from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, func, select

from app import clock, labels
from app.db import plain_rows
from app.errors import Conflict, Invalid
from app.models import Coalition, EventAudience, Membership, Proposal, Vote
from app.models.coalitions import GUIDELINE_FIELDS, MembershipStatus
from app.models.events import Event
from app.models.proposals import ProposalKind
from app.principal import Principal
from app.schemas.coalitions import GuidelineChanges
from app.services import events, snapshots

# Each guideline in plain words: proposal titles and the pages use these.
WORDS = {
    "decision_rule": "how we decide",
    "quorum": "the share of members who must vote",
    "allowed_activity_kinds": "the advocacy we take on",
    "activity_approval": "who opens letters in our name",
    "who_may_post": "who starts threads on our list",
    "how_members_are_informed": "how members are informed",
    "dues_amount": "dues",
}


RULE_WORDS = {
    "consensus": "consensus (no member blocks)",
    "majority": "majority (more yes than no)",
    "supermajority": "supermajority (two thirds)",
    "unanimous": "unanimous (every member says yes)",
    "lead_decides": "the lead decides",
}


def value_in_words(value: Any, field: str) -> str:
    """A guideline's value as a member reads it."""
    if field == "decision_rule":
        return RULE_WORDS.get(value, str(value))
    if field == "quorum":
        return f"{labels.percent(value)} of members vote"
    if field == "allowed_activity_kinds":
        return ", ".join(labels.label(kind, "activity_kind") for kind in value or []) or "none"
    if field == "activity_approval":
        return (
            "the whole coalition, by a vote"
            if value == "coalition_vote"
            else "our leads and drafters"
        )
    if field == "who_may_post":
        return "leads and coordinators" if value == "leads" else "every member"
    if field == "dues_amount":
        return labels.money(value) if value else "none"
    return str(value) if value else "not said"


def joined_members(session: Session, coalition_id: str) -> int:
    return session.exec(
        select(func.count())
        .select_from(Membership)
        .where(
            Membership.coalition_id == coalition_id,
            Membership.status == MembershipStatus.joined,
        )
    ).one()


def differences(coalition: Coalition, changes: dict[str, Any]) -> dict[str, list[Any]]:
    """The guideline fields `changes` would really change: field → [now, then]."""
    return {
        field: [getattr(coalition, field), value]
        for field, value in changes.items()
        if field in GUIDELINE_FIELDS and getattr(coalition, field) != value
    }


def needing_vote(
    session: Session, coalition: Coalition, changes: dict[str, Any]
) -> dict[str, list[Any]]:
    """The guideline changes in `changes` that only the coalition's vote can make (none
    while the convener is the only joined member): field → [now, then]."""
    changing = differences(coalition, changes)
    return changing if changing and joined_members(session, coalition.id) > 1 else {}


def check_direct_change(session: Session, coalition: Coalition, changes: dict[str, Any]) -> bool:
    """A direct edit of the guidelines: allowed while the convener is the only joined member
    (409 afterwards, pointing to proposals). True when a guideline changes."""
    changing = needing_vote(session, coalition, changes)
    if changing:
        raise Conflict(
            "The guidelines are agreed together now that others have joined: put the change "
            "to the coalition as a proposal of kind guidelines "
            f"(POST /api/v1/coalitions/{coalition.id}/proposals). Fields: "
            + ", ".join(sorted(changing))
            + ".",
            code="guidelines_need_a_vote",
        )
    return bool(differences(coalition, changes))


def proposed_changes(coalition: Coalition, changes: GuidelineChanges | None) -> dict[str, Any]:
    """What a `guidelines` proposal would change, checked before it is put to a vote."""
    wanted = changes.model_dump(mode="json", exclude_unset=True) if changes else {}
    for field in ("decision_rule", "quorum", "activity_approval", "who_may_post", "dues_amount"):
        if field in wanted and wanted[field] is None:
            raise Invalid.field(["body", "changes", field], "This guideline cannot be empty.")
    if wanted.get("allowed_activity_kinds") is None and "allowed_activity_kinds" in wanted:
        wanted["allowed_activity_kinds"] = []
    if not differences(coalition, wanted):
        raise Invalid.field(
            ["body", "changes"], "Name at least one guideline and the value it should have."
        )
    return wanted


def apply(
    session: Session,
    coalition: Coalition,
    changes: dict[str, Any],
    *,
    proposal_id: str | None,
    actor: Principal | None,
    new_version: bool = True,
) -> None:
    """Change the guidelines, record when and by which proposal, and tell the coalition.
    (`new_version` False: the caller counts this change in a version of its own.)"""
    changed = differences(coalition, changes)
    if not changed:
        return
    for field, (_, value) in changed.items():
        setattr(coalition, field, value)
    coalition.guidelines_agreed_at = clock.now()
    coalition.guidelines_proposal_id = proposal_id
    coalition.version += 1 if new_version else 0
    coalition.updated_at = clock.now()
    session.add(coalition)
    session.flush()
    events.emit(
        session,
        "coalition.guidelines_changed",
        {
            "coalition_id": coalition.id,
            "proposal_id": proposal_id,
            "changes": changed,
            "version": coalition.version,
            "object": snapshots.coalition(coalition),
        },
        visible_to=events.coalition_audience(session, coalition.id),
        coalition_id=coalition.id,
        actor=actor,
    )


def agreed_by(session: Session, coalition: Coalition) -> list[str]:
    """Who agreed the guidelines in force: the members that voted yes on the proposal that
    last changed them, or the convener that set them alone."""
    if coalition.guidelines_proposal_id is None:
        return [coalition.convener_organization_id]
    rows = plain_rows(session, _AGREED, proposal_id=coalition.guidelines_proposal_id)
    return sorted(organization_id for (organization_id,) in rows)


# Built once, as the coalition's every read asks it.
_AGREED = select(Vote.organization_id).where(
    Vote.proposal_id == bindparam("proposal_id"), Vote.choice == "yes"
)


def follow_vote(session: Session, event: Event, _: list[EventAudience]) -> None:
    """Listener: a `guidelines` proposal that passed applies its changes."""
    data = event.data
    if event.type != "proposal.closed" or data.get("kind") != ProposalKind.guidelines:
        return
    if data.get("outcome") != "passed":
        return
    proposal = session.get(Proposal, data["proposal_id"])
    coalition = session.get(Coalition, data["coalition_id"])
    assert proposal is not None and coalition is not None
    apply(session, coalition, proposal.changes or {}, proposal_id=proposal.id, actor=None)
