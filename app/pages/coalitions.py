"""Coalition pages: the list, a new coalition, a coalition's page with its forms (members,
goals, new activities and proposals) and the joining assessment."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from app.deps import SessionDep, SettingsDep
from app.errors import Invalid, NotFound
from app.models.coalitions import (
    GUIDELINE_FIELDS,
    ActivityKind,
    CoalitionStatus,
    DecisionRule,
    Engagement,
    GamePlan,
    Visibility,
)
from app.models.organizations import Organization
from app.models.proposals import ProposalKind
from app.pages.activities import activity_list_context
from app.pages.deps import PagePrincipal
from app.pages.forms import (
    FIXABLE,
    Section,
    create_from_page,
    field_errors,
    form_values,
    parse,
    research_note_from_form,
    run_form,
    section_action,
    section_address,
    section_response,
    sections_menu,
    tell,
    unconfirmed,
)
from app.pages.routing import PageRoute
from app.pages.templating import htmx_target, is_htmx, render
from app.principal import Principal
from app.schemas.activities import ActivityCreate
from app.schemas.coalitions import (
    CoalitionCreate,
    CoalitionUpdate,
    GoalCreate,
    GoalUpdate,
    GuidelineChanges,
    MembershipCreate,
    MembershipUpdate,
    ObjectiveCreate,
    ObjectiveUpdate,
)
from app.schemas.proposals import ProposalCreate
from app.services import (
    access,
    account_links,
    accounts,
    activities,
    approvals,
    coalitions,
    goals,
    guidelines,
    organizations,
    proposals,
)

router = APIRouter(route_class=PageRoute)

LIST_FIELDS = ("roles",)


def _choices() -> dict[str, list[str]]:
    return {
        "statuses": [s.value for s in CoalitionStatus],
        "decision_rules": [r.value for r in DecisionRule],
        "activity_kinds": [k.value for k in ActivityKind],
        "visibilities": [v.value for v in Visibility],
        "engagements": [e.value for e in Engagement],
        "game_plans": [g.value for g in GamePlan],
    }


COALITION_SORTS = {"name": "Name", "newest": "Newest"}


@router.get("/coalitions")
def coalitions_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    q: str | None = None,
    sort: str = "name",
    cursor: str | None = None,
    mine_cursor: str | None = None,
) -> Response:
    """The whole page, or (for "show more") the next coalitions of one of its lists."""
    sort = sort if sort in coalitions.COALITION_ORDERS else "name"
    found = {"q": q, "sort": sort, "limit": 50}
    context: dict[str, Any] = {
        "q": q or "",
        "sort": sort,
        "sorts": COALITION_SORTS,
        "admin_orgs": accounts.my_admin_organizations(session, principal),
    }
    target = htmx_target(request)
    if target != "directory-more":
        context["mine"] = coalitions.list_coalitions(
            session, principal, scope="mine", cursor=mine_cursor, **found
        )
    if target != "mine-more":
        context["directory"] = coalitions.list_coalitions(
            session, principal, scope="directory", others=True, cursor=cursor, **found
        )
    if target in ("mine-more", "directory-more"):
        return render(request, f"coalitions/_{target.removesuffix('-more')}_items.html", context)
    context["invited"] = coalitions.list_coalitions(
        session, principal, scope="invited", limit=200
    ).items
    return render(request, "coalitions/list.html", context)


def _new_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    errors: dict[str, str] | None = None,
    draft: dict[str, Any] | None = None,
) -> Response:
    return render(
        request,
        "coalitions/new.html",
        {
            "admin_orgs": accounts.my_admin_organizations(session, principal),
            "issue_areas": organizations.all_issue_areas(session),
            "errors": errors or {},
            "draft": draft or {},
            **_choices(),
        },
        status_code=422 if errors else 200,
    )


@router.get("/coalitions/new")
def new_coalition_page(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    return _new_page(request, session, principal)


@router.post("/coalitions")
async def create_coalition(
    request: Request, session: SessionDep, principal: PagePrincipal
) -> Response:
    form = await request.form()
    values = await form_values(request)
    positions = issue_choices(values) or {"issue_area_ids": [], "issue_positions": []}
    chosen = form.getlist("issue_area_ids") + positions["issue_area_ids"]
    values["issue_area_ids"] = list(dict.fromkeys(chosen))
    values["issue_positions"] = positions["issue_positions"]
    values["allowed_activity_kinds"] = form.getlist("allowed_activity_kinds")
    try:
        values.update(_quorum_share(values))
        wanted = {k: v for k, v in values.items() if k != "quorum_percent"}
        with session.begin_nested():
            coalition = coalitions.create_coalition(
                session, principal, parse(CoalitionCreate, wanted)
            )
    except FIXABLE as exc:
        return _new_page(request, session, principal, errors=field_errors(exc), draft=values)
    return RedirectResponse(f"/coalitions/{coalition.id}", status_code=303)


def issue_choices(values: dict[str, Any]) -> dict[str, Any] | None:
    """The form's one choice per issue area ("stance:<area id>": not taken up, works for it,
    works against it; every other field is dropped from `values`) in the API's terms; None
    when the form asked about no issue area."""
    asked = [key for key in values if key.startswith("stance:")]
    if not asked:
        return None
    stated = [(key.removeprefix("stance:"), values.pop(key)) for key in asked]
    chosen = [(area, stance) for area, stance in stated if stance]
    return {
        "issue_area_ids": [area for area, _ in chosen],
        "issue_positions": [{"issue_area_id": a, "stance": s} for a, s in chosen],
    }


def _composition_for_reader(
    session: Session, detail: dict[str, Any], rights: access.CoalitionRights
) -> list[str]:
    """The composition as the reader's own organization, invited or asking, reads it: a gap
    it would fill is said so. From the reader's own memberships (in the order of the member
    list), not the whole list: a large coalition's members are not read for it."""
    reasons = detail["composition"]["reasons"]
    waiting = sorted(
        (m for m in rights.memberships.values() if m.status != "joined"), key=lambda m: m.id
    )
    for m in waiting:
        organization = session.get(Organization, m.organization_id)
        assert organization is not None
        reasons = coalitions.composition_for(
            {"reasons": reasons}, kind=organization.kind, name=organization.name
        )
    return reasons


# A coalition's page, in sections -----------------------------------------------------------
# Each section has its own address (/coalitions/{id} is the overview) and asks only the
# services it shows. Key → its name in the menu; the list and the report are pages of
# their own, linked from the same menu.
SECTIONS = {
    "overview": "Overview",
    "members": "Members",
    "goals": "Goals",
    "activities": "Advocacy",
    "proposals": "Proposals",
    "guidelines": "Guidelines",
}
# Sections of the coalition's working space: only organizations taking part see them.
WORKING_SPACE = {"activities", "proposals"}
# The working space's pages of their own, in the same menu (app/pages/messages.py, reports.py).
ELSEWHERE = {"messages": "The list", "report": "Report"}


def _section_address(coalition_id: str, section: str) -> str:
    return section_address(f"/coalitions/{coalition_id}", section)


def section_menu(
    coalition_id: str, rights: access.CoalitionRights, current: str
) -> list[tuple[str, str, bool]]:
    """The coalition's menu as the reader may see it: (label, address, is current)."""
    entries = {**SECTIONS, **ELSEWHERE, **({"settings": "Settings"} if rights.is_lead else {})}
    hidden = () if rights.takes_part else WORKING_SPACE | ELSEWHERE.keys()
    return sections_menu(f"/coalitions/{coalition_id}", entries, current, hidden=hidden)


def _frame(
    session: Session,
    principal: Principal,
    coalition_id: str,
    section: str,
    detail: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What every section shows around itself: the coalition's name and standing, the
    reader's rights and the menu of sections. `detail` when the section read it whole."""
    rights = access.coalition_rights(session, principal, coalition_id)
    if section in WORKING_SPACE and not rights.takes_part:
        raise NotFound("No such coalition.")
    if detail is None:
        coalition: Any = coalitions.get_coalition(session, principal, coalition_id)
        size = coalitions.member_count(session, coalition_id)
    else:
        coalition, size = detail, detail["size"]
    return {
        "coalition": coalition,
        "size": size,
        "section": section,
        "section_title": SECTIONS[section],
        "menu": section_menu(coalition_id, rights, section),
        "rights": rights,
        "takes_part": rights.takes_part,
        "is_lead": rights.is_lead,
        "can_edit_goals": rights.may_edit_goals,
        "admin_ids": rights.admin_of,
        "form_errors": {},
        "drafts": {},
        "notices": {},
        **_choices(),
    }


def _members(session: Session, principal: Principal, coalition_id: str) -> list[dict[str, Any]]:
    return coalitions.list_members(session, principal, coalition_id, limit=200).items


def _names(members: list[dict[str, Any]]) -> dict[str, str]:
    return {m["organization_id"]: m["organization_name"] for m in members}


def _area_names(session: Session) -> dict[str, str]:
    return {a.id: a.name for a in organizations.all_issue_areas(session)}


def overview_context(session: Session, principal: Principal, coalition_id: str) -> dict:
    # Held while the overview is read: the session keeps only coalitions someone holds, and
    # the detail and each alignment read this one; held, they find it without a query.
    coalition = access.get_coalition(session, principal, coalition_id)
    detail = coalitions.coalition_detail(session, principal, coalition.id)
    areas = _area_names(session)
    alignments = [
        coalitions.alignment_for(
            session, principal, coalition_id=coalition_id, organization_id=org_id
        )
        for org_id in principal.roles
    ]
    stances: dict[str, list[str]] = {"support": [], "oppose": []}
    for position in detail["issue_positions"]:
        area = position["issue_area_id"]
        stances[position["stance"]].append(areas.get(area, area))
    frame = _frame(session, principal, coalition_id, "overview", detail)
    return {
        **frame,
        "joining": _joining_links(session, frame["rights"], detail["visibility"]),
        "alignments": alignments,
        "composition_reasons": _composition_for_reader(session, detail, frame["rights"]),
        "names": organizations.organization_names(session, set(principal.roles)),
        "works_for": stances["support"],
        "works_against": stances["oppose"],
    }


def _joining_links(
    session: Session, rights: access.CoalitionRights, visibility: str
) -> list[tuple[str, str, str]]:
    """What each organization the reader is an admin of, and that is not a member, may do
    from the overview: (organization id, its name, "answer" | "ask" | "asked"). Every way in
    goes through the joining assessment."""
    found: list[tuple[str, str]] = []
    for org_id in sorted(rights.admin_of):
        membership = rights.memberships.get(org_id)
        status = membership.status if membership else None
        if status == "invited":
            found.append((org_id, "answer"))
        elif status in ("requested", "joining"):
            found.append((org_id, "asked"))
        elif status in (None, "declined", "left") and visibility == "listed":
            found.append((org_id, "ask"))
    names = organizations.organization_names(session, {org_id for org_id, _ in found})
    return [(org_id, names.get(org_id, org_id), way) for org_id, way in found]


def members_context(session: Session, principal: Principal, coalition_id: str) -> dict:
    frame = _frame(session, principal, coalition_id, "members")
    members = _members(session, principal, coalition_id)
    candidates = []
    if frame["rights"].may_invite:
        present = {
            m["organization_id"] for m in members if m["status"] in access.VISIBLE_MEMBERSHIP
        }
        candidates = [
            o
            for o in organizations.list_organizations(session, principal, limit=200).items
            if o.id not in present
        ]
    return {**frame, "members": members, "candidates": candidates}


def goals_context(
    session: Session, principal: Principal, coalition_id: str, *, only: str | None = None
) -> dict:
    """The goals section; `only` one goal's card (the one an objective changed)."""
    frame = _frame(session, principal, coalition_id, "goals")
    members = _members(session, principal, coalition_id)
    found = (
        {"goal": goals.get_goal(session, principal, only)}
        if only
        else {"goals": goals.list_goals(session, principal, coalition_id, limit=200).items}
    )
    return {**frame, **found, "members": members, "names": _names(members)}


def activities_context(session: Session, principal: Principal, coalition_id: str) -> dict:
    frame = _frame(session, principal, coalition_id, "activities")
    activity_list = activities.list_activities(session, principal, coalition_id, limit=200).items
    asking = [
        activity
        for activity in activity_list
        if frame["is_lead"] and activity.status == "open" and activity.collects_signatures
    ]
    board = activities.decision_board(session, principal, asking)
    areas = _area_names(session)
    coalition = frame["coalition"]
    # The leads' board: each open letter, each member's decision.
    pipeline = [(activity, board[activity.id]) for activity in asking]
    members = coalitions.board_members(session, coalition_id) if asking else []
    return {
        **frame,
        "activities": activity_list,
        **activity_list_context(session, principal, coalition_id),
        "pipeline": pipeline,
        # A row a joined member, its decision (or None) a letter: looked up here once, not
        # cell by cell in the template (200 members by 30 letters on a large coalition).
        "pipeline_rows": [
            (name, [by_org.get(org) for _, by_org in pipeline]) for org, name in members
        ],
        "coalition_areas": [(i, areas.get(i, i)) for i in coalition.issue_area_ids],
    }


def proposals_context(session: Session, principal: Principal, coalition_id: str) -> dict:
    return {
        **_frame(session, principal, coalition_id, "proposals"),
        "proposals": proposals.list_proposals(session, principal, coalition_id, limit=200).items,
    }


def guidelines_context(session: Session, principal: Principal, coalition_id: str) -> dict:
    detail = coalitions.coalition_detail(session, principal, coalition_id)
    frame = _frame(session, principal, coalition_id, "guidelines", detail)
    rights = frame["rights"]
    agreed_by = detail["guidelines_agreed_by"]
    names = organizations.organization_names(session, set(agreed_by))
    return {
        **frame,
        "agreed_by_names": [names.get(org, org) for org in agreed_by],
        "guidelines_form": (
            "direct"
            if rights.is_lead and detail["size"] <= 1
            else "propose"
            if rights.may_propose and rights.takes_part
            else None
        ),
    }


SECTION_CONTEXTS = {
    "overview": overview_context,
    "members": members_context,
    "goals": goals_context,
    "activities": activities_context,
    "proposals": proposals_context,
    "guidelines": guidelines_context,
}


def _section_page(
    request: Request, session: Session, principal: Principal, coalition_id: str, section: str
) -> Response:
    context = SECTION_CONTEXTS[section](session, principal, coalition_id)
    return render(request, "coalitions/page.html", context)


def _section_route(section: str) -> Any:
    def section_page(
        request: Request, coalition_id: str, session: SessionDep, principal: PagePrincipal
    ) -> Response:
        return _section_page(request, session, principal, coalition_id, section)

    return section_page


# One address a section, under the names the routes have always had ("coalition_page" for
# the overview, "members_page", …).
for _section in SECTIONS:
    router.add_api_route(
        _section_address("{coalition_id}", _section),
        _section_route(_section),
        methods=["GET"],
        name="coalition_page" if _section == "overview" else f"{_section}_page",
    )


def coalition_section(
    session: Session, principal: Principal, coalition_id: str, section: str
) -> Section:
    """A section of the coalition's page: its forms answer with that section, its fragment
    for htmx, else its page."""
    return Section(
        name=section,
        partial=f"coalitions/_{section}.html",
        page="coalitions/page.html",
        context=lambda: SECTION_CONTEXTS[section](session, principal, coalition_id),
        address=_section_address(coalition_id, section),
    )


# The guidelines: set by the convener alone, then changed by the coalition's vote -------


def _guideline_values(values: dict[str, Any]) -> dict[str, Any]:
    """The guideline form in the API's terms (the page asks the quorum as a percentage)."""
    wanted = {field: values[field] for field in GUIDELINE_FIELDS if field in values}
    return {**wanted, **_quorum_share(values)}


def _quorum_share(values: dict[str, Any]) -> dict[str, Any]:
    """{"quorum": 0.5} from the page's "50" (people write a percentage, the API a share)."""
    percent = (values.get("quorum_percent") or "").strip().removesuffix("%").strip()
    if not percent:
        return {}
    try:
        share = float(percent) / 100
    except ValueError:
        share = -1.0
    if not 0 <= share <= 1:
        raise Invalid.field(
            ["body", "quorum"], "Enter the share of members as a number from 0 to 100, like 50."
        )
    return {"quorum": share}


@router.post("/coalitions/{coalition_id}/guidelines")
async def set_guidelines(
    request: Request, coalition_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    def save(values: dict[str, Any]) -> None:
        changes = parse(CoalitionUpdate, _guideline_values(values))
        coalitions.update_coalition(session, principal, coalition_id, changes)

    return await section_action(
        request, session, coalition_section(session, principal, coalition_id, "guidelines"),
        save, notice="Guidelines saved.", lists=("allowed_activity_kinds",),
    )  # fmt: skip


@router.post("/coalitions/{coalition_id}/guidelines/proposals")
async def propose_guidelines(
    request: Request, coalition_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    """The fields changed on the form go to the coalition as a proposal of kind guidelines."""

    def create(values: dict[str, Any]) -> str:
        coalition = coalitions.get_coalition(session, principal, coalition_id)
        wanted = parse(GuidelineChanges, _guideline_values(values)).model_dump(mode="json")
        changing = {
            field: new for field, (_, new) in guidelines.differences(coalition, wanted).items()
        }
        words = ", ".join(guidelines.WORDS[field] for field in changing)
        proposal = proposals.create_proposal(
            session,
            principal,
            coalition_id,
            ProposalCreate(
                title=f"Change our guidelines: {words}" if words else "Change our guidelines",
                body=values.get("body") or None,
                kind=ProposalKind.guidelines,
                changes=GuidelineChanges.model_validate(changing),
            ),
        )
        return f"/proposals/{proposal.id}"

    return await create_from_page(
        request, session, create, section="guidelines", page="coalitions/page.html",
        context=lambda: guidelines_context(session, principal, coalition_id),
        lists=("allowed_activity_kinds",),
    )  # fmt: skip


@router.post("/coalitions/{coalition_id}/members")
async def invite(
    request: Request,
    coalition_id: str,
    session: SessionDep,
    settings: SettingsDep,
    principal: PagePrincipal,
) -> Response:
    def save(values: dict[str, Any]) -> None:
        invite_in = parse(MembershipCreate, values)
        account_links.invite_to_coalition(session, principal, settings, coalition_id, invite_in)

    return await section_action(
        request, session, coalition_section(session, principal, coalition_id, "members"),
        save, notice="Done.", lists=LIST_FIELDS,
    )  # fmt: skip


@router.post("/coalitions/{coalition_id}/members/{org_id}")
async def update_member(
    request: Request,
    coalition_id: str,
    org_id: str,
    session: SessionDep,
    principal: PagePrincipal,
) -> Response:
    coalition = coalitions.get_coalition(session, principal, coalition_id)
    status = (await request.form()).get("status")
    if status in ("left", "declined"):
        name = organizations.organization_names(session, {org_id}).get(org_id, "this organization")
        asked = {
            "left": (f"Leave {coalition.name}?", "Yes, leave"),
            "declined": (f"Refuse {name}'s request to join {coalition.name}?", "Yes, refuse"),
        }[str(status)]
        back = f"/coalitions/{coalition_id}#members"
        confirm = await unconfirmed(request, question=asked[0], action=asked[1], back=back)
        if confirm is not None:
            return confirm

    def save(values: dict[str, Any]) -> None:
        values.pop("confirmed", None)
        changes = parse(MembershipUpdate, values)
        coalitions.update_member(
            session, principal, coalition_id=coalition_id, organization_id=org_id, changes=changes
        )

    outcome = await run_form(request, session, save, lists=LIST_FIELDS)
    notice = {
        "left": f"You left {coalition.name}.",
        "declined": "Request refused.",
        "joined": "Request accepted: they are a member now.",
    }.get(str(status), "Membership updated.")
    if outcome.errors is None and not _still_sees(session, principal, coalition_id):
        # Left a private coalition: its page is gone for this person, so land on the dashboard.
        tell(request, notice)
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": "/"})
        return RedirectResponse("/", status_code=303)
    return section_response(
        request, outcome, section="members", partial="coalitions/_members.html",
        page="coalitions/page.html",
        context=lambda: members_context(session, principal, coalition_id),
        redirect_to=f"/coalitions/{coalition_id}/members", notice=notice,
    )  # fmt: skip


def _still_sees(session: Session, principal: Principal, coalition_id: str) -> bool:
    try:
        coalitions.get_coalition(session, principal, coalition_id)
    except NotFound:
        return False
    return True


@router.post("/coalitions/{coalition_id}/goals")
async def add_goal(
    request: Request, coalition_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    def save(values: dict[str, Any]) -> None:
        goals.create_goal(session, principal, coalition_id, parse(GoalCreate, values))

    return await section_action(
        request, session, coalition_section(session, principal, coalition_id, "goals"),
        save, notice="Goal added.", lists=LIST_FIELDS,
    )  # fmt: skip


@router.post("/goals/{goal_id}/objectives")
async def add_objective(
    request: Request, goal_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    goal = goals.get_goal(session, principal, goal_id)

    def save(values: dict[str, Any]) -> None:
        goals.add_objective(session, principal, goal_id, parse(ObjectiveCreate, values))

    return await _goal_answer(
        request, session, principal, goal, save, notice="Objective added.", adding_objective=True
    )


@router.post("/goals/{goal_id}")
async def edit_goal(
    request: Request, goal_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    goal = goals.get_goal(session, principal, goal_id)

    def save(values: dict[str, Any]) -> None:
        goals.update_goal(session, principal, goal_id, parse(GoalUpdate, values))

    return await _goal_answer(request, session, principal, goal, save, notice="Goal saved.")


@router.post("/objectives/{objective_id}")
async def update_objective(
    request: Request, objective_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    goal = goals.goal_of_objective(session, principal, objective_id)

    def save(values: dict[str, Any]) -> None:
        values["done"] = values.get("done") == "true"
        goals.update_objective(session, principal, objective_id, parse(ObjectiveUpdate, values))

    return await _goal_answer(request, session, principal, goal, save, notice="Saved.")


async def _goal_answer(
    request: Request,
    session: Session,
    principal: Principal,
    goal: dict[str, Any],
    action: Any,
    *,
    notice: str,
    adding_objective: bool = False,
) -> Response:
    """Objectives change one goal: htmx gets that goal's card back, progress bar and all."""
    section = f"goal-{goal['id']}"

    def context() -> dict[str, Any]:
        # htmx gets the one card; a plain post with a mistake, the whole section again.
        only = goal["id"] if is_htmx(request) else None
        return goals_context(session, principal, goal["coalition_id"], only=only)

    outcome = await run_form(request, session, action)
    return section_response(
        request,
        outcome,
        section=section,
        partial="coalitions/_goal.html",
        page="coalitions/page.html",
        context=context,
        redirect_to=_section_address(goal["coalition_id"], "goals"),
        notice=notice,
        extra={"adding_objective": adding_objective},
    )


# New activities and proposals, each with a page of its own -----------------------------


@router.post("/coalitions/{coalition_id}/activities")
async def create_activity(
    request: Request, coalition_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    def create(values: dict[str, Any]) -> str:
        activity_in = parse(ActivityCreate, values)
        activity = activities.create_activity(session, principal, coalition_id, activity_in)
        return f"/activities/{activity.id}"

    return await create_from_page(
        request, session, create, section="activities", page="coalitions/page.html",
        context=lambda: activities_context(session, principal, coalition_id),
        times=("sign_on_deadline",), lists=("issue_area_ids",),
    )  # fmt: skip


@router.post("/coalitions/{coalition_id}/proposals")
async def create_proposal(
    request: Request, coalition_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    def create(values: dict[str, Any]) -> str:
        proposal_in = parse(ProposalCreate, values)
        proposal = proposals.create_proposal(session, principal, coalition_id, proposal_in)
        return f"/proposals/{proposal.id}"

    return await create_from_page(
        request, session, create, section="proposals", page="coalitions/page.html",
        context=lambda: proposals_context(session, principal, coalition_id),
        times=("closes_at",),
    )  # fmt: skip


# The joining assessment ----------------------------------------------------------------


def assessment_context(
    session: Session, principal: Principal, coalition_id: str, organization_id: str
) -> dict[str, Any]:
    detail = coalitions.coalition_detail(session, principal, coalition_id)
    members = _members(session, principal, coalition_id)
    admin_ids = access.admin_organizations(principal)
    alignment = coalitions.alignment_for(
        session, principal, coalition_id=coalition_id, organization_id=organization_id
    )
    notes = organizations.list_research_notes(session, principal, organization_id, limit=200).items
    by_subject: dict[str, list] = {}
    for note in notes:
        by_subject.setdefault(note.subject_organization_id, []).append(note)
    organization = organizations.get_organization(session, principal, organization_id)
    membership = next((m for m in members if m["organization_id"] == organization_id), None)
    can_decide = principal.is_platform_admin or organization_id in admin_ids
    status = membership["status"] if membership else None
    return dict(
        coalition=detail,
        members=members,
        names=_names(members),
        form_errors={},
        drafts={},
        notices={},
        **_choices(),
        organization=organization,
        # The reader's own view of the partners: what they are, how big, where to read more.
        partners=coalitions.partner_profiles(session, coalition_id),
        composition_reasons=coalitions.composition_for(
            detail["composition"], kind=organization.kind, name=organization.name
        ),
        alignment=alignment,
        notes_by_subject=by_subject,
        membership=membership,
        can_decide=can_decide,
        # An invitation to answer, or a listed coalition it may ask to join.
        answering=can_decide and status == "invited",
        asking=can_decide
        and detail["visibility"] == "listed"
        and status in (None, "declined", "left"),
        joining_plan=(
            approvals.joining_plan(session, principal, organization_id) if can_decide else None
        ),
        # Its own people see the request whole: each step, who decided, their comments.
        joining_approval=(
            approvals.get_approval(session, principal, membership["approval"]["id"])
            if can_decide and membership and membership["approval"]
            else None
        ),
    )


@router.get("/coalitions/{coalition_id}/join")
def joining_assessment(
    request: Request,
    coalition_id: str,
    organization_id: str,
    session: SessionDep,
    principal: PagePrincipal,
) -> Response:
    return render(
        request,
        "coalitions/assessment.html",
        assessment_context(session, principal, coalition_id, organization_id),
    )


@router.post("/coalitions/{coalition_id}/join/research")
async def add_research_during_assessment(
    request: Request,
    coalition_id: str,
    organization_id: str,
    session: SessionDep,
    principal: PagePrincipal,
) -> Response:
    def save(values: dict[str, Any]) -> None:
        note = research_note_from_form(values)
        organizations.create_research_note(session, principal, organization_id, note)

    outcome = await run_form(request, session, save)
    subject = outcome.values.get("subject_organization_id") or ""
    return section_response(
        request,
        outcome,
        section=f"research-{subject}",
        partial="coalitions/_partner_research.html",
        page="coalitions/assessment.html",
        context=lambda: assessment_context(session, principal, coalition_id, organization_id),
        redirect_to=f"/coalitions/{coalition_id}/join?organization_id={organization_id}",
        notice="Note saved.",
        extra={"subject_id": subject},
    )


@router.post("/coalitions/{coalition_id}/join")
async def answer_invitation(
    request: Request,
    coalition_id: str,
    organization_id: str,
    session: SessionDep,
    principal: PagePrincipal,
) -> Response:
    """Join (or ask to join) with the chosen engagement, roles, commitment and game plan;
    decline; or withdraw while the organization's approvers decide."""
    answered: dict[str, Any] = {}
    coalition = coalitions.get_coalition(session, principal, coalition_id)
    if (await request.form()).get("status") == "declined":
        assessment = f"/coalitions/{coalition_id}/join?organization_id={organization_id}#answer"
        held = access.memberships_of(session, coalition_id, [organization_id]).get(organization_id)
        withdrawing = held is not None and held.status == "joining"
        confirm = await unconfirmed(
            request,
            question=f"Withdraw your request to join {coalition.name}?" if withdrawing
            else f"Decline the invitation to join {coalition.name}?",
            action="Yes, withdraw" if withdrawing else "Yes, decline", back=assessment,
        )  # fmt: skip
        if confirm is not None:
            return confirm

    def save(values: dict[str, Any]) -> None:
        values.pop("confirmed", None)
        if values.pop("ask", None):
            asked = parse(MembershipCreate, {**values, "organization_id": organization_id})
            answered.update(coalitions.invite(session, principal, coalition_id, asked))
            return
        answered.update(
            coalitions.update_member(
                session,
                principal,
                coalition_id=coalition_id,
                organization_id=organization_id,
                changes=parse(MembershipUpdate, values),
            )
        )

    outcome = await run_form(request, session, save, lists=LIST_FIELDS)
    if outcome.errors is None:
        landing = {
            "joined": f"/coalitions/{coalition_id}/members#members",
            "declined": "/coalitions",
            "left": "/coalitions",
        }.get(answered.get("status", ""))
        assessment = f"/coalitions/{coalition_id}/join?organization_id={organization_id}#answer"
        said = {
            "joined": f"You joined {coalition.name}. Welcome.",
            "declined": f"You declined the invitation to join {coalition.name}.",
            "left": f"You left {coalition.name}.",
            "joining": "Sent to your approvers: you join once they agree.",
            "requested": f"Asked: {coalition.name}'s leads answer your request.",
        }.get(answered.get("status", ""))
        if said:
            tell(request, said)
        return RedirectResponse(landing or assessment, status_code=303)
    context = assessment_context(session, principal, coalition_id, organization_id)
    context.update(form_errors={"answer": outcome.errors}, drafts={"answer": outcome.values})
    return render(request, "coalitions/assessment.html", context, status_code=422)
