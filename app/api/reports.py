"""Advocacy reports for sharing upward: the JSON twins of the report pages, and sending an
organization's report to the body it reports to."""

from datetime import date

from fastapi import Response, status

from app.api.deps import CurrentPrincipal, Cursor, Limit, created_at
from app.api.openapi import problems
from app.api.routing import api_router
from app.deps import RouteSessionDep as SessionDep
from app.schemas.base import PageOut
from app.schemas.reports import CoalitionReport, OrganizationReport, ReportSend, SentReportRead
from app.services import reports as service

router = api_router("reports")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


@router.get(
    "/coalitions/{coalition_id}/report", response_model=CoalitionReport, responses=problems(404)
)
def get_coalition_report(
    coalition_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    start: date | None = None,
    end: date | None = None,
) -> dict:
    """Activities with their signatories, proposals with their outcomes, goals: the same
    report as the page (`start` and `end` are days, by default the last 12 months)."""
    since, until = service.period(_iso(start), _iso(end))
    report = service.coalition_report(session, principal, coalition_id, since, until)
    return service.coalition_report_data(report)


@router.get(
    "/organizations/{org_id}/report", response_model=OrganizationReport, responses=problems(404)
)
def get_organization_report(
    org_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    start: date | None = None,
    end: date | None = None,
) -> dict:
    """The organization's coalitions, its sign-on decisions and how long its approval steps
    take: the same report as the page. For its own people."""
    since, until = service.period(_iso(start), _iso(end))
    report = service.organization_report(session, principal, org_id, since, until)
    return service.organization_report_data(report)


@router.post(
    "/organizations/{org_id}/reports",
    status_code=status.HTTP_201_CREATED,
    response_model=SentReportRead,
    responses=problems(403, 404),
)
def send_report(
    response: Response,
    org_id: str,
    body: ReportSend,
    session: SessionDep,
    principal: CurrentPrincipal,
) -> dict:
    """Send the report for a period, with a note, to the organization's `reports_to` (HTML
    with the CSV attached, through the e-mail outbox); a copy is kept. 422 without
    `reports_to`."""
    sent = service.send_organization_report(session, principal, org_id, body)
    created_at(response, f"/organizations/{org_id}/reports/{sent['id']}")
    return sent


@router.get(
    "/organizations/{org_id}/reports",
    response_model=PageOut[SentReportRead],
    responses=problems(404),
)
def list_sent_reports(
    org_id: str,
    session: SessionDep,
    principal: CurrentPrincipal,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> object:
    """The reports the organization sent, with each e-mail's status."""
    return service.list_sent_reports(session, principal, org_id, limit=limit, cursor=cursor)
