"""Approval workflows: an organization's own sign-off steps, tracked request by request.

A request moves one step at a time. Deciding a step is a conditional update on the
request's version, so of two approvers acting at once exactly one wins, on every backend.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, update
from sqlmodel import Session, select

from app import clock, labels
from app.concurrency import check_version, claimable
from app.db import plain_rows
from app.errors import Conflict, Forbidden, NotFound
from app.ids import new_id
from app.models import (
    Activity,
    ApprovalProcess,
    ApprovalRequest,
    ApprovalStep,
    Coalition,
    Membership,
    Organization,
    SignOnDecision,
    User,
)
from app.models.activities import JOIN_COALITION, ApprovalStatus, StepStatus
from app.pagination import Page, paginate
from app.principal import Principal
from app.schemas.activities import ApprovalProcessPut
from app.services import access, decisions, events, forecasts, snapshots

ESCALATION_STEP = {
    "name": "Board decision (escalated by the game plan)",
    "approver_role": "admin",
    "expected_days": 7,
    "private": False,
}


# Processes -------------------------------------------------------------------------------


def _process_row(session: Session, organization_id: str, kind: str) -> ApprovalProcess | None:
    return session.exec(
        select(ApprovalProcess).where(
            ApprovalProcess.organization_id == organization_id,
            ApprovalProcess.activity_kind == kind,
        )
    ).first()


def effective_steps(session: Session, organization_id: str, kind: str) -> list[dict[str, Any]]:
    """The steps that apply to an activity kind: its own process, else the default."""
    return effective_steps_of(session, [organization_id], kind).get(organization_id, [])


def effective_steps_of(
    session: Session, organization_ids: list[str], kind: str
) -> dict[str, list[dict[str, Any]]]:
    """`effective_steps` of several organizations in one query; those with none are left out."""
    rows = session.exec(
        select(ApprovalProcess).where(
            ApprovalProcess.organization_id.in_(organization_ids),  # type: ignore[attr-defined]
            ApprovalProcess.activity_kind.in_({kind, ""}),  # type: ignore[attr-defined]
        )
    )
    chosen: dict[str, ApprovalProcess] = {}
    for row in rows:
        if row.activity_kind == kind or row.organization_id not in chosen:
            chosen[row.organization_id] = row
    return {organization_id: list(row.steps) for organization_id, row in chosen.items()}


def get_process(
    session: Session, principal: Principal, organization_id: str, kind: str | None
) -> dict[str, Any]:
    access.get_organization(session, principal, organization_id, private=True)
    row = _process_row(session, organization_id, kind or "")
    return {
        "organization_id": organization_id,
        "activity_kind": kind,
        "steps": row.steps if row else [],
        "version": row.version if row else 0,
        "updated_at": row.updated_at if row else None,
    }


def put_process(
    session: Session,
    principal: Principal,
    organization_id: str,
    kind: str | None,
    process_in: ApprovalProcessPut,
    *,
    expected_version: int | None = None,
) -> dict[str, Any]:
    """Replace the steps (an empty list removes the process). Requests already under way
    keep the steps they started with."""
    access.get_organization(session, principal, organization_id, private=True)
    access.require_admin(principal, organization_id)
    row = _process_row(session, organization_id, kind or "")
    if row is None:
        row = ApprovalProcess(
            id=new_id("apr"),
            organization_id=organization_id,
            activity_kind=kind or "",
            version=0,
            updated_at=clock.now(),
        )
    check_version(row.version, expected_version)
    row.steps = [step.model_dump() for step in process_in.steps]
    row.version += 1
    row.updated_at = clock.now()
    session.add(row)
    session.flush()
    return get_process(session, principal, organization_id, kind)


# Requests --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What a request asks the organization to approve: signing an activity, or joining a
    coalition with the commitment its membership states."""

    coalition_id: str
    title: str
    link: str
    # The activity, or a row of the columns a view reads of it (_SUBJECT_ACTIVITIES).
    activity: Activity | Row | None = None
    membership: Membership | None = None
    dues_amount: float = 0

    @property
    def kind(self) -> str:
        return JOIN_COALITION if self.membership is not None else "sign_on"

    def deadline(
        self, request: ApprovalRequest | Row, steps: Sequence[ApprovalStep | Row]
    ) -> datetime | None:
        """What the forecast is held against: the sign-on deadline; for joining, the finish
        its own process plans (the sum of its steps' expected days)."""
        if self.activity is not None:
            return self.activity.sign_on_deadline
        return request.created_at + timedelta(days=sum(s.expected_days for s in steps))

    def commitment(self) -> dict[str, Any] | None:
        """What joining commits the organization to: what its approvers decide on."""
        m = self.membership
        if m is None:
            return None
        return {
            "engagement": m.engagement,
            "roles": list(m.roles),
            "commitment_hours_per_month": m.commitment_hours_per_month,
            "game_plan": m.game_plan,
            "game_plan_note": m.game_plan_note,
            "dues_amount": self.dues_amount,
        }


def _activity_subject(activity: Activity | Row) -> Subject:
    return Subject(
        coalition_id=activity.coalition_id,
        title=activity.title,
        link=f"/activities/{activity.id}",
        activity=activity,
    )


def _subjects(session: Session, requests: Sequence[ApprovalRequest | Row]) -> dict[str, Subject]:
    """The subject of each request, in two queries whatever the number of requests."""
    activity_ids = {r.activity_id for r in requests if r.activity_id}
    membership_ids = {r.membership_id for r in requests if r.membership_id}
    found: dict[str, Row] = {}
    if activity_ids:
        found = {
            a.id: a
            for a in plain_rows(session, _SUBJECT_ACTIVITIES, activity_ids=list(activity_ids))
        }
    joining: dict[str, tuple[Membership, Coalition]] = {}
    if membership_ids:
        rows = session.exec(
            select(Membership, Coalition)
            .join(Coalition, Coalition.id == Membership.coalition_id)
            .where(Membership.id.in_(membership_ids))  # type: ignore[attr-defined]
        )
        joining = {m.id: (m, c) for m, c in rows}
    subjects = {}
    for r in requests:
        if r.membership_id:
            membership, coalition = joining[r.membership_id]
            subjects[r.id] = Subject(
                coalition_id=coalition.id,
                title=f"Joining {coalition.name}",
                link=f"/coalitions/{coalition.id}/join?organization_id={r.organization_id}",
                membership=membership,
                dues_amount=coalition.dues_amount,
            )
        else:
            assert r.activity_id is not None
            subjects[r.id] = _activity_subject(found[r.activity_id])
    return subjects


# What a view reads of a sign-on's activity (see Subject).
_SUBJECT_ACTIVITIES = select(
    Activity.id,
    Activity.coalition_id,
    Activity.title,
    Activity.body,
    Activity.target,
    Activity.sign_on_deadline,
).where(Activity.id.in_(bindparam("activity_ids", expanding=True)))  # type: ignore[attr-defined]


def _subject(session: Session, request: ApprovalRequest) -> Subject:
    """One request's subject, its activity an entity: deciding the request changes it."""
    if request.activity_id:
        activity = session.get(Activity, request.activity_id)
        assert activity is not None
        return _activity_subject(activity)
    return _subjects(session, [request])[request.id]


def _open_request(
    session: Session, organization_id: str, steps: list[dict[str, Any]], **subject: str
) -> ApprovalRequest:
    """Open a request with these steps and make the first one active."""
    moment = clock.now()
    request = ApprovalRequest(
        id=new_id("apq"), organization_id=organization_id, created_at=moment, **subject
    )
    session.add(request)
    session.flush()
    for position, step in enumerate(steps, start=1):
        session.add(
            ApprovalStep(
                id=new_id("aps"),
                request_id=request.id,
                position=position,
                name=step["name"],
                approver_role=step["approver_role"],
                expected_days=step["expected_days"],
                private=step.get("private", False),
            )
        )
    session.flush()
    first = _steps(session, [request.id])[request.id][0]
    _activate(first, moment)
    session.add(first)
    session.flush()
    return request


def start(
    session: Session, decision: SignOnDecision, activity: Activity, steps: list[dict[str, Any]]
) -> ApprovalRequest:
    """Open a request for a sign-on decision."""
    return _open_request(
        session,
        decision.organization_id,
        steps,
        activity_id=activity.id,
        decision_id=decision.id,
    )


def joining_steps(session: Session, organization_id: str) -> list[dict[str, Any]]:
    """The organization's own steps before it joins a coalition: only a process it set for
    `join_coalition` (its default process is about letters and statements)."""
    row = _process_row(session, organization_id, JOIN_COALITION)
    return list(row.steps) if row else []


def joining_plan(
    session: Session, principal: Principal, organization_id: str
) -> dict[str, Any] | None:
    """What saying yes to a coalition starts for the organization: its steps before joining
    and when they would finish if they started now; None when it joins at once."""
    access.get_organization(session, principal, organization_id, private=True)
    steps = joining_steps(session, organization_id)
    if not steps:
        return None
    learned = history(session, [organization_id])[organization_id]
    return {
        "steps": steps,
        "expected_completion_at": forecast_if_started(steps, learned=learned, now=clock.now()),
    }


def start_joining(
    session: Session, membership: Membership, steps: list[dict[str, Any]]
) -> ApprovalRequest:
    """Open a request for joining a coalition with the commitment the membership states."""
    return _open_request(session, membership.organization_id, steps, membership_id=membership.id)


def _activate(step: ApprovalStep, moment: datetime) -> None:
    step.status = StepStatus.active
    step.activated_at = moment
    step.due_at = moment + timedelta(days=step.expected_days)


def _steps(session: Session, request_ids: list[str]) -> dict[str, list[ApprovalStep]]:
    found: dict[str, list[ApprovalStep]] = defaultdict(list)
    if request_ids:
        rows = session.exec(_STEPS, params={"request_ids": request_ids})
        for step in rows:
            found[step.request_id].append(step)
    return found


# Built once, as the pages read them on every visit: putting a statement together cost
# more than running it.
_STEPS = (
    select(ApprovalStep)
    .where(ApprovalStep.request_id.in_(bindparam("request_ids", expanding=True)))  # type: ignore[attr-defined]
    .order_by(ApprovalStep.request_id, ApprovalStep.position)  # type: ignore[arg-type]
)


def _step_rows(session: Session, request_ids: list[str]) -> dict[str, list[Row]]:
    """`_steps` as plain rows of the columns a view reads, for reading only."""
    found: dict[str, list[Row]] = defaultdict(list)
    if request_ids:
        for step in plain_rows(session, _STEP_ROWS, request_ids=request_ids):
            found[step.request_id].append(step)
    return found


_STEP_ROWS = (
    select(
        ApprovalStep.request_id,
        ApprovalStep.position,
        ApprovalStep.name,
        ApprovalStep.approver_role,
        ApprovalStep.expected_days,
        ApprovalStep.private,
        ApprovalStep.status,
        ApprovalStep.activated_at,
        ApprovalStep.due_at,
        ApprovalStep.decided_at,
        ApprovalStep.decided_by,
        ApprovalStep.comment,
    )
    .where(ApprovalStep.request_id.in_(bindparam("request_ids", expanding=True)))  # type: ignore[attr-defined]
    .order_by(ApprovalStep.request_id, ApprovalStep.position)  # type: ignore[arg-type]
)


def history(session: Session, organization_ids: list[str]) -> dict[str, dict[str, list[float]]]:
    """Days each organization's past approved steps took, by step name."""
    learned: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    if not organization_ids:
        return learned
    rows = plain_rows(session, _HISTORY, organization_ids=list(organization_ids))
    for organization_id, name, activated_at, decided_at in rows:
        if activated_at and decided_at:
            days = (decided_at - activated_at).total_seconds() / 86400
            learned[organization_id][name].append(days)
    return learned


# Built once, with the other reads every view of a request makes: putting a statement
# together costs about as much as running it, and the ORM's entities more than both.
_HISTORY = (
    select(
        ApprovalRequest.organization_id,
        ApprovalStep.name,
        ApprovalStep.activated_at,
        ApprovalStep.decided_at,
    )
    .select_from(ApprovalStep)
    .join(ApprovalRequest, ApprovalRequest.id == ApprovalStep.request_id)
    .where(
        ApprovalRequest.organization_id.in_(bindparam("organization_ids", expanding=True)),  # type: ignore[attr-defined]
        ApprovalStep.status == StepStatus.approved,
    )
)


def forecast_if_started(
    steps: list[dict[str, Any]], *, learned: dict[str, list[float]], now: datetime
) -> datetime | None:
    """When a request with these steps would finish if it started `now`: the forecast a
    request under way gets (expected days, or the organization's own history)."""
    planned = [
        forecasts.PlannedStep(
            step["name"],
            "active" if position == 0 else "waiting",
            step["expected_days"],
            now if position == 0 else None,
        )
        for position, step in enumerate(steps)
    ]
    return forecasts.expected_completion(planned, now, learned)


def view(
    request: ApprovalRequest | Row,
    steps: Sequence[ApprovalStep | Row],
    *,
    full: bool,
    learned: dict[str, list[float]],
    subject: Subject,
    names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The request as a reader sees it: its own organization sees everything; other members
    see status, position and forecast, never comments, approvers or private step names.
    `names`: the approvers' names by user id, for the steps already decided. The request
    and its steps are entities, or rows of the same columns (what a list reads)."""
    names = names or {}
    now = clock.now()
    planned = [
        forecasts.PlannedStep(s.name, s.status, s.expected_days, s.activated_at) for s in steps
    ]
    expected = forecasts.expected_completion(planned, now, learned)
    windows = forecasts.step_windows(planned, now, learned, [s.decided_at for s in steps])
    active = next((s for s in steps if s.status == StepStatus.active), None)
    return {
        "id": request.id,
        "organization_id": request.organization_id,
        "kind": subject.kind,
        "coalition_id": subject.coalition_id,
        "activity_id": request.activity_id,
        "membership_id": request.membership_id,
        "activity_title": subject.title,
        "title": subject.title,
        "link": subject.link,
        # What the approvers read before they decide: the letter as the members are asked.
        "text": subject.activity.body if subject.activity else None,
        "addressed_to": subject.activity.target if subject.activity else None,
        "commitment": subject.commitment(),
        "status": request.status,
        "step": active.position if active else None,
        "steps_total": len(steps),
        "steps": [
            {
                "position": s.position,
                "name": s.name if full or not s.private else f"Step {s.position}",
                "approver_role": s.approver_role,
                "expected_days": s.expected_days,
                "status": s.status,
                "due_at": s.due_at,
                "decided_at": s.decided_at,
                "decided_by": s.decided_by if full else None,
                "decided_by_name": names.get(s.decided_by or "") if full else None,
                "comment": s.comment if full else None,
                "overdue": s.status == StepStatus.active
                and s.due_at is not None
                and s.due_at < now,
                # When it ran, or is forecast to run: what the approval timeline draws.
                "starts_at": window[0] if window else None,
                "ends_at": window[1] if window else None,
            }
            for s, window in zip(steps, windows, strict=True)
        ],
        "expected_completion_at": expected,
        "at_risk": forecasts.is_at_risk(expected, subject.deadline(request, steps)),
        # What the forecast is held against: the sign-on deadline (none for joining).
        "deadline": subject.activity.sign_on_deadline if subject.activity else None,
        "created_at": request.created_at,
        "completed_at": request.completed_at,
    }


def _views(
    session: Session, requests: Sequence[ApprovalRequest | Row], *, full_for: set[str]
) -> list[dict[str, Any]]:
    """Several requests as `full_for` organizations see them, in a fixed number of queries."""
    steps = _step_rows(session, [r.id for r in requests])
    learned = history(session, list({r.organization_id for r in requests}))
    subjects = _subjects(session, requests)
    names = _approver_names(session, [s for r in requests for s in steps[r.id]])
    return [
        view(
            r,
            steps[r.id],
            full=r.organization_id in full_for,
            learned=learned[r.organization_id],
            subject=subjects[r.id],
            names=names,
        )
        for r in requests
    ]


def _approver_names(session: Session, steps: Sequence[ApprovalStep | Row]) -> dict[str, str]:
    """The names of the people who decided `steps`, by user id, in one query."""
    ids = {s.decided_by for s in steps if s.decided_by}
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.name, User.email).where(User.id.in_(ids)))  # type: ignore[attr-defined]
    return {user_id: name or email for user_id, name, email in rows}


def views_for_activity(
    session: Session, activity: Activity, *, full_for: set[str]
) -> dict[str, dict[str, Any]]:
    """The latest request of each organization on an activity, as seen by `full_for` orgs."""
    views = views_for_activities(session, [activity], full_for=full_for)
    return {org: view for (_, org), view in views.items()}


_ACTIVITY_REQUESTS = (
    select(ApprovalRequest)
    .where(ApprovalRequest.activity_id.in_(bindparam("activity_ids", expanding=True)))  # type: ignore[union-attr]
    .order_by(ApprovalRequest.id)  # type: ignore[arg-type]
)
_ACTIVITY_REQUESTS_OF = _ACTIVITY_REQUESTS.where(
    ApprovalRequest.organization_id.in_(bindparam("organization_ids", expanding=True))  # type: ignore[attr-defined]
)


def views_for_activities(
    session: Session,
    activities: list[Activity],
    *,
    full_for: set[str],
    organization_ids: list[str] | None = None,
) -> dict[tuple[str, str], dict[str, Any]]:
    """The latest request of each organization (of `organization_ids`, or every one) on
    each activity, by (activity id, organization id), in a fixed number of queries."""
    if not activities:
        return {}
    params: dict[str, list[str]] = {"activity_ids": [activity.id for activity in activities]}
    statement = _ACTIVITY_REQUESTS
    if organization_ids is not None:
        statement, params["organization_ids"] = _ACTIVITY_REQUESTS_OF, organization_ids
    requests = session.exec(statement, params=params)
    latest = {(r.activity_id, r.organization_id): r for r in requests}
    views = _views(session, list(latest.values()), full_for=full_for)
    return dict(zip(latest, views, strict=True))


def views_for_memberships(
    session: Session, membership_ids: list[str], *, full_for: set[str]
) -> dict[str, dict[str, Any]]:
    """The latest joining request of each membership, as seen by `full_for` orgs."""
    if not membership_ids:
        return {}
    requests = session.exec(
        select(ApprovalRequest)
        .where(ApprovalRequest.membership_id.in_(membership_ids))  # type: ignore[union-attr]
        .order_by(ApprovalRequest.id)  # type: ignore[arg-type]
    )
    latest = {r.membership_id: r for r in requests}
    return {
        v["membership_id"]: v for v in _views(session, list(latest.values()), full_for=full_for)
    }


def _visible(
    session: Session, principal: Principal, approval_id: str
) -> tuple[ApprovalRequest, Subject, bool]:
    """The request, its subject, and whether the principal sees it whole (own organization)."""
    request = session.get(ApprovalRequest, approval_id)
    if request is None:
        raise NotFound("No such approval.")
    subject = _subject(session, request)
    if access.organization_rights(principal, request.organization_id).sees_private:
        return request, subject, True
    coalition_members = events.coalition_audience(session, subject.coalition_id)
    if not coalition_members & set(principal.roles):
        raise NotFound("No such approval.")
    return request, subject, False


def get_approval(session: Session, principal: Principal, approval_id: str) -> dict[str, Any]:
    request, subject, full = _visible(session, principal, approval_id)
    return _single_view(session, request, subject, full)


def _single_view(
    session: Session, request: ApprovalRequest, subject: Subject, full: bool
) -> dict[str, Any]:
    steps = _steps(session, [request.id])[request.id]
    return view(
        request,
        steps,
        full=full,
        learned=history(session, [request.organization_id])[request.organization_id],
        subject=subject,
        names=_approver_names(session, steps) if full else {},
    )


def list_for_organization(
    session: Session,
    principal: Principal,
    organization_id: str,
    *,
    status: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    access.get_organization(session, principal, organization_id, private=True)
    statement = select(ApprovalRequest).where(ApprovalRequest.organization_id == organization_id)
    if status:
        statement = statement.where(ApprovalRequest.status == status)
    page = paginate(session, statement, ApprovalRequest.id, limit=limit, cursor=cursor)  # type: ignore[arg-type]
    page.items = _views(session, list(page.items), full_for={organization_id})
    return page


def inbox(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Active steps the principal may decide, oldest due first."""
    roles = {org: role for org, role in principal.roles.items() if role in ("admin", "approver")}
    if not roles:
        return []
    rows = plain_rows(session, _WAITING, organization_ids=list(roles))
    mine = [
        request
        for request in rows
        if roles[request.organization_id] in access.roles_deciding(request.approver_role)
    ]
    views = _views(session, mine, full_for=set(roles))
    # What an approver weighs besides the text: whose letter it is and who already signed.
    coalition_ids = sorted({v["coalition_id"] for v in views if v["coalition_id"]})
    coalition_names = dict(plain_rows(session, _COALITION_NAMES, coalition_ids=coalition_ids))
    counts = snapshots.tallies(session, {v["activity_id"] for v in views if v["activity_id"]})
    for item in views:
        item["coalition_name"] = coalition_names.get(item["coalition_id"] or "")
        if item["activity_id"]:
            tally = counts[item["activity_id"]]
            item["signed_count"], item["asked_count"] = tally["signed"], tally["asked"]
    return views


# The requests with an active step in some organizations, as rows of what a view reads
# of a request and the active step's approver role.
_WAITING = (
    select(
        ApprovalRequest.id,
        ApprovalRequest.organization_id,
        ApprovalRequest.activity_id,
        ApprovalRequest.membership_id,
        ApprovalRequest.status,
        ApprovalRequest.created_at,
        ApprovalRequest.completed_at,
        ApprovalStep.approver_role,
    )
    .join(ApprovalStep, ApprovalStep.request_id == ApprovalRequest.id)
    .where(
        ApprovalRequest.organization_id.in_(bindparam("organization_ids", expanding=True)),  # type: ignore[attr-defined]
        ApprovalRequest.status == ApprovalStatus.in_progress,
        ApprovalStep.status == StepStatus.active,
    )
    .order_by(ApprovalStep.due_at)  # type: ignore[arg-type]
)
_COALITION_NAMES = select(Coalition.id, Coalition.name).where(
    Coalition.id.in_(bindparam("coalition_ids", expanding=True))  # type: ignore[attr-defined]
)


def decide(
    session: Session,
    principal: Principal,
    approval_id: str,
    action: str,
    comment: str | None,
    *,
    step: int,
    signer_title: str | None = None,
) -> dict[str, Any]:
    """Approve or reject the active step; approving the last step of a sign-on signs it,
    with the approver as the signer (and `signer_title` as their title)."""
    request, subject, full = _visible(session, principal, approval_id)
    if not full:
        raise Forbidden("Only the organization's own approvers act on its approval steps.")
    if request.status != ApprovalStatus.in_progress:
        raise Conflict(
            f"This approval is already {labels.label(request.status, 'approval')}.",
            code="approval_finished",
        )
    steps = _steps(session, [request.id])[request.id]
    active = next((s for s in steps if s.status == StepStatus.active), None)
    if active is None:
        raise Conflict(
            "No step of this approval is waiting for a decision.", code="approval_step_not_active"
        )
    if step != active.position:
        raise Conflict(
            f"Step {step} is not waiting for a decision; step {active.position} is. "
            "Reload to see where this approval stands.",
            code="approval_step_not_active",
        )
    rights = access.organization_rights(principal, request.organization_id)
    if not rights.may_decide_step(active.approver_role):
        raise Forbidden(f"Step {active.position} ({active.name}) is for an {active.approver_role}.")
    _claim(session, request)

    moment = clock.now()
    active.status = StepStatus.approved if action == "approve" else StepStatus.rejected
    active.decided_at = moment
    active.decided_by = principal.user_id
    active.comment = comment
    session.add(active)
    following = next((s for s in steps if s.position == active.position + 1), None)
    if action == "approve" and following is not None:
        _activate(following, moment)
        session.add(following)
    else:
        request.status = ApprovalStatus.approved if action == "approve" else ApprovalStatus.rejected
        request.completed_at = moment
    session.add(request)
    session.flush()
    _announce_step(session, principal, request, subject, active, steps)
    if request.status != ApprovalStatus.in_progress:
        _finish(session, principal, request, subject, signer_title=signer_title, steps=steps)
    return _single_view(session, request, subject, True)


def _claim(session: Session, request: ApprovalRequest) -> None:
    """Take the request at the version we read; a concurrent decision makes this fail."""
    result = session.exec(  # type: ignore[call-overload]
        update(ApprovalRequest)
        .where(
            ApprovalRequest.id == request.id,  # type: ignore[arg-type]
            ApprovalRequest.version == request.version,  # type: ignore[arg-type]
            ApprovalRequest.status == ApprovalStatus.in_progress,  # type: ignore[arg-type]
        )
        .values(version=request.version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(
            "Someone else decided this step a moment ago; reload to see it.",
            code="approval_step_decided_concurrently",
        )
    request.version += 1


def _shared(request: ApprovalRequest, subject: Subject) -> dict[str, Any]:
    """What every member of the coalition sees of an approval event."""
    return {
        "approval_id": request.id,
        "kind": subject.kind,
        "coalition_id": subject.coalition_id,
        "activity_id": request.activity_id,
        "membership_id": request.membership_id,
        "organization_id": request.organization_id,
        "title": subject.title,
    }


def _emit(
    session: Session,
    type: str,
    request: ApprovalRequest,
    subject: Subject,
    *,
    shared: dict[str, Any],
    private: dict[str, Any],
    actor: Principal | None,
    steps: list[ApprovalStep] | None = None,
) -> None:
    """An approval event: the organization sees `private` too, the coalition `shared` alone.
    Both carry the request as every member may see it: status, step and forecast (from
    `steps` when the caller holds them already)."""
    organization = session.get(Organization, request.organization_id)
    assert organization is not None
    if steps is None:
        steps = _steps(session, [request.id])[request.id]
    learned = history(session, [request.organization_id])[request.organization_id]
    summary = view(request, steps, full=False, learned=learned, subject=subject, names={})
    shared = {
        **shared,
        "version": request.version,
        "object": snapshots.approval(request, organization, summary),
    }
    events.emit(
        session,
        type,
        {**shared, **private},
        visible_to=events.coalition_audience(session, subject.coalition_id),
        private_to={request.organization_id},
        shared_data=shared,
        coalition_id=subject.coalition_id,
        actor=actor,
    )


def _announce_step(
    session: Session,
    principal: Principal,
    request: ApprovalRequest,
    subject: Subject,
    step: ApprovalStep,
    steps: list[ApprovalStep],
) -> None:
    shared = {
        **_shared(request, subject),
        "position": step.position,
        "status": step.status,
        "request_status": request.status,
    }
    private = {"name": step.name, "comment": step.comment, "decided_by": step.decided_by}
    _emit(
        session, "approval.step_completed", request, subject,
        shared=shared, private=private, actor=principal, steps=steps,
    )  # fmt: skip


def _finish(
    session: Session,
    principal: Principal,
    request: ApprovalRequest,
    subject: Subject,
    *,
    signer_title: str | None = None,
    steps: list[ApprovalStep] | None = None,
) -> None:
    """The request ended: the coalition is told, and a sign-on decision follows it. (A
    membership follows `approval.completed` in services/coalitions.py, which owns joining.)"""
    _announce_end(session, principal, request, subject, steps)
    if subject.activity is None:
        return
    decision = session.get(SignOnDecision, request.decision_id)
    assert decision is not None
    if request.status == ApprovalStatus.approved:
        decisions.change(
            session, decision, subject.activity, "signed", comment=None, actor=principal,
            signer_title=signer_title,
        )  # fmt: skip
    elif request.status == ApprovalStatus.rejected:
        decisions.change(
            session, decision, subject.activity, "declined", comment=None, actor=principal
        )


def _announce_end(
    session: Session,
    actor: Principal | None,
    request: ApprovalRequest,
    subject: Subject,
    steps: list[ApprovalStep] | None = None,
) -> None:
    shared = {**_shared(request, subject), "status": request.status}
    _emit(
        session, "approval.completed", request, subject,
        shared=shared, private={}, actor=actor, steps=steps,
    )  # fmt: skip


def _withdraw(session: Session, request: ApprovalRequest, actor: Principal | None) -> None:
    """Stop a request under way (its active step goes back to waiting) and tell the coalition."""
    _claim(session, request)
    request.status = ApprovalStatus.withdrawn
    request.completed_at = clock.now()
    session.add(request)
    steps = _steps(session, [request.id])[request.id]
    for step in steps:
        if step.status == StepStatus.active:
            step.status = StepStatus.waiting
            session.add(step)
    session.flush()
    _announce_end(session, actor, request, _subject(session, request), steps)


def withdraw_open_request(
    session: Session, decision: SignOnDecision, *, actor: Principal | None = None
) -> None:
    """The organization decided otherwise, left the coalition, or the activity closed."""
    request = session.exec(
        select(ApprovalRequest).where(
            ApprovalRequest.decision_id == decision.id,
            ApprovalRequest.status == ApprovalStatus.in_progress,
        )
    ).first()
    if request is not None:
        _withdraw(session, request, actor)


def withdraw_joining(
    session: Session, membership: Membership, *, actor: Principal | None = None
) -> None:
    """The organization no longer asks to join, or the coalition withdrew its invitation."""
    request = session.exec(
        select(ApprovalRequest).where(
            ApprovalRequest.membership_id == membership.id,
            ApprovalRequest.status == ApprovalStatus.in_progress,
        )
    ).first()
    if request is not None:
        _withdraw(session, request, actor)


def open_request_of(session: Session, decision: SignOnDecision) -> ApprovalRequest | None:
    return session.exec(
        select(ApprovalRequest)
        .where(ApprovalRequest.decision_id == decision.id)
        .order_by(ApprovalRequest.id.desc())  # type: ignore[attr-defined]
    ).first()


# The worker's part ---------------------------------------------------------------------------


def notice_overdue_steps(session: Session, batch: int = 100) -> int:
    """Emit one `approval.step_overdue` per active step past its due date. Claimed rows are
    locked (SKIP LOCKED on PostgreSQL), so two workers never announce the same step."""
    now = clock.now()
    statement = (
        select(ApprovalStep)
        .where(
            ApprovalStep.status == StepStatus.active,
            ApprovalStep.due_at < now,  # type: ignore[operator]
            ApprovalStep.overdue_noticed_at.is_(None),  # type: ignore[union-attr]
        )
        .order_by(ApprovalStep.due_at)  # type: ignore[arg-type]
        .limit(batch)
    )
    steps = list(session.exec(claimable(session, statement)))
    for step in steps:
        step.overdue_noticed_at = now
        session.add(step)
        request = session.get(ApprovalRequest, step.request_id)
        assert request is not None
        subject = _subject(session, request)
        shared = {
            **_shared(request, subject),
            "position": step.position,
            "due_at": step.due_at,
        }
        private = {"name": step.name, "approver_role": step.approver_role}
        _emit(
            session, "approval.step_overdue", request, subject,
            shared=shared, private=private, actor=None,
        )  # fmt: skip
    session.flush()
    return len(steps)
