"""Proposals: a coalition decides on its own behalf by the rule its members agreed on."""

from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session, func, select

from app import clock, labels
from app.concurrency import claimable
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.ids import new_id
from app.models import (
    Activity,
    Coalition,
    Membership,
    Organization,
    Proposal,
    ProposalComment,
    User,
    Vote,
    VoteChange,
)
from app.models.activities import SIGNATURE_KINDS, ActivityStatus
from app.models.proposals import ProposalKind
from app.pagination import Page, paginate
from app.principal import Principal
from app.schemas.proposals import CommentCreate, ProposalCreate, VoteCast
from app.services import (
    access,
    decision_rules,
    events,
    guidelines,
    notifications,
    organizations,
    snapshots,
)

DEFAULT_DURATION = timedelta(days=7)
CLOSING_SOON = timedelta(hours=24)
WITHDRAWN = "withdrawn"  # in the vote history: the vote stopped counting


def eligible_voters(session: Session, coalition_id: str) -> set[str]:
    """Joined member organizations vote; observers do not."""
    return set(
        session.exec(
            select(Membership.organization_id).where(
                Membership.coalition_id == coalition_id,
                Membership.status == "joined",
                Membership.engagement != "observer",
            )
        ).all()
    )


def _leads(session: Session, coalition_id: str) -> set[str]:
    return set(
        session.exec(
            select(Membership.organization_id).where(
                Membership.coalition_id == coalition_id,
                Membership.status == "joined",
                Membership.engagement == "lead",
            )
        ).all()
    )


def create_proposal(
    session: Session, principal: Principal, coalition_id: str, proposal_in: ProposalCreate
) -> Proposal:
    coalition = access.get_coalition_taking_part(session, principal, coalition_id)
    proposer = _proposing_organization(session, principal, coalition, proposal_in.organization_id)
    closes_at = proposal_in.closes_at or clock.now() + DEFAULT_DURATION
    if closes_at <= clock.now():
        raise Invalid.field(["body", "closes_at"], "Choose a closing time in the future.")
    changes, activity = _subject(session, coalition, proposal_in)
    moment = clock.now()
    proposal = Proposal(
        id=new_id("prp"),
        coalition_id=coalition_id,
        proposed_by_organization_id=proposer,
        title=proposal_in.title,
        body=proposal_in.body,
        kind=proposal_in.kind,
        changes=changes,
        activity_id=activity.id if activity else None,
        reason_required=proposal_in.reason_required,
        closes_at=closes_at,
        created_at=moment,
        updated_at=moment,
    )
    session.add(proposal)
    if activity is not None:
        activity.status = ActivityStatus.proposed
        activity.version += 1
        activity.updated_at = moment
        session.add(activity)
    session.flush()
    events.emit(
        session,
        "proposal.opened",
        {"proposal_id": proposal.id, "coalition_id": coalition_id, "title": proposal.title,
         "kind": proposal.kind, "changes": changes, "activity_id": proposal.activity_id,
         "closes_at": closes_at, "proposed_by_organization_id": proposer,
         **_as_of_now(session, proposal, coalition)},
        visible_to=events.coalition_audience(session, coalition_id),
        coalition_id=coalition_id,
        actor=principal,
    )  # fmt: skip
    return proposal


def _subject(
    session: Session, coalition: Coalition, proposal_in: ProposalCreate
) -> tuple[dict[str, Any] | None, Activity | None]:
    """What the proposal decides, checked before it is put to a vote: the guideline changes
    (kind `guidelines`) or the draft letter or statement to open (kind `activity`)."""
    kind = proposal_in.kind
    if kind != ProposalKind.guidelines and proposal_in.changes is not None:
        raise Invalid.field(["body", "changes"], "Only a guidelines proposal carries changes.")
    if kind != ProposalKind.activity and proposal_in.activity_id is not None:
        raise Invalid.field(["body", "activity_id"], "Only an activity proposal names one.")
    if kind == ProposalKind.guidelines:
        return guidelines.proposed_changes(coalition, proposal_in.changes), None
    if kind == ProposalKind.activity:
        activity = (
            session.get(Activity, proposal_in.activity_id) if proposal_in.activity_id else None
        )
        if activity is None or activity.coalition_id != coalition.id:
            raise Invalid.field(["body", "activity_id"], "No such activity in this coalition.")
        if activity.kind not in SIGNATURE_KINDS:
            raise Invalid.field(
                ["body", "activity_id"], "Only a letter or a statement is put to a vote."
            )
        if activity.status != ActivityStatus.draft:
            raise Conflict(
                "Only a draft is put to a vote; this activity is "
                f"{labels.label(activity.status, 'activity_status')}.",
                code="activity_not_draft",
            )
        return None, activity
    return None, None


def _proposing_organization(
    session: Session, principal: Principal, coalition: Coalition, wanted: str | None
) -> str:
    joined = access.coalition_rights(session, principal, coalition.id).joined_admin_organizations
    if principal.is_platform_admin and not joined:
        joined = sorted(_leads(session, coalition.id))
    if wanted is not None:
        if wanted not in joined:
            raise Forbidden("You can only propose for an organization you are an admin of.")
        return wanted
    if not joined:
        raise Forbidden("Only an admin of an organization taking part may propose.")
    return joined[0]


def list_proposals(
    session: Session,
    principal: Principal,
    coalition_id: str,
    *,
    status: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    access.get_coalition_taking_part(session, principal, coalition_id)
    statement = select(Proposal).where(Proposal.coalition_id == coalition_id)
    if status:
        statement = statement.where(Proposal.status == status)
    page = paginate(session, statement, Proposal.id, limit=limit, cursor=cursor)  # type: ignore[arg-type]
    page.items = [proposal_view(session, p) for p in page.items]
    return page


def _visible(
    session: Session, principal: Principal, proposal_id: str
) -> tuple[Proposal, Coalition]:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("No such proposal.")
    try:
        coalition = access.get_coalition_taking_part(session, principal, proposal.coalition_id)
    except NotFound:
        raise NotFound("No such proposal.") from None
    return proposal, coalition


def _votes(session: Session, proposal_id: str) -> list[tuple[Vote, Organization]]:
    return list(
        session.exec(
            select(Vote, Organization)
            .join(Organization, Organization.id == Vote.organization_id)
            .where(Vote.proposal_id == proposal_id)
            .order_by(Organization.name)
        ).all()
    )


def _result(
    session: Session,
    proposal: Proposal,
    coalition: Coalition,
    *,
    votes: list[tuple[Vote, Organization]] | None = None,
    eligible: set[str] | None = None,
) -> decision_rules.Result:
    """The outcome as the votes stand; a caller that has read the votes or the eligible
    voters already passes them in."""
    rows = _votes(session, proposal.id) if votes is None else votes
    return decision_rules.decide(
        coalition.decision_rule,
        coalition.quorum,
        eligible_voters(session, coalition.id) if eligible is None else eligible,
        {vote.organization_id: vote.choice for vote, _ in rows},
        _leads(session, coalition.id),
    )


def proposal_view(session: Session, proposal: Proposal) -> dict[str, Any]:
    coalition = session.get(Coalition, proposal.coalition_id)
    assert coalition is not None
    votes = _votes(session, proposal.id)
    eligible = eligible_voters(session, coalition.id)
    voted = {vote.organization_id for vote, _ in votes}
    not_voted = sorted(eligible - voted) if proposal.status == "open" else []
    tally = (
        proposal.closing_tally
        or _result(session, proposal, coalition, votes=votes, eligible=eligible).tally
    )
    return {
        **proposal.model_dump(),
        "tally": tally,
        "not_voted_organization_ids": not_voted,
        "comments_count": session.exec(
            select(func.count())
            .select_from(ProposalComment)
            .where(ProposalComment.proposal_id == proposal.id)
        ).one(),
        "votes": [
            {
                "organization_id": v.organization_id,
                "organization_name": o.name,
                "choice": v.choice,
                "comment": v.comment,
                "cast_at": v.cast_at,
            }
            for v, o in votes
        ],
    }


def get_proposal(session: Session, principal: Principal, proposal_id: str) -> dict[str, Any]:
    proposal, _ = _visible(session, principal, proposal_id)
    return proposal_view(session, proposal)


def cast_vote(
    session: Session, principal: Principal, proposal_id: str, vote_in: VoteCast
) -> dict[str, Any]:
    proposal, coalition = _visible(session, principal, proposal_id)
    org = vote_in.organization_id
    if not access.coalition_rights(session, principal, coalition.id).acts_for(org):
        raise Forbidden("You can only vote for an organization you are an admin of.")
    if proposal.status != "open":
        raise Conflict(
            "This proposal is closed; votes can no longer change.", code="proposal_closed"
        )
    if org not in eligible_voters(session, coalition.id):
        raise Forbidden("Only joined members vote; observers and others do not.")
    if vote_in.choice == "block" and not decision_rules.allows_block(coalition.decision_rule):
        raise Invalid.field(
            ["body", "choice"],
            f"Blocking is a choice only under consensus or unanimity; this coalition decides "
            f"by {coalition.decision_rule.replace('_', ' ')}. Vote no instead.",
        )
    if proposal.reason_required and vote_in.choice in ("no", "block") and not vote_in.comment:
        raise Invalid.field(["body", "comment"], f"Say why you vote {vote_in.choice}.")
    vote = _live_vote(session, proposal_id=proposal.id, organization_id=org)
    before = vote.choice if vote else None
    vote = vote or Vote(id=new_id("vot"), proposal_id=proposal.id, organization_id=org, choice="")
    vote.choice, vote.comment = vote_in.choice, vote_in.comment
    vote.cast_by, vote.cast_at = principal.user_id, clock.now()
    session.add(vote)
    result = _vote_changed(
        session,
        principal,
        proposal,
        org,
        before=before,
        after=vote_in.choice,
        comment=vote_in.comment,
        coalition=coalition,
    )
    _close_when_everyone_voted(session, proposal, coalition, principal, result)
    return proposal_view(session, proposal)


def _live_vote(session: Session, *, proposal_id: str, organization_id: str) -> Vote | None:
    return session.exec(
        select(Vote).where(Vote.proposal_id == proposal_id, Vote.organization_id == organization_id)
    ).first()


def _vote_changed(
    session: Session,
    actor: Principal,
    proposal: Proposal,
    org: str,
    *,
    before: str | None,
    after: str | None,
    comment: str | None,
    coalition: Coalition,
) -> decision_rules.Result:
    """Keep a vote's change in its history and tell the coalition (`after` None: the vote
    no longer counts), with the tally it makes; that result is returned for the caller to
    decide whether everyone has now voted."""
    session.add(
        VoteChange(
            id=new_id("vch"), proposal_id=proposal.id, organization_id=org, from_choice=before,
            to_choice=after or WITHDRAWN, comment=comment, cast_by=actor.user_id,
            created_at=clock.now(),
        )
    )  # fmt: skip
    proposal.version += 1
    proposal.updated_at = clock.now()
    session.add(proposal)
    session.flush()
    coalition_id = proposal.coalition_id
    result = _result(session, proposal, coalition)
    events.emit(
        session,
        "proposal.vote_cast",
        {"proposal_id": proposal.id, "coalition_id": coalition_id, "organization_id": org,
         "from": before, "to": after, "comment": comment, "version": proposal.version,
         "object": snapshots.proposal(proposal, tally=result.tally)},
        visible_to=events.coalition_audience(session, coalition_id) | {org},
        coalition_id=coalition_id,
        actor=actor,
    )  # fmt: skip
    return result


def _as_of_now(
    session: Session, proposal: Proposal, coalition: Coalition | None = None
) -> dict[str, Any]:
    """An event's `version` and snapshot of the proposal, with the tally as it stands."""
    if coalition is None:
        coalition = session.get(Coalition, proposal.coalition_id)
        assert coalition is not None
    tally = _result(session, proposal, coalition).tally
    return {"version": proposal.version, "object": snapshots.proposal(proposal, tally=tally)}


def _close_when_everyone_voted(
    session: Session,
    proposal: Proposal,
    coalition: Coalition,
    actor: Principal,
    result: decision_rules.Result | None = None,
) -> None:
    result = result or _result(session, proposal, coalition)
    if result.tally["eligible"] and result.tally["voted"] == result.tally["eligible"]:
        _close(session, proposal, coalition, actor, result)  # everyone has spoken


def withdraw_votes(
    session: Session,
    principal: Principal,
    *,
    coalition_id: str,
    organization_id: str,
    comment: str,
) -> None:
    """A member that leaves: its live votes on the coalition's open proposals go (their
    history stays), and a proposal every remaining member has voted on closes, as it would
    have at the last vote."""
    coalition = session.get(Coalition, coalition_id)
    assert coalition is not None
    open_ones = session.exec(
        select(Proposal)
        .where(Proposal.coalition_id == coalition_id, Proposal.status == "open")
        .order_by(Proposal.id)  # type: ignore[arg-type]
    ).all()
    for proposal in open_ones:
        vote = _live_vote(session, proposal_id=proposal.id, organization_id=organization_id)
        result = None
        if vote is not None:
            session.delete(vote)
            result = _vote_changed(
                session,
                principal,
                proposal,
                organization_id,
                before=vote.choice,
                after=None,
                comment=comment,
                coalition=coalition,
            )
        _close_when_everyone_voted(session, proposal, coalition, principal, result)


def close_proposal(session: Session, principal: Principal, proposal_id: str) -> dict[str, Any]:
    proposal, coalition = _visible(session, principal, proposal_id)
    rights = access.coalition_rights(session, principal, coalition.id)
    if not rights.may_close_proposal(proposal.proposed_by_organization_id):
        raise Forbidden("Only a lead or the proposing organization may close this early.")
    if proposal.status != "open":
        raise Conflict("This proposal is closed already.", code="proposal_closed")
    _close(session, proposal, coalition, principal)
    return proposal_view(session, proposal)


def _close(
    session: Session,
    proposal: Proposal,
    coalition: Coalition,
    actor: Principal | None,
    result: decision_rules.Result | None = None,
) -> None:
    result = result or _result(session, proposal, coalition)
    proposal.status = "closed"
    proposal.outcome = result.outcome
    proposal.explanation = result.explanation
    proposal.closing_tally = result.tally
    proposal.closed_at = clock.now()
    proposal.updated_at = proposal.closed_at
    proposal.version += 1
    session.add(proposal)
    session.flush()
    # Listeners apply what passed: guidelines (services/guidelines.py), a letter that opens
    # or goes back to draft (services/activities.py); the bell tells every member.
    events.emit(
        session,
        "proposal.closed",
        {"proposal_id": proposal.id, "coalition_id": coalition.id, "outcome": result.outcome,
         "tally": result.tally, "explanation": result.explanation, "title": proposal.title,
         "kind": proposal.kind, "activity_id": proposal.activity_id,
         "version": proposal.version, "object": snapshots.proposal(proposal, tally=result.tally)},
        visible_to=events.coalition_audience(session, coalition.id),
        coalition_id=coalition.id,
        actor=actor,
    )  # fmt: skip


# The discussion and reminders ----------------------------------------------------------


def add_comment(
    session: Session, principal: Principal, proposal_id: str, comment_in: CommentCreate
) -> dict[str, Any]:
    """A member's word in the discussion, while the proposal is open."""
    proposal, coalition = _visible(session, principal, proposal_id)
    rights = access.coalition_rights(session, principal, coalition.id)
    speaks_for = rights.joined_admin_organizations
    if principal.is_platform_admin and not speaks_for:
        speaks_for = sorted(_leads(session, coalition.id))
    if not speaks_for:
        raise Forbidden("Only an admin of an organization taking part joins the discussion.")
    if proposal.status != "open":
        raise Conflict("This proposal is closed; its discussion is over.", code="proposal_closed")
    comment = ProposalComment(
        id=new_id("pcm"),
        proposal_id=proposal.id,
        organization_id=speaks_for[0],
        author_user_id=principal.user_id,
        body=comment_in.body,
        created_at=clock.now(),
    )
    session.add(comment)
    session.flush()
    events.emit(
        session,
        "proposal.commented",
        {"proposal_id": proposal.id, "coalition_id": coalition.id, "comment_id": comment.id,
         "organization_id": comment.organization_id, "title": proposal.title,
         **_as_of_now(session, proposal, coalition)},
        visible_to=events.coalition_audience(session, coalition.id),
        coalition_id=coalition.id,
        actor=principal,
    )  # fmt: skip
    return _comment_rows(session, [comment])[0]


def list_comments(
    session: Session,
    principal: Principal,
    proposal_id: str,
    *,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    proposal, _ = _visible(session, principal, proposal_id)
    statement = select(ProposalComment).where(ProposalComment.proposal_id == proposal.id)
    page = paginate(session, statement, ProposalComment.id, limit=limit, cursor=cursor)  # type: ignore[arg-type]
    page.items = _comment_rows(session, list(page.items))
    return page


def _comment_rows(session: Session, comments: list[ProposalComment]) -> list[dict[str, Any]]:
    """Comments with who wrote them, by name and organization (never an e-mail address)."""
    org_names = organizations.names_by_id(
        session, Organization, {c.organization_id for c in comments}
    )
    user_names = organizations.names_by_id(
        session, User, {c.author_user_id for c in comments if c.author_user_id}
    )
    return [
        {
            **c.model_dump(),
            "organization_name": org_names.get(c.organization_id, ""),
            "author_name": user_names.get(c.author_user_id or ""),
        }
        for c in comments
    ]


def remind(session: Session, principal: Principal, proposal_id: str) -> list[str]:
    """A lead reminds the other members that have not voted: their admins hear it in the
    bell (and by e-mail, as each chose). Returns the organizations reminded."""
    proposal, coalition = _visible(session, principal, proposal_id)
    if not access.coalition_rights(session, principal, coalition.id).is_lead:
        raise Forbidden("Only a lead of this coalition sends reminders.")
    if proposal.status != "open":
        raise Conflict(
            "This proposal is closed; there is no vote to remind anyone of.", code="proposal_closed"
        )
    # The lead's own organizations are not reminded of what their own admin is doing.
    waiting = [
        org
        for org in proposal_view(session, proposal)["not_voted_organization_ids"]
        if org not in access.admin_organizations(principal)
    ]
    for org in waiting:
        for user_id in notifications.admins_of(session, org):
            notifications.notify(
                session, user_id, kind="proposal_reminder",
                text=f"A reminder from {coalition.name}: your organization has not voted on "
                f"“{proposal.title}”.",
                link=f"/proposals/{proposal.id}",
            )  # fmt: skip
    session.flush()
    return waiting


# The worker's part -------------------------------------------------------------------------


def _due(session: Session, condition: Any) -> list[Proposal]:
    statement = select(Proposal).where(Proposal.status == "open", condition).limit(100)
    return list(session.exec(claimable(session, statement)))


def close_due_proposals(session: Session) -> int:
    """Close proposals whose time is up, each exactly once even with two workers."""
    closed = _due(session, Proposal.closes_at <= clock.now())  # type: ignore[operator]
    for proposal in closed:
        coalition = session.get(Coalition, proposal.coalition_id)
        assert coalition is not None
        _close(session, proposal, coalition, None)
    return len(closed)


def notice_closing_soon(session: Session) -> int:
    """A day before closing, remind the organizations that have not voted yet."""
    soon = _due(
        session,
        (Proposal.closes_at <= clock.now() + CLOSING_SOON)  # type: ignore[operator]
        & Proposal.closing_soon_noticed.is_(False),  # type: ignore[attr-defined]
    )
    for proposal in soon:
        proposal.closing_soon_noticed = True
        session.add(proposal)
        voted = {v.organization_id for v, _ in _votes(session, proposal.id)}
        for org in eligible_voters(session, proposal.coalition_id) - voted:
            for user_id in notifications.admins_of(session, org):
                notifications.notify(
                    session, user_id, kind="proposal_closing_soon",
                    text=f"Closing within a day; your organization has not voted: {proposal.title}",
                    link=f"/proposals/{proposal.id}",
                )  # fmt: skip
    session.flush()
    return len(soon)


def waiting_for_vote(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Open proposals where an organization the principal admins may vote and has not."""
    admin_ids = access.admin_organizations(principal)
    if not admin_ids:
        return []
    memberships = session.exec(_VOTING_MEMBERSHIPS, params={"organization_ids": admin_ids}).all()
    by_coalition: dict[str, set[str]] = {}
    for m in memberships:
        by_coalition.setdefault(m.coalition_id, set()).add(m.organization_id)
    if not by_coalition:
        return []
    open_ones = session.exec(_OPEN_PROPOSALS, params={"coalition_ids": list(by_coalition)}).all()
    # The votes the principal's organizations cast on them, in one query for all: not
    # every vote of every open proposal, loaded whole, a proposal at a time.
    voted: dict[str, set[str]] = {}
    if open_ones:
        cast = session.exec(
            _VOTES_CAST,
            params={"proposal_ids": [p.id for p in open_ones], "organization_ids": admin_ids},
        ).all()
        for proposal_id, organization_id in cast:
            voted.setdefault(proposal_id, set()).add(organization_id)
    waiting = []
    for proposal in open_ones:
        silent = by_coalition[proposal.coalition_id] - voted.get(proposal.id, set())
        if silent:
            waiting.append({"proposal": proposal, "organization_ids": sorted(silent)})
    return waiting


# Built once: the dashboard and the bell ask what waits for a vote on every request.
_VOTING_MEMBERSHIPS = select(Membership).where(
    Membership.organization_id.in_(bindparam("organization_ids", expanding=True)),  # type: ignore[attr-defined]
    Membership.status == "joined",
    Membership.engagement != "observer",
)
_OPEN_PROPOSALS = (
    select(Proposal)
    .where(
        Proposal.coalition_id.in_(bindparam("coalition_ids", expanding=True)),  # type: ignore[attr-defined]
        Proposal.status == "open",
    )
    .order_by(Proposal.closes_at)  # type: ignore[arg-type]
)
_VOTES_CAST = select(Vote.proposal_id, Vote.organization_id).where(
    Vote.proposal_id.in_(bindparam("proposal_ids", expanding=True)),  # type: ignore[attr-defined]
    Vote.organization_id.in_(bindparam("organization_ids", expanding=True)),  # type: ignore[attr-defined]
)


def proposal_titles(session: Session, ids: set[str]) -> dict[str, str]:
    """The titles of the proposals with `ids`, for sentences about them ("Read Together voted
    yes on Endorse HB 210"); the caller already sees the events that name them."""
    if not ids:
        return {}
    return dict(session.exec(_TITLES, params={"ids": list(ids)}).all())


# Built once, as the dashboard's "recently" names the proposals on every visit.
_TITLES = select(Proposal.id, Proposal.title).where(
    Proposal.id.in_(bindparam("ids", expanding=True))
)  # type: ignore[attr-defined]
