"""Advocacy reports (printable page and CSV), sending an organization's report upward, and
the personal calendar feed."""

import re
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from markupsafe import Markup
from sqlmodel import Session
from starlette.responses import Response

from app.deps import SessionDep
from app.pages.coalitions import section_menu
from app.pages.deps import PagePrincipal
from app.pages.forms import Section, form_values, parse, section_action
from app.pages.organizations import section_menu as organization_menu
from app.pages.routing import PageRoute
from app.pages.templating import render
from app.principal import Principal
from app.schemas.reports import ReportSend
from app.services import access, reports

router = APIRouter(route_class=PageRoute)


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
    rights = access.coalition_rights(session, principal, coalition_id)
    return render(
        request,
        "reports/coalition.html",
        {
            "report": report,
            "coalition": report["coalition"],
            "menu": section_menu(coalition_id, rights, "report"),
            **_shown(since, until),
        },
    )


def _shown(since: datetime, until: datetime) -> dict[str, str]:
    """The From and To fields hold the period the report shows, the default one included."""
    return {
        "start": since.date().isoformat(),
        "end": (until - timedelta(days=1)).date().isoformat(),
    }


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


def organization_context(
    session: Session, principal: Principal, org_id: str, start: str | None, end: str | None
) -> dict[str, Any]:
    since, until = reports.period(start, end)
    report = reports.organization_report(session, principal, org_id, since, until)
    rights = access.organization_rights(principal, org_id)
    return {
        "report": report,
        "menu": organization_menu(org_id, rights, "report"),
        **_shown(since, until),
        "can_send": rights.may_manage,
        "sent": reports.list_sent_reports(session, principal, org_id, limit=200).items,
        "form_errors": {},
        "drafts": {},
        "notices": {},
    }


@router.get("/organizations/{org_id}/report")
def organization_report(
    request: Request,
    org_id: str,
    session: SessionDep,
    principal: PagePrincipal,
    start: str | None = None,
    end: str | None = None,
) -> Response:
    context = organization_context(session, principal, org_id, start, end)
    return render(request, "reports/organization.html", context)


@router.post("/organizations/{org_id}/reports")
async def send_report(
    request: Request, org_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    """Send the period shown, with a note, to the body the organization reports to."""
    values = await form_values(request)
    start, end = values.get("start"), values.get("end")

    def save(values: dict[str, Any]) -> None:
        reports.send_organization_report(session, principal, org_id, parse(ReportSend, values))

    query = urlencode({k: v for k, v in (("start", start), ("end", end)) if v})
    section = Section(
        name="send-report",
        partial="reports/_send.html",
        page="reports/organization.html",
        context=lambda: organization_context(session, principal, org_id, start, end),
        address=f"/organizations/{org_id}/report" + (f"?{query}" if query else ""),
    )
    return await section_action(
        request, session, section, save, notice="Report sent. A copy is kept below."
    )


@router.get("/organizations/{org_id}/reports/{report_id}")
def sent_report(
    request: Request, org_id: str, report_id: str, session: SessionDep, principal: PagePrincipal
) -> Response:
    """The copy kept of a report as it went out, inside the site's layout with a way back.
    The copy is the e-mail's own HTML page; its body is shown as it was sent."""
    copy = reports.get_sent_report(session, principal, organization_id=org_id, report_id=report_id)
    found = re.search(r"<body[^>]*>(.*)</body>", copy.html, re.DOTALL)
    # The borders mail programs need are the site's to draw here.
    shown = re.sub(
        r' (?:border|cellpadding|cellspacing)="\d+"', "", found.group(1) if found else copy.html
    )
    # Our own e-mail template wrote this HTML with every value escaped when it was sent.
    body = Markup(shown)  # noqa: S704
    organization = access.get_organization(session, principal, org_id, private=True)
    query = urlencode({"start": copy.start.isoformat(), "end": copy.end.isoformat()})
    context = {
        "organization": organization,
        "copy": copy,
        "body": body,
        "report_address": f"/organizations/{org_id}/report?{query}",
    }
    return render(request, "reports/sent.html", context)


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
