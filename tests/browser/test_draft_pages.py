"""A lead on a phone: reads a draft's readiness, fixes its deadline in place, opens it, then
moves the deadline of the open letter."""

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.test_organization_page import _serious_violations, log_in

pytestmark = pytest.mark.browser


def _input(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def fits(page, selector: str) -> bool:
    """The section needs no sideways scrolling at phone width (it ends inside 390 px)."""
    box = page.locator(selector).evaluate("e => [e.scrollWidth, e.getBoundingClientRect().right]")
    return box[0] <= 390 and box[1] <= 390


def test_fix_a_drafts_deadline_then_move_it_once_open(page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_server)
    page.goto(f"/coalitions/{live_server.letters_coalition_id}/activities")
    page.get_by_text("New advocacy activity").click()
    page.get_by_label("Title").fill("Keep libraries open on Saturdays")
    page.get_by_label("Sign-on deadline (UTC time)").fill(
        _input(datetime.now(UTC) + timedelta(days=2))
    )
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Keep libraries open on Saturdays")

    draft = page.locator("#draft")
    # Read Together's board takes about 5 days: two days is too short, and the page says so.
    expect(draft).to_contain_text("Read Together: 1 approval step")
    expect(draft).to_contain_text("1 member would not finish its approval in time.")
    assert fits(page, "#draft")
    assert _serious_violations(page) == []

    draft.get_by_label("Sign-on deadline (UTC time)").fill(
        _input(datetime.now(UTC) + timedelta(days=9))
    )
    draft.get_by_label("Addressed to").fill("City Council")
    draft.get_by_role("button", name="Save the draft").click()
    expect(page.locator("#draft").get_by_role("status")).to_have_text("Draft saved.")
    expect(page.locator("#draft")).to_contain_text("Every member's approval fits the deadline")
    expect(page.locator("#activity dl")).to_contain_text("City Council")
    expect(page.locator("#draft-save")).to_be_focused()  # focus stays where the person was

    page.get_by_role("button", name="Open: ask every member").click()
    expect(page.locator("#signatories").get_by_role("status")).to_have_text(
        "Opened: every member has been asked."
    )
    expect(page.locator("#draft")).to_have_count(0)
    later = datetime.now(UTC) + timedelta(days=20)
    deadline = page.locator("#deadline")
    deadline.get_by_text("Move the deadline").click()
    deadline.get_by_label("New sign-on deadline (UTC time)").fill(_input(later))
    deadline.get_by_role("button", name="Save the new deadline").click()
    expect(page.locator("#deadline").get_by_role("status")).to_contain_text("Deadline moved.")
    expect(page.locator("#activity dl")).to_contain_text(later.strftime("%d %b %Y"))
    assert fits(page, "#deadline")
    assert _serious_violations(page) == []
