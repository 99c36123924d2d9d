"""Activity pages: a letter and its signatories, a draft's readiness and edit form, moving an
open letter's deadline, the printable letter, the decisions as CSV."""

import csv
import io
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from app import clock
from app.deps import SessionDep
from app.errors import NotFound
from app.models.activities import DecisionStatus
from app.pages.deps import PagePrincipal
from app.pages.forms import (
    FormOutcome,
    Section,
    form_version,
    local_times,
    parse,
    run_form,
    section_action,
    section_response,
    stale_edit_explained,
)
from app.pages.routing import PageRoute
from app.pages.templating import htmx_target, reader_time_zone, render
from app.principal import Principal
from app.schemas.activities import ActivityUpdate, DecisionPut
from app.services import access, activities, coalitions, organizations

router = APIRouter(route_class=PageRoute)
CHOOSABLE = [s.value for s in DecisionStatus if s.value in activities.CHOOSABLE]
TIMES = ("sign_on_deadline", "scheduled_at")
WHOLE = "activities/_activity.html"


def activity_context(session: Session, principal: Principal, activity_id: str) -> dict[str, Any]:
    detail, coalition, rights = activities.activity_view(session, principal, activity_id)
    names = {d["organization_id"]: d["organization_name"] for d in detail["decisions"]}
    return {
        "activity": detail,
        "coalition": coalition,
        "rights": rights,
        "is_lead": rights.may_draft,
        "my_decisions": [d for d in detail["decisions"] if rights.acts_for(d["organization_id"])],
        "names": names,
        "choosable": CHOOSABLE,
        "issue_areas": (
            _issue_areas(session, coalition.issue_area_ids, detail["issue_area_ids"])
            if detail["status"] == "draft" and rights.may_draft
            else []
        ),
        "form_errors": {},
        "drafts": {},
        "notices": {},
    }


def _issue_areas(session: Session, *held: list[str]) -> list[tuple[str, str]]:
    """The areas a draft may touch: its coalition's, and any it touches already."""
    ids = list(dict.fromkeys(area for areas in held for area in areas))
    names = organizations.issue_area_names(session, set(ids))
    return [(area, names.get(area, area)) for area in ids]


ACTIVITY_SORTS = {"newest": "Newest", "deadline": "Sign-on deadline", "name": "Title"}


def activity_list_context(
    session: Session,
    principal: Principal,
    coalition_id: str,
    *,
    q: str | None = None,
    sort: str = "newest",
    cursor: str | None = None,
) -> dict[str, Any]:
    """A coalition's activities as its list shows them: searched, in the chosen order, 50 at
    a time."""
    sort = sort if sort in activities.ACTIVITY_ORDERS else "newest"
    found = activities.list_activities(
        session, principal, coalition_id, q=q, sort=sort, cursor=cursor, limit=50
    )
    return {
        "activity_list": found,
        "list_q": q or "",
        "list_sort": sort,
        "activity_sorts": ACTIVITY_SORTS,
    }


@router.get("/coalitions/{coalition_id}/activity-list")
def activity_list(
    request: Request,
    coalition_id: str,
    session: SessionDep,
    principal: PagePrincipal,
    q: str | None = None,
    sort: str = "newest",
    cursor: str | None = None,
) -> Response:
    """A coalition's activities: a page of its own without JavaScript, the list alone for a
    search, or the next rows alone for "show more"."""
    coalition = access.get_coalition(session, principal, coalition_id)
    if not access.coalition_rights(session, principal, coalition.id).takes_part:
        raise NotFound("No such coalition.")  # its advocacy is for its members
    context = {
        "coalition": coalition,
        **activity_list_context(session, principal, coalition_id, q=q, sort=sort, cursor=cursor),
    }
    target = htmx_target(request)
    if target == "activity-list-more":
        return render(request, "activities/_list_rows.html", context)
    if target == "activity-list":
        return render(request, "activities/_list.html", context)
    return render(request, "activities/list.html", context)


@router.get("/activities/{activity_id}")
def activity_page(
    request: Request, activity_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    """The whole page, or the board alone (tally, readiness, signatories) for the live refresh."""
    context = activity_context(session, principal, activity_id)
    if htmx_target(request) == "board":
        return render(request, "activities/_board.html", context)
    return render(request, "activities/detail.html", context)


def _section(
    session: Session, principal: Principal, activity_id: str, name: str, partial: str = WHOLE
) -> Section:
    """A section of the activity's page; most forms answer with the whole activity."""
    return Section(
        name=name,
        partial=partial,
        page="activities/detail.html",
        context=lambda: activity_context(session, principal, activity_id),
        address=f"/activities/{activity_id}",
    )


def _answer(
    request: Request,
    session: Session,
    principal: Principal,
    activity_id: str,
    section: str,
    outcome: FormOutcome,
    notice: str,
) -> Response:
    """A form whose banner says what the run found (run_form, then this)."""
    where = _section(session, principal, activity_id, section)
    return section_response(
        request, outcome, section=where.name, partial=where.partial, page=where.page,
        context=where.context, redirect_to=where.address, notice=notice,
    )  # fmt: skip


@router.post("/activities/{activity_id}/open")
async def open_activity(
    request: Request, activity_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    def save(_: dict[str, Any]) -> None:
        activities.open_activity(session, principal, activity_id)

    return await section_action(
        request, session, _section(session, principal, activity_id, "signatories"), save,
        notice="Opened: every member has been asked.",
    )  # fmt: skip


@router.post("/activities/{activity_id}/close")
async def close_activity(
    request: Request, activity_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    def save(_: dict[str, Any]) -> None:
        activities.close_activity(session, principal, activity_id)

    return await section_action(
        request, session, _section(session, principal, activity_id, "signatories"), save,
        notice="Closed.",
    )  # fmt: skip


@router.post("/activities/{activity_id}")
async def save_draft(
    request: Request, activity_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    """The draft's text, target, dates and issue areas; the whole activity answers, its
    readiness included."""
    version = await form_version(request)

    def save(values: dict[str, Any]) -> None:
        values.setdefault("issue_area_ids", [])  # no box ticked: no area
        changes = parse(
            ActivityUpdate, local_times(values, TIMES, reader_time_zone(request)), keep_blank=True
        )
        with stale_edit_explained("this draft"):
            activities.update_activity(
                session, principal, activity_id, changes, expected_version=version
            )

    return await section_action(
        request, session, _section(session, principal, activity_id, "draft"), save,
        notice="Draft saved.", lists=("issue_area_ids",),
    )  # fmt: skip


@router.post("/activities/{activity_id}/deadline")
async def move_deadline(
    request: Request, activity_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    """An open letter's deadline; the members still deciding are told."""
    version = await form_version(request)
    moved: list[bool] = []

    def save(values: dict[str, Any]) -> None:
        given = {"sign_on_deadline": values.get("sign_on_deadline")}
        changes = parse(
            ActivityUpdate, local_times(given, TIMES, reader_time_zone(request)), keep_blank=True
        )
        with stale_edit_explained("this letter"):
            activity = activities.update_activity(
                session, principal, activity_id, changes, expected_version=version
            )
        moved.append(version is None or activity.version != version)

    outcome = await run_form(request, session, save)
    notice = (
        "Deadline moved. The members still deciding have been told the new date."
        if any(moved)
        else "The deadline is unchanged."
    )
    return _answer(request, session, principal, activity_id, "deadline", outcome, notice)


@router.post("/activities/{activity_id}/decisions/{org_id}")
async def decide(
    request: Request,
    activity_id: str,
    org_id: str,
    session: SessionDep,
    principal: PagePrincipal,
) -> Response:
    def save(values: dict[str, Any]) -> None:
        activities.put_decision(
            session,
            principal,
            activity_id=activity_id,
            organization_id=org_id,
            decision_in=parse(DecisionPut, values),
        )

    signatories = _section(
        session, principal, activity_id, "signatories", "activities/_signatories.html"
    )
    return await section_action(
        request, session, signatories, save, notice="Your organization's decision is recorded."
    )


@router.get("/activities/{activity_id}/letter")
def printable_letter(
    request: Request, activity_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    context = activity_context(session, principal, activity_id)
    context["signatories"] = [
        d for d in context["activity"]["decisions"] if d["status"] == "signed"
    ]
    context["spokespeople"] = coalitions.spokespeople(session, context["coalition"].id)
    convener = context["coalition"].convener_organization_id
    context["convener"] = organizations.get_organization(session, principal, convener)
    # The letter is dated the day its collection closed, or today while it is still open.
    context["dated"] = context["activity"]["closed_at"] or clock.now()
    return render(request, "activities/letter.html", context)


@router.get("/activities/{activity_id}/decisions.csv")
def decisions_csv(activity_id: str, session: SessionDep, principal: PagePrincipal) -> Response:
    detail = activities.activity_detail(session, principal, activity_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["organization", "status", "comment", "decided_at", "approval_status", "approval_step",
         "approval_steps_total", "expected_completion_at", "at_risk"]
    )  # fmt: skip
    for d in detail["decisions"]:
        approval = d["approval"] or {}
        writer.writerow(
            [
                d["organization_name"],
                d["status"],
                d["comment"] or "",
                _iso(d["decided_at"]),
                approval.get("status", ""),
                approval.get("step") or "",
                approval.get("steps_total", ""),
                _iso(approval.get("expected_completion_at")),
                approval.get("at_risk", ""),
            ]
        )
    filename = f"decisions-{activity_id}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _iso(value: Any) -> str:
    return value.isoformat() if value else ""
