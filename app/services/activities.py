"""Advocacy activities and the sign-on decisions they collect from every member."""

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import Session, select

from app import clock, labels
from app.concurrency import check_version
from app.db import plain_rows
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.ids import new_id
from app.models import (
    Activity,
    Coalition,
    DecisionChange,
    Event,
    EventAudience,
    Membership,
    Organization,
    Position,
    Proposal,
    SignOnDecision,
    User,
)
from app.models.activities import SIGNATURE_KINDS, ActivityStatus, DecisionStatus
from app.models.coalitions import ActivityApproval, MembershipStatus
from app.models.proposals import ProposalKind
from app.pagination import BY_ID, Order, Page, containing, paginate
from app.principal import Principal
from app.schemas.activities import ActivityCreate, ActivityUpdate, DecisionPut
from app.schemas.proposals import ProposalCreate
from app.services import (
    access,
    alignment,
    approvals,
    assessments,
    decisions,
    events,
    forecasts,
    organizations,
    proposals,
    snapshots,
)

# Statuses an organization's admin may choose; in_approval only comes from an approval.
CHOOSABLE = {"pending", "signed", "declined", "abstained", "withdrawn"}
# Said in the history of a decision whose approval the letter's closing stopped.
CLOSED_IN_APPROVAL = "The letter closed before the approval finished."


def _visible_coalition(session: Session, principal: Principal, coalition_id: str) -> Coalition:
    return access.get_coalition_taking_part(session, principal, coalition_id)


def _visible_activity(
    session: Session, principal: Principal, activity_id: str
) -> tuple[Activity, Coalition]:
    activity, coalition, _ = _visible_activity_rights(session, principal, activity_id)
    return activity, coalition


def _visible_activity_rights(
    session: Session, principal: Principal, activity_id: str
) -> tuple[Activity, Coalition, access.CoalitionRights]:
    """The activity, its coalition, and the principal's rights there that let them see it."""
    activity = session.get(Activity, activity_id)
    if activity is None:
        raise NotFound("No such activity.")
    try:
        coalition, rights = access.coalition_taking_part(session, principal, activity.coalition_id)
    except NotFound:
        raise NotFound("No such activity.") from None
    return activity, coalition, rights


def _check_future(value: Any, field: str) -> None:
    if value is not None and value <= clock.now():
        raise Invalid.field(["body", field], "Choose a moment in the future.")


def create_activity(
    session: Session, principal: Principal, coalition_id: str, activity_in: ActivityCreate
) -> Activity:
    coalition = _visible_coalition(session, principal, coalition_id)
    access.require_drafter(session, principal, coalition)
    if activity_in.kind not in coalition.allowed_activity_kinds:
        allowed = ", ".join(
            labels.label(kind, "activity_kind") for kind in coalition.allowed_activity_kinds
        )
        raise Invalid.field(
            ["body", "kind"],
            f"This coalition does not take on a {labels.label(activity_in.kind, 'activity_kind')} "
            f"(it does: {allowed or 'none yet'}).",
        )
    _check_future(activity_in.sign_on_deadline, "sign_on_deadline")
    values = activity_in.model_dump(exclude={"collects_signatures", "issue_positions"})
    stated = assessments.stated(activity_in.issue_positions)
    if not values["issue_area_ids"] and stated:
        values["issue_area_ids"] = [area for area, _ in stated]
    values["issue_positions"] = alignment.issue_positions(
        values["issue_area_ids"], stated, inherited=assessments.stances(coalition)
    )
    collects = activity_in.collects_signatures
    moment = clock.now()
    activity = Activity(
        id=new_id("act"),
        coalition_id=coalition_id,
        **values,
        collects_signatures=activity_in.kind in SIGNATURE_KINDS if collects is None else collects,
        created_at=moment,
        updated_at=moment,
    )
    session.add(activity)
    session.flush()
    announce(session, "activity.created", activity, actor=principal)
    return activity


def announce(
    session: Session,
    type: str,
    activity: Activity,
    *,
    actor: Principal | None,
    **details: Any,
) -> None:
    """Tell the coalition an activity changed: the snapshot, with its tally once it asks."""
    asks = activity.collects_signatures and activity.status != ActivityStatus.draft
    counted = snapshots.tally(session, activity.id) if asks else None
    events.emit(
        session,
        type,
        {"activity_id": activity.id, "coalition_id": activity.coalition_id,
         "kind": activity.kind, "title": activity.title, **details,
         "version": activity.version, "object": snapshots.activity(activity, tally=counted)},
        visible_to=events.coalition_audience(session, activity.coalition_id),
        coalition_id=activity.coalition_id,
        actor=actor,
    )  # fmt: skip


def list_activities(
    session: Session,
    principal: Principal,
    coalition_id: str,
    *,
    status: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
    q: str | None = None,
    sort: str | None = None,
) -> Page:
    """A coalition's activities by id, or in one of ACTIVITY_ORDERS; `q` keeps those whose
    title or addressee holds every word of it."""
    _visible_coalition(session, principal, coalition_id)
    statement = select(Activity).where(Activity.coalition_id == coalition_id)
    if status:
        statement = statement.where(Activity.status == status)
    found = containing([Activity.title, Activity.target], q)  # type: ignore[list-item]
    if found is not None:
        statement = statement.where(found)
    order = ACTIVITY_ORDERS.get(sort or "", BY_ID)
    return paginate(session, statement, Activity.id, limit=limit, cursor=cursor, order=order)  # type: ignore[arg-type]


def list_across_coalitions(
    session: Session,
    principal: Principal,
    *,
    organization_id: str | None = None,
    status: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    """The activities of every coalition one of the principal's organizations (or the one
    named) has joined, by id: what it is asked to decide on and may see, in one list."""
    if organization_id is not None:
        if not access.organization_rights(principal, organization_id).sees_private:
            raise NotFound("No such organization.")
        organizations = [organization_id]
    else:
        organizations = sorted(principal.roles)
    statement = select(Activity)
    if organization_id is not None or not principal.is_platform_admin:
        statement = statement.where(
            Activity.coalition_id.in_(  # type: ignore[attr-defined]
                select(Membership.coalition_id).where(
                    Membership.organization_id.in_(organizations),  # type: ignore[attr-defined]
                    Membership.status == MembershipStatus.joined,
                )
            )
        )
    if status:
        statement = statement.where(Activity.status == status)
    return paginate(session, statement, Activity.id, limit=limit, cursor=cursor)  # type: ignore[arg-type]


def expanded(
    session: Session, principal: Principal, activities: list[Activity], expand: set[str]
) -> list[dict[str, Any]]:
    """A page of activities with what `expand` asks for (`decisions`, `tally`), loaded
    for the whole page at once: a fixed number of queries, however long the page."""
    rows = [activity.model_dump() for activity in activities]
    if "decisions" in expand:
        decisions = decisions_views(session, principal, activities)
        for row in rows:
            row["decisions"] = decisions[row["id"]]
    if "tally" in expand:
        counts = tallies(session, [activity.id for activity in activities])
        for row in rows:
            row["tally"] = counts[row["id"]]
    return rows


def tallies(session: Session, activity_ids: list[str]) -> dict[str, dict[str, int]]:
    """`tally` of several activities in one query."""
    found = {id_: {status.value: 0 for status in DecisionStatus} for id_ in activity_ids}
    if activity_ids:
        for activity_id, status, count in session.exec(
            select(SignOnDecision.activity_id, SignOnDecision.status, func.count())
            .where(SignOnDecision.activity_id.in_(activity_ids))  # type: ignore[attr-defined]
            .group_by(SignOnDecision.activity_id, SignOnDecision.status)
        ):
            found[activity_id][status] = count
    return found


ACTIVITY_ORDERS = {
    "name": Order(Activity.title),  # type: ignore[arg-type]
    "newest": Order(newest=True),
    "deadline": Order(Activity.sign_on_deadline),  # type: ignore[arg-type]
}


# What the members asked have read stays as they read it: once open, only the deadline moves.
FIXED_ONCE_OPEN = {
    "title": "title",
    "public_title": "title on the letter",
    "body": "text",
    "target": "addressee",
    "scheduled_at": "date",
    "issue_area_ids": "issue areas",
    "issue_positions": "stances on the issues",
}


def update_activity(
    session: Session,
    principal: Principal,
    activity_id: str,
    changes: ActivityUpdate,
    *,
    expected_version: int | None = None,
) -> Activity:
    """Change a draft: its text, target, dates, issue areas and stances. Once it is open
    only the sign-on deadline moves; every change is an `activity.updated` event, whose
    listener tells the members still deciding about a new deadline."""
    activity, coalition = _visible_activity(session, principal, activity_id)
    access.require_drafter(session, principal, coalition)
    check_version(activity.version, expected_version)
    if activity.status == ActivityStatus.closed:
        raise Conflict("A closed activity cannot change.", code="activity_closed")
    if activity.status == ActivityStatus.proposed:
        raise Conflict(
            f"“{activity.title}” is before the coalition as it stands: it can change again "
            "if the vote sends it back to draft.",
            code="activity_proposed",
        )
    new = _changed_values(activity, coalition, changes)
    if activity.status == ActivityStatus.open:
        _check_open_changes(activity, new)
    if not new:
        return activity
    previous_deadline = activity.sign_on_deadline
    for field, value in new.items():
        setattr(activity, field, value)
    activity.version += 1
    activity.updated_at = clock.now()
    session.add(activity)
    session.flush()
    announce(
        session, "activity.updated", activity, actor=principal, status=activity.status,
        changed=sorted(new), sign_on_deadline=activity.sign_on_deadline,
        previous_sign_on_deadline=previous_deadline,
    )  # fmt: skip
    return activity


def _changed_values(
    activity: Activity, coalition: Coalition, changes: ActivityUpdate
) -> dict[str, Any]:
    """The fields `changes` gives a value other than the one held, checked."""
    values = changes.model_dump(exclude_unset=True, exclude={"issue_positions"})
    if "title" in values and values["title"] is None:
        raise Invalid.field(["body", "title"], "This field cannot be empty.")
    if "sign_on_deadline" in values:
        _check_future(values["sign_on_deadline"], "sign_on_deadline")
    if "issue_area_ids" in values and values["issue_area_ids"] is None:
        values["issue_area_ids"] = []
    values["issue_positions"] = alignment.issue_positions(
        values.get("issue_area_ids", activity.issue_area_ids),
        assessments.stated(changes.issue_positions),
        previous=activity.issue_positions,
        inherited=assessments.stances(coalition),
    )
    return {field: value for field, value in values.items() if value != getattr(activity, field)}


def _check_open_changes(activity: Activity, new: dict[str, Any]) -> None:
    fixed = [words for field, words in FIXED_ONCE_OPEN.items() if field in new]
    if fixed:
        listed = fixed[0] if len(fixed) == 1 else f"{', '.join(fixed[:-1])} and {fixed[-1]}"
        why = (
            "members have been asked to sign it as it stands"
            if activity.collects_signatures
            else "it is open"
        )
        raise Conflict(
            f"The {listed} of “{activity.title}” can no longer change: {why}. "
            "To change that, close this one and draft a new one; the sign-on deadline can "
            "still move.",
            code="activity_field_fixed",
        )
    if "sign_on_deadline" in new and new["sign_on_deadline"] is None:
        raise Invalid.field(
            ["body", "sign_on_deadline"],
            "An open activity keeps its sign-on deadline: choose a new date to move it.",
        )


def alignment_for(
    session: Session, principal: Principal, *, activity_id: str, organization_id: str | None
) -> dict[str, Any]:
    """How one ask fits one of the principal's organizations: the activity's stances and
    kind against the organization's positions and limitations."""
    activity, coalition = _visible_activity(session, principal, activity_id)
    organization = assessments.reader_organization(session, principal, organization_id)
    result = assessments.assess_organization(
        session,
        organization,
        works=assessments.stances(activity),
        kinds={activity.kind},
        dues=0,
        coalition_id=coalition.id,
        subject=f"“{activity.title}”",
    )
    return assessments.alignment_view(
        result, coalition_id=coalition.id, organization_id=organization.id, activity_id=activity.id
    )


# Opening: asking every member ------------------------------------------------------------


def game_plan_reason(
    positions: list[Position], *, works: dict[str, str], names: dict[str, str], activity: Activity
) -> str | None:
    """Why the organization's game plan answers this ask (it does not fit), or None."""
    held = {p.issue_area_id: p for p in positions}
    on_issues = [
        alignment.StanceOnIssue(
            issue_area_id=area,
            issue_area_name=names.get(area, area),
            stance=held[area].stance if area in held else None,
            priority=held[area].priority if area in held else None,
            limitations=held[area].limitations if area in held else None,
            works=stance,
            limited_activity_kinds=tuple(held[area].limited_activity_kinds if area in held else ()),
        )
        for area, stance in works.items()
    ]
    return alignment.ask_misfit(on_issues, kind=activity.kind, subject="this ask")


def steps_if_asked(game_plan: str | None, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The approval steps asking a member starts (and a draft's readiness forecasts): its
    process, unless its game plan answers the ask (`game_plan` is None when the ask fits).
    An escalation with no process of its own is one board decision; declining, abstaining
    and deciding case by case start none."""
    if game_plan == "escalate":
        return steps or [approvals.ESCALATION_STEP]
    return steps if game_plan is None else []


def open_activity(session: Session, principal: Principal, activity_id: str) -> Activity:
    """Open a draft: ask every member. A letter or statement of a coalition whose guidelines
    say `coalition_vote` is first put to the coalition as a proposal of kind `activity`; it
    opens by itself when the proposal passes."""
    activity, coalition = _visible_activity(session, principal, activity_id)
    access.require_drafter(session, principal, coalition)
    if activity.status != ActivityStatus.draft:
        raise Conflict(
            "Only a draft can be opened; this one is "
            f"{labels.label(activity.status, 'activity_status')}.",
            code="activity_not_draft",
        )
    if activity.sign_on_deadline is not None and activity.sign_on_deadline <= clock.now():
        raise Conflict(
            "The sign-on deadline has passed; set a new one before opening.",
            code="sign_on_deadline_passed",
        )
    if (
        coalition.activity_approval == ActivityApproval.coalition_vote
        and activity.collects_signatures
    ):
        proposals.create_proposal(
            session,
            principal,
            coalition.id,
            ProposalCreate(
                title=f"Open “{activity.title}” in the coalition's name",
                body=activity.body,
                kind=ProposalKind.activity,
                activity_id=activity.id,
            ),
        )
        return activity
    _open(session, principal, activity, coalition)
    return activity


def _open(
    session: Session, actor: Principal | None, activity: Activity, coalition: Coalition
) -> None:
    activity.status = ActivityStatus.open
    activity.opened_at = clock.now()
    activity.version += 1
    session.add(activity)
    session.flush()
    if activity.collects_signatures:
        _ask_every_member(session, activity, coalition)
    announce(
        session, "activity.opened", activity, actor=actor,
        sign_on_deadline=activity.sign_on_deadline,
    )  # fmt: skip


def follow_vote(session: Session, event: Event, _: list[EventAudience]) -> None:
    """Listener: the coalition decided on opening a letter or statement. It opens when the
    proposal passed (unless its deadline passed meanwhile); otherwise it goes back to draft,
    and its page shows the outcome."""
    data = event.data
    if event.type == "proposal.opened" and data.get("kind") == ProposalKind.activity:
        _announce_proposed(session, event)
    if event.type != "proposal.closed" or data.get("kind") != ProposalKind.activity:
        return
    activity = session.get(Activity, data["activity_id"])
    if activity is None or activity.status != ActivityStatus.proposed:
        return
    coalition = session.get(Coalition, activity.coalition_id)
    assert coalition is not None
    deadline = activity.sign_on_deadline
    if data.get("outcome") == "passed" and (deadline is None or deadline > clock.now()):
        _open(session, None, activity, coalition)
        return
    activity.status = ActivityStatus.draft
    activity.version += 1
    activity.updated_at = clock.now()
    session.add(activity)
    session.flush()
    announce(session, "activity.updated", activity, actor=None, status=activity.status,
             changed=["status"])  # fmt: skip


def _announce_proposed(session: Session, event: Event) -> None:
    """The activity went to the coalition's vote (services/proposals.py moved it): told as
    a change of the activity, in the proposal's transaction."""
    activity = session.get(Activity, event.data["activity_id"])
    assert activity is not None
    announce(session, "activity.updated", activity, actor=None, status=activity.status,
             changed=["status"], proposal_id=event.data["proposal_id"])  # fmt: skip


def _ask_every_member(
    session: Session,
    activity: Activity,
    coalition: Coalition,
    *,
    organization_id: str | None = None,
) -> None:
    """Ask every joined member, or only `organization_id` (it joined while this was open)."""
    members = list(
        session.exec(
            select(Membership).where(
                Membership.coalition_id == coalition.id, Membership.status == "joined"
            )
        )
    )
    if organization_id is not None:
        members = [m for m in members if m.organization_id == organization_id]
    # Loaded together now and held (the session keeps only weak references), so each
    # decision's event finds its organization in the session without a query.
    held = session.exec(
        select(Organization).where(
            Organization.id.in_([m.organization_id for m in members])  # type: ignore[attr-defined]
        )
    ).all()
    works = assessments.stances(activity if activity.issue_area_ids else coalition)
    names = organizations.issue_area_names(session, set(works))
    positions: dict[str, list[Position]] = {}
    for position in session.exec(
        select(Position).where(
            Position.organization_id.in_([m.organization_id for m in members])  # type: ignore[attr-defined]
        )
    ):
        positions.setdefault(position.organization_id, []).append(position)
    moment = clock.now()
    for membership in members:
        org = membership.organization_id
        decision = _decision_to_ask(session, activity, org, moment)
        misfit = game_plan_reason(
            positions.get(org, []), works=works, names=names, activity=activity
        )
        plan = membership.game_plan if misfit else None
        steps = steps_if_asked(plan, approvals.effective_steps(session, org, activity.kind))
        # The plan in the words the game-plan select showed when it was chosen.
        chosen = labels.sentence(labels.label(plan, "game_plan")) if plan else ""
        note = f"Set by the game plan “{chosen}”: {misfit}" if plan else None
        if plan == "abstain":
            decisions.change(
                session, decision, activity, "abstained", comment=note, actor=None, first=True
            )
        elif plan == "decline":
            decisions.change(
                session, decision, activity, "declined", comment=note, actor=None, first=True
            )
        elif steps:
            request = approvals.start(session, decision, activity, steps)
            decisions.change(
                session, decision, activity, "in_approval", comment=note, actor=None,
                first=True, approval_id=request.id,
            )  # fmt: skip
        else:  # no process, or a case-by-case game plan: the organization decides itself
            decisions.change(
                session, decision, activity, "pending", comment=note, actor=None, first=True
            )
    del held


def _decision_to_ask(
    session: Session, activity: Activity, organization_id: str, moment: datetime
) -> SignOnDecision:
    """A new decision, or the one a member left behind when it left (kept for its history)."""
    decision = session.exec(
        select(SignOnDecision).where(
            SignOnDecision.activity_id == activity.id,
            SignOnDecision.organization_id == organization_id,
        )
    ).first() or SignOnDecision(
        id=new_id("dec"),
        activity_id=activity.id,
        organization_id=organization_id,
        status=DecisionStatus.pending,
        version=0,
        created_at=moment,
        updated_at=moment,
    )
    session.add(decision)
    session.flush()
    return decision


def close_activity(session: Session, principal: Principal, activity_id: str) -> Activity:
    activity, coalition = _visible_activity(session, principal, activity_id)
    access.require_drafter(session, principal, coalition)
    if activity.status != ActivityStatus.open:
        raise Conflict(
            "Only an open activity can be closed; this one is "
            f"{labels.label(activity.status, 'activity_status')}.",
            code="activity_not_open",
        )
    activity.status = ActivityStatus.closed
    activity.closed_at = clock.now()
    activity.version += 1
    session.add(activity)
    for decision in session.exec(
        select(SignOnDecision).where(SignOnDecision.activity_id == activity.id)
    ):
        approvals.withdraw_open_request(session, decision, actor=principal)
        if decision.status == DecisionStatus.in_approval:
            # Its approval was stopped with the letter, so it is no longer "in approval":
            # the organization did not decide in time, and the tally and its history say so.
            decisions.change(
                session, decision, activity, DecisionStatus.pending.value,
                comment=CLOSED_IN_APPROVAL, actor=principal,
            )  # fmt: skip
    session.flush()
    announce(session, "activity.closed", activity, actor=principal,
             tally=tally(session, activity))  # fmt: skip
    return activity


# Reading ---------------------------------------------------------------------------------


def tally(session: Session, activity: Activity) -> dict[str, int]:
    return snapshots.decision_counts(session, activity.id)


def decisions_view(
    session: Session, principal: Principal, activity: Activity
) -> list[dict[str, Any]]:
    """Every member's decision with its approval summary (whole for the reader's own)."""
    return decisions_views(session, principal, [activity])[activity.id]


def decisions_views(
    session: Session, principal: Principal, activities: list[Activity]
) -> dict[str, list[dict[str, Any]]]:
    """`decisions_view` of several activities, by activity id, in four queries for all."""
    found: dict[str, list[dict[str, Any]]] = {activity.id: [] for activity in activities}
    if not activities:
        return found
    # Plain rows, not entities: a letter of a large coalition shows hundreds of decisions,
    # and loading each into the session costs more than reading it.
    rows = session.exec(_DECISIONS, params={"activity_ids": list(found)}).all()
    own = set(principal.roles)
    if principal.is_platform_admin:
        own = {row.organization_id for row in rows}
    views = approvals.views_for_activities(session, activities, full_for=own)
    for (
        activity_id, organization_id, name, status, comment, decided_at, version, signer_name,
        signer_title,
    ) in rows:  # fmt: skip
        found[activity_id].append(
            {
                "organization_id": organization_id,
                "organization_name": name,
                "status": status,
                "comment": comment,
                "decided_at": decided_at,
                "version": version,
                "signer_name": signer_name,
                "signer_title": signer_title,
                "approval": views.get((activity_id, organization_id)),
            }
        )
    return found


# Built once, as the activity's page reads it on every visit and every live refresh.
_DECISIONS = (
    select(
        SignOnDecision.activity_id,
        SignOnDecision.organization_id,
        Organization.name,
        SignOnDecision.status,
        SignOnDecision.comment,
        SignOnDecision.decided_at,
        SignOnDecision.version,
        SignOnDecision.signer_name,
        SignOnDecision.signer_title,
    )
    .join(Organization, Organization.id == SignOnDecision.organization_id)
    .where(SignOnDecision.activity_id.in_(bindparam("activity_ids", expanding=True)))  # type: ignore[attr-defined]
    .order_by(Organization.name)
)


def decision_board(
    session: Session, principal: Principal, activities: list[Activity]
) -> dict[str, dict[str, dict[str, Any]]]:
    """Each activity's decisions as the leads' board shows them, by activity id and then
    organization id: the status and the approval under way (seen whole by the principal's
    own organizations, as `decisions_views` shows it). Three columns, not the whole
    decision: the board of a large coalition has a cell a member a letter."""
    found: dict[str, dict[str, dict[str, Any]]] = {activity.id: {} for activity in activities}
    if not activities:
        return found
    rows = session.exec(
        select(SignOnDecision.activity_id, SignOnDecision.organization_id, SignOnDecision.status)
        .join(Organization, Organization.id == SignOnDecision.organization_id)
        .where(SignOnDecision.activity_id.in_(list(found)))  # type: ignore[attr-defined]
    ).all()
    own = set(principal.roles)
    if principal.is_platform_admin:
        own = {organization_id for _, organization_id, _ in rows}
    views = approvals.views_for_activities(session, activities, full_for=own)
    for activity_id, organization_id, status in rows:
        found[activity_id][organization_id] = {
            "status": status,
            "approval": views.get((activity_id, organization_id)),
        }
    return found


def readiness(
    session: Session, activity: Activity, coalition: Coalition, rows: list[dict[str, Any]]
) -> dict[str, Any]:
    """A deadline the slowest member can meet, and who would miss the current one: from the
    approvals under way once the activity is open, and as if it opened now while a draft, so
    the deadline is chosen before anyone is asked. Slowest member first."""
    if activity.status == ActivityStatus.draft:
        expected = _forecasts_if_asked(session, activity, coalition)
    else:
        expected = [
            {
                "organization_id": r["organization_id"],
                "organization_name": r["organization_name"],
                "steps_total": r["approval"]["steps_total"],
                "expected_completion_at": r["approval"]["expected_completion_at"],
            }
            for r in rows
            if r["status"] == "in_approval"
            and r["approval"]
            and r["approval"]["expected_completion_at"]
        ]
    for forecast in expected:
        forecast["at_risk"] = forecasts.is_at_risk(
            forecast["expected_completion_at"], activity.sign_on_deadline
        )
    expected.sort(key=lambda f: f["expected_completion_at"], reverse=True)
    return {
        "recommended_deadline": forecasts.recommended_deadline(
            [f["expected_completion_at"] for f in expected]
        ),
        "at_risk_organization_ids": [f["organization_id"] for f in expected if f["at_risk"]],
        "forecasts": expected,
    }


def _forecasts_if_asked(
    session: Session, activity: Activity, coalition: Coalition
) -> list[dict[str, Any]]:
    """When each joined member's approval would finish if the draft opened now (members
    whose asking would start none are left out)."""
    if not activity.collects_signatures:
        return []
    members = session.exec(
        select(Membership, Organization)
        .join(Organization, Organization.id == Membership.organization_id)
        .where(Membership.coalition_id == coalition.id, Membership.status == "joined")
        .order_by(Organization.name)
    ).all()
    org_ids = [m.organization_id for m, _ in members]
    positions: dict[str, list[Position]] = {}
    for position in session.exec(
        select(Position).where(Position.organization_id.in_(org_ids))  # type: ignore[attr-defined]
    ):
        positions.setdefault(position.organization_id, []).append(position)
    works = assessments.stances(activity if activity.issue_area_ids else coalition)
    processes = approvals.effective_steps_of(session, org_ids, activity.kind)
    learned = approvals.history(session, org_ids)
    now = clock.now()
    expected = []
    for membership, organization in members:
        misfit = game_plan_reason(
            positions.get(organization.id, []), works=works, names={}, activity=activity
        )
        steps = steps_if_asked(
            membership.game_plan if misfit else None,
            processes.get(organization.id, []),
        )
        if steps:
            expected.append(
                {
                    "organization_id": organization.id,
                    "organization_name": organization.name,
                    "steps_total": len(steps),
                    "expected_completion_at": approvals.forecast_if_started(
                        steps, learned=learned[organization.id], now=now
                    ),
                }
            )
    return expected


def get_activity(session: Session, principal: Principal, activity_id: str) -> Activity:
    return _visible_activity(session, principal, activity_id)[0]


def activity_detail(session: Session, principal: Principal, activity_id: str) -> dict[str, Any]:
    return activity_view(session, principal, activity_id)[0]


def activity_view(
    session: Session, principal: Principal, activity_id: str
) -> tuple[dict[str, Any], Coalition, access.CoalitionRights]:
    """`activity_detail` with its coalition and the reader's rights there, as seeing the
    activity read them: the activity's page shows all three, and reading them again costs
    two queries more (the session keeps no coalition nobody holds on to)."""
    activity, coalition, rights = _visible_activity_rights(session, principal, activity_id)
    return _detail(session, principal, activity, coalition), coalition, rights


def _detail(
    session: Session, principal: Principal, activity: Activity, coalition: Coalition
) -> dict[str, Any]:
    """The activity with every member's decision, as its page shows it."""
    rows = decisions_view(session, principal, activity)
    # Counted from the decisions just read, as `tally` would count them with a query.
    counts = snapshots.decision_counts_of(row["status"] for row in rows)
    return {**_read(session, activity, coalition, rows, counts), "decisions": rows}


def activity_read(session: Session, principal: Principal, activity_id: str) -> dict[str, Any]:
    """The activity as the API answers it: its tally, readiness and proposal, without the
    members' decisions (`GET /activities/{id}/decisions` lists those). A letter of a large
    coalition has hundreds of them, and its readiness needs only those in approval."""
    activity, coalition = _visible_activity(session, principal, activity_id)
    rows = [] if activity.status == ActivityStatus.draft else _in_approval(session, activity)
    return _read(session, activity, coalition, rows, tally(session, activity))


def _read(
    session: Session,
    activity: Activity,
    coalition: Coalition,
    rows: list[dict[str, Any]],
    counts: dict[str, int],
) -> dict[str, Any]:
    """What every read of an activity shows: `rows` are the decisions its readiness weighs
    (at least those in approval) and `counts` its tally."""
    return {
        **activity.model_dump(),
        "tally": counts,
        "readiness": readiness(session, activity, coalition, rows),
        "proposal": _latest_proposal(session, activity),
    }


def _in_approval(session: Session, activity: Activity) -> list[dict[str, Any]]:
    """The decisions in approval, in `decisions_view`'s order and with its approval
    summaries (their forecasts read the same whoever reads them): what readiness weighs."""
    rows = plain_rows(session, _IN_APPROVAL, activity_id=activity.id)
    if not rows:
        return []
    views = approvals.views_for_activities(
        session, [activity], full_for=set(), organization_ids=[org for org, _ in rows]
    )
    return [
        {
            "organization_id": organization_id,
            "organization_name": name,
            "status": DecisionStatus.in_approval.value,
            "approval": views.get((activity.id, organization_id)),
        }
        for organization_id, name in rows
    ]


def _latest_proposal(session: Session, activity: Activity) -> dict[str, Any] | None:
    """The coalition's last vote on opening this activity, if it was put to one."""
    rows = plain_rows(session, _LATEST_PROPOSAL, activity_id=activity.id)
    return dict(rows[0]._mapping) if rows else None


# Built once, as every read of an activity runs them.
_IN_APPROVAL = (
    select(SignOnDecision.organization_id, Organization.name)
    .join(Organization, Organization.id == SignOnDecision.organization_id)
    .where(
        SignOnDecision.activity_id == bindparam("activity_id"),
        SignOnDecision.status == DecisionStatus.in_approval,
    )
    .order_by(Organization.name)
)
_LATEST_PROPOSAL = (
    select(Proposal.id, Proposal.status, Proposal.outcome, Proposal.explanation)
    .where(Proposal.activity_id == bindparam("activity_id"))
    .order_by(Proposal.id.desc())  # type: ignore[attr-defined]
    .limit(1)
)


def list_decisions(session: Session, principal: Principal, activity_id: str) -> list[dict]:
    activity, _ = _visible_activity(session, principal, activity_id)
    return decisions_view(session, principal, activity)


# Deciding ------------------------------------------------------------------------------


def _decision(session: Session, activity: Activity, organization_id: str) -> SignOnDecision:
    decision = session.exec(
        select(SignOnDecision).where(
            SignOnDecision.activity_id == activity.id,
            SignOnDecision.organization_id == organization_id,
        )
    ).first()
    if decision is None:
        raise NotFound("This organization was not asked to sign this activity.")
    return decision


def put_decision(
    session: Session,
    principal: Principal,
    *,
    activity_id: str,
    organization_id: str,
    decision_in: DecisionPut,
    expected_version: int | None = None,
) -> dict[str, Any]:
    activity, _ = _visible_activity(session, principal, activity_id)
    decision = _decision(session, activity, organization_id)
    if not access.organization_rights(principal, organization_id).may_manage:
        raise Forbidden("Only the organization's own admin decides for it.")
    check_version(decision.version, expected_version)
    if activity.status != ActivityStatus.open:
        raise Conflict(
            f"The activity is {labels.label(activity.status, 'activity_status')}; "
            "decisions can no longer change.",
            code="activity_not_open",
        )
    target = decision_in.status.value
    if target not in CHOOSABLE:
        raise Invalid.field(
            ["body", "status"], "in_approval is set by an approval request, not chosen."
        )
    request = approvals.open_request_of(session, decision)
    if target == "signed" and request is not None and request.status != "approved":
        raise Conflict(
            "Your organization's approval is not finished (it is "
            f"{request.status.replace('_', ' ')}): it cannot be signed yet.",
            code="approval_not_finished",
        )
    if target == "withdrawn" and decision.status != "signed":
        raise Conflict("Only a signature can be withdrawn.", code="not_signed")
    if target != "signed":
        approvals.withdraw_open_request(session, decision, actor=principal)
    decisions.change(
        session, decision, activity, target, comment=decision_in.comment, actor=principal,
        signer_title=decision_in.signer_title,
    )  # fmt: skip
    return next(
        r
        for r in decisions_view(session, principal, activity)
        if r["organization_id"] == organization_id
    )


def decision_history(
    session: Session, principal: Principal, *, activity_id: str, organization_id: str
) -> list[dict[str, Any]]:
    """Every change of one member's decision. People are named with the organization they
    decided for; their e-mail address only to that organization's own people."""
    activity, _ = _visible_activity(session, principal, activity_id)
    decision = _decision(session, activity, organization_id)
    rows = session.exec(
        select(DecisionChange, User.name, User.email)
        .join(User, User.id == DecisionChange.actor_user_id, isouter=True)  # type: ignore[arg-type]
        .where(DecisionChange.decision_id == decision.id)
        .order_by(DecisionChange.id)  # type: ignore[arg-type]
    ).all()
    own = access.organization_rights(principal, organization_id).sees_private
    organization = session.get(Organization, organization_id)
    assert organization is not None
    return [
        {
            "id": change.id,
            "who": change.actor_user_id,
            "who_name": name if change.actor_user_id else None,
            "who_organization_id": organization.id if change.actor_user_id else None,
            "who_organization_name": organization.name if change.actor_user_id else None,
            "who_email": email if own else None,
            "when": change.created_at,
            "from": change.from_status,
            "to": change.to_status,
            "comment": change.comment,
        }
        for change, name, email in rows
    ]


def asks_waiting(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Open asks still waiting on the principal's organizations, soonest deadline first."""
    rows = session.exec(_ASKS, params={"organization_ids": list(principal.roles)}).all()
    # Each ask is seen by its own organization, which sees its own approvals whole.
    views = approvals.views_for_activities(
        session,
        list({activity.id: activity for _, activity, _ in rows}.values()),
        full_for=set(principal.roles),
        organization_ids=list(principal.roles),
    )
    asks = [
        {
            "activity": activity,
            "coalition_name": coalition.name,
            "organization_id": decision.organization_id,
            "status": decision.status,
            "approval": views.get((activity.id, decision.organization_id)),
        }
        for decision, activity, coalition in rows
    ]
    far = clock.now().replace(year=9999)
    return sorted(asks, key=lambda a: a["activity"].sign_on_deadline or far)


# Built once: the dashboard and the bell read it on every request.
_ASKS = (
    select(SignOnDecision, Activity, Coalition)
    .join(Activity, Activity.id == SignOnDecision.activity_id)
    .join(Coalition, Coalition.id == Activity.coalition_id)
    .where(
        SignOnDecision.organization_id.in_(bindparam("organization_ids", expanding=True)),  # type: ignore[attr-defined]
        SignOnDecision.status.in_(["pending", "in_approval"]),  # type: ignore[attr-defined]
        Activity.status == ActivityStatus.open,
    )
)


# Members who join or leave while activities are open -------------------------------------


def ask_new_member(
    session: Session, principal: Principal, *, coalition_id: str, organization_id: str
) -> None:
    """A member that joins while letters or statements are open is asked for them as
    opening asked every member, unless the sign-on deadline has passed. A member that left
    and rejoins is asked again where it had withdrawn, never where it had decided."""
    coalition = session.get(Coalition, coalition_id)
    assert coalition is not None
    open_ones = session.exec(
        select(Activity).where(
            Activity.coalition_id == coalition_id,
            Activity.status == ActivityStatus.open,
            Activity.collects_signatures.is_(True),  # type: ignore[attr-defined]
        )
    ).all()
    decided = dict(
        session.exec(
            select(SignOnDecision.activity_id, SignOnDecision.status).where(
                SignOnDecision.organization_id == organization_id,
                SignOnDecision.activity_id.in_([a.id for a in open_ones]),  # type: ignore[attr-defined]
            )
        ).all()
    )
    now = clock.now()
    for activity in open_ones:
        if activity.sign_on_deadline is not None and activity.sign_on_deadline <= now:
            continue
        if decided.get(activity.id, DecisionStatus.withdrawn) != DecisionStatus.withdrawn:
            continue
        _ask_every_member(session, activity, coalition, organization_id=organization_id)


def withdraw_leaving_member(
    session: Session,
    principal: Principal,
    *,
    coalition_id: str,
    organization_id: str,
    comment: str,
) -> None:
    """A member that leaves withdraws its open decisions on the coalition's open activities
    and stops their approval requests; `comment` goes into the history to say why."""
    rows = session.exec(
        select(SignOnDecision, Activity)
        .join(Activity, Activity.id == SignOnDecision.activity_id)
        .where(
            Activity.coalition_id == coalition_id,
            Activity.status == ActivityStatus.open,
            SignOnDecision.organization_id == organization_id,
            SignOnDecision.status.in_(["pending", "in_approval"]),  # type: ignore[attr-defined]
        )
        .order_by(SignOnDecision.id)  # type: ignore[arg-type]
    ).all()
    for decision, activity in rows:
        approvals.withdraw_open_request(session, decision, actor=principal)
        decisions.change(session, decision, activity, "withdrawn", comment=comment, actor=principal)


def activity_titles(session: Session, ids: set[str]) -> dict[str, str]:
    """The titles of the activities with `ids`, for sentences about them ("State PTA signed
    Fund the Early Literacy Act"); the caller already sees the events that name them."""
    if not ids:
        return {}
    return dict(session.exec(_TITLES, params={"ids": list(ids)}).all())


# Built once, as the dashboard's "recently" names the activities on every visit.
_TITLES = select(Activity.id, Activity.title).where(
    Activity.id.in_(bindparam("ids", expanding=True))
)  # type: ignore[attr-defined]
