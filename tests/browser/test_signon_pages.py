"""The heart of it in a real browser: a lead opens a letter, a board approver approves in
the inbox, the organization's decision becomes signed and the tally moves."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_coalition_pages import log_out
from tests.browser.test_organization_page import _serious_violations, log_in

pytestmark = pytest.mark.browser


def test_open_a_letter_approve_in_the_inbox_and_see_it_signed(page, live_server):
    log_in(page, live_server)
    page.goto(f"/coalitions/{live_server.letters_coalition_id}/activities")
    page.get_by_text("New advocacy activity").click()
    page.get_by_label("Title").fill("Fund school libraries")
    page.get_by_label("Addressed to").fill("Senate Finance Committee")
    page.get_by_label("Text").fill("Dear Senators, …")
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fund school libraries")
    activity_url = page.url

    page.get_by_role("button", name="Open: ask every member").click()
    signatories = page.locator("#signatories")
    expect(signatories.get_by_role("status")).to_have_text("Opened: every member has been asked.")
    expect(signatories.get_by_role("row", name="Read Together")).to_contain_text("step 1 of 1")
    expect(page.locator("#tally")).to_contain_text("1 in approval")
    log_out(page)

    log_in(page, live_server, live_server.approver_email)
    page.get_by_role("link", name="Approvals").click()
    card = page.locator("article.approval", has_text="Fund school libraries")
    expect(card).to_contain_text("Board")
    expect(card).to_contain_text("due in 5 days")
    assert _serious_violations(page) == []
    card.get_by_label("Comment").fill("The board agreed on Tuesday.")
    card.get_by_role("button", name="Approve").click()
    # Decided, it leaves the inbox: the list refreshes itself from the event stream.
    expect(page.locator("#waiting")).not_to_contain_text("Fund school libraries")

    page.goto(activity_url)
    row = page.locator("#signatories").get_by_role("row", name="Read Together")
    expect(row).to_contain_text("signed")
    expect(page.locator("#tally")).to_contain_text("1 signed")
    expect(page.locator("#tally")).not_to_contain_text("in approval")
