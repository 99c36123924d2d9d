"""Organization pages: the directory, a profile, its people, positions and partner research."""

from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from app.deps import SessionDep, SettingsDep
from app.errors import NotFound
from app.models.activities import JOIN_COALITION
from app.models.organizations import OrganizationKind, OrgRole, Priority, Stance
from app.pages.deps import PagePrincipal
from app.pages.forms import (
    FIXABLE,
    Section,
    field_errors,
    form_values,
    form_version,
    parse,
    research_note_from_form,
    section_action,
    section_address,
    sections_menu,
)
from app.pages.routing import PageRoute
from app.pages.templating import htmx_target, render
from app.principal import Principal
from app.schemas.activities import ApprovalProcessPut, ApprovalStepIn
from app.schemas.organizations import (
    IssueAreaCreate,
    OrganizationCreate,
    OrganizationUpdate,
    OrganizationUserCreate,
    OrganizationUserUpdate,
    PositionPut,
)
from app.services import access, account_links, approvals
from app.services import organizations as service
from app.services.alignment import KIND_WORDS

router = APIRouter(route_class=PageRoute)

TAG_FIELDS = ("expertise", "communities")


def _choices() -> dict[str, list[str]]:
    return {
        "kinds": [kind.value for kind in OrganizationKind],
        "roles": [role.value for role in OrgRole],
        "stances": [stance.value for stance in Stance],
        "priorities": [priority.value for priority in Priority],
        "activity_kinds": KIND_WORDS,
    }


@router.get("/organizations")
def organizations_page(
    request: Request,
    session: SessionDep,
    principal: PagePrincipal,
    cursor: str | None = None,
    q: str | None = None,
    sort: str = "name",
) -> Response:
    """The whole page, or (for "show more") the directory's next rows alone."""
    if htmx_target(request) == "directory-more":
        directory = _directory(session, principal, cursor=cursor, q=q, sort=sort)
        return render(request, "organizations/_directory_rows.html", directory)
    return _list_page(request, session, principal, cursor=cursor, q=q, sort=sort)


def _directory(
    session: Session, principal: Principal, *, cursor: str | None, q: str | None, sort: str
) -> dict[str, Any]:
    sort = sort if sort in service.ORGANIZATION_ORDERS else "name"
    found = service.list_organizations(session, principal, limit=50, cursor=cursor, q=q, sort=sort)
    return {"directory": found, "q": q or "", "sort": sort, "sorts": ORGANIZATION_SORTS}


ORGANIZATION_SORTS = {"name": "Name", "newest": "Newest"}


def _list_page(
    request: Request,
    session: Session,
    principal: Principal,
    *,
    cursor: str | None = None,
    q: str | None = None,
    sort: str = "name",
    errors: dict[str, str] | None = None,
    draft: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    mine = service.list_organizations(session, principal, mine=True, limit=200)
    return render(
        request,
        "organizations/list.html",
        {
            "mine": mine.items,
            # Not "roles": the choices below use that name for the list of every role.
            "my_roles": principal.roles,
            **_directory(session, principal, cursor=cursor, q=q, sort=sort),
            "errors": errors or {},
            "draft": draft or {},
            **_choices(),
        },
        status_code=status_code,
    )


@router.post("/organizations")
async def create_organization(
    request: Request, session: SessionDep, principal: PagePrincipal
) -> Response:
    values = await form_values(request, lists=TAG_FIELDS)
    try:
        organization = service.create_organization(
            session, principal, parse(OrganizationCreate, values)
        )
    except FIXABLE as exc:
        return _list_page(
            request, session, principal, errors=field_errors(exc), draft=values, status_code=422
        )
    return RedirectResponse(f"/organizations/{organization.id}", status_code=303)


# An organization's page, in sections -------------------------------------------------------
# Each section has its own address (/organizations/{id} is the overview, its profile) and
# asks only the services it shows, as the coalition's page does. Key → its name in the menu.
SECTIONS = {
    "overview": "Profile",
    "people": "People",
    "positions": "Positions",
    "approval-process": "Approval process",
    "research": "Partner research",
}
# Sections private to the organization's own people: anyone else sees the profile alone.
PRIVATE = {"people", "positions", "approval-process", "research"}
# Its own people's page of its own, in the same menu (app/pages/reports.py).
ELSEWHERE = {"report": "Advocacy report"}


def _section_address(org_id: str, section: str) -> str:
    return section_address(f"/organizations/{org_id}", section)


def section_menu(
    org_id: str, rights: access.OrganizationRights, current: str
) -> list[tuple[str, str, bool]]:
    """The organization's menu as the reader may see it: (label, address, is current)."""
    hidden = () if rights.sees_private else PRIVATE | ELSEWHERE.keys()
    return sections_menu(
        f"/organizations/{org_id}", {**SECTIONS, **ELSEWHERE}, current, hidden=hidden
    )


def _frame(session: Session, principal: Principal, org_id: str, section: str) -> dict[str, Any]:
    """What every section shows around itself: the organization's name, the reader's rights
    and the menu of sections. A private section is not there for anyone else (404)."""
    organization = service.get_organization(session, principal, org_id)
    rights = access.organization_rights(principal, org_id)
    if section in PRIVATE and not rights.sees_private:
        raise NotFound("No such organization.")
    return {
        "organization": organization,
        "is_member": rights.sees_private,
        "can_manage": rights.may_manage,
        "principal": principal,
        "section": section,
        "section_title": SECTIONS[section],
        "menu": section_menu(org_id, rights, section),
        "form_errors": {},
        "drafts": {},
        "notices": {},
        **_choices(),
    }


def overview_context(session: Session, principal: Principal, org_id: str) -> dict[str, Any]:
    return _frame(session, principal, org_id, "overview")


def people_context(session: Session, principal: Principal, org_id: str) -> dict[str, Any]:
    frame = _frame(session, principal, org_id, "people")
    return {**frame, "users": service.list_users(session, principal, org_id, limit=200).items}


def positions_context(session: Session, principal: Principal, org_id: str) -> dict[str, Any]:
    return {
        **_frame(session, principal, org_id, "positions"),
        "issue_areas": service.all_issue_areas(session),
        "positions": service.positions_by_issue_area(session, principal, org_id),
    }


def process_context(session: Session, principal: Principal, org_id: str) -> dict[str, Any]:
    return {
        **_frame(session, principal, org_id, "approval-process"),
        "processes": {
            kind: approvals.get_process(session, principal, org_id, kind or None)
            for kind in PAGE_PROCESSES
        },
    }


def research_context(session: Session, principal: Principal, org_id: str) -> dict[str, Any]:
    frame = _frame(session, principal, org_id, "research")
    notes = service.list_research_notes(session, principal, org_id, limit=200).items
    others = [
        other
        for other in service.list_organizations(session, principal, limit=200).items
        if other.id != org_id
    ]
    return {
        **frame,
        "research_notes": notes,
        "other_organizations": others,
        "names": service.organization_names(session, {n.subject_organization_id for n in notes}),
    }


SECTION_CONTEXTS: dict[str, Callable[[Session, Principal, str], dict[str, Any]]] = {
    "overview": overview_context,
    "people": people_context,
    "positions": positions_context,
    "approval-process": process_context,
    "research": research_context,
}


def _section(
    session: Session,
    principal: Principal,
    org_id: str,
    section: str,
    *,
    name: str | None = None,
    partial: str | None = None,
) -> Section:
    """A section of the organization's page: its forms answer with that section, its
    fragment for htmx (`partial`, by default the one named after the section), else its
    page. `name` when the form answers with a part of the section (one position)."""
    return Section(
        name=name or section,
        partial=partial or f"organizations/_{section}.html",
        page="organizations/detail.html",
        context=lambda: SECTION_CONTEXTS[section](session, principal, org_id),
        address=_section_address(org_id, section),
    )


def _section_route(section: str) -> Any:
    def section_page(
        request: Request, org_id: str, session: SessionDep, principal: PagePrincipal
    ) -> Response:
        context = SECTION_CONTEXTS[section](session, principal, org_id)
        return render(request, "organizations/detail.html", context)

    return section_page


# One address a section; the overview keeps the route's old name ("organization_page").
for _key in SECTIONS:
    router.add_api_route(
        _section_address("{org_id}", _key),
        _section_route(_key),
        methods=["GET"],
        name="organization_page" if _key == "overview" else f"organization_{_key}_page",
    )


@router.post("/organizations/{org_id}")
async def update_profile(
    request: Request, org_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    version = await form_version(request)

    def save(values: dict[str, Any]) -> None:
        changes = parse(OrganizationUpdate, values, keep_blank=True)
        service.update_organization(session, principal, org_id, changes, expected_version=version)

    return await section_action(
        request,
        session,
        _section(
            session,
            principal,
            org_id,
            "overview",
            name="profile",
            partial="organizations/_profile.html",
        ),
        save,
        notice="Profile saved.",
        lists=TAG_FIELDS,
    )


@router.post("/organizations/{org_id}/positions/{issue_area_id}")
async def save_position(
    request: Request,
    org_id: str,
    issue_area_id: str,
    session: SessionDep,
    principal: PagePrincipal,
) -> Response:
    version = await form_version(request)

    def save(values: dict[str, Any]) -> None:
        service.put_position(
            session,
            principal,
            organization_id=org_id,
            issue_area_id=issue_area_id,
            position_in=parse(PositionPut, values),
            expected_version=version,
        )

    issue_area = next(
        (area for area in service.all_issue_areas(session) if area.id == issue_area_id), None
    )
    return await section_action(
        request,
        session,
        _section(
            session,
            principal,
            org_id,
            "positions",
            name=f"position-{issue_area_id}",
            partial="organizations/_position.html",
        ),
        save,
        notice="Position saved.",
        extra=lambda: {"area": issue_area},
        lists=("limited_activity_kinds",),
    )


@router.post("/organizations/{org_id}/issue-areas")
async def add_issue_area(
    request: Request, org_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    def save(values: dict[str, Any]) -> None:
        service.create_issue_area(session, principal, parse(IssueAreaCreate, values))

    return await section_action(
        request,
        session,
        _section(session, principal, org_id, "positions"),
        save,
        notice="Issue area added.",
    )


@router.post("/organizations/{org_id}/users")
async def add_user(
    request: Request,
    org_id: str,
    session: SessionDep,
    settings: SettingsDep,
    principal: PagePrincipal,
) -> Response:
    def save(values: dict[str, Any]) -> None:
        person = parse(OrganizationUserCreate, values)
        account_links.add_person(session, principal, settings, org_id, person)

    return await section_action(
        request,
        session,
        _section(session, principal, org_id, "people"),
        save,
        notice="Person added. Anyone without a password gets an e-mail to choose one.",
    )


@router.post("/organizations/{org_id}/users/{user_id}/invitation")
async def send_invitation_again(
    request: Request,
    org_id: str,
    user_id: str,
    session: SessionDep,
    settings: SettingsDep,
    principal: PagePrincipal,
) -> Response:
    def save(_values: dict[str, Any]) -> None:
        account_links.send_invitation_again(
            session, principal, settings, organization_id=org_id, user_id=user_id
        )

    return await section_action(
        request,
        session,
        _section(session, principal, org_id, "people"),
        save,
        notice="Invitation sent again. The earlier link no longer works.",
    )


@router.post("/organizations/{org_id}/users/{user_id}/role")
async def change_role(
    request: Request, org_id: str, user_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    def save(values: dict[str, Any]) -> None:
        role = parse(OrganizationUserUpdate, values).role
        service.change_role(session, principal, organization_id=org_id, user_id=user_id, role=role)

    return await section_action(
        request,
        session,
        _section(session, principal, org_id, "people"),
        save,
        notice="Role changed.",
    )


@router.post("/organizations/{org_id}/users/{user_id}/remove")
async def remove_user(
    request: Request, org_id: str, user_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    def save(_values: dict[str, Any]) -> None:
        service.remove_user(session, principal, organization_id=org_id, user_id=user_id)

    return await section_action(
        request,
        session,
        _section(session, principal, org_id, "people"),
        save,
        notice="Person removed.",
    )


@router.post("/organizations/{org_id}/research")
async def add_research_note(
    request: Request, org_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    def save(values: dict[str, Any]) -> None:
        service.create_research_note(session, principal, org_id, research_note_from_form(values))

    return await section_action(
        request,
        session,
        _section(session, principal, org_id, "research"),
        save,
        notice="Research note saved.",
    )


# The approval process editors: each button rewrites the whole list of steps once. The
# page edits the default process (letters and statements) and the one before joining.
PAGE_PROCESSES = ("", JOIN_COALITION)
PageProcess = Literal["", "join_coalition"]


def _rewrite_steps(
    session: Session,
    principal: Principal,
    org_id: str,
    kind: str,
    change: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
) -> None:
    steps = approvals.get_process(session, principal, org_id, kind or None)["steps"]
    new_steps = [ApprovalStepIn.model_validate(step) for step in change(list(steps))]
    approvals.put_process(
        session, principal, org_id, kind or None, ApprovalProcessPut(steps=new_steps)
    )


async def _process_act(
    request: Request,
    session: Session,
    principal: Principal,
    org_id: str,
    kind: str,
    change: Callable[[dict[str, Any], list[dict[str, Any]]], list[dict[str, Any]]],
    notice: str,
) -> Response:
    def save(values: dict[str, Any]) -> None:
        _rewrite_steps(session, principal, org_id, kind, lambda steps: change(values, steps))

    return await section_action(
        request,
        session,
        _section(
            session,
            principal,
            org_id,
            "approval-process",
            name=process_section(kind),
            partial="organizations/_approval_process.html",
        ),
        save,
        notice=notice,
        extra=lambda: {"process_kind": kind},
    )


def process_section(kind: str) -> str:
    """The page section (and its address) of one process editor."""
    return "joining-process" if kind == JOIN_COALITION else "approval-process"


@router.post("/organizations/{org_id}/approval-process/steps")
async def add_step(
    request: Request,
    org_id: str,
    session: SessionDep,
    principal: PagePrincipal,
    kind: PageProcess = "",
) -> Response:
    def add(values: dict[str, Any], steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        values["private"] = values.get("private") == "on"
        return [*steps, parse(ApprovalStepIn, values).model_dump()]

    return await _process_act(request, session, principal, org_id, kind, add, "Step added.")


@router.post("/organizations/{org_id}/approval-process/steps/{position}/up")
async def move_step_up(
    request: Request,
    org_id: str,
    position: int,
    session: SessionDep,
    principal: PagePrincipal,
    kind: PageProcess = "",
) -> Response:
    def up(_: dict[str, Any], steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        i = position - 1
        if 0 < i < len(steps):
            steps[i - 1], steps[i] = steps[i], steps[i - 1]
        return steps

    return await _process_act(request, session, principal, org_id, kind, up, "Step moved up.")


@router.post("/organizations/{org_id}/approval-process/steps/{position}/remove")
async def remove_step(
    request: Request,
    org_id: str,
    position: int,
    session: SessionDep,
    principal: PagePrincipal,
    kind: PageProcess = "",
) -> Response:
    def remove(_: dict[str, Any], steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [step for n, step in enumerate(steps, start=1) if n != position]

    return await _process_act(request, session, principal, org_id, kind, remove, "Step removed.")
