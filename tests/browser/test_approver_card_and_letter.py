"""A board approver on a phone and on a desk: reads the letter on the card, signs with a
title by approving the last step, and the printable letter names her under the organization."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_coalition_pages import log_out
from tests.browser.test_organization_page import _serious_violations, log_in

pytestmark = pytest.mark.browser


def test_read_the_letter_on_the_card_approve_with_a_title_and_print_it(page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    title = f"Longer library hours ({width})"
    log_in(page, live_server)
    page.goto(f"/coalitions/{live_server.letters_coalition_id}/activities")
    page.get_by_text("New advocacy activity").click()
    page.get_by_label("Title", exact=True).fill(title)
    page.get_by_label("Addressed to").fill("City Council")
    page.get_by_label("Text").fill("Dear Council members, our children need the libraries open.")
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    activity_url = page.url
    page.get_by_role("button", name="Open: ask every member").click()
    expect(page.locator("#signatories").get_by_role("status")).to_contain_text("Opened")
    log_out(page)

    log_in(page, live_server, live_server.approver_email)
    page.goto("/approvals")
    card = page.locator("article.approval", has_text=title)
    expect(card.get_by_role("heading", name="The letter to City Council")).to_be_visible()
    expect(card.locator(".letter-body")).to_contain_text("our children need the libraries open")
    reject = card.get_by_role("button", name="Reject")
    expect(reject).to_have_class("secondary outline")
    assert _serious_violations(page) == []
    card.get_by_label("Your title").fill("Board Chair")
    card.get_by_role("button", name="Approve").click()
    expect(page.locator("#waiting")).not_to_contain_text(title)

    page.goto(f"{activity_url}/letter")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    signed = page.locator(".signatories li", has_text="Read Together")
    expect(signed).to_contain_text("Rita, Board Chair")
    expect(page.locator(".letterhead")).to_contain_text("Letters coalition")
    assert _serious_violations(page) == []
