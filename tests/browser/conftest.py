"""A real uvicorn on 127.0.0.1 with a database of its own, and Debian's Chromium."""

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext

from app import migrate
from app.db import Database, build_engine
from app.main import create_app
from app.principal import Principal
from app.schemas.activities import ApprovalProcessPut, ApprovalStepIn
from app.schemas.coalitions import CoalitionCreate, MembershipCreate, MembershipUpdate
from app.schemas.organizations import (
    IssueAreaCreate,
    OrganizationCreate,
    OrganizationUserCreate,
    PositionPut,
)
from app.services import accounts, approvals, coalitions, organizations
from app.settings import Settings
from tests.conftest import TEST_SECRET
from tests.databases import BACKENDS, fresh_database_url, skip_or_fail
from tests.live import serve_in_thread

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
PASSWORD = "correct horse battery"


@dataclass
class LiveServer:
    url: str
    email: str
    organization_id: str
    issue_area_id: str
    coalition_id: str
    partner_email: str
    partner_organization_id: str
    letters_coalition_id: str
    approver_email: str
    database: Database
    backend: str


def _seed(database: Database) -> dict[str, str]:
    """Dana runs Maple District PTA, which convenes a coalition; Lena runs Read Together."""
    with database.session() as session:
        root = Principal(user_id="setup", email="setup", is_platform_admin=True)
        dana = accounts.create_user(
            session, email="dana@example.org", name="Dana", password=PASSWORD
        )
        maple = organizations.create_organization(
            session,
            accounts.principal_for(session, dana),
            OrganizationCreate(name="Maple District PTA", kind="pta"),
        )
        lena = accounts.create_user(
            session, email="lena@example.org", name="Lena", password=PASSWORD
        )
        read_together = organizations.create_organization(
            session,
            accounts.principal_for(session, lena),
            OrganizationCreate(name="Read Together", kind="nonprofit", staff_count=8),
        )
        area = organizations.create_issue_area(
            session, root, IssueAreaCreate(name="Early literacy")
        )
        organizations.put_position(
            session,
            root,
            organization_id=read_together.id,
            issue_area_id=area.id,
            position_in=PositionPut(stance="support", priority="main"),
        )
        coalition = coalitions.create_coalition(
            session,
            root,
            CoalitionCreate(
                name="Read by Third Grade",
                unifying_issue="Every child reads by third grade",
                issue_area_ids=[area.id],
                convener_organization_id=maple.id,
            ),
        )
        # A second coalition where Read Together already takes part and must get its
        # board's approval (Rita approves) before it signs.
        letters = coalitions.create_coalition(
            session,
            root,
            CoalitionCreate(
                name="Letters coalition",
                unifying_issue="Write to the legislature",
                issue_area_ids=[area.id],
                convener_organization_id=maple.id,
            ),
        )
        coalitions.invite(
            session, root, letters.id, MembershipCreate(organization_id=read_together.id)
        )
        coalitions.update_member(
            session,
            root,
            coalition_id=letters.id,
            organization_id=read_together.id,
            changes=MembershipUpdate(status="joined"),
        )
        rita = accounts.create_user(
            session, email="rita@example.org", name="Rita", password=PASSWORD
        )
        organizations.add_user(
            session,
            root,
            read_together.id,
            OrganizationUserCreate(email=rita.email, role="approver"),
        )
        approvals.put_process(
            session,
            root,
            read_together.id,
            None,
            ApprovalProcessPut(
                steps=[ApprovalStepIn(name="Board", approver_role="approver", expected_days=5)]
            ),
        )
        return {
            "letters_coalition_id": letters.id,
            "approver_email": rita.email,
            "email": dana.email,
            "organization_id": maple.id,
            "issue_area_id": area.id,
            "coalition_id": coalition.id,
            "partner_email": lena.email,
            "partner_organization_id": read_together.id,
        }


@pytest.fixture(scope="module", params=BACKENDS)
def live_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    with fresh_database_url(request.param, tmp_path_factory.mktemp("live")) as url:
        migrate.upgrade(url)
        engine = build_engine(url)
        database = Database(engine)
        seeded = _seed(database)
        settings = Settings(environment="test", database_url=url, secret_key=TEST_SECRET)
        app = create_app(settings, database=database, run_worker=True)
        with serve_in_thread(app) as base_url:
            yield LiveServer(url=base_url, database=database, backend=request.param, **seeded)
        engine.dispose()


# What a page shows does not depend on the database behind it, so rather than every journey
# at both widths on both databases, each database takes one width: the phone's on SQLite,
# the desk's on PostgreSQL. A journey that asks for `width` is still seen at both.
WIDTH_ON = {"sqlite": 390, "postgresql": 1280}


@pytest.fixture
def width(live_server: LiveServer) -> int:
    return WIDTH_ON[live_server.backend]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Chromium reports each thing the Content-Security-Policy refuses twice: as a console
# message saying what and why, and as this event saying which directive and which file;
# the test collects both, so a failure reads plainly.
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportCspViolation(
    `${location.pathname}: ${event.effectiveDirective} refused ` +
      `${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`
  );
}, true);
"""


def _watch_csp(context: BrowserContext, violations: list[str]) -> None:
    def report(violation: str) -> None:
        violations.append(violation)

    context.expose_function("reportCspViolation", report)
    context.add_init_script(_REPORT_CSP_VIOLATIONS)
    context.on(
        "console",
        lambda message: (
            violations.append(f"{message.page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )


@pytest.fixture
def new_context(browser, live_server) -> Iterator[Callable[[], BrowserContext]]:
    """Makes browser contexts for the test; anything the CSP refuses in them fails it."""
    contexts: list[BrowserContext] = []
    violations: list[str] = []

    def make(**options: Any) -> BrowserContext:  # options: Playwright's (timezone_id, …)
        context = browser.new_context(base_url=live_server.url, **options)
        _watch_csp(context, violations)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        for open_page in context.pages:
            open_page.evaluate("0")  # a round trip: reports sent before it have arrived
        context.close()
    assert not violations, "The Content-Security-Policy refused:\n" + "\n".join(violations)


@pytest.fixture
def page(new_context, tmp_path):
    page = new_context().new_page()
    page.set_default_timeout(10_000)
    yield page
    if os.environ.get("COALESCE_TEST_SCREENSHOTS"):
        page.screenshot(path=str(tmp_path / "last.png"), full_page=True)
