"""What waits on a person, read once: the bell's count, the dashboard's panels, the
"waiting on you" part of the notifications page and the calendar feed all come from
`waiting_on`, so an item leaves all of them the moment it is resolved (signed, voted,
approved, joined, closed).

The bell counts what waits (`Waiting.count`), never unread news. On the notifications page,
a notification about something to do (an ask, a step, an invitation, a vote) stays marked
unread only while that thing still waits; the rest stay unread until they are marked read.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from app.models import (
    Activity,
    Coalition,
    Event,
    Membership,
    Notification,
    Organization,
    OrganizationUser,
    Proposal,
    User,
)
from app.models.activities import ActivityStatus
from app.models.organizations import OrgRole
from app.principal import Principal
from app.services import access, activities, approvals, coalitions, proposals

# Notification kinds that ask something of the reader, and what settles each.
ABOUT_AN_ASK = {"ask_waiting", "deadline_moved"}
ABOUT_A_STEP = {"approval_waiting", "step_overdue"}
ABOUT_A_VOTE = {"proposal_opened", "proposal_reminder", "proposal_closing_soon"}
ABOUT_AN_INVITATION = {"invitation"}


@dataclass(frozen=True)
class Deadline:
    """One date in the calendar feed."""

    uid: str
    summary: str
    when: datetime


@dataclass
class Waiting:
    asks: list[dict[str, Any]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    votes: list[dict[str, Any]] = field(default_factory=list)
    invitations: list[Coalition] = field(default_factory=list)
    # Open letters and proposals of the coalitions the person leads: not theirs to answer,
    # but theirs to see through, so their deadlines belong in the calendar (`led=True`).
    led_activities: list[Activity] = field(default_factory=list)
    led_proposals: list[Proposal] = field(default_factory=list)

    @property
    def count(self) -> int:
        """Things the person must act on (what the dashboard's four panels list)."""
        return len(self.asks) + len(self.steps) + len(self.votes) + len(self.invitations)

    def still_waits(self, note: Notification, coalition_id: str | None) -> bool:
        """Whether a notification still points at something to do (or is plain news)."""
        link = note.link or ""
        if note.kind in ABOUT_AN_ASK:
            return link.removeprefix("/activities/") in {a["activity"].id for a in self.asks}
        if note.kind in ABOUT_A_VOTE:
            return link.removeprefix("/proposals/") in {v["proposal"].id for v in self.votes}
        if note.kind in ABOUT_A_STEP:
            # "Waiting on you: Board vote for “Fund …”": it waits while that step is active.
            return any(f"{name} for “{title}”" in note.text for name, title in self._active())
        if note.kind in ABOUT_AN_INVITATION:
            invited = {c.id for c in self.invitations}
            return coalition_id in invited if coalition_id else bool(invited)
        return True

    def _active(self) -> list[tuple[str, str]]:
        """(step name, approval title) of each active step waiting on the person."""
        return [
            (step["name"], approval["title"])
            for approval in self.steps
            for step in approval["steps"]
            if step["status"] == "active"
        ]

    def deadlines(self) -> list[Deadline]:
        found: dict[str, Deadline] = {}
        for ask in self.asks:
            activity = ask["activity"]
            if activity.sign_on_deadline:
                uid = f"sign-{activity.id}-{ask['organization_id']}"
                summary = f"Sign-on deadline: {activity.title}"
                found[uid] = Deadline(uid, summary, activity.sign_on_deadline)
        for approval in self.steps:
            for step in approval["steps"]:
                if step["status"] == "active" and step["due_at"]:
                    uid = f"step-{approval['id']}-{step['position']}"
                    summary = f"Approval due: {step['name']} ({approval['activity_title']})"
                    found[uid] = Deadline(uid, summary, step["due_at"])
        for item in self.votes:
            p = item["proposal"]
            found[f"vote-{p.id}"] = Deadline(f"vote-{p.id}", f"Vote closes: {p.title}", p.closes_at)
        for activity in self.led_activities:
            if activity.sign_on_deadline:
                uid = f"lead-{activity.id}"
                summary = f"Sign-on closes (you lead it): {activity.title}"
                found[uid] = Deadline(uid, summary, activity.sign_on_deadline)
        for p in self.led_proposals:
            if f"vote-{p.id}" not in found:
                summary = f"Vote closes (you lead it): {p.title}"
                found[f"lead-{p.id}"] = Deadline(f"lead-{p.id}", summary, p.closes_at)
        return sorted(found.values(), key=lambda d: d.when)


def waiting_on(session: Session, principal: Principal, *, led: bool = False) -> Waiting:
    """Everything that waits on this person now; with `led`, also the open letters and
    proposals of the coalitions they lead, which only the calendar's deadlines show (three
    queries the dashboard, the bell and the notifications page do without)."""
    waiting = Waiting(
        asks=activities.asks_waiting(session, principal),
        steps=approvals.inbox(session, principal),
        votes=proposals.waiting_for_vote(session, principal),
        invitations=_invitations(session, principal),
    )
    if not led:
        return waiting
    coalitions_led = _led_coalitions(session, principal)
    if coalitions_led:
        waiting.led_activities = list(
            session.exec(
                select(Activity).where(
                    Activity.coalition_id.in_(coalitions_led),  # type: ignore[attr-defined]
                    Activity.status == ActivityStatus.open,
                )
            )
        )
        waiting.led_proposals = list(
            session.exec(
                select(Proposal).where(
                    Proposal.coalition_id.in_(coalitions_led),  # type: ignore[attr-defined]
                    Proposal.status == "open",
                )
            )
        )
    return waiting


def _invitations(session: Session, principal: Principal) -> list[Coalition]:
    # Only an organization's admins answer an invitation; the others have nothing to do.
    if not access.admin_organizations(principal):
        return []
    return coalitions.list_coalitions(session, principal, scope="invited", limit=200).items


def _led_coalitions(session: Session, principal: Principal) -> list[str]:
    admin_of = access.admin_organizations(principal)
    if not admin_of:
        return []
    return list(
        session.exec(
            select(Membership.coalition_id)
            .where(
                Membership.organization_id.in_(admin_of),  # type: ignore[attr-defined]
                Membership.status == "joined",
                Membership.engagement == "lead",
            )
            .distinct()
        )
    )


def live_notifications(
    session: Session, principal: Principal, waiting: Waiting | None = None
) -> list[tuple[Notification, bool]]:
    """The person's notifications, newest first, each with whether it is still unread
    news: read ones and those about something already settled are not."""
    waiting = waiting or waiting_on(session, principal)
    rows = session.exec(
        select(Notification, Event.coalition_id)
        .join(Event, Event.id == Notification.event_id, isouter=True)
        .where(Notification.user_id == principal.user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())  # type: ignore[attr-defined]
        .limit(100)
    ).all()
    return [
        (note, note.read_at is None and waiting.still_waits(note, coalition_id))
        for note, coalition_id in rows
    ]


def votes_cast_by_others(session: Session, principal: Principal) -> list[dict[str, Any]]:
    """Open votes of the person's organizations that are not theirs to cast (only admins
    vote): each organization with its admins' names, so a board member reads "Dana votes
    for Riverside State PTA" rather than a bare "no vote waits on you"."""
    others = {org: "admin" for org, role in principal.roles.items() if role != OrgRole.admin}
    if not others:
        return []
    # The same rule as the admins' own panel, read as if the person voted for them.
    as_admin = replace(principal, roles=others, is_platform_admin=False)
    waiting_orgs: dict[str, int] = {}
    for item in proposals.waiting_for_vote(session, as_admin):
        for org in item["organization_ids"]:
            waiting_orgs[org] = waiting_orgs.get(org, 0) + 1
    found = []
    for org_id, count in waiting_orgs.items():
        organization = session.get(Organization, org_id)
        admins = session.exec(
            select(User.name)
            .join(OrganizationUser, OrganizationUser.user_id == User.id)
            .where(
                OrganizationUser.organization_id == org_id,
                OrganizationUser.role == OrgRole.admin,
            )
            .order_by(User.name)
        ).all()
        found.append(
            {
                "organization_name": organization.name if organization else "",
                "admins": [name for name in admins if name],
                "open_votes": count,
            }
        )
    return found


def asked_letters(session: Session, notes: list[tuple[Notification, bool]]) -> dict[str, Activity]:
    """The letter each ask (or moved deadline) is about, by notification id: the page states
    the letter's deadline as it is now, never the one of the day it was sent."""
    wanted = {
        note.id: (note.link or "").removeprefix("/activities/")
        for note, _ in notes
        if note.kind in ABOUT_AN_ASK and (note.link or "").startswith("/activities/")
    }
    if not wanted:
        return {}
    found = {
        a.id: a
        for a in session.exec(
            select(Activity).where(Activity.id.in_(set(wanted.values())))  # type: ignore[attr-defined]
        )
    }
    return {note_id: found[a_id] for note_id, a_id in wanted.items() if a_id in found}


def bell_count(session: Session, principal: Principal) -> int:
    """The bell's number: what waits on the person, the same count as the dashboard's
    panels and the notifications page's "Waiting on you". Unread news is not counted here:
    the notifications page marks it apart, so the bell never promises more to do than the
    dashboard shows."""
    return waiting_on(session, principal).count
