"""Proposal pages: the text, my organization's vote, the live tally and the outcome."""

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app.deps import SessionDep
from app.pages.deps import PagePrincipal
from app.pages.forms import Section, parse, run_form, section_action, section_response
from app.pages.routing import PageRoute
from app.pages.templating import htmx_target, render
from app.principal import Principal
from app.schemas.proposals import CommentCreate, VoteCast
from app.services import access, activities, decision_rules, guidelines, proposals
from app.services.organizations import organization_names

router = APIRouter(route_class=PageRoute)


def proposal_context(session: Session, principal: Principal, proposal_id: str) -> dict[str, Any]:
    proposal = proposals.get_proposal(session, principal, proposal_id)
    eligible = proposals.eligible_voters(session, proposal["coalition_id"])
    coalition = access.get_coalition(session, principal, proposal["coalition_id"])
    rights = access.coalition_rights(session, principal, coalition.id)
    votes = {v["organization_id"]: v for v in proposal["votes"]}
    activity = (
        activities.get_activity(session, principal, proposal["activity_id"])
        if proposal["activity_id"]
        else None
    )
    is_open = proposal["status"] == "open"
    return {
        "proposal": proposal,
        "coalition": coalition,
        "activity": activity,
        "guideline_words": guidelines.WORDS,
        "choices": ["yes", "no", "abstain"]
        + (["block"] if decision_rules.allows_block(coalition.decision_rule) else []),
        "comments": proposals.list_comments(session, principal, proposal_id, limit=200).items,
        "may_comment": is_open and rights.may_reply,
        "may_remind": is_open and rights.is_lead and bool(proposal["not_voted_organization_ids"]),
        "my_voters": [(org, votes.get(org)) for org in sorted(eligible & rights.admin_of)],
        "names": organization_names(session, eligible | set(votes)),
        "can_close": is_open and rights.may_close_proposal(proposal["proposed_by_organization_id"]),
        "form_errors": {},
        "drafts": {},
        "notices": {},
    }


@router.get("/proposals/{proposal_id}")
def proposal_page(
    request: Request, proposal_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    """The whole page, or the tally and outcome alone, refreshed in place when a vote arrives."""
    context = proposal_context(session, principal, proposal_id)
    if htmx_target(request) == "proposal-tally":
        return render(request, "proposals/_tally.html", context)
    return render(request, "proposals/detail.html", context)


def _section(
    session: Session, principal: Principal, proposal_id: str, name: str = "vote"
) -> Section:
    """A section of the proposal's page; a vote also refreshes the header and the tally."""
    return Section(
        name=name,
        partial=f"proposals/_{name}.html",
        page="proposals/detail.html",
        context=lambda: proposal_context(session, principal, proposal_id),
        address=f"/proposals/{proposal_id}",
        refreshed=("proposals/_header.html", "proposals/_tally.html") if name == "vote" else (),
    )


@router.post("/proposals/{proposal_id}/votes")
async def cast_vote(
    request: Request, proposal_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    def save(values: dict[str, Any]) -> None:
        proposals.cast_vote(session, principal, proposal_id, parse(VoteCast, values))

    return await section_action(
        request, session, _section(session, principal, proposal_id), save, notice="Vote recorded."
    )


@router.post("/proposals/{proposal_id}/close")
async def close_proposal(
    request: Request, proposal_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    def save(_: dict[str, Any]) -> None:
        proposals.close_proposal(session, principal, proposal_id)

    return await section_action(
        request, session, _section(session, principal, proposal_id), save, notice="Closed."
    )


@router.post("/proposals/{proposal_id}/comments")
async def add_comment(
    request: Request, proposal_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    def save(values: dict[str, Any]) -> None:
        proposals.add_comment(session, principal, proposal_id, parse(CommentCreate, values))

    discussion = _section(session, principal, proposal_id, "discussion")
    return await section_action(request, session, discussion, save, notice="Comment added.")


@router.post("/proposals/{proposal_id}/reminders")
async def remind_voters(
    request: Request, proposal_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    reminded: list[str] = []

    def save(_: dict[str, Any]) -> None:
        reminded.extend(proposals.remind(session, principal, proposal_id))

    outcome = await run_form(request, session, save)
    names = organization_names(session, set(reminded))
    who = ", ".join(sorted(names.values())) or "nobody (only your own organization has not voted)"
    return section_response(
        request,
        outcome,
        section="discussion",
        partial="proposals/_discussion.html",
        page="proposals/detail.html",
        context=lambda: proposal_context(session, principal, proposal_id),
        redirect_to=f"/proposals/{proposal_id}",
        notice=f"Reminded {who}.",
    )
