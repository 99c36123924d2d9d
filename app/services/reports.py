"""Reports for sharing upward (a coalition's or an organization's advocacy over a period),
and each person's calendar of deadlines."""

import csv
import io
import secrets
from datetime import UTC, date, datetime, time, timedelta
from statistics import median
from typing import Any

from icalendar import Calendar
from icalendar import Event as CalendarEvent
from sqlmodel import Session, select

from app import clock
from app.errors import Invalid, NotFound
from app.models import (
    Activity,
    CalendarFeed,
    Coalition,
    Membership,
    Proposal,
    SignOnDecision,
    User,
)
from app.principal import Principal
from app.security import hash_token
from app.services import access, accounts, activities, approvals, goals, proposals


def period(start: str | None, end: str | None) -> tuple[datetime, datetime]:
    """[start of `start`, end of `end`) from two ISO dates; by default the last 12 months
    up to the end of today (UTC)."""
    try:
        last_day = date.fromisoformat(end) if end else clock.now().date()
        first_day = date.fromisoformat(start) if start else last_day - timedelta(days=365)
    except ValueError:
        raise Invalid.field(["query", "start"], "Dates look like 2026-01-31.") from None
    if first_day > last_day:
        raise Invalid.field(["query", "start"], "The period must start before it ends.")
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
                d.decided_at.isoformat() if d.decided_at else "",
            ]
        )
    for name, days, count in report["step_times"]:
        writer.writerow(["approval step", "", name, f"median {days} days", f"{count} completed"])
    return out.getvalue()


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
    for ask in activities.asks_waiting(session, principal):
        activity = ask["activity"]
        if activity.sign_on_deadline:
            _add(calendar, f"sign-{activity.id}-{ask['organization_id']}",
                 f"Sign-on deadline: {activity.title}", activity.sign_on_deadline)  # fmt: skip
    for approval in approvals.inbox(session, principal):
        for step in approval["steps"]:
            if step["status"] == "active" and step["due_at"]:
                summary = f"Approval due: {step['name']} ({approval['activity_title']})"
                uid = f"step-{approval['id']}-{step['position']}"
                _add(calendar, uid, summary, step["due_at"])
    for item in proposals.waiting_for_vote(session, principal):
        p = item["proposal"]
        _add(calendar, f"vote-{p.id}", f"Vote closes: {p.title}", p.closes_at)
    return calendar.to_ical()


def _add(calendar: Calendar, uid: str, summary: str, when: datetime) -> None:
    event = CalendarEvent()
    event.add("uid", f"{uid}@coalesce")
    event.add("summary", summary)
    event.add("dtstart", when)
    event.add("dtend", when + timedelta(minutes=30))
    event.add("dtstamp", clock.now())
    calendar.add_component(event)
