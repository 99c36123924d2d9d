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
        engine_for(url).dispose()
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

    with TestClient(create_app(get_settings())) as client:
        headers = {"Authorization": f"Bearer {token}"}
        me = client.get("/api/v1/me", headers=headers).json()
        assert me["is_platform_admin"] is True
        orgs = client.get("/api/v1/organizations", headers=headers).json()["items"]
        state_pta = next(o for o in orgs if o["name"] == "Riverside State PTA")
        positions = client.get(
            f"/api/v1/organizations/{state_pta['id']}/positions", headers=headers
        )
        assert len(positions.json()["items"]) == 4


def test_the_demo_shows_stance_aware_advice(cli_env):
    """The State PTA, opposed to vouchers, is told the coalition against vouchers fits it;
    Read Together, a charity that gives no testimony, is told the testimony ask fits in part."""
    from sqlmodel import select

    from app.db import Database
    from app.models import Activity, Coalition, Organization
    from app.services import accounts, activities, coalitions

    runner = CliRunner()
    runner.invoke(cli, ["migrate"])
    assert runner.invoke(cli, ["seed-demo"]).exit_code == 0
    with Database(engine_for(cli_env)).session() as session:

        def reader(email):
            return accounts.principal_for(session, accounts.find_user(session, email))

        def named(model, name):
            return session.exec(select(model).where(model.name == name)).one()

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


def test_the_demo_prints_the_invitation_waiting_in_the_outbox(cli_env, monkeypatch):
    """In development, without an SMTP server, seed-demo prints the food bank's invitation:
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
    assert "To director@eastsidefoodbank.example.org" in seeded.output
    [path] = re.findall(r"http://127\.0\.0\.1:8000(/welcome/\S+)", seeded.output)
    with TestClient(create_app(get_settings())) as client:
        page = client.get(path)
        assert page.status_code == 200 and "Eastside Food Bank" in page.text
        assert "Read by Third Grade Coalition" in page.text
