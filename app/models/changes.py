"""`updated_at` moves with every change written through the ORM, wherever it is made (a
letter opening, the worker disabling a webhook), so a list read with `updated_since`
misses none. A row whose reading shows its children (an activity's tally, a coalition's
members, a goal's progress, a proposal's votes) changes with them."""

from datetime import datetime
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlmodel import SQLModel

from app import clock
from app.models.activities import Activity, ApprovalRequest, ApprovalStep, SignOnDecision
from app.models.coalitions import Coalition, Goal, Membership, Objective
from app.models.proposals import Proposal, Vote

# A child row's model -> the model it is shown in, and the column naming that row.
_SHOWN_IN: dict[type[SQLModel], tuple[type[SQLModel], str]] = {
    SignOnDecision: (Activity, "activity_id"),
    Membership: (Coalition, "coalition_id"),
    Objective: (Goal, "goal_id"),
    Vote: (Proposal, "proposal_id"),
    ApprovalStep: (ApprovalRequest, "request_id"),
}


@event.listens_for(Session, "before_flush")
def _stamp_changes(session: Session, flush_context: Any, instances: Any) -> None:
    moment = clock.now()
    changed = [row for row in session.dirty if session.is_modified(row)]
    with session.no_autoflush:
        for row in [*changed, *session.new]:
            shown_in = _SHOWN_IN.get(type(row))
            if shown_in is not None:
                parent = session.get(shown_in[0], getattr(row, shown_in[1]))
                if parent is not None:
                    _stamp(parent, moment)
    for row in changed:
        # A change that sets `updated_at` itself keeps its own value.
        if "updated_at" in inspect(row).mapper.columns and not _sets_updated_at(row):
            _stamp(row, moment)


def _sets_updated_at(row: Any) -> bool:
    return inspect(row).attrs.updated_at.history.has_changes()


def _stamp(row: Any, moment: datetime) -> None:
    if "updated_at" in inspect(row).mapper.columns and row.updated_at != moment:
        row.updated_at = moment
