"""What the pages do with script of their own (app/static/js/coalesce.js), under the
Content-Security-Policy that refuses inline script: copying a new webhook secret, printing."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_organization_page import _serious_violations, log_in

pytestmark = pytest.mark.browser


def test_copy_the_new_webhook_secret(page, live_server):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, live_server)
    page.goto("/webhooks")
    page.get_by_text("Add a webhook").click()
    page.get_by_label("Address (https://…)").fill("http://127.0.0.1:9/hooks")
    page.get_by_label("A test message").check()
    page.get_by_role("button", name="Add webhook").click()
    secret = page.get_by_label("Signing secret")
    expect(secret).to_be_visible()

    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret.input_value()


def test_print_a_report(page, live_server):
    page.add_init_script("window.print = () => { window.printed = true; };")
    log_in(page, live_server)
    page.goto(f"/coalitions/{live_server.coalition_id}/report")
    expect(page.get_by_role("heading", level=1)).to_contain_text("advocacy report")
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed") is True
    assert _serious_violations(page) == []


def test_signing_in_takes_the_browsers_time_zone(new_context, live_server):
    # Last in this module: the seeded person keeps the zone afterwards.
    page = new_context(timezone_id="America/Chicago").new_page()
    log_in(page, live_server)
    page.goto("/me")
    expect(page.get_by_label("Time zone", exact=True)).to_have_value("America/Chicago")
