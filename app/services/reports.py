"""Reports for sharing upward (a coalition's or an organization's advocacy over a period),
and each person's calendar of deadlines."""

import csv
import io
import secrets
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from statistics import median
from typing import Any

from icalendar import Calendar
from icalendar import Event as CalendarEvent
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlmodel import Session, select

from app import clock, labels, local_time
from app.delivery import mail
from app.errors import Invalid, NotFound
from app.ids import new_id
from app.models import (
    Activity,
    CalendarFeed,
    Coalition,
    EmailMessage,
    Membership,
    Proposal,
    SentReport,
    SignOnDecision,
    User,
)
from app.pagination import Page, paginate
from app.principal import Principal
from app.schemas.reports import ReportSend
from app.security import hash_token
from app.services import access, accounts, activities, approvals, events, goals, proposals, waiting


def period(
    start: str | None, end: str | None, *, location: str = "query"
) -> tuple[datetime, datetime]:
    """[start of `start`, end of `end`) from two ISO dates; by default the last 12 months
    up to the end of today (UTC). `location` names where the dates came from, for errors."""
    try:
        last_day = date.fromisoformat(end) if end else clock.now().date()
        first_day = date.fromisoformat(start) if start else last_day - timedelta(days=365)
    except (ValueError, OverflowError):  # OverflowError: a year before 0001-12-31
        raise Invalid.field([location, "start"], "Dates look like 2026-01-31.") from None
    if first_day > last_day:
        raise Invalid.field([location, "start"], "The period must start before it ends.")
    if last_day >= date.max:  # the day after it has no date
        raise Invalid.field([location, "end"], "End the period before the year 9999 ends.")
    since = datetime.combine(first_day, time(), UTC)
    until = datetime.combine(last_day + timedelta(days=1), time(), UTC)
    return since, until


def coalition_report(
    session: Session, principal: Principal, coalition_id: str, since: datetime, until: datetime
) -> dict[str, Any]:
    coalition = access.get_coalition_taking_part(session, principal, coalition_id)
    acts = session.exec(
        select(Activity)
        .where(
            Activity.coalition_id == coalition_id,
            Activity.created_at >= since,  # type: ignore[operator]
            Activity.created_at < until,  # type: ignore[operator]
        )
        .order_by(Activity.created_at)  # type: ignore[arg-type]
    ).all()
    activity_rows = []
    for activity in acts:
        decided = activities.decisions_view(session, principal, activity)
        activity_rows.append(
            {
                "activity": activity,
                "signatories": [d["organization_name"] for d in decided if d["status"] == "signed"],
                "tally": activities.tally(session, activity),
            }
        )
    proposal_rows = [
        proposals.proposal_view(session, p)
        for p in session.exec(
            select(Proposal)
            .where(
                Proposal.coalition_id == coalition_id,
                Proposal.created_at >= since,  # type: ignore[operator]
                Proposal.created_at < until,  # type: ignore[operator]
            )
            .order_by(Proposal.created_at)  # type: ignore[arg-type]
        )
    ]
    return {
        "coalition": coalition,
        "since": since,
        "until": until,
        "last_day": (until - timedelta(days=1)).date(),
        "activities": activity_rows,
        "proposals": proposal_rows,
        "goals": goals.list_goals(session, principal, coalition_id, limit=200).items,
    }


def coalition_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "title", "kind", "status", "outcome", "detail", "date"])
    for row in report["activities"]:
        a = row["activity"]
        signed = f"{row['tally']['signed']} signed"
        names = "; ".join(row["signatories"])
        writer.writerow(
            ["activity", a.title, a.kind, a.status, signed, names, a.created_at.date().isoformat()]
        )
    for p in report["proposals"]:
        t = p["tally"]
        votes = f"{t['yes']} yes, {t['no']} no, {t['abstain']} abstain, {t['block']} block"
        writer.writerow(
            ["proposal", p["title"], "", p["status"], p["outcome"] or "", votes,
             p["created_at"].date().isoformat()]
        )  # fmt: skip
    for g in report["goals"]:
        writer.writerow(["goal", g["title"], "", g["health"], f"{g['progress']:.0%}", "",
                         g["due_date"].isoformat()])  # fmt: skip
    return out.getvalue()


def organization_report(
    session: Session, principal: Principal, organization_id: str, since: datetime, until: datetime
) -> dict[str, Any]:
    organization = access.get_organization(session, principal, organization_id, private=True)
    memberships = session.exec(
        select(Membership, Coalition)
        .join(Coalition, Coalition.id == Membership.coalition_id)
        .where(Membership.organization_id == organization_id)
        .order_by(Coalition.name)
    ).all()
    decisions = session.exec(
        select(SignOnDecision, Activity, Coalition)
        .join(Activity, Activity.id == SignOnDecision.activity_id)
        .join(Coalition, Coalition.id == Activity.coalition_id)
        .where(
            SignOnDecision.organization_id == organization_id,
            SignOnDecision.created_at >= since,  # type: ignore[operator]
            SignOnDecision.created_at < until,  # type: ignore[operator]
        )
        .order_by(SignOnDecision.created_at)  # type: ignore[arg-type]
    ).all()
    learned = approvals.history(session, [organization_id])[organization_id]
    return {
        "organization": organization,
        "since": since,
        "until": until,
        "last_day": (until - timedelta(days=1)).date(),
        "memberships": [(m, c) for m, c in memberships],
        "decisions": [(d, a, c) for d, a, c in decisions],
        "step_times": sorted(
            (name, round(median(days), 1), len(days)) for name, days in learned.items()
        ),
    }


def organization_csv(report: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "coalition", "item", "status", "detail"])
    for m, c in report["memberships"]:
        writer.writerow(["coalition", c.name, "", m.status, m.engagement])
    for d, a, c in report["decisions"]:
        writer.writerow(
            [
                "decision",
                c.name,
                a.title,
                d.status,
                clock.iso(d.decided_at) if d.decided_at else "",
            ]
        )
    for name, days, count in report["step_times"]:
        writer.writerow(["approval step", "", name, f"median {days} days", f"{count} completed"])
    return out.getvalue()


# The JSON twins of the report pages: the same reports, as plain data ------------------------


def coalition_report_data(report: dict[str, Any]) -> dict[str, Any]:
    coalition = report["coalition"]
    return {
        "coalition_id": coalition.id,
        "coalition_name": coalition.name,
        "start": report["since"].date(),
        "end": report["last_day"],
        "activities": [
            {"id": row["activity"].id, "kind": row["activity"].kind,
             "title": row["activity"].title, "status": row["activity"].status,
             "created_at": row["activity"].created_at, "tally": row["tally"],
             "signatories": row["signatories"]}
            for row in report["activities"]
        ],
        "proposals": [
            {k: p[k] for k in ("id", "title", "status", "outcome", "tally", "created_at")}
            for p in report["proposals"]
        ],
        "goals": [
            {k: g[k] for k in ("id", "title", "due_date", "progress", "health")}
            for g in report["goals"]
        ],
    }  # fmt: skip


def organization_report_data(report: dict[str, Any]) -> dict[str, Any]:
    organization = report["organization"]
    return {
        "organization_id": organization.id,
        "organization_name": organization.name,
        "start": report["since"].date(),
        "end": report["last_day"],
        "coalitions": [
            {"coalition_id": c.id, "coalition_name": c.name, "status": m.status,
             "engagement": m.engagement, "roles": m.roles}
            for m, c in report["memberships"]
        ],
        "decisions": [
            {"coalition_id": c.id, "coalition_name": c.name, "activity_id": a.id,
             "activity_title": a.title, "status": d.status, "decided_at": d.decided_at}
            for d, a, c in report["decisions"]
        ],
        "approval_step_times": [
            {"name": name, "median_days": days, "completed": count}
            for name, days, count in report["step_times"]
        ],
    }  # fmt: skip


# Sending a report upward -------------------------------------------------------------------

_email_templates = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
    autoescape=select_autoescape(),
)
labels.install_filters(_email_templates)


def send_organization_report(
    session: Session, principal: Principal, organization_id: str, report_in: ReportSend
) -> dict[str, Any]:
    """Send the organization's report for a period, with a note, to the body it reports to
    (`reports_to`): an HTML e-mail with the CSV attached, through the outbox. A copy is kept."""
    organization = access.get_organization(session, principal, organization_id, private=True)
    access.require_admin(principal, organization_id)
    if not organization.reports_to:
        raise Invalid.field(
            ["organization", "reports_to"],
            "Set where reports go first: reports_to, the e-mail address of your state or "
            "national body, on the organization's profile.",
        )
    start, end = (d.isoformat() if d else None for d in (report_in.start, report_in.end))
    since, until = period(start, end, location="body")
    report = organization_report(session, principal, organization_id, since, until)
    first, last = since.date(), report["last_day"]
    # The body it goes to has no zone of ours: dates are written in the sender's.
    zone = local_time.reader_zone.set(principal.time_zone)
    try:
        html = _email_templates.get_template("reports/email.html").render(
            report=report, note=report_in.note, sender=principal.name or principal.email
        )
    finally:
        local_time.reader_zone.reset(zone)
    period_words = f"{local_time.day(first)} to {local_time.day(last)}"
    text = "\n".join(
        [f"{organization.name}: advocacy report, {period_words}", "",
         *([report_in.note, ""] if report_in.note else []),
         "The report is attached as a CSV file; this e-mail's HTML part shows it as a page."]
    )  # fmt: skip
    csv_text = organization_csv(report)
    message = mail.queue_email(
        session, organization.reports_to, f"{organization.name}: advocacy report, {period_words}",
        text, html=html,
        attachments=[{"filename": f"advocacy-report-{first}-to-{last}.csv",
                      "content_type": "text/csv", "text": csv_text}],
    )  # fmt: skip
    sent = SentReport(
        id=new_id("rpt"),
        organization_id=organization_id,
        sent_to=organization.reports_to,
        start=first,
        end=last,
        note=report_in.note,
        sent_by_user_id=principal.user_id,
        email_message_id=message.id,
        html=html,
        csv=csv_text,
        created_at=clock.now(),
    )
    session.add(sent)
    session.flush()
    view = sent_report_views(session, [sent])[0]
    events.emit(
        session,
        "report.sent",
        {"report_id": sent.id, "organization_id": organization_id,
         "organization_name": organization.name, "sent_to": sent.sent_to,
         "start": first.isoformat(), "end": last.isoformat(), "note": sent.note, "version": 1,
         "object": view},
        visible_to={organization_id},
        actor=principal,
    )  # fmt: skip
    return view


def list_sent_reports(
    session: Session,
    principal: Principal,
    organization_id: str,
    *,
    limit: int = 50,
    cursor: str | None = None,
) -> Page:
    """The reports the organization sent, oldest first, each with its e-mail's status."""
    access.get_organization(session, principal, organization_id, private=True)
    statement = select(SentReport).where(SentReport.organization_id == organization_id)
    page = paginate(session, statement, SentReport.id, limit=limit, cursor=cursor)  # type: ignore[arg-type]
    return Page(items=sent_report_views(session, page.items), next_cursor=page.next_cursor)


def get_sent_report(
    session: Session, principal: Principal, *, organization_id: str, report_id: str
) -> SentReport:
    access.get_organization(session, principal, organization_id, private=True)
    sent = session.get(SentReport, report_id)
    if sent is None or sent.organization_id != organization_id:
        raise NotFound("No such report.")
    return sent


def sent_report_views(session: Session, rows: list[SentReport]) -> list[dict[str, Any]]:
    ids = [r.email_message_id for r in rows if r.email_message_id]
    statuses = dict(
        session.exec(
            select(EmailMessage.id, EmailMessage.status).where(EmailMessage.id.in_(ids))  # type: ignore[attr-defined]
        ).all()
    )
    return [
        {"id": r.id, "organization_id": r.organization_id, "sent_to": r.sent_to,
         "start": r.start, "end": r.end, "note": r.note, "sent_by_user_id": r.sent_by_user_id,
         "email_status": statuses.get(r.email_message_id or "", "pending"),
         "created_at": r.created_at}
        for r in rows
    ]  # fmt: skip


# The calendar feed -------------------------------------------------------------------------


def new_calendar_address(session: Session, principal: Principal) -> str:
    """A fresh secret feed token (any earlier one stops working); returned once."""
    token = secrets.token_urlsafe(24)
    feed = session.get(CalendarFeed, principal.user_id) or CalendarFeed(
        user_id=principal.user_id, token_hash="", created_at=clock.now()
    )
    feed.token_hash = hash_token(token)
    feed.created_at = clock.now()
    session.add(feed)
    session.flush()
    return token


def revoke_calendar(session: Session, principal: Principal) -> None:
    feed = session.get(CalendarFeed, principal.user_id)
    if feed is not None:
        session.delete(feed)
        session.flush()


def has_calendar(session: Session, principal: Principal) -> bool:
    return session.get(CalendarFeed, principal.user_id) is not None


def calendar_for_token(session: Session, token: str) -> bytes:
    feed = session.exec(
        select(CalendarFeed).where(CalendarFeed.token_hash == hash_token(token))
    ).first()
    user = session.get(User, feed.user_id) if feed else None
    if user is None:
        raise NotFound("No such calendar.")
    principal = accounts.principal_for(session, user)
    calendar = Calendar()
    calendar.add("prodid", "-//Coalesce//Deadlines//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Coalesce deadlines")
    # The same reading of what waits as the bell and the dashboard, plus what she leads.
    for deadline in waiting.waiting_on(session, principal, led=True).deadlines():
        _add(calendar, deadline.uid, deadline.summary, deadline.when)
    return calendar.to_ical()


def _add(calendar: Calendar, uid: str, summary: str, when: datetime) -> None:
    event = CalendarEvent()
    event.add("uid", f"{uid}@coalesce")
    event.add("summary", summary)
    event.add("dtstart", when)
    event.add("dtend", when + timedelta(minutes=30))
    event.add("dtstamp", clock.now())
    calendar.add_component(event)
