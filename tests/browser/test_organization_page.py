"""A board member's morning in a real browser: log in, edit a position, log out."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import PASSWORD

pytestmark = pytest.mark.browser


def log_in(page, live_server, email=None):
    page.goto("/login")
    page.get_by_label("E-mail").fill(email or live_server.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def test_edit_a_position_in_place_then_log_out(page, live_server):
    log_in(page, live_server)
    page.get_by_role("link", name="Maple District PTA").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Maple District PTA")
    page.get_by_role("navigation", name="Sections of Maple District PTA").get_by_role(
        "link", name="Positions"
    ).click()
    expect(page).to_have_url(
        f"{live_server.url}/organizations/{live_server.organization_id}/positions"
    )

    form = page.locator(f"#position-{live_server.issue_area_id}")
    expect(form.locator(".position-summary")).to_contain_text("no position yet")
    form.get_by_text("Edit").click()
    form.get_by_label("Stance").select_option("support")
    form.get_by_label("Priority").select_option("main")
    form.get_by_label("Position statement").fill("Every child reads by third grade.")
    url_before = page.url
    form.get_by_role("button", name="Save position").click()

    form = page.locator(f"#position-{live_server.issue_area_id}")
    expect(form.get_by_role("status")).to_have_text("Position saved.")
    expect(form.locator(".position-summary")).to_contain_text("supports, a main priority")
    assert page.url == url_before  # saved in place, no page load
    page.reload()
    form.get_by_text("Edit").click()
    expect(form.get_by_label("Position statement")).to_have_value(
        "Every child reads by third grade."
    )

    # A statement over the limit: the error appears next to the field, nothing is saved.
    form.get_by_label("Position statement").fill("x" * 4001)
    form.get_by_role("button", name="Save position").click()
    error = form.locator(f"#position-{live_server.issue_area_id}-statement-error")
    expect(error).to_contain_text("to 4000 characters or fewer")
    expect(form.get_by_label("Position statement")).to_have_attribute("aria-invalid", "true")
    page.reload()
    expect(form.get_by_label("Position statement")).to_have_value(
        "Every child reads by third grade."
    )

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(f"{live_server.url}/login")
    page.goto("/")
    expect(page).to_have_url(f"{live_server.url}/login?next=/")


def _serious_violations(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in {"serious", "critical"}
    ]


def test_login_page_is_accessible(page, live_server):
    page.goto("/login")
    assert _serious_violations(page) == []


def test_organization_page_is_accessible(page, live_server):
    log_in(page, live_server)
    page.goto(f"/organizations/{live_server.organization_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Maple District PTA")
    assert _serious_violations(page) == []


def test_skip_link_is_the_first_stop_for_the_keyboard(page, live_server):
    page.goto("/login")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to main content"
