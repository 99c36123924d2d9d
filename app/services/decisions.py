"""Changing a sign-on decision: its history and `signon.decision_changed`, in one place."""

from sqlmodel import Session

from app import clock
from app.ids import new_id
from app.models import Activity, DecisionChange, Organization, SignOnDecision, User
from app.principal import Principal
from app.services import events, snapshots


def change(
    session: Session,
    decision: SignOnDecision,
    activity: Activity,
    to_status: str,
    *,
    comment: str | None,
    actor: Principal | None,
    first: bool = False,
    signer_title: str | None = None,
    approval_id: str | None = None,
) -> None:
    """Move a decision to `to_status`, keep the change, tell the coalition. `first` marks
    the ask: a new decision's opening state comes from nowhere; a member asked again (it
    left while the activity was open and has rejoined) starts from where it stood.
    `approval_id`: the approval request the change starts, if it starts one."""
    from_status = None if first and decision.version == 0 else decision.status
    moment = clock.now()
    decision.status = to_status
    decision.comment = comment
    decision.decided_at = moment if to_status not in ("pending", "in_approval") else None
    decision.decided_by = actor.user_id if actor else None
    # The letter prints who signed: the person recording the signature, or approving the
    # last step, with the title they gave. Any other status has no signer.
    signer = session.get(User, actor.user_id) if actor and to_status == "signed" else None
    # A name only: the letter and the events go to other organizations, which never
    # see a person's e-mail address.
    decision.signer_name = signer.name or None if signer else None
    decision.signer_title = signer_title if signer else None
    decision.version += 1
    decision.updated_at = moment
    session.add(decision)
    session.add(
        DecisionChange(
            id=new_id("dch"),
            decision_id=decision.id,
            actor_user_id=actor.user_id if actor else None,
            from_status=from_status,
            to_status=to_status,
            comment=comment,
            created_at=moment,
        )
    )
    session.flush()
    organization = session.get(Organization, decision.organization_id)
    assert organization is not None
    tally = snapshots.tally(session, activity.id)
    events.emit(
        session,
        "signon.decision_changed",
        {
            "activity_id": activity.id,
            "coalition_id": activity.coalition_id,
            "organization_id": decision.organization_id,
            "from": from_status,
            "to": to_status,
            "comment": comment,
            "asked": first,
            "approval_id": approval_id,
            "version": decision.version,
            "object": snapshots.decision(decision, activity, organization, tally=tally),
        },
        visible_to=events.coalition_audience(session, activity.coalition_id)
        | {decision.organization_id},
        coalition_id=activity.coalition_id,
        actor=actor,
    )
