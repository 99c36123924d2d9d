"""Advocacy reports (printable page and CSV) and the personal calendar feed."""

from fastapi import APIRouter, Request
from starlette.responses import Response

from app.deps import SessionDep
from app.pages.deps import PagePrincipal
from app.pages.templating import render
from app.services import reports

router = APIRouter()


def _csv(body: str, filename: str) -> Response:
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/coalitions/{coalition_id}/report")
def coalition_report(
    request: Request,
    coalition_id: str,
    session: SessionDep,
    principal: PagePrincipal,
    start: str | None = None,
    end: str | None = None,
) -> Response:
    since, until = reports.period(start, end)
    report = reports.coalition_report(session, principal, coalition_id, since, until)
    return render(request, "reports/coalition.html", {"report": report, "start": start, "end": end})


@router.get("/coalitions/{coalition_id}/report.csv")
def coalition_report_csv(
    coalition_id: str,
    session: SessionDep,
    principal: PagePrincipal,
    start: str | None = None,
    end: str | None = None,
) -> Response:
    since, until = reports.period(start, end)
    report = reports.coalition_report(session, principal, coalition_id, since, until)
    return _csv(reports.coalition_csv(report), f"coalition-report-{coalition_id}.csv")


@router.get("/organizations/{org_id}/report")
def organization_report(
    request: Request,
    org_id: str,
    session: SessionDep,
    principal: PagePrincipal,
    start: str | None = None,
    end: str | None = None,
) -> Response:
    since, until = reports.period(start, end)
    report = reports.organization_report(session, principal, org_id, since, until)
    return render(
        request, "reports/organization.html", {"report": report, "start": start, "end": end}
    )


@router.get("/organizations/{org_id}/report.csv")
def organization_report_csv(
    org_id: str,
    session: SessionDep,
    principal: PagePrincipal,
    start: str | None = None,
    end: str | None = None,
) -> Response:
    since, until = reports.period(start, end)
    report = reports.organization_report(session, principal, org_id, since, until)
    return _csv(reports.organization_csv(report), f"organization-report-{org_id}.csv")


@router.post("/calendar")
def new_calendar(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    """A new secret address for the calendar feed, shown once; the old one stops working."""
    token = reports.new_calendar_address(session, principal)
    address = str(request.url_for("calendar_feed", token=token))
    return render(request, "reports/calendar.html", {"address": address, "has_feed": True})


@router.post("/calendar/revoke")
def revoke_calendar(request: Request, session: SessionDep, principal: PagePrincipal) -> Response:
    reports.revoke_calendar(session, principal)
    return render(request, "reports/calendar.html", {"address": None, "has_feed": False})


@router.get("/calendar/{token}.ics", name="calendar_feed")
def calendar_feed(token: str, session: SessionDep) -> Response:
    """Sign-on deadlines, approval due dates and proposal closings, for any calendar app.
    The secret address is the only key, so it can be revoked and replaced."""
    return Response(reports.calendar_for_token(session, token), media_type="text/calendar")
