"""A coalition in a real browser: invite, assess, join; then track a goal."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_organization_page import _serious_violations, log_in

pytestmark = pytest.mark.browser


def log_out(page):
    button = page.get_by_role("button", name="Log out")
    if not button.is_visible():  # on a phone it is in the folded menu
        page.locator("details.site-menu > summary").click()
    button.click()


def test_invite_assess_and_join(page, live_server):
    # Dana, the coalition's lead, invites Read Together.
    log_in(page, live_server)
    page.goto(f"/coalitions/{live_server.coalition_id}")
    sections = page.get_by_role("navigation", name="Sections of Read by Third Grade")
    sections.get_by_role("link", name="Members").click()
    expect(page).to_have_title("Members · Read by Third Grade · Coalesce")
    page.get_by_label("Organization to invite").select_option(live_server.partner_organization_id)
    page.get_by_role("button", name="Invite").click()
    members = page.locator("#members")
    expect(members.get_by_role("row", name="Read Together")).to_contain_text("invited")
    log_out(page)

    # Lena finds the invitation and reads the joining assessment.
    log_in(page, live_server, live_server.partner_email)
    page.goto("/coalitions")
    page.get_by_role("link", name="Assess and answer for Read Together").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Joining Read by Third Grade?")
    expect(page.get_by_role("heading", name="1. Does it fit your positions? fits")).to_be_visible()
    # She has not researched the convener yet: not the moment to lead.
    expect(page.get_by_role("heading", name="4. Recommended engagement: core")).to_be_visible()
    expect(page.get_by_text("You have not researched the one other member yet")).to_be_visible()

    # She notes what she knows of the convener, in place.
    research = page.locator(f"#research-{live_server.organization_id}")
    research.get_by_text("Add a note about Maple District PTA").click()
    research.get_by_label("Reputable?").select_option("yes")
    research.get_by_label("Recommendation").fill("Reliable partner, strong parent network.")
    research.get_by_role("button", name="Save note").click()
    research = page.locator(f"#research-{live_server.organization_id}")
    expect(research).to_contain_text("Reliable partner, strong parent network.")
    expect(research.get_by_role("status")).to_have_text("Note saved.")
    # Knowing her partner, the advice changes.
    page.reload()
    expect(page.get_by_role("heading", name="4. Recommended engagement: lead")).to_be_visible()

    # And joins as core, with a role and a game plan.
    page.get_by_label("Engagement", exact=True).select_option("core")
    page.get_by_label("Hours a month you commit").fill("6")
    page.get_by_label("Roles you take on").fill("letter drafter")
    page.get_by_label("Game plan for asks outside your priorities").select_option("escalate")
    page.get_by_role("button", name="Join Read by Third Grade").click()
    row = page.locator("#members").get_by_role("row", name="Read Together")
    expect(row).to_contain_text("joined")
    expect(row).to_contain_text("core")
    expect(row).to_contain_text("letter drafter")
    assert _serious_violations(page) == []


def test_marking_an_objective_done_moves_the_progress_bar(page, live_server):
    log_in(page, live_server)
    page.goto(f"/coalitions/{live_server.coalition_id}/goals")
    page.get_by_text("Add a goal").click()
    page.get_by_label("Goal", exact=True).fill("Pass the literacy bill")
    page.get_by_label("Due date").fill("2030-06-30")
    page.get_by_role("button", name="Add goal").click()

    goal = page.locator("article.goal", has_text="Pass the literacy bill")
    # Adding objectives is folded away until asked for, and stays open for the next one.
    goal.get_by_text("Add an objective").click()
    for title in ("Draft the letter", "Meet the committee chair"):
        goal.get_by_label("New objective for Pass the literacy bill").fill(title)
        goal.get_by_role("button", name="Add").click()
        goal = page.locator("article.goal", has_text="Pass the literacy bill")
        expect(goal).to_contain_text(title)
    progress = goal.locator("progress")
    expect(progress).to_have_attribute("value", "0.0")

    goal.get_by_role("button", name="Mark done: Draft the letter").click()
    goal = page.locator("article.goal", has_text="Pass the literacy bill")
    expect(goal.locator("progress")).to_have_attribute("value", "0.5")
    expect(goal).to_contain_text("Progress: 1 of 2 objectives done · 50%")
    page.reload()
    expect(
        page.locator("article.goal", has_text="Pass the literacy bill").locator("progress")
    ).to_have_attribute("value", "0.5")
