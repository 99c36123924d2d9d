"""Guidelines agreed together, in a real browser: the lead proposes a change of the decision
rule from the coalition page, both members vote yes on the proposal page, and the
coalition's guidelines show the new rule, agreed by both, through that proposal."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_coalition_pages import log_out
from tests.browser.test_organization_page import _serious_violations, log_in

pytestmark = pytest.mark.browser


def vote_yes(page, organization):
    vote = page.locator("#vote")
    vote.get_by_role("group", name=organization).get_by_label("yes").check()
    vote.get_by_role("button", name="Vote", exact=True).click()
    expect(page.locator("#vote").get_by_role("status")).to_have_text("Vote recorded.")


def test_propose_a_guideline_change_vote_and_the_rule_changes(page, live_server):
    coalition = f"/coalitions/{live_server.letters_coalition_id}/guidelines"
    log_in(page, live_server)
    page.goto(coalition)
    guidelines = page.locator("#guidelines")
    expect(guidelines).to_contain_text("consensus (no member blocks)")
    guidelines.get_by_text("Propose a change to the guidelines").click()
    guidelines.get_by_label("How we decide").select_option("majority")
    guidelines.get_by_label("How members are informed").fill("A call every other Tuesday.")
    guidelines.get_by_label("Why").fill("Consensus stalls us; a majority is enough.")
    guidelines.get_by_role("button", name="Put it to a vote").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Change our guidelines: how we decide, how members are informed"
    )
    changes = page.locator("#decides")
    expect(changes.get_by_role("row", name="how we decide")).to_contain_text(
        "majority (more yes than no)"
    )
    assert _serious_violations(page) == []
    vote_yes(page, "Maple District PTA")
    proposal = page.url
    log_out(page)

    log_in(page, live_server, live_server.partner_email)
    page.goto(proposal)
    vote_yes(page, "Read Together")
    expect(page.locator("#proposal-tally")).to_contain_text("Outcome: passed")

    page.goto(coalition)
    guidelines = page.locator("#guidelines")
    expect(guidelines).to_contain_text("majority (more yes than no)")
    expect(guidelines).to_contain_text("A call every other Tuesday.")
    expect(guidelines).to_contain_text("by Maple District PTA, Read Together, through")
    expect(
        guidelines.get_by_role("link", name="the proposal that last changed them")
    ).to_have_attribute("href", proposal.replace(live_server.url, ""))
