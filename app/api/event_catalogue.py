"""The `webhooks` section of the OpenAPI description: one entry per event type, with an
example body. The objects in the examples are made by the same snapshot functions the
services use (services/snapshots.py), so the documentation cannot drift from the events.
"""

from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel, Field

from app import clock
from app.labels import label
from app.models import (
    Activity,
    ApprovalRequest,
    Coalition,
    Membership,
    Organization,
    SignOnDecision,
    WebhookSubscription,
)
from app.models.events import EVENT_TYPES
from app.models.proposals import Proposal
from app.services import snapshots


class EventData(BaseModel):
    """What every event's `data` carries (and, per type, more: see the examples)."""

    model_config = {"extra": "allow"}

    event_id: str = Field(description="The event's id; also the `webhook-id` header.")
    type: str
    timestamp: datetime = Field(description="When it happened, ISO 8601 in UTC (`Z`).")
    coalition_id: str | None = Field(description="The coalition it happened in, if any.")
    version: int = Field(
        description="The changed object's `version` after the change: keep the highest you "
        "have seen per `object.id` and drop a copy with a lower one (deliveries are at least "
        "once and may arrive out of order)."
    )
    object: dict[str, Any] = Field(
        description="The object as it stood after the change, as the receiving organization "
        "may see it: names, titles and, for sign-on decisions and proposals, the tally as of "
        "this event."
    )
    actor_user_id: str | None = None


class EventBody(BaseModel):
    """A webhook request's body (Standard Webhooks): signed with the subscription's secret."""

    type: str
    timestamp: datetime
    data: EventData


_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
_RIVERSIDE = Organization(
    id="org_01jnqf6r2e8xv3kq0w7d1m5t9a", name="Riverside PTA", kind="pta",
    website="https://riversidepta.example.org", description=None, staff_count=0,
    volunteer_count=40, expertise=["school funding"], communities=["Riverside families"],
    reports_to=None, version=3, created_at=_AT - timedelta(days=90), updated_at=_AT,
)  # fmt: skip
_COALITION = Coalition(
    id="coa_01jnqf7c4d2w8e5r1t6y3u9i0o", name="Tutors for Every School",
    unifying_issue="Every child reads by third grade", policy_goal="Fund tutors in the budget",
    description=None, issue_area_ids=[], issue_positions=[], status="active",
    decision_rule="consensus", quorum=0.5, allowed_activity_kinds=["sign_on_letter"],
    dues_amount=0, how_members_are_informed=None, guidelines_agreed_at=_AT - timedelta(days=60),
    convener_organization_id="org_01jnqf5x9z8y7w6v5u4t3s2r1q", version=4,
    created_at=_AT - timedelta(days=60), updated_at=_AT,
)  # fmt: skip
_MEMBERSHIP = Membership(
    id="mem_01jnqf8a1s2d3f4g5h6j7k8l9m", coalition_id=_COALITION.id,
    organization_id=_RIVERSIDE.id, status="joined", engagement="core", roles=["drafter"],
    commitment_hours_per_month=6, joined_at=_AT, version=2,
    created_at=_AT - timedelta(days=30), updated_at=_AT,
)  # fmt: skip
_LETTER = Activity(
    id="act_01jnqf9b2n3m4k5j6h7g8f9d0s", coalition_id=_COALITION.id, kind="sign_on_letter",
    title="Fund tutors", target="House Appropriations Committee",
    sign_on_deadline=_AT + timedelta(days=14), collects_signatures=True, status="open",
    opened_at=_AT - timedelta(days=2), version=3,
    created_at=_AT - timedelta(days=5), updated_at=_AT - timedelta(days=2),
)  # fmt: skip
_TALLY = {"pending": 1, "in_approval": 1, "signed": 3, "declined": 0, "abstained": 0,
          "withdrawn": 0, "asked": 5}  # fmt: skip
_DECISION = SignOnDecision(
    id="sod_01jnqfa3c4v5b6n7m8q9w0e1r2", activity_id=_LETTER.id, organization_id=_RIVERSIDE.id,
    status="signed", comment=None, decided_at=_AT, signer_name="Maria Lopez",
    signer_title="President", version=3, created_at=_AT - timedelta(days=2), updated_at=_AT,
)  # fmt: skip
_REQUEST = ApprovalRequest(
    id="apr_01jnqfb4d5f6g7h8j9k0l1z2x3", organization_id=_RIVERSIDE.id,
    activity_id=_LETTER.id, status="in_progress", version=2, created_at=_AT - timedelta(days=2),
)  # fmt: skip
_SUMMARY = {"id": _REQUEST.id, "status": "in_progress", "step": 2, "steps_total": 3,
            "expected_completion_at": _AT + timedelta(days=6), "at_risk": False}  # fmt: skip
_PROPOSAL = Proposal(
    id="prp_01jnqfc5e6r7t8y9u0i1o2p3a4", coalition_id=_COALITION.id,
    proposed_by_organization_id=_COALITION.convener_organization_id,
    title="Testify at the budget hearing", kind="general", closes_at=_AT + timedelta(days=7),
    status="open", version=5, created_at=_AT - timedelta(days=1), updated_at=_AT,
)  # fmt: skip
_VOTES = {"yes": 2, "no": 0, "abstain": 1, "block": 0, "eligible": 5, "voted": 3}
_GOAL = {
    "id": "gol_01jnqfd6f7g8h9j0k1l2m3n4b5", "coalition_id": _COALITION.id,
    "title": "Tutors in the state budget", "description": None,
    "due_date": date(2026, 6, 30), "owner_organization_ids": [_RIVERSIDE.id],
    "progress": 0.5, "health": "on_track", "objectives": [], "version": 4,
    "created_at": _AT - timedelta(days=40), "updated_at": _AT,
}  # fmt: skip
_WEBHOOK = WebhookSubscription(
    id="whk_01jnqfe7g8h9j0k1l2m3n4b5v6", organization_id=_RIVERSIDE.id,
    url="https://chat.example.org/coalesce", event_types=["signon.decision_changed"],
    description="Chat bot", secret_encrypted="", enabled=True, version=2,
    created_at=_AT - timedelta(days=3), updated_at=_AT,
)  # fmt: skip


def _decision_data() -> dict[str, Any]:
    return {"activity_id": _LETTER.id, "organization_id": _RIVERSIDE.id, "from": "in_approval",
            "to": "signed", "comment": None, "asked": False, "approval_id": None,
            "object": snapshots.decision(_DECISION, _LETTER, _RIVERSIDE, tally=_TALLY)}  # fmt: skip


def _approval_data(**details: Any) -> dict[str, Any]:
    return {"approval_id": _REQUEST.id, "kind": "activity", "activity_id": _LETTER.id,
            "membership_id": None, "organization_id": _RIVERSIDE.id, "title": _LETTER.title,
            **details, "object": snapshots.approval(_REQUEST, _RIVERSIDE, _SUMMARY)}  # fmt: skip


def _proposal_data(**details: Any) -> dict[str, Any]:
    return {"proposal_id": _PROPOSAL.id, "title": _PROPOSAL.title, **details,
            "object": snapshots.proposal(_PROPOSAL, tally=_VOTES)}  # fmt: skip


def _activity_data(**details: Any) -> dict[str, Any]:
    return {"activity_id": _LETTER.id, "kind": _LETTER.kind, "title": _LETTER.title, **details,
            "object": snapshots.activity(_LETTER, tally=_TALLY)}  # fmt: skip


@cache
def _examples() -> dict[str, dict[str, Any]]:
    """`data` per event type, before the envelope (event id, type, timestamp, coalition)."""
    organization = {"organization_id": _RIVERSIDE.id, "name": _RIVERSIDE.name,
                    "object": snapshots.organization(_RIVERSIDE)}  # fmt: skip
    coalition = {"name": _COALITION.name, "object": snapshots.coalition(_COALITION)}
    goal = {"goal_id": _GOAL["id"], "object": snapshots.goal(_GOAL)}
    webhook = {"webhook_id": _WEBHOOK.id, "organization_id": _RIVERSIDE.id,
               "object": snapshots.webhook(_WEBHOOK)}  # fmt: skip
    message = {"id": "msg_01jnqff8h9j0k1l2m3n4b5v6c7", "coalition_id": _COALITION.id,
               "reply_to": None, "subject": "Hearing on Tuesday", "body": "Who can testify?",
               "organization_id": _RIVERSIDE.id, "organization_name": _RIVERSIDE.name,
               "author_user_id": "usr_01jnqfg9j0k1l2m3n4b5v6c7x8", "author_name": "Maria Lopez",
               "created_at": _AT}  # fmt: skip
    report = {"id": "rep_01jnqfh0k1l2m3n4b5v6c7x8z9", "organization_id": _RIVERSIDE.id,
              "sent_to": "reports@statepta.example.org", "start": "2026-01-01",
              "end": "2026-03-01", "note": None, "email_status": "pending",
              "sent_by_user_id": message["author_user_id"], "created_at": _AT}  # fmt: skip
    return {
        "signon.decision_changed": _decision_data(),
        "approval.step_completed": _approval_data(position=1, status="approved",
                                                  request_status="in_progress"),
        "approval.completed": _approval_data(status="approved"),
        "approval.step_overdue": _approval_data(position=2, due_at=_AT),
        "proposal.opened": _proposal_data(kind="general", changes=None, activity_id=None,
                                          closes_at=_PROPOSAL.closes_at,
                                          proposed_by_organization_id=_COALITION.convener_organization_id),
        "proposal.vote_cast": _proposal_data(organization_id=_RIVERSIDE.id, **{"from": "no"},
                                             to="yes", comment=None),
        "proposal.closed": _proposal_data(outcome="passed", tally=_VOTES, explanation=None,
                                          kind="general", activity_id=None),
        "proposal.commented": _proposal_data(comment_id="pcm_01jnqfj1l2m3n4b5v6c7x8z9a0",
                                             organization_id=_RIVERSIDE.id),
        "membership.changed": {"organization_id": _RIVERSIDE.id, "from": "invited",
                               "to": "joined", "engagement": "core",
                               "changes": {"status": ["invited", "joined"]}, "approval_id": None,
                               "object": snapshots.membership(_MEMBERSHIP, _RIVERSIDE)},
        "activity.created": _activity_data(),
        "activity.opened": _activity_data(sign_on_deadline=_LETTER.sign_on_deadline),
        "activity.updated": _activity_data(status="open", changed=["sign_on_deadline"],
                                           sign_on_deadline=_LETTER.sign_on_deadline,
                                           previous_sign_on_deadline=_AT + timedelta(days=7)),
        "activity.closed": _activity_data(tally=_TALLY),
        "coalition.created": coalition,
        "coalition.updated": {**coalition, "changed": ["description"]},
        "coalition.guidelines_changed": {"proposal_id": _PROPOSAL.id,
                                         "changes": {"decision_rule": ["majority", "consensus"]},
                                         "object": coalition["object"]},
        "organization.created": organization,
        "organization.updated": organization,
        "organization.deleted": organization,
        "goal.created": goal,
        "goal.updated": {**goal, "changed": ["title"]},
        "goal.deleted": goal,
        "goal.progress_changed": {**goal, "objective_id": "obj_01jnqfk2m3n4b5v6c7x8z9a0s1",
                                  "from": 0.25, "to": 0.5},
        "message.posted": {"message_id": message["id"], "coalition_name": _COALITION.name,
                           **message, "object": message},
        "report.sent": {"report_id": report["id"], "organization_name": _RIVERSIDE.name,
                        **{k: report[k] for k in ("organization_id", "sent_to", "start", "end",
                                                  "note")}, "object": report},
        "webhook.created": webhook,
        "webhook.updated": webhook,
        "webhook.deleted": webhook,
        "webhook.test": webhook,
    }  # fmt: skip


def example(type: str) -> dict[str, Any]:
    """A whole webhook body of `type`, as a receiver gets it."""
    data = _examples()[type]  # made once per process, read by every app made
    coalition_id = (
        None if type.split(".")[0] in {"organization", "webhook", "report"} else (_COALITION.id)
    )
    envelope = {"event_id": "evt_01jnqfm3n4b5v6c7x8z9a0s1d2", "type": type,
                "timestamp": _AT, "coalition_id": coalition_id}  # fmt: skip
    version = data["object"].get("version", 1)
    body = {**envelope, **data, "version": version, "actor_user_id": None}
    return {"type": type, "timestamp": clock.iso(_AT), "data": clock.plain(body)}


_ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "Received: any 2xx answer ends the delivery."},
    "4XX": {"description": "Retried with backoff; 410 Gone disables the subscription."},
    "5XX": {"description": "Retried with backoff; five days without success disable it."},
}


def install(app: FastAPI) -> None:
    """Declare each event type under the schema's `webhooks`."""
    for type in EVENT_TYPES:

        def receive(body: EventBody) -> None:
            """The subscriber's endpoint: answer 2xx within 10 seconds."""

        app.webhooks.post(
            type,
            summary=label(type, "event_type").capitalize(),
            description=(
                "Sent to subscriptions of organizations that may see it. Headers "
                "`webhook-id` (the event id), `webhook-timestamp`, `webhook-signature`."
            ),
            operation_id=f"event_{type.replace('.', '_')}",
            responses=_ANSWERS,
            openapi_extra={
                "requestBody": {"content": {"application/json": {"example": example(type)}}}
            },
        )(receive)
