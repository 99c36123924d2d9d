"""The `coalesce` command against a fresh database of its own."""

import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.db import engine_for
from app.settings import get_settings
from tests.databases import fresh_database_url


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    with fresh_database_url("sqlite", tmp_path) as url:
        monkeypatch.setenv("COALESCE_DATABASE_URL", url)
        get_settings.cache_clear()
        yield url
        engine_for(get_settings()).dispose()
    get_settings.cache_clear()


def test_migrate_seed_users_and_tokens(cli_env, monkeypatch):
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0

    seeded = runner.invoke(cli, ["seed-demo", "--if-empty"])
    assert seeded.exit_code == 0, seeded.output
    assert "dana@statepta.example.org" in seeded.output and "coalesce-demo" in seeded.output
    again = runner.invoke(cli, ["seed-demo", "--if-empty"])
    assert "not seeded again" in again.output

    monkeypatch.setenv("COALESCE_PASSWORD", "root-password-1")
    made = runner.invoke(cli, ["create-user", "root@example.org", "--admin"])
    assert made.exit_code == 0 and "platform admin" in made.output
    duplicate = runner.invoke(cli, ["create-user", "root@example.org"])
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output

    token = runner.invoke(cli, ["create-token", "root@example.org", "--name", "ops"])
    assert token.exit_code == 0 and token.output.strip().startswith("coal_")
    missing = runner.invoke(cli, ["create-token", "ghost@example.org", "--name", "x"])
    assert missing.exit_code == 1


def test_a_platform_admin_token_sees_every_organization(cli_env, monkeypatch):
    from fastapi.testclient import TestClient

    from app.main import create_app

    runner = CliRunner()
    runner.invoke(cli, ["migrate"])
    runner.invoke(cli, ["seed-demo"])
    monkeypatch.setenv("COALESCE_PASSWORD", "root-password-1")
    runner.invoke(cli, ["create-user", "root@example.org", "--admin"])
    token = runner.invoke(cli, ["create-token", "root@example.org", "--name", "ops"]).output.strip()
    reader = runner.invoke(
        cli, ["create-token", "root@example.org", "--name", "crm", "--scope", "read"]
    ).output.strip()
    unknown = runner.invoke(
        cli, ["create-token", "root@example.org", "--name", "x", "--scope", "all"]
    )
    assert unknown.exit_code == 1

    with TestClient(create_app(get_settings())) as client:
        read_only = {"Authorization": f"Bearer {reader}"}
        assert client.get("/api/v1/organizations", headers=read_only).status_code == 200
        made = client.post(
            "/api/v1/organizations", headers=read_only, json={"name": "N", "kind": "pta"}
        )
        assert made.status_code == 403
        headers = {"Authorization": f"Bearer {token}"}
        me = client.get("/api/v1/me", headers=headers).json()
        assert me["is_platform_admin"] is True
        orgs = client.get("/api/v1/organizations", headers=headers).json()["items"]
        state_pta = next(o for o in orgs if o["name"] == "Riverside State PTA")
        positions = client.get(
            f"/api/v1/organizations/{state_pta['id']}/positions", headers=headers
        )
        assert len(positions.json()["items"]) == 4


class Demo:
    """The seeded demo, read through the services as its people would."""

    def __init__(self, session):
        self.session = session

    def reader(self, email):
        from app.services import accounts

        return accounts.principal_for(self.session, accounts.find_user(self.session, email))

    def named(self, model, name, field="name"):
        from sqlmodel import select

        return self.session.exec(select(model).where(getattr(model, field) == name)).one()


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """`coalesce migrate` and `coalesce seed-demo` once for the tests that only read it."""
    from app.db import Database

    with (
        fresh_database_url("sqlite", tmp_path_factory.mktemp("demo")) as url,
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setenv("COALESCE_DATABASE_URL", url)
        get_settings.cache_clear()
        runner = CliRunner()
        assert runner.invoke(cli, ["migrate"]).exit_code == 0
        assert runner.invoke(cli, ["seed-demo"]).exit_code == 0
        with Database(engine_for(get_settings())).session() as session:
            yield Demo(session)
        engine_for(get_settings()).dispose()
    get_settings.cache_clear()


def test_the_demo_shows_stance_aware_advice(demo):
    """The State PTA, opposed to vouchers, is told the coalition against vouchers fits it;
    Read Together, a charity that gives no testimony, is told the testimony ask fits in part."""
    from sqlmodel import select

    from app.models import Activity, Coalition, Organization
    from app.services import activities, coalitions

    session, reader, named = demo.session, demo.reader, demo.named
    against = named(Coalition, "Public Dollars for Public Schools")
    pta = named(Organization, "Riverside State PTA")
    fit = coalitions.alignment_for(
        session, reader("dana@statepta.example.org"),
        coalition_id=against.id, organization_id=pta.id,
    )  # fmt: skip
    assert fit["verdict"] == "aligned", fit
    assert not any("Do not join" in reason for reason in fit["reasons"])

    testimony = session.exec(select(Activity).where(Activity.kind == "testimony")).one()
    charity = named(Organization, "Read Together")
    ask = activities.alignment_for(
        session, reader("lena@readtogether.example.org"),
        activity_id=testimony.id, organization_id=charity.id,
    )  # fmt: skip
    assert ask["verdict"] == "partial"
    assert "cannot take on testimony" in ask["issues"][0]["note"]


def test_the_demo_shows_a_union_joining_through_its_board_and_a_late_joiner_asked(demo):
    """The union's membership committee has the meals alliance waiting, with what joining
    commits it to; the food bank, which joined while the literacy letter was open, is asked."""
    from app.models import Activity, Coalition, Organization
    from app.services import activities, approvals, coalitions

    session, reader, named = demo.session, demo.reader, demo.named
    meals = named(Coalition, "Healthy School Meals Alliance")
    union = named(Organization, "Riverside Education Association")
    waiting = approvals.inbox(session, reader("grace@rea.example.org"))
    assert [(a["title"], a["step"], a["steps_total"]) for a in waiting] == [
        ("Joining Healthy School Meals Alliance", 1, 2)
    ]
    assert waiting[0]["commitment"]["game_plan"] == "escalate"
    member = coalitions.get_member(
        session, reader("tom@eastsidefood.example.org"),
        coalition_id=meals.id, organization_id=union.id,
    )  # fmt: skip
    assert member["status"] == "joining" and member["approval"]["step"] == 1

    letter = named(Activity, "Fund the Early Literacy Act (HB 210)", field="title")
    food_bank = named(Organization, "Eastside Food Bank")
    tom = reader("tom@eastsidefood.example.org")
    assert letter.id in [a["activity"].id for a in activities.asks_waiting(session, tom)]
    decided = {
        d["organization_id"]: d["status"] for d in activities.decisions_view(session, tom, letter)
    }
    assert decided[food_bank.id] == "pending"


def test_the_demo_shows_guidelines_agreed_by_vote_a_letter_waiting_and_a_discussion(demo):
    from sqlmodel import select

    from app.models import Activity, Coalition, Proposal, ProposalComment

    session, named = demo.session, demo.named
    meals = named(Coalition, "Healthy School Meals Alliance")
    assert meals.activity_approval == "coalition_vote"
    agreed = session.get(Proposal, meals.guidelines_proposal_id)
    assert (agreed.kind, agreed.outcome) == ("guidelines", "passed")
    waiting = session.exec(
        select(Activity).where(Activity.coalition_id == meals.id, Activity.status == "proposed")
    ).one()
    vote = session.exec(select(Proposal).where(Proposal.activity_id == waiting.id)).one()
    assert vote.status == "open"
    discussed = named(Proposal, "Endorse Amendment 3 to HB 210 (library hours)", field="title")
    comments = session.exec(
        select(ProposalComment).where(ProposalComment.proposal_id == discussed.id)
    ).all()
    assert len(comments) == 2


def test_the_demo_has_a_thread_with_a_reply_and_a_report_sent(demo):
    from sqlmodel import select

    from app.models import Coalition, Message, Organization, SentReport

    session, named = demo.session, demo.named
    literacy = named(Coalition, "Read by Third Grade Coalition")
    posted = session.exec(select(Message).where(Message.coalition_id == literacy.id)).all()
    [thread] = [m for m in posted if m.reply_to is None]
    assert thread.subject == "Testimony sign-up for the HB 210 hearing"
    assert [m.reply_to for m in posted if m.reply_to] == [thread.id]
    state = named(Organization, "Riverside State PTA")
    [sent] = session.exec(select(SentReport).where(SentReport.organization_id == state.id)).all()
    assert sent.sent_to == state.reports_to == "advocacy@nationalpta.example.org"


def test_the_demo_prints_the_invitation_waiting_in_the_outbox(cli_env, monkeypatch):
    """In development, without an SMTP server, seed-demo prints the library's invitation:
    its link opens the page the invitee would reach from the e-mail."""
    import re

    from fastapi.testclient import TestClient

    from app.main import create_app

    monkeypatch.setenv("COALESCE_ENVIRONMENT", "development")
    get_settings.cache_clear()
    runner = CliRunner()
    runner.invoke(cli, ["migrate"])
    seeded = runner.invoke(cli, ["seed-demo"])
    assert seeded.exit_code == 0, seeded.output
    assert "Invitations in the e-mail outbox" in seeded.output
    assert "To director@westsidelibrary.example.org" in seeded.output
    [path] = re.findall(r"http://127\.0\.0\.1:8000(/welcome/\S+)", seeded.output)
    with TestClient(create_app(get_settings())) as client:
        page = client.get(path)
        assert page.status_code == 200 and "Westside Community Library" in page.text
        assert "Read by Third Grade Coalition" in page.text
