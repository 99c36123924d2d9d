"""A lead edits after creation, on a phone and on a desk: the coalition's settings (a rule
change offered as a vote), a draft letter's text, and the advocacy list searched in place."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_organization_page import _serious_violations, log_in

pytestmark = pytest.mark.browser


def fits(page, selector: str) -> bool:
    """The part this journey changes needs no sideways scrolling at this width (the
    pages' other tables are laid out for phones elsewhere)."""
    box = page.locator(selector).evaluate("e => [e.scrollWidth, e.getBoundingClientRect().right]")
    width = page.viewport_size["width"]
    return box[0] <= width and box[1] <= width


def test_change_the_settings_and_put_a_rule_change_to_a_vote(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server)
    page.goto(f"/coalitions/{live_server.letters_coalition_id}")
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Letters coalition: settings")
    assert fits(page, "main")
    assert _serious_violations(page) == []

    page.get_by_label("Description").fill(f"Letters to the legislature ({width})")
    page.get_by_label("How we decide").select_option("majority")
    page.get_by_role("button", name="Save the settings").click()
    settings = page.locator("#settings")
    expect(settings.get_by_role("status")).to_contain_text("Saved, except the guideline changes")
    expect(settings).to_contain_text("How we decide: from consensus")
    expect(page.get_by_label("How we decide")).to_have_value("majority")  # what was chosen stays
    assert _serious_violations(page) == []

    page.get_by_label("Why").fill("Consensus stalls our fast letters.")
    page.get_by_role("button", name="Put it to a vote").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Change our guidelines")
    page.goto(f"/coalitions/{live_server.letters_coalition_id}")
    expect(page.locator("#overview")).to_contain_text(f"Letters to the legislature ({width})")


def test_edit_a_draft_letter_and_find_it_in_the_list(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, live_server)
    page.goto(f"/coalitions/{live_server.letters_coalition_id}/activities")
    page.get_by_text("New advocacy activity").click()
    page.get_by_label("Title", exact=True).fill(f"Library hours {width}")
    page.get_by_role("button", name="Create draft").click()

    draft = page.locator("#draft")
    draft.get_by_label("Title", exact=True).fill(f"Keep libraries open on Saturdays {width}")
    draft.get_by_label("Title on the letter").fill("Keep our libraries open")
    draft.get_by_label("Text").fill("Dear Council members, …")
    draft.get_by_role("button", name="Save the draft").click()
    expect(page.locator("#draft").get_by_role("status")).to_have_text("Draft saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Keep libraries open on Saturdays {width}"
    )
    assert fits(page, "#draft")
    assert _serious_violations(page) == []

    page.goto(f"/coalitions/{live_server.letters_coalition_id}/activities")
    listed = page.locator("#activity-list")
    listed.get_by_label("Search advocacy activities").fill(f"Saturdays {width}")
    listed.get_by_role("button", name="Show").click()
    expect(page.locator("#activity-list tbody tr")).to_have_count(1)
    expect(page.locator("#activity-list")).to_contain_text(
        f"Keep libraries open on Saturdays {width}"
    )
    assert fits(page, "#activity-list form")
    assert _serious_violations(page) == []
