"""Coalition goals and their objectives: progress, health and `goal.progress_changed`."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, select

from app import clock
from app.concurrency import check_version
from app.errors import Invalid, NotFound
from app.ids import new_id
from app.models import Coalition, Goal, Membership, Objective
from app.models.coalitions import MembershipStatus
from app.pagination import Page, paginate
from app.principal import Principal
from app.schemas.coalitions import GoalCreate, GoalUpdate, ObjectiveCreate, ObjectiveUpdate
from app.services import access, events, snapshots

AT_RISK_MARGIN = 0.25


def progress_of(done: int, total: int) -> float:
    return done / total if total else 0.0


def goal_health(
    *, now: datetime, created_at: datetime, due_date: date, done: int, total: int
) -> str:
    """done → all objectives done; overdue → past the due date; at_risk → more of the time
    used than of the work done (with a 0.25 margin); otherwise on_track."""
    if total and done == total:
        return "done"
    if now.date() > due_date:
        return "overdue"
    start = created_at.date()
    span = (due_date - start).days
    used = 1.0 if span <= 0 else (now.date() - start).days / span
    if used > progress_of(done, total) + AT_RISK_MARGIN:
        return "at_risk"
    return "on_track"


def _objectives(session: Session, goal_ids: list[str]) -> dict[str, list[Objective]]:
    found: dict[str, list[Objective]] = {goal_id: [] for goal_id in goal_ids}
    if not goal_ids:
        return found
    rows = session.exec(_OBJECTIVES, params={"goal_ids": goal_ids})
    for objective in rows:
        found[objective.goal_id].append(objective)
    return found


# Built once, as the dashboard and the goals section read them on every visit.
_OBJECTIVES = (
    select(Objective)
    .where(
        Objective.goal_id.in_(bindparam("goal_ids", expanding=True)),  # type: ignore[attr-defined]
        Objective.deleted_at.is_(None),  # type: ignore[union-attr]
    )
    .order_by(Objective.id)  # type: ignore[arg-type]
)
_GOALS_OF = (
    select(Goal)
    .where(
        Goal.coalition_id.in_(bindparam("coalition_ids", expanding=True)),  # type: ignore[attr-defined]
        Goal.deleted_at.is_(None),  # type: ignore[union-attr]
    )
    .order_by(Goal.id)  # type: ignore[arg-type]
)


def _goal_row(goal: Goal, objectives: list[Objective]) -> dict[str, Any]:
    done = sum(1 for objective in objectives if objective.done)
    return {
        **goal.model_dump(),
        "progress": progress_of(done, len(objectives)),
        "health": goal_health(
            now=clock.now(),
            created_at=goal.created_at,
            due_date=goal.due_date,
            done=done,
            total=len(objectives),
        ),
        "objectives": [objective.model_dump() for objective in objectives],
    }


def _check_members(
    session: Session, coalition_id: str, organization_ids: list[str], loc: list[str | int]
) -> None:
    if not organization_ids:
        return
    joined = set(
        session.exec(
            select(Membership.organization_id).where(
                Membership.coalition_id == coalition_id,
                Membership.status == MembershipStatus.joined,
                Membership.organization_id.in_(organization_ids),  # type: ignore[attr-defined]
            )
        ).all()
    )
    strangers = [org for org in organization_ids if org not in joined]
    if strangers:
        raise Invalid.field(loc, f"{strangers[0]} is not a member of this coalition.")


def create_goal(
    session: Session, principal: Principal, coalition_id: str, goal_in: GoalCreate
) -> dict[str, Any]:
    coalition = access.get_coalition(session, principal, coalition_id)
    access.require_joined_admin(session, principal, coalition)
    owners = list(dict.fromkeys(goal_in.owner_organization_ids))
    _check_members(session, coalition_id, owners, ["body", "owner_organization_ids"])
    moment = clock.now()
    goal = Goal(
        id=new_id("gol"),
        coalition_id=coalition_id,
        title=goal_in.title,
        description=goal_in.description,
        due_date=goal_in.due_date,
        owner_organization_ids=owners,
        created_at=moment,
        updated_at=moment,
    )
    session.add(goal)
    session.flush()
    row = _goal_row(goal, [])
    _announce(session, principal, "goal.created", row)
    return row


def list_goals(
    session: Session,
    principal: Principal,
    coalition_id: str,
    *,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    access.get_coalition(session, principal, coalition_id)
    statement = select(Goal).where(Goal.coalition_id == coalition_id, Goal.deleted_at.is_(None))  # type: ignore[union-attr]
    page = paginate(session, statement, Goal.id, limit=limit, cursor=cursor)  # type: ignore[arg-type]
    objectives = _objectives(session, [goal.id for goal in page.items])
    page.items = [_goal_row(goal, objectives[goal.id]) for goal in page.items]
    return page


def goals_of_coalitions(
    session: Session, coalitions: list[Coalition], *, limit: int = 200
) -> dict[str, list[dict[str, Any]]]:
    """The first `limit` goals of each coalition, as `list_goals` lists them, by coalition
    id, in two queries for all: for coalitions the principal was just shown (the
    dashboard's "my coalitions"), whose visibility their listing already decided."""
    found: dict[str, list[Goal]] = {coalition.id: [] for coalition in coalitions}
    if not found:
        return {}
    rows = session.exec(_GOALS_OF, params={"coalition_ids": list(found)})
    for goal in rows:
        if len(found[goal.coalition_id]) < limit:
            found[goal.coalition_id].append(goal)
    objectives = _objectives(session, [goal.id for goals in found.values() for goal in goals])
    return {
        coalition_id: [_goal_row(goal, objectives[goal.id]) for goal in goals]
        for coalition_id, goals in found.items()
    }


def _visible_goal(session: Session, principal: Principal, goal_id: str) -> tuple[Goal, Coalition]:
    goal = session.get(Goal, goal_id)
    if goal is None or goal.deleted_at is not None:
        raise NotFound("No such goal.")
    try:
        coalition = access.get_coalition(session, principal, goal.coalition_id)
    except NotFound:
        raise NotFound("No such goal.") from None
    return goal, coalition


def get_goal(session: Session, principal: Principal, goal_id: str) -> dict[str, Any]:
    goal, _ = _visible_goal(session, principal, goal_id)
    return _goal_row(goal, _objectives(session, [goal.id])[goal.id])


def update_goal(
    session: Session,
    principal: Principal,
    goal_id: str,
    changes: GoalUpdate,
    *,
    expected_version: int | None = None,
) -> dict[str, Any]:
    goal, coalition = _visible_goal(session, principal, goal_id)
    access.require_joined_admin(session, principal, coalition)
    check_version(goal.version, expected_version)
    values = changes.model_dump(exclude_unset=True)
    for required in ("title", "due_date"):
        if required in values and values[required] is None:
            raise Invalid.field(["body", required], "This field cannot be empty.")
    if "owner_organization_ids" in values:
        owners = list(dict.fromkeys(values["owner_organization_ids"] or []))
        _check_members(session, coalition.id, owners, ["body", "owner_organization_ids"])
        values["owner_organization_ids"] = owners
    for field, value in values.items():
        setattr(goal, field, value)
    goal.version += 1
    goal.updated_at = clock.now()
    session.add(goal)
    session.flush()
    row = _goal_row(goal, _objectives(session, [goal.id])[goal.id])
    _announce(session, principal, "goal.updated", row, changed=sorted(values))
    return row


def delete_goal(session: Session, principal: Principal, goal_id: str) -> None:
    goal, coalition = _visible_goal(session, principal, goal_id)
    access.require_joined_admin(session, principal, coalition)
    goal.deleted_at = clock.now()
    goal.version += 1
    goal.updated_at = goal.deleted_at
    session.add(goal)
    session.flush()
    _announce(session, principal, "goal.deleted", _goal_row(goal, []))


def _progress_changed(
    session: Session,
    principal: Principal,
    goal: Goal,
    before: float,
    objective: Objective,
) -> None:
    """An objective changed, so its goal did: a new version, `goal.updated`, and
    `goal.progress_changed` when the share of objectives done moved."""
    goal.version += 1
    goal.updated_at = clock.now()
    session.add(goal)
    session.flush()
    row = _goal_row(goal, _objectives(session, [goal.id])[goal.id])
    _announce(session, principal, "goal.updated", row, objective_id=objective.id)
    if row["progress"] != before:
        _announce(
            session, principal, "goal.progress_changed", row,
            objective_id=objective.id, **{"from": before, "to": row["progress"]},
        )  # fmt: skip


def _announce(
    session: Session, principal: Principal, type: str, row: dict[str, Any], **details: Any
) -> None:
    """Tell the coalition a goal changed, with the goal as read (`row`, from `_goal_row`)."""
    coalition_id = row["coalition_id"]
    events.emit(
        session,
        type,
        {"coalition_id": coalition_id, "goal_id": row["id"], **details,
         "version": row["version"], "object": snapshots.goal(row)},
        visible_to=events.coalition_audience(session, coalition_id),
        coalition_id=coalition_id,
        actor=principal,
    )  # fmt: skip


def _current_progress(session: Session, goal: Goal) -> float:
    objectives = _objectives(session, [goal.id])[goal.id]
    return progress_of(sum(1 for o in objectives if o.done), len(objectives))


def add_objective(
    session: Session, principal: Principal, goal_id: str, objective_in: ObjectiveCreate
) -> dict[str, Any]:
    goal, coalition = _visible_goal(session, principal, goal_id)
    access.require_joined_admin(session, principal, coalition)
    # An empty id is checked too: it names no member (and no row the foreign key accepts).
    if objective_in.assignee_organization_id is not None:
        _check_members(
            session,
            coalition.id,
            [objective_in.assignee_organization_id],
            ["body", "assignee_organization_id"],
        )
    before = _current_progress(session, goal)
    moment = clock.now()
    objective = Objective(
        id=new_id("obj"),
        goal_id=goal.id,
        **objective_in.model_dump(),
        created_at=moment,
        updated_at=moment,
    )
    session.add(objective)
    session.flush()
    _progress_changed(session, principal, goal, before, objective)
    return objective.model_dump()


def _visible_objective(
    session: Session, principal: Principal, objective_id: str
) -> tuple[Objective, Goal, Coalition]:
    objective = session.get(Objective, objective_id)
    if objective is None or objective.deleted_at is not None:
        raise NotFound("No such objective.")
    try:
        goal, coalition = _visible_goal(session, principal, objective.goal_id)
    except NotFound:
        raise NotFound("No such objective.") from None
    return objective, goal, coalition


def goal_of_objective(session: Session, principal: Principal, objective_id: str) -> dict[str, Any]:
    _, goal, _ = _visible_objective(session, principal, objective_id)
    return _goal_row(goal, _objectives(session, [goal.id])[goal.id])


def update_objective(
    session: Session,
    principal: Principal,
    objective_id: str,
    changes: ObjectiveUpdate,
    *,
    expected_version: int | None = None,
) -> dict[str, Any]:
    objective, goal, coalition = _visible_objective(session, principal, objective_id)
    access.require_joined_admin(session, principal, coalition)
    check_version(objective.version, expected_version)
    values = changes.model_dump(exclude_unset=True)
    for required in ("title", "done"):
        if required in values and values[required] is None:
            raise Invalid.field(["body", required], "This field cannot be empty.")
    if values.get("assignee_organization_id") is not None:
        _check_members(
            session,
            coalition.id,
            [values["assignee_organization_id"]],
            ["body", "assignee_organization_id"],
        )
    before = _current_progress(session, goal)
    for field, value in values.items():
        setattr(objective, field, value)
    if "done" in values:
        objective.done_at = clock.now() if objective.done else None
    objective.version += 1
    objective.updated_at = clock.now()
    session.add(objective)
    session.flush()
    _progress_changed(session, principal, goal, before, objective)
    return objective.model_dump()


def delete_objective(session: Session, principal: Principal, objective_id: str) -> None:
    objective, goal, coalition = _visible_objective(session, principal, objective_id)
    access.require_joined_admin(session, principal, coalition)
    before = _current_progress(session, goal)
    objective.deleted_at = clock.now()
    objective.updated_at = objective.deleted_at
    objective.version += 1
    session.add(objective)
    session.flush()
    _progress_changed(session, principal, goal, before, objective)
