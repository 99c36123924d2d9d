"""A coalition's settings page: its name and description saved by a lead, and its guidelines
saved too while the convener is alone, or put to the coalition's vote once others have joined."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from app.deps import SessionDep
from app.models.coalitions import GUIDELINE_FIELDS
from app.models.proposals import ProposalKind
from app.pages.coalitions import _choices, _guideline_values, issue_choices, section_menu
from app.pages.deps import PagePrincipal
from app.pages.forms import form_version, parse, run_form, section_response, stale_edit_explained
from app.pages.routing import PageRoute
from app.pages.templating import is_htmx, render
from app.principal import Principal
from app.schemas.coalitions import CoalitionUpdate, GuidelineChanges
from app.schemas.proposals import ProposalCreate
from app.services import access, coalitions, guidelines, organizations, proposals

router = APIRouter(route_class=PageRoute)

PROFILE_FIELDS = (
    "name",
    "unifying_issue",
    "policy_goal",
    "description",
    "website",
    "visibility",
    "status",
)
LISTS = ("allowed_activity_kinds",)


def settings_context(session: Session, principal: Principal, coalition_id: str) -> dict[str, Any]:
    coalition = coalitions.get_coalition(session, principal, coalition_id)
    access.require_lead(session, principal, coalition)
    rights = access.coalition_rights(session, principal, coalition_id)
    return {
        "coalition": coalition,
        "menu": section_menu(coalition_id, rights, "settings"),
        "joined": guidelines.joined_members(session, coalition.id),
        "guideline_words": guidelines.WORDS,
        "issue_areas": organizations.all_issue_areas(session),
        "held": {},
        "form_errors": {},
        "drafts": {},
        "notices": {},
        **_choices(),
    }


@router.get("/coalitions/{coalition_id}/settings")
def settings_page(
    request: Request, coalition_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    return render(
        request, "coalitions/settings.html", settings_context(session, principal, coalition_id)
    )


def _wanted_guidelines(values: dict[str, Any]) -> dict[str, Any]:
    """The guidelines as the form states them, in the coalition's own terms (a blank dues
    field is no dues, no box ticked is no kind of advocacy)."""
    wanted = parse(GuidelineChanges, _guideline_values(values)).model_dump(mode="json")
    wanted["allowed_activity_kinds"] = wanted.get("allowed_activity_kinds") or []
    wanted["dues_amount"] = wanted.get("dues_amount") or 0
    return {field: wanted[field] for field in GUIDELINE_FIELDS if field in wanted}


@router.post("/coalitions/{coalition_id}/settings")
async def save_settings(
    request: Request, coalition_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    """Saves what a lead may change alone; guideline changes that need the coalition's vote
    are held back and offered as a proposal, put to the vote only when the lead says so."""
    version = await form_version(request)
    held: dict[str, list[Any]] = {}
    proposed: list[str] = []

    def save(values: dict[str, Any]) -> None:
        values.setdefault("allowed_activity_kinds", [])
        # Issue areas and stances are no guideline: a lead changes them at any time.
        positions = issue_choices(values)
        coalition = coalitions.get_coalition(session, principal, coalition_id)
        wanted = _wanted_guidelines(values)
        held.update(guidelines.needing_vote(session, coalition, wanted))
        direct = {field: values.get(field) for field in PROFILE_FIELDS if field in values}
        direct.update(positions or {})
        if not held:
            direct.update(wanted)
        changes = parse(CoalitionUpdate, direct, keep_blank=True)
        with stale_edit_explained("the settings"):
            coalitions.update_coalition(
                session, principal, coalition_id, changes, expected_version=version
            )
        if held and values.get("then") == "propose":
            proposed.append(_propose(session, principal, coalition_id, held, values.get("why")))

    outcome = await run_form(request, session, save, lists=LISTS)
    if outcome.errors is None and proposed:
        address = f"/proposals/{proposed[0]}"
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": address})
        return RedirectResponse(address, status_code=303)
    if outcome.errors is None and held:
        # Saved in part: the form keeps the guideline changes typed, and offers the vote.
        context = settings_context(session, principal, coalition_id)
        context.update(
            held=held,
            drafts={"settings": outcome.values},
            notices={
                "settings": "Saved, except the guideline changes: they need the coalition's "
                "vote. Put them to a vote below, or leave them as they are."
            },
        )
        template = "coalitions/_settings.html" if is_htmx(request) else "coalitions/settings.html"
        return render(request, template, context)
    return section_response(
        request,
        outcome,
        section="settings",
        partial="coalitions/_settings.html",
        page="coalitions/settings.html",
        context=lambda: settings_context(session, principal, coalition_id),
        redirect_to=f"/coalitions/{coalition_id}/settings",
        notice="Settings saved.",
    )


def _propose(
    session: Session,
    principal: Principal,
    coalition_id: str,
    held: dict[str, list[Any]],
    why: str | None,
) -> str:
    words = ", ".join(guidelines.WORDS[field] for field in held)
    proposal = proposals.create_proposal(
        session,
        principal,
        coalition_id,
        ProposalCreate(
            title=f"Change our guidelines: {words}",
            body=why or None,
            kind=ProposalKind.guidelines,
            changes=GuidelineChanges.model_validate({f: new for f, (_, new) in held.items()}),
        ),
    )
    return proposal.id
