"""What an event says of the object it changed: one snapshot per kind of object, as the
receiving organization may see it and as it stood at the event, so a receiver needs no
further call and can drop a stale copy by the object's `version`.

A snapshot is made from what the writing service has loaded already (plus, for the
tallies, one count), and written through the API's own read schema where there is one:
an event and a `GET` show an object in the same words.
"""

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import Session, select

from app import clock
from app.db import plain_rows
from app.models import (
    Activity,
    ApprovalRequest,
    Coalition,
    Membership,
    Organization,
    SignOnDecision,
    WebhookSubscription,
)
from app.models.activities import DecisionStatus
from app.models.proposals import Proposal
from app.schemas.activities import ActivityRead, DecisionRead
from app.schemas.approvals import ApprovalSummary
from app.schemas.coalitions import CoalitionRead, GoalRead, MembershipRead
from app.schemas.organizations import OrganizationRead
from app.schemas.webhooks import WebhookRead

# Decisions still open or given, i.e. the members a letter is asking now: `asked` in a
# tally, the "of 5" in "3 of 5 signed". A member that left (withdrawn) is asked no more.
_ASKED = {status.value for status in DecisionStatus} - {DecisionStatus.withdrawn.value}


def decision_counts(session: Session, activity_id: str) -> dict[str, int]:
    """The sign-on decisions of an activity by status (its `tally` as the API reads it)."""
    # Counted by the database: a letter of a large coalition has hundreds of decisions.
    counts = Counter(dict(plain_rows(session, _DECISION_COUNTS, activity_id=activity_id)))
    return _by_status(counts)


def decision_counts_of(statuses: Iterable[str]) -> dict[str, int]:
    """`decision_counts` of decisions already read, by their statuses."""
    return _by_status(Counter(statuses))


# Built once: each read of an activity counts its decisions.
_DECISION_COUNTS = (
    select(SignOnDecision.status, func.count())
    .where(SignOnDecision.activity_id == bindparam("activity_id"))
    .group_by(SignOnDecision.status)
)


def _by_status(counts: Counter) -> dict[str, int]:
    return {status.value: counts.get(status.value, 0) for status in DecisionStatus}


def _with_asked(by_status: dict[str, int]) -> dict[str, int]:
    return {**by_status, "asked": sum(by_status[status] for status in _ASKED)}


def tally(session: Session, activity_id: str) -> dict[str, int]:
    """`decision_counts` and how many members the activity asks now."""
    return _with_asked(decision_counts(session, activity_id))


def tallies(session: Session, activity_ids: Iterable[str]) -> dict[str, dict[str, int]]:
    """The `tally` of each of several activities, in one query (a list shows many)."""
    counts: dict[str, Counter] = {activity_id: Counter() for activity_id in activity_ids}
    if counts:
        rows = plain_rows(session, _TALLIES, activity_ids=list(counts))
        for activity_id, status, count in rows:
            counts[activity_id][status] += count
    return {key: _with_asked(_by_status(found)) for key, found in counts.items()}


_TALLIES = (
    select(SignOnDecision.activity_id, SignOnDecision.status, func.count())
    .where(SignOnDecision.activity_id.in_(bindparam("activity_ids", expanding=True)))  # type: ignore[attr-defined]
    .group_by(SignOnDecision.activity_id, SignOnDecision.status)
)


def organization(organization: Organization) -> dict[str, Any]:
    """An organization's profile, for its own events (it holds `reports_to`)."""
    return OrganizationRead.model_validate(organization).model_dump(mode="json")


def coalition(coalition: Coalition) -> dict[str, Any]:
    return CoalitionRead.model_validate(coalition).model_dump(mode="json")


def membership(membership: Membership, organization: Organization) -> dict[str, Any]:
    """A membership as the coalition's member list shows it (its approval, when it joins
    through one, travels in the approval's own events)."""
    row = {
        **membership.model_dump(),
        "organization_name": organization.name,
        "organization_kind": organization.kind,
    }
    return {
        "id": membership.id,
        **MembershipRead.model_validate(row).model_dump(mode="json", exclude={"approval"}),
    }


def activity(activity: Activity, *, tally: dict[str, int] | None = None) -> dict[str, Any]:
    """An activity without its text (a letter's body can be long; its page has it), with
    the tally of its sign-on decisions when it collects them."""
    seen = ActivityRead.model_validate(activity).model_dump(mode="json", exclude={"body"})
    return {**seen, "tally": tally}


def decision(
    decision: SignOnDecision,
    activity: Activity,
    organization: Organization,
    *,
    tally: dict[str, int],
) -> dict[str, Any]:
    """One member's sign-on decision with what a message about it needs: who, on which
    letter, and the letter's tally as of this change."""
    # As the decisions list reads it; its approval travels in the approval's own events.
    seen = DecisionRead.model_validate(
        {**decision.model_dump(), "organization_name": organization.name, "approval": None}
    ).model_dump(mode="json", exclude={"approval"})
    return {
        "id": decision.id,
        "activity_id": activity.id,
        "activity_title": activity.title,
        "activity_kind": activity.kind,
        **seen,
        "updated_at": clock.iso(decision.updated_at),
        "tally": tally,
    }


def approval(
    request: ApprovalRequest, organization: Organization, summary: dict[str, Any]
) -> dict[str, Any]:
    """What every member of the coalition may see of an approval request: its status, the
    active step's position and the forecast, never its steps' names or comments."""
    seen = ApprovalSummary.model_validate(summary).model_dump(mode="json")
    return {
        **seen,
        "organization_id": organization.id,
        "organization_name": organization.name,
        "activity_id": request.activity_id,
        "membership_id": request.membership_id,
        "version": request.version,
    }


def proposal(proposal: Proposal, *, tally: dict[str, int]) -> dict[str, Any]:
    """A proposal with its tally as of the event (the closing tally once closed)."""
    return {
        "id": proposal.id,
        "coalition_id": proposal.coalition_id,
        "proposed_by_organization_id": proposal.proposed_by_organization_id,
        "title": proposal.title,
        "kind": proposal.kind,
        "activity_id": proposal.activity_id,
        "closes_at": proposal.closes_at,
        "status": proposal.status,
        "outcome": proposal.outcome,
        "explanation": proposal.explanation,
        "tally": tally,
        "closed_at": proposal.closed_at,
        "version": proposal.version,
        "updated_at": proposal.updated_at,
    }


def goal(row: dict[str, Any]) -> dict[str, Any]:
    """A goal as read (services/goals.py makes the row, with progress and health)."""
    return GoalRead.model_validate(row).model_dump(mode="json")


def webhook(subscription: WebhookSubscription) -> dict[str, Any]:
    """A subscription without its secret."""
    return WebhookRead.model_validate(subscription).model_dump(mode="json")
