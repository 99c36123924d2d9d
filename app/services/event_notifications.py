"""Who hears about which event: the event listener that turns decision changes into the
notifications people act on (asks, approval steps, overdue steps, invitations, votes), and
settles them when an organization leaves."""

from datetime import datetime

from sqlmodel import Session, select

from app import labels, local_time
from app.models import (
    Activity,
    ApprovalRequest,
    ApprovalStep,
    Coalition,
    Event,
    EventAudience,
    SignOnDecision,
    User,
)
from app.services import access, messages, notifications


def _active_step(session: Session, **request: str) -> ApprovalStep | None:
    """The active step of the organization's request under way, found by the request's
    `id` or by `activity_id` and `organization_id`."""
    statement = (
        select(ApprovalStep)
        .join(ApprovalRequest, ApprovalRequest.id == ApprovalStep.request_id)
        .where(ApprovalRequest.status == "in_progress", ApprovalStep.status == "active")
    )
    for column, value in request.items():
        statement = statement.where(getattr(ApprovalRequest, column) == value)
    return session.exec(statement).first()


def for_event(session: Session, event: Event, audience: list[EventAudience]) -> None:
    """Turn an event into the notifications people act on."""
    data = event.data
    org = data.get("organization_id")
    asked = data.get("from") is None or data.get("asked")
    if event.type == "signon.decision_changed" and asked and org:
        activity = session.get(Activity, data["activity_id"])
        assert activity is not None
        # No date in the kept text: a deadline moves (and a letter closes), so the
        # notifications page shows the letter's current deadline beside it instead.
        for user_id in notifications.users_with_role(session, org, {"admin"}):
            notifications.notify(
                session, user_id, kind="ask_waiting",
                text=f"Your organization is asked to sign “{activity.title}”.",
                link=f"/activities/{activity.id}", event_id=event.id,
            )  # fmt: skip
        if data.get("to") == "in_approval":
            step = _active_step(session, activity_id=activity.id, organization_id=org)
            _step_waiting(session, event, step, org=org, title=activity.title)
    elif event.type == "approval.step_completed" and data.get("request_status") == "in_progress":
        step = _active_step(session, id=data["approval_id"])
        _step_waiting(session, event, step, org=org, title=data.get("title", ""))
    elif event.type == "membership.changed" and data.get("to") == "joining" and org:
        step = _active_step(session, id=data["approval_id"])
        coalition = session.get(Coalition, data["coalition_id"])
        title = f"Joining {coalition.name}" if coalition else "Joining a coalition"
        _step_waiting(session, event, step, org=org, title=title)
    elif event.type == "approval.step_overdue" and org:
        roles = {"admin", data.get("approver_role", "admin")}
        for user_id in notifications.users_with_role(session, org, roles):
            notifications.notify(
                session, user_id, kind="step_overdue",
                text=f"Overdue: {data.get('name', 'an approval step')} for "
                f"“{data.get('title', '')}”.",
                link="/approvals", event_id=event.id,
            )  # fmt: skip
    elif event.type == "membership.changed" and data.get("to") == "invited" and org:
        coalition = session.get(Coalition, data["coalition_id"])
        name = coalition.name if coalition else "a coalition"
        for user_id in notifications.users_with_role(session, org, {"admin"}):
            notifications.notify(
                session, user_id, kind="invitation",
                text=f"Your organization is invited to join {name}.",
                link="/coalitions", event_id=event.id,
            )  # fmt: skip
    elif event.type == "membership.changed" and data.get("to") == "left" and org:
        notifications.mark_read_on_leaving(
            session, coalition_id=data["coalition_id"], organization_id=org
        )
    elif event.type == "proposal.opened":
        for row in audience:
            for user_id in notifications.users_with_role(session, row.organization_id, {"admin"}):
                notifications.notify(
                    session, user_id, kind="proposal_opened",
                    text=f"A proposal is open for your vote: {data.get('title', '')}",
                    link=f"/proposals/{data.get('proposal_id', '')}", event_id=event.id,
                )  # fmt: skip
    elif event.type == "proposal.closed":
        outcome = labels.label(data.get("outcome"), "outcome")
        for row in audience:
            for user_id in notifications.users_with_role(session, row.organization_id, {"admin"}):
                notifications.notify(
                    session, user_id, kind="proposal_decided",
                    text=f"Decided: “{data.get('title', '')}” {outcome}. "
                    f"{data.get('explanation', '')}",
                    link=f"/proposals/{data.get('proposal_id', '')}", event_id=event.id,
                )  # fmt: skip
    elif event.type == "activity.updated" and "sign_on_deadline" in data.get("changed", []):
        _deadline_moved(session, event)
    elif event.type == "message.posted":
        _message_posted(session, event, audience)


def _step_waiting(
    session: Session, event: Event, step: ApprovalStep | None, *, org: str, title: str
) -> None:
    if step is None:
        return
    for user_id in notifications.users_with_role(
        session, org, access.roles_deciding(step.approver_role)
    ):
        notifications.notify(
            session, user_id, kind="approval_waiting",
            text=f"Waiting on you: {step.name} for “{title}”.",
            link="/approvals", event_id=event.id,
        )  # fmt: skip


def _message_posted(session: Session, event: Event, audience: list[EventAudience]) -> None:
    """Every person of every member hears of a message on the list (its author aside); the
    e-mail follows each one's preference (app/delivery/mail.py)."""
    data = event.data
    thread = data.get("reply_to") or data["message_id"]
    members = [row.organization_id for row in audience]
    for user_id in notifications.people_of(session, members):
        if user_id == event.actor_user_id:
            continue
        notifications.notify(
            session, user_id, kind=messages.NOTE_KIND,
            text=f"{data.get('author_name') or 'Someone'} on the {data['coalition_name']} list: "
            f"{data['subject']}",
            link=f"/coalitions/{data['coalition_id']}/messages#msg-{thread}", event_id=event.id,
        )  # fmt: skip


def _deadline_moved(session: Session, event: Event) -> None:
    """The admins of every member asked whose decision is still open hear the new date."""
    data = event.data
    if data.get("status") != "open" or not data.get("sign_on_deadline"):
        return
    waiting = session.exec(
        select(SignOnDecision.organization_id).where(
            SignOnDecision.activity_id == data["activity_id"],
            SignOnDecision.status.in_(["pending", "in_approval"]),  # type: ignore[attr-defined]
        )
    ).all()
    before = data.get("previous_sign_on_deadline")
    for org in waiting:
        for user_id in notifications.users_with_role(session, org, {"admin"}):
            zone = _zone(session, user_id)
            # A record of one move ("from … to …"), never "it is now": it may move again,
            # and the notifications page shows the letter's current deadline beside it.
            was = f" from {_date(before, zone)}" if before else ""
            notifications.notify(
                session, user_id, kind="deadline_moved",
                text=f"The deadline to sign “{data.get('title', '')}” moved{was} "
                f"to {_date(data['sign_on_deadline'], zone)}.",
                link=f"/activities/{data['activity_id']}", event_id=event.id,
            )  # fmt: skip


def _date(iso: str, zone: str) -> str:
    """As the pages write a moment, in the reader's zone: 20 Mar 2026 at 5 pm."""
    return local_time.moment(datetime.fromisoformat(iso), zone)


def _zone(session: Session, user_id: str) -> str:
    """The zone a notification's reader reads times in (their e-mail too)."""
    user = session.get(User, user_id)
    return (user.time_zone if user else None) or "UTC"
