"""A food bank invited by e-mail, in a real browser: the chair invites it from her coalition's
page, the e-mail goes through a real SMTP server, and its director follows the link from the
message to choose a password and land on the joining assessment."""

import re
import time
from collections.abc import Iterator
from email import message_from_bytes

import pytest
from playwright.sync_api import expect

from app import migrate
from app.db import Database, build_engine
from app.main import create_app
from app.schemas.coalitions import CoalitionCreate
from app.schemas.organizations import OrganizationCreate
from app.services import accounts, coalitions, organizations
from app.settings import Settings
from tests.browser.conftest import PASSWORD, _watch_csp
from tests.browser.test_organization_page import _serious_violations
from tests.conftest import SETUP, TEST_SECRET
from tests.databases import BACKENDS, fresh_database_url
from tests.live import serve_in_thread

pytestmark = pytest.mark.browser

DIRECTOR = "director@foodbank.example.org"


@pytest.fixture(params=BACKENDS)
def mailing_server(request, smtp, tmp_path) -> Iterator[tuple[str, str, object]]:
    """Coalesce with its worker, mailing through the test's SMTP server; Dana chairs
    "Feed Every Kid", convened by Maple District PTA."""
    inbox, _, port = smtp
    with fresh_database_url(request.param, tmp_path) as url:
        migrate.upgrade(url)
        engine = build_engine(url)
        database = Database(engine)
        with database.session() as session:
            dana = accounts.create_user(
                session, email="dana@example.org", name="Dana", password=PASSWORD
            )
            maple = organizations.create_organization(
                session,
                accounts.principal_for(session, dana),
                OrganizationCreate(name="Maple District PTA", kind="pta"),
            )
            coalition = coalitions.create_coalition(
                session,
                SETUP,
                CoalitionCreate(
                    name="Feed Every Kid",
                    unifying_issue="No child hungry at school",
                    convener_organization_id=maple.id,
                ),
            )
        settings = Settings(
            environment="test",
            database_url=url,
            secret_key=TEST_SECRET,
            smtp_url=f"smtp://127.0.0.1:{port}/coalesce@example.org",
            worker_poll_seconds=0.2,
        )
        app = create_app(settings, database=database, run_worker=True)
        with serve_in_thread(app) as base_url:
            settings.public_url = base_url  # links in e-mails point at this server
            yield base_url, coalition.id, inbox
        engine.dispose()


def wait_for_mail(inbox, to: str) -> str:
    """The worker sends on its own schedule; wait (at most 15 s) for the message to land."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for envelope in inbox.messages:
            if to in envelope.rcpt_tos:
                return message_from_bytes(envelope.content).get_payload(decode=True).decode()
        time.sleep(0.1)
    pytest.fail(f"no e-mail reached {to}")


def test_a_food_bank_invited_by_email_lands_on_the_joining_assessment(browser, mailing_server):
    base_url, coalition_id, inbox = mailing_server
    violations: list[str] = []

    # Dana, on her phone, invites the food bank from the coalition's page.
    chair = browser.new_context(base_url=base_url, viewport={"width": 390, "height": 844})
    _watch_csp(chair, violations)
    page = chair.new_page()
    page.set_default_timeout(10_000)
    page.goto("/login")
    page.get_by_label("E-mail").fill("dana@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"/coalitions/{coalition_id}/members")
    page.get_by_text("Invite an organization not yet on Coalesce").click()
    page.get_by_label("Their e-mail").fill(DIRECTOR)
    page.get_by_label("Organization's name").fill("Eastside Food Bank")
    page.get_by_label("A note to them").fill("We would love your voice on school meals.")
    page.get_by_role("button", name="Send invitation").click()
    row = page.locator("#members").get_by_role("row", name="Eastside Food Bank")
    expect(row).to_contain_text("invited")

    # The e-mail arrives through SMTP; the director follows its link.
    body = wait_for_mail(inbox, DIRECTOR)
    assert "Feed Every Kid" in body and "Eastside Food Bank" in body
    [link] = re.findall(re.escape(base_url) + r"/welcome/\S+", body)
    director = browser.new_context(viewport={"width": 390, "height": 844})
    _watch_csp(director, violations)
    food_bank = director.new_page()
    food_bank.set_default_timeout(10_000)
    food_bank.goto(link)
    expect(food_bank.get_by_role("heading", level=1)).to_have_text("Welcome to Coalesce")
    expect(food_bank.get_by_text("invited Eastside Food Bank to join")).to_be_visible()
    assert _serious_violations(food_bank) == []
    food_bank.get_by_label("Your name").fill("Rosa")
    food_bank.get_by_label("Password").fill("rosa's long password")
    food_bank.get_by_role("button", name="Choose password and sign in").click()

    expect(food_bank.get_by_role("heading", level=1)).to_have_text("Joining Feed Every Kid?")
    assert f"/coalitions/{coalition_id}/join?organization_id=" in food_bank.url
    assert _serious_violations(food_bank) == []

    # The link works once.
    food_bank.goto(link)
    expect(food_bank.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    chair.close()
    director.close()
    assert violations == []
