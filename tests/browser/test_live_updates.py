"""Live updates in two browsers at once: one member votes, the other sees the tally move."""

import pytest
from playwright.sync_api import expect

from app.schemas.coalitions import MembershipUpdate
from app.schemas.proposals import ProposalCreate
from app.services import accounts, coalitions, notifications, proposals
from tests.browser.test_organization_page import _serious_violations, log_in

pytestmark = pytest.mark.browser


def test_a_vote_moves_the_other_members_tally_without_a_reload(new_context, live_server):
    from tests.conftest import SETUP

    database = live_server.database
    with database.session() as session:
        proposal = proposals.create_proposal(
            session, SETUP, live_server.letters_coalition_id, ProposalCreate(title="Endorse HB 210")
        )
        coalitions.update_member(
            session, SETUP, coalition_id=live_server.letters_coalition_id, organization_id=live_server.partner_organization_id,
            changes=MembershipUpdate(engagement="core"),
        )  # fmt: skip
        watcher_id = accounts.find_user(session, live_server.email).id
        notifications.notify(session, watcher_id, kind="test", text="Hello", link=None)
    watcher, voter = (new_context().new_page() for _ in range(2))
    bell_loads: list[str] = []
    watcher.on(
        "request",
        lambda r: bell_loads.append(r.url) if r.headers.get("hx-target") == "bell" else None,
    )
    log_in(watcher, live_server)
    log_in(voter, live_server, live_server.partner_email)
    watcher.goto(f"/proposals/{proposal.id}")
    voter.goto(f"/proposals/{proposal.id}")
    expect(watcher.locator("#proposal-tally")).to_contain_text("0 of 2 members voted")
    expect(watcher.locator("#bell .badge")).to_be_visible()  # the bell loaded its count
    watcher.wait_for_timeout(300)  # the stream is open

    voter.get_by_label("yes").check()
    voter.get_by_role("button", name="Vote").click()
    expect(voter.locator("#vote").get_by_role("status")).to_have_text("Vote recorded.")

    expect(watcher.locator("#proposal-tally")).to_contain_text("1 of 2 members voted", timeout=5000)
    expect(watcher.locator("#proposal-tally")).to_contain_text("1 yes")
    expect(watcher.get_by_role("heading", level=1)).to_have_count(1)  # the part, not a page
    assert bell_loads == [f"{live_server.url}/notifications"] * 2  # once per page, no more
    assert watcher.url.endswith(f"/proposals/{proposal.id}")  # no reload, no navigation
    assert _serious_violations(watcher) == []
    watcher.goto("/")
    expect(
        watcher.get_by_role("heading", name="Proposals waiting for my organization's vote")
    ).to_be_visible()
    assert _serious_violations(watcher) == []
