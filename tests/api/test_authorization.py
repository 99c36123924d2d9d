"""Every API route, tried by every kind of caller: each gets exactly what it may.

The table below must name every route of the API: a new route that is not in it
makes `test_every_api_route_is_in_the_table` fail, so nobody forgets to decide
who may call it.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from app import migrate
from app.db import Database, build_engine
from app.main import create_app
from app.settings import Settings
from tests.conftest import TEST_SECRET, World
from tests.databases import fresh_database_url

ACTORS = ["anonymous", "outsider", "member", "approver", "admin", "platform_admin"]


@dataclass
class Case:
    method: str
    path: str  # with {org}, {area}, {user}, {token}, {other} placeholders
    body: dict | None
    # Expected status per actor; anonymous is 401 unless the case says otherwise.
    outsider: int
    member: int
    approver: int
    admin: int
    platform_admin: int
    anonymous: int = 401  # only the routes reached from an e-mail answer anyone


def everyone(status: int) -> dict:
    return dict(
        outsider=status, member=status, approver=status, admin=status, platform_admin=status
    )


def org_admins(ok: int, *, outsider: int = 403) -> dict:
    """Visible to the caller, but only the organization's admin (or a platform admin) may act."""
    return dict(outsider=outsider, member=403, approver=403, admin=ok, platform_admin=ok)


def admins_only(ok: int) -> dict:
    """The organization's admins (and platform admins) only; invisible to everyone else."""
    return dict(outsider=404, member=404, approver=404, admin=ok, platform_admin=ok)


def org_private(ok: int) -> dict:
    """The organization's own people may read; to anyone else it does not exist."""
    return dict(outsider=404, member=ok, approver=ok, admin=ok, platform_admin=ok)


CASES = {
    ("POST", "/api/v1/tokens"): Case("POST", "/api/v1/tokens", {"name": "t"}, **everyone(201)),
    ("GET", "/api/v1/tokens"): Case("GET", "/api/v1/tokens", None, **everyone(200)),
    ("DELETE", "/api/v1/tokens/{token_id}"): Case(
        "DELETE", "/api/v1/tokens/{token}", None,
        # Only the admin owns this token; anyone else is told it does not exist.
        outsider=404, member=404, approver=404, admin=204, platform_admin=404,
    ),
    ("GET", "/api/v1/me"): Case("GET", "/api/v1/me", None, **everyone(200)),
    ("PATCH", "/api/v1/me"): Case("PATCH", "/api/v1/me", {"time_zone": "Europe/Paris"}, **everyone(200)),
    # Nobody here has a password: the current one given is always wrong.
    ("POST", "/api/v1/me/password"): Case(
        "POST", "/api/v1/me/password", {"current": "guess", "new": "long enough"}, **everyone(422)
    ),
    ("DELETE", "/api/v1/me/sessions"): Case("DELETE", "/api/v1/me/sessions", None, **everyone(204)),
    # Reached from an e-mail by someone not signed in: the same answer for everyone.
    ("POST", "/api/v1/password-resets"): Case(
        "POST", "/api/v1/password-resets", {"email": "someone@example.org"}, **everyone(202),
        anonymous=202,
    ),
    ("POST", "/api/v1/password-resets/use"): Case(
        "POST", "/api/v1/password-resets/use", {"token": "made-up", "password": "long enough"},
        **everyone(400), anonymous=400,
    ),
    # Sign-up is by invitation here (the default): the routes are not there for anyone.
    ("POST", "/api/v1/signups"): Case(
        "POST", "/api/v1/signups", {"email": "someone@example.org"}, **everyone(404), anonymous=404,
    ),
    ("POST", "/api/v1/signups/complete"): Case(
        "POST", "/api/v1/signups/complete",
        {"token": "made-up", "password": "long enough", "name": "N", "organization_name": "O", "organization_kind": "other"},
        **everyone(404), anonymous=404,
    ),
    ("POST", "/api/v1/invitations/accept"): Case(
        "POST", "/api/v1/invitations/accept", {"token": "made-up", "password": "long enough"},
        **everyone(400), anonymous=400,
    ),
    ("POST", "/api/v1/organizations"): Case(
        "POST", "/api/v1/organizations", {"name": "New", "kind": "union"}, **everyone(201)
    ),
    ("GET", "/api/v1/organizations"): Case("GET", "/api/v1/organizations", None, **everyone(200)),
    ("GET", "/api/v1/organizations/{org_id}"): Case(
        "GET", "/api/v1/organizations/{org}", None, **everyone(200)
    ),
    ("PATCH", "/api/v1/organizations/{org_id}"): Case(
        "PATCH", "/api/v1/organizations/{org}", {"staff_count": 2}, **org_admins(200)
    ),
    ("DELETE", "/api/v1/organizations/{org_id}"): Case(
        "DELETE", "/api/v1/organizations/{org}", None, **org_admins(204)
    ),
    ("GET", "/api/v1/organizations/{org_id}/users"): Case(
        "GET", "/api/v1/organizations/{org}/users", None, **org_private(200)
    ),
    ("POST", "/api/v1/organizations/{org_id}/users"): Case(
        "POST", "/api/v1/organizations/{org}/users",
        {"email": "new.member@example.org", "role": "member"}, **org_admins(201, outsider=404),
    ),
    ("POST", "/api/v1/organizations/{org_id}/users/{user_id}/invitation"): Case(
        # {user} has not chosen a password yet.
        "POST", "/api/v1/organizations/{org}/users/{user}/invitation", None,
        **org_admins(202, outsider=404),
    ),
    ("PATCH", "/api/v1/organizations/{org_id}/users/{user_id}"): Case(
        "PATCH", "/api/v1/organizations/{org}/users/{user}", {"role": "approver"},
        **org_admins(200, outsider=404),
    ),
    ("DELETE", "/api/v1/organizations/{org_id}/users/{user_id}"): Case(
        "DELETE", "/api/v1/organizations/{org}/users/{user}", None, **org_admins(204, outsider=404)
    ),
    ("GET", "/api/v1/organizations/{org_id}/positions"): Case(
        "GET", "/api/v1/organizations/{org}/positions", None, **org_private(200)
    ),
    ("PUT", "/api/v1/organizations/{org_id}/positions/{issue_area_id}"): Case(
        "PUT", "/api/v1/organizations/{org}/positions/{area}",
        {"stance": "oppose", "priority": "main"}, **org_admins(200, outsider=404),
    ),
    ("POST", "/api/v1/organizations/{org_id}/research"): Case(
        "POST", "/api/v1/organizations/{org}/research",
        {"subject_organization_id": "{other}", "reputable": True},
        **org_admins(201, outsider=404),
    ),
    ("GET", "/api/v1/organizations/{org_id}/research"): Case(
        "GET", "/api/v1/organizations/{org}/research", None, **org_private(200)
    ),
    ("POST", "/api/v1/issue-areas"): Case(
        # A shared vocabulary: an admin of any organization (the outsider is one) adds to it.
        "POST", "/api/v1/issue-areas", {"name": "Brand new area"},
        outsider=201, member=403, approver=403, admin=201, platform_admin=201,
    ),
    ("GET", "/api/v1/issue-areas"): Case("GET", "/api/v1/issue-areas", None, **everyone(200)),
    # Coalitions: the organization above convenes a private coalition and leads it.
    ("POST", "/api/v1/coalitions"): Case(
        "POST", "/api/v1/coalitions",
        {"name": "New", "unifying_issue": "Reading", "convener_organization_id": "{org}"},
        outsider=422, member=422, approver=422, admin=201, platform_admin=201,
    ),
    ("GET", "/api/v1/coalitions"): Case("GET", "/api/v1/coalitions", None, **everyone(200)),
    ("GET", "/api/v1/coalitions/{coalition_id}"): Case(
        "GET", "/api/v1/coalitions/{coalition}", None, **org_private(200)
    ),
    ("PATCH", "/api/v1/coalitions/{coalition_id}"): Case(
        "PATCH", "/api/v1/coalitions/{coalition}", {"status": "active"},
        **org_admins(200, outsider=404),
    ),
    ("GET", "/api/v1/coalitions/{coalition_id}/members"): Case(
        "GET", "/api/v1/coalitions/{coalition}/members", None, **org_private(200)
    ),
    ("POST", "/api/v1/coalitions/{coalition_id}/members"): Case(
        "POST", "/api/v1/coalitions/{coalition}/members", {"organization_id": "{newcomer}"},
        **org_admins(201, outsider=404),
    ),
    ("GET", "/api/v1/coalitions/{coalition_id}/members/{org_id}"): Case(
        "GET", "/api/v1/coalitions/{coalition}/members/{partner}", None, **org_private(200)
    ),
    ("PATCH", "/api/v1/coalitions/{coalition_id}/members/{org_id}"): Case(
        "PATCH", "/api/v1/coalitions/{coalition}/members/{partner}", {"engagement": "core"},
        **org_admins(200, outsider=404),
    ),
    ("DELETE", "/api/v1/coalitions/{coalition_id}/members/{org_id}"): Case(
        "DELETE", "/api/v1/coalitions/{coalition}/members/{partner}", None,
        **org_admins(200, outsider=404),
    ),
    ("GET", "/api/v1/coalitions/{coalition_id}/members/{org_id}/history"): Case(
        "GET", "/api/v1/coalitions/{coalition}/members/{partner}/history", None,
        **org_private(200),
    ),
    ("GET", "/api/v1/coalitions/{coalition_id}/alignment"): Case(
        "GET", "/api/v1/coalitions/{coalition}/alignment?organization_id={org}", None,
        **org_private(200),
    ),
    ("POST", "/api/v1/coalitions/{coalition_id}/goals"): Case(
        "POST", "/api/v1/coalitions/{coalition}/goals", {"title": "G", "due_date": "2027-01-01"},
        **org_admins(201, outsider=404),
    ),
    ("GET", "/api/v1/coalitions/{coalition_id}/goals"): Case(
        "GET", "/api/v1/coalitions/{coalition}/goals", None, **org_private(200)
    ),
    ("GET", "/api/v1/goals/{goal_id}"): Case(
        "GET", "/api/v1/goals/{goal}", None, **org_private(200)
    ),
    ("PATCH", "/api/v1/goals/{goal_id}"): Case(
        "PATCH", "/api/v1/goals/{goal}", {"title": "Renamed"}, **org_admins(200, outsider=404)
    ),
    ("DELETE", "/api/v1/goals/{goal_id}"): Case(
        "DELETE", "/api/v1/goals/{goal}", None, **org_admins(204, outsider=404)
    ),
    ("POST", "/api/v1/goals/{goal_id}/objectives"): Case(
        "POST", "/api/v1/goals/{goal}/objectives", {"title": "O"}, **org_admins(201, outsider=404)
    ),
    ("PATCH", "/api/v1/objectives/{objective_id}"): Case(
        "PATCH", "/api/v1/objectives/{objective}", {"done": True}, **org_admins(200, outsider=404)
    ),
    ("DELETE", "/api/v1/objectives/{objective_id}"): Case(
        "DELETE", "/api/v1/objectives/{objective}", None, **org_admins(204, outsider=404)
    ),
    ("GET", "/api/v1/events"): Case("GET", "/api/v1/events", None, **everyone(200)),
    # {event}: the opening of {signing}, seen by the coalition's members alone.
    ("GET", "/api/v1/events/{event_id}"): Case(
        "GET", "/api/v1/events/{event}", None, **org_private(200)
    ),
    ("GET", "/api/v1/activities"): Case("GET", "/api/v1/activities", None, **everyone(200)),
    # Activities: {signing} is open (the organization has no process yet when it opened),
    # {approving} is open with the organization in approval, {draft} is a draft.
    ("POST", "/api/v1/coalitions/{coalition_id}/activities"): Case(
        "POST", "/api/v1/coalitions/{coalition}/activities",
        {"kind": "testimony", "title": "Hearing"}, **org_admins(201, outsider=404),
    ),
    ("GET", "/api/v1/coalitions/{coalition_id}/activities"): Case(
        "GET", "/api/v1/coalitions/{coalition}/activities", None, **org_private(200)
    ),
    ("GET", "/api/v1/activities/{activity_id}"): Case(
        "GET", "/api/v1/activities/{signing}", None, **org_private(200)
    ),
    ("GET", "/api/v1/activities/{activity_id}/alignment"): Case(
        # The activity is the coalition's; the organization's positions are its own.
        "GET", "/api/v1/activities/{signing}/alignment?organization_id={org}", None,
        **org_private(200),
    ),
    ("PATCH", "/api/v1/activities/{activity_id}"): Case(
        "PATCH", "/api/v1/activities/{draft}", {"title": "Renamed"}, **org_admins(200, outsider=404)
    ),
    ("POST", "/api/v1/activities/{activity_id}/open"): Case(
        "POST", "/api/v1/activities/{draft}/open", None, **org_admins(200, outsider=404)
    ),
    ("POST", "/api/v1/activities/{activity_id}/close"): Case(
        "POST", "/api/v1/activities/{signing}/close", None, **org_admins(200, outsider=404)
    ),
    ("GET", "/api/v1/activities/{activity_id}/decisions"): Case(
        "GET", "/api/v1/activities/{signing}/decisions", None, **org_private(200)
    ),
    ("PUT", "/api/v1/activities/{activity_id}/decisions/{org_id}"): Case(
        "PUT", "/api/v1/activities/{signing}/decisions/{org}", {"status": "signed"},
        **org_admins(200, outsider=404),
    ),
    ("GET", "/api/v1/activities/{activity_id}/decisions/{org_id}/history"): Case(
        "GET", "/api/v1/activities/{signing}/decisions/{org}/history", None, **org_private(200)
    ),
    ("GET", "/api/v1/organizations/{org_id}/approval-process"): Case(
        "GET", "/api/v1/organizations/{org}/approval-process", None, **org_private(200)
    ),
    ("PUT", "/api/v1/organizations/{org_id}/approval-process"): Case(
        "PUT", "/api/v1/organizations/{org}/approval-process",
        {"steps": [{"name": "Board", "approver_role": "admin", "expected_days": 5}]},
        **org_admins(200, outsider=404),
    ),
    ("GET", "/api/v1/organizations/{org_id}/approvals"): Case(
        "GET", "/api/v1/organizations/{org}/approvals", None, **org_private(200)
    ),
    ("GET", "/api/v1/approvals"): Case("GET", "/api/v1/approvals", None, **everyone(200)),
    ("GET", "/api/v1/approvals/{approval_id}"): Case(
        "GET", "/api/v1/approvals/{approval}", None, **org_private(200)
    ),
    ("POST", "/api/v1/approvals/{approval_id}/decision"): Case(
        "POST", "/api/v1/approvals/{approval}/decision", {"action": "approve", "step": 1},
        # The step is for an approver; an admin decides for the organization too.
        outsider=404, member=403, approver=200, admin=200, platform_admin=200,
    ),
    # Webhooks are the organization admins' business: to anyone else they do not exist.
    ("POST", "/api/v1/webhooks"): Case(
        "POST", "/api/v1/webhooks", {"url": "http://127.0.0.1:9/hooks", "organization_id": "{org}"},
        **org_admins(201, outsider=404),
    ),
    ("GET", "/api/v1/webhooks"): Case("GET", "/api/v1/webhooks", None, **everyone(200)),
    ("GET", "/api/v1/webhooks/{webhook_id}"): Case(
        "GET", "/api/v1/webhooks/{webhook}", None, **admins_only(200)
    ),
    ("PATCH", "/api/v1/webhooks/{webhook_id}"): Case(
        "PATCH", "/api/v1/webhooks/{webhook}", {"description": "CRM"}, **admins_only(200)
    ),
    ("DELETE", "/api/v1/webhooks/{webhook_id}"): Case(
        "DELETE", "/api/v1/webhooks/{webhook}", None, **admins_only(204)
    ),
    ("POST", "/api/v1/webhooks/{webhook_id}/rotate-secret"): Case(
        "POST", "/api/v1/webhooks/{webhook}/rotate-secret", None, **admins_only(200)
    ),
    ("POST", "/api/v1/webhooks/{webhook_id}/test"): Case(
        "POST", "/api/v1/webhooks/{webhook}/test", None, **admins_only(202)
    ),
    ("GET", "/api/v1/webhooks/{webhook_id}/deliveries"): Case(
        "GET", "/api/v1/webhooks/{webhook}/deliveries", None, **admins_only(200)
    ),
    ("POST", "/api/v1/webhooks/{webhook_id}/replay"): Case(
        "POST", "/api/v1/webhooks/{webhook}/replay",
        {"since": "2026-01-01T00:00:00Z", "until": "2026-01-02T00:00:00Z"}, **admins_only(202)
    ),
    ("POST", "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"): Case(
        "POST", "/api/v1/webhooks/{webhook}/deliveries/{delivery}/retry", None, **admins_only(202)
    ),
    # Proposals: the members of the coalition decide.
    ("POST", "/api/v1/coalitions/{coalition_id}/proposals"): Case(
        "POST", "/api/v1/coalitions/{coalition}/proposals", {"title": "Endorse HB 210"},
        **org_admins(201, outsider=404),
    ),
    ("GET", "/api/v1/coalitions/{coalition_id}/proposals"): Case(
        "GET", "/api/v1/coalitions/{coalition}/proposals", None, **org_private(200)
    ),
    ("GET", "/api/v1/proposals/{proposal_id}"): Case(
        "GET", "/api/v1/proposals/{proposal}", None, **org_private(200)
    ),
    ("POST", "/api/v1/proposals/{proposal_id}/votes"): Case(
        "POST", "/api/v1/proposals/{proposal}/votes", {"organization_id": "{org}", "choice": "yes"},
        **org_admins(200, outsider=404),
    ),
    ("POST", "/api/v1/proposals/{proposal_id}/close"): Case(
        "POST", "/api/v1/proposals/{proposal}/close", None, **org_admins(200, outsider=404)
    ),
    ("POST", "/api/v1/proposals/{proposal_id}/comments"): Case(
        "POST", "/api/v1/proposals/{proposal}/comments", {"body": "We support this."},
        **org_admins(201, outsider=404),
    ),
    ("GET", "/api/v1/proposals/{proposal_id}/comments"): Case(
        "GET", "/api/v1/proposals/{proposal}/comments", None, **org_private(200)
    ),
    ("POST", "/api/v1/proposals/{proposal_id}/reminders"): Case(
        "POST", "/api/v1/proposals/{proposal}/reminders", None, **org_admins(200, outsider=404)
    ),
    # The coalition's list: its members read it; their admins write to it.
    ("POST", "/api/v1/coalitions/{coalition_id}/messages"): Case(
        "POST", "/api/v1/coalitions/{coalition}/messages", {"subject": "Hello", "body": "Hi all"},
        **org_admins(201, outsider=404),
    ),
    ("GET", "/api/v1/coalitions/{coalition_id}/messages"): Case(
        "GET", "/api/v1/coalitions/{coalition}/messages", None, **org_private(200)
    ),
    # Reports: a coalition's for its members, an organization's for its own people; its
    # admins send it upward (the organization below reports to its state body).
    ("GET", "/api/v1/coalitions/{coalition_id}/report"): Case(
        "GET", "/api/v1/coalitions/{coalition}/report", None, **org_private(200)
    ),
    ("GET", "/api/v1/organizations/{org_id}/report"): Case(
        "GET", "/api/v1/organizations/{org}/report?start=2026-01-01", None, **org_private(200)
    ),
    ("POST", "/api/v1/organizations/{org_id}/reports"): Case(
        "POST", "/api/v1/organizations/{org}/reports", {"note": "A good year."},
        **org_admins(201, outsider=404),
    ),
    ("GET", "/api/v1/organizations/{org_id}/reports"): Case(
        "GET", "/api/v1/organizations/{org}/reports", None, **org_private(200)
    ),
    # Notifications belong to one person.
    ("GET", "/api/v1/notifications"): Case("GET", "/api/v1/notifications", None, **everyone(200)),
    ("POST", "/api/v1/notifications/{notification_id}/read"): Case(
        "POST", "/api/v1/notifications/{notification}/read", None,
        outsider=404, member=404, approver=404, admin=200, platform_admin=404,
    ),
    ("POST", "/api/v1/notifications/read-all"): Case(
        "POST", "/api/v1/notifications/read-all", None, **everyone(200)
    ),
    ("GET", "/api/v1/notifications/preferences"): Case(
        "GET", "/api/v1/notifications/preferences", None, **everyone(200)
    ),
    ("PUT", "/api/v1/notifications/preferences"): Case(
        "PUT", "/api/v1/notifications/preferences", {"email": "daily"}, **everyone(200)
    ),
}  # fmt: skip


def test_every_api_route_is_in_the_table(app):
    routes = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/v1")
        for method in operations
    }
    assert routes == set(CASES), (
        f"not in the table: {sorted(routes - set(CASES))}; gone: {sorted(set(CASES) - routes)}"
    )


def _setting(world: World) -> dict:
    admin = world.user("admin")
    organization = world.organization(admin, name="Maple PTA", reports_to="state@example.org")
    other_admin = world.user("outsider")
    other = world.organization(other_admin, name="Oak PTA")
    area = world.issue_area("Early literacy")
    people = {
        "admin": admin,
        "member": world.member(organization, "member"),
        "approver": world.member(organization, "approver"),
        "outsider": other_admin,
        "platform_admin": world.user("root", platform_admin=True),
    }
    spare = world.member(organization, "member", name="spare")
    coalition = world.coalition(organization)
    partner = world.organization(name="Partner")
    world.join(coalition, partner)
    goal, objective = _goal_with_objective(world, coalition.id)
    activities = _activities(world, coalition.id, organization.id)
    hooks = _webhook_notification_and_proposal(world, organization.id, admin.id)
    values = {
        **hooks,
        **activities,
        "coalition": coalition.id,
        "partner": partner.id,
        "newcomer": world.organization(name="Newcomer").id,
        "goal": goal,
        "objective": objective,
        "org": organization.id,
        "other": other.id,
        "area": area.id,
        "user": spare.id,
        "token": world.token(admin),
    }
    return {"people": people, "values": values}


def _goal_with_objective(world: World, coalition_id: str) -> tuple[str, str]:
    from datetime import date

    from app.schemas.coalitions import GoalCreate, ObjectiveCreate
    from app.services import goals
    from tests.conftest import SETUP

    with world.database.session() as session:
        goal = goals.create_goal(
            session,
            SETUP,
            coalition_id,
            GoalCreate(title="Pass the bill", due_date=date(2027, 1, 1)),
        )
        objective = goals.add_objective(session, SETUP, goal["id"], ObjectiveCreate(title="Draft"))
    return goal["id"], objective["id"]


def _activities(world: World, coalition_id: str, org_id: str) -> dict[str, str]:
    from app.schemas.activities import ActivityCreate, ApprovalProcessPut, ApprovalStepIn
    from app.services import activities, approvals
    from tests.conftest import SETUP

    def letter(title: str) -> str:
        made = activities.create_activity(
            session, SETUP, coalition_id, ActivityCreate(kind="sign_on_letter", title=title)
        )
        return made.id

    with world.database.session() as session:
        signing = letter("Open, no process")
        activities.open_activity(session, SETUP, signing)
        step = ApprovalStepIn(name="Committee", approver_role="approver", expected_days=3)
        approvals.put_process(session, SETUP, org_id, None, ApprovalProcessPut(steps=[step]))
        approving = letter("Open, in approval")
        activities.open_activity(session, SETUP, approving)
        approval = approvals.list_for_organization(session, SETUP, org_id).items[0]["id"]
        draft = letter("Draft")
        from sqlmodel import select

        from app.models import Event

        opened = session.exec(
            select(Event.id).where(Event.type == "activity.opened").order_by(Event.position)  # type: ignore[arg-type]
        ).first()
    return {
        "signing": signing,
        "approving": approving,
        "approval": approval,
        "draft": draft,
        "event": opened,
    }


def _webhook_notification_and_proposal(world: World, org_id: str, user_id: str) -> dict[str, str]:
    from app.schemas.webhooks import WebhookCreate
    from app.services import notifications, webhooks
    from app.settings import get_settings
    from tests.conftest import SETUP

    with world.database.session() as session:
        subscription, _ = webhooks.create_subscription(
            session,
            SETUP,
            WebhookCreate(url="http://127.0.0.1:9/hooks", organization_id=org_id),
            settings=get_settings(),
        )
        delivery = webhooks.send_test(session, SETUP, subscription.id)
        note = notifications.notify(session, user_id, kind="test", text="Hello", link=None)
        from app.schemas.proposals import ProposalCreate
        from app.services import proposals

        coalition_id = world_coalition_of(session, org_id)
        proposal = proposals.create_proposal(
            session, SETUP, coalition_id, ProposalCreate(title="Endorse")
        )
    return {
        "webhook": subscription.id,
        "delivery": delivery.id,
        "notification": note.id,
        "proposal": proposal.id,
    }


def world_coalition_of(session, org_id: str) -> str:  # type: ignore[no-untyped-def]
    """The coalition the organization convenes in this setting."""
    from sqlmodel import select

    from app.models import Membership

    return session.exec(
        select(Membership.coalition_id).where(Membership.organization_id == org_id)
    ).first()


def _fill(text: str, values: dict) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


@dataclass
class Table:
    """One setting for every case of a backend: built once, each case rolled back."""

    client: TestClient
    connection: Connection
    values: dict[str, str]
    headers: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def table(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Table]:
    # Building the setting costs far more than a request, so over a thousand cases share one,
    # committed to a database of the module's own; each case runs in a transaction rolled
    # back after it, so none sees what another did. (Held open for the whole module instead,
    # one transaction would hold back every PostgreSQL event follower on the server.)
    with fresh_database_url(backend, tmp_path_factory.mktemp("table")) as url:
        migrate.upgrade(url)
        engine = build_engine(url)
        world = World(Database(engine))
        setting = _setting(world)
        headers = {actor: world.headers(person) for actor, person in setting["people"].items()}
        admin = setting["people"]["admin"]
        headers["admin, read only"] = {
            "Authorization": f"Bearer {world.token(admin, scopes=('read',))}"
        }
        settings = Settings(environment="test", database_url=url, secret_key=TEST_SECRET)
        connection = engine.connect()
        with TestClient(create_app(settings, database=Database(connection))) as client:
            yield Table(client, connection, setting["values"], {"anonymous": {}, **headers})
        connection.close()
        engine.dispose()


@pytest.fixture
def case_of(table: Table) -> Iterator[Table]:
    transaction = table.connection.begin()
    yield table
    transaction.rollback()


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("route", list(CASES), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_answers_each_actor_as_it_should(case_of: Table, route, actor):
    case = CASES[route]
    client, values = case_of.client, dict(case_of.values)
    if "{token}" in case.path:
        # The token to revoke is one of the admin's, listed to learn its id.
        listing = client.get("/api/v1/tokens", headers=case_of.headers["admin"])
        values["token"] = listing.json()["items"][0]["id"]
    body = None
    if case.body is not None:
        body = {k: _fill(v, values) if isinstance(v, str) else v for k, v in case.body.items()}

    response = client.request(
        case.method, _fill(case.path, values), headers=case_of.headers[actor], json=body
    )

    expected = getattr(case, actor)
    assert response.status_code == expected, response.text
    if expected == 201:
        assert response.headers["location"].startswith("/api/v1/"), "a 201 names its resource"
    if expected >= 400:
        assert response.headers["content-type"].startswith("application/problem+json")


def test_a_read_token_reads_what_its_person_may_and_changes_nothing(case_of: Table):
    """The same table, walked by the admin with a token of scope `read` alone: every read
    answers as it does with full rights, except the webhooks' and tokens' (their own
    scopes); every change that needs a caller is 403 `insufficient_scope`."""
    client, values = case_of.client, dict(case_of.values)
    listing = client.get("/api/v1/tokens", headers=case_of.headers["admin"])
    values["token"] = listing.json()["items"][0]["id"]
    read_only = case_of.headers["admin, read only"]

    for (method, template), case in CASES.items():
        body = None
        if case.body is not None:
            body = {k: _fill(v, values) if isinstance(v, str) else v for k, v in case.body.items()}
        response = client.request(
            case.method, _fill(case.path, values), headers=read_only, json=body
        )
        needs_other_scope = template.startswith(("/api/v1/webhooks", "/api/v1/tokens"))
        reached_from_an_email = case.anonymous != 401  # no caller, so no scope
        reads = method == "GET" and not needs_other_scope
        expected = case.admin if reached_from_an_email or reads else 403
        assert response.status_code == expected, (method, template, response.text)
        if expected == 403:
            assert response.json()["code"] == "insufficient_scope", (method, template)
