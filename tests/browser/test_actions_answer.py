"""Every action answers, in a real browser at phone and desk widths: a destructive answer
asks first in a dialog, a decision says which step and what is next, a refused vote keeps
its choice, opening a letter changes its header, a webhook test shows in its log, and
focus lands on the banner saying what happened."""

from itertools import count

import pytest
from playwright.sync_api import expect

from app.principal import Principal
from app.schemas.activities import ActivityCreate, ApprovalProcessPut, ApprovalStepIn
from app.schemas.coalitions import CoalitionCreate, MembershipCreate, MembershipUpdate
from app.schemas.organizations import OrganizationCreate, OrganizationUserCreate
from app.schemas.proposals import ProposalCreate
from app.schemas.webhooks import WebhookCreate
from app.services import accounts, activities, approvals, coalitions, organizations, proposals
from app.services import webhooks as webhook_service
from app.settings import Settings
from tests.browser.conftest import PASSWORD
from tests.browser.test_organization_page import _serious_violations, log_in

pytestmark = pytest.mark.browser
ROOT = Principal(user_id="setup", email="setup", is_platform_admin=True)
_n = count(1)


class Scene:
    """A coalition of its own for each test: a chair, a member with a two-step approval
    process and an approver, so tests at two widths never see each other's data."""

    def __init__(self, live_server) -> None:
        n = next(_n)
        self.database = live_server.database
        with self.database.session() as session:
            self.chair = accounts.create_user(
                session, email=f"chair{n}@example.org", name=f"Chair {n}", password=PASSWORD
            )
            self.chair_principal = accounts.principal_for(session, self.chair)
            self.chair_org = organizations.create_organization(
                session, self.chair_principal, OrganizationCreate(name=f"Chair PTA {n}", kind="pta")
            )
            self.member = accounts.create_user(
                session, email=f"member{n}@example.org", name=f"Member {n}", password=PASSWORD
            )
            self.member_org = organizations.create_organization(
                session,
                accounts.principal_for(session, self.member),
                OrganizationCreate(name=f"Library Friends {n}", kind="nonprofit"),
            )
            self.approver = accounts.create_user(
                session, email=f"approver{n}@example.org", name=f"Approver {n}", password=PASSWORD
            )
            organizations.add_user(
                session, ROOT, self.member_org.id,
                OrganizationUserCreate(email=self.approver.email, role="approver"),
            )  # fmt: skip
            approvals.put_process(
                session, ROOT, self.member_org.id, None,
                ApprovalProcessPut(steps=[
                    ApprovalStepIn(name="Policy committee", approver_role="approver",
                                   expected_days=3),
                    ApprovalStepIn(name="Board vote", approver_role="approver", expected_days=5),
                ]),
            )  # fmt: skip
            self.coalition = coalitions.create_coalition(
                session, ROOT,
                CoalitionCreate(name=f"Read by Third {n}", unifying_issue="Every child reads",
                                convener_organization_id=self.chair_org.id),
            )  # fmt: skip
            self.chair_principal = accounts.principal_for(session, self.chair)

    def invite_member(self) -> None:
        with self.database.session() as session:
            coalitions.invite(
                session,
                ROOT,
                self.coalition.id,
                MembershipCreate(organization_id=self.member_org.id),
            )

    def join_member(self) -> None:
        self.invite_member()
        with self.database.session() as session:
            coalitions.update_member(
                session, ROOT, coalition_id=self.coalition.id,
                organization_id=self.member_org.id, changes=MembershipUpdate(status="joined"),
            )  # fmt: skip

    def letter(self, *, open_it: bool) -> str:
        with self.database.session() as session:
            chair = accounts.principal_for(session, self.chair)
            made = activities.create_activity(
                session, chair, self.coalition.id,
                ActivityCreate(kind="sign_on_letter", title="Fund school libraries",
                               body="Dear Senators, …"),
            )  # fmt: skip
            if open_it:
                activities.open_activity(session, chair, made.id)
            return made.id

    def proposal(self) -> str:
        with self.database.session() as session:
            chair = accounts.principal_for(session, self.chair)
            made = proposals.create_proposal(
                session, chair, self.coalition.id,
                ProposalCreate(title="Endorse HB 210", reason_required=True),
            )  # fmt: skip
            return made.id


def at(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})


def focused_text(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.textContent")


def test_declining_asks_in_a_dialog_then_lands_with_a_banner(page, live_server, width):
    scene = Scene(live_server)
    scene.invite_member()
    at(page, width)
    log_in(page, live_server, scene.member.email)
    page.goto(f"/coalitions/{scene.coalition.id}/join?organization_id={scene.member_org.id}")
    page.get_by_role("button", name="Decline the invitation").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Decline the invitation to join {scene.coalition.name}?")
    assert _serious_violations(page) == []
    dialog.get_by_role("button", name="No, go back").click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(
        f"{live_server.url}/coalitions/{scene.coalition.id}/join?organization_id={scene.member_org.id}"
    )

    page.get_by_role("button", name="Decline the invitation").click()
    page.get_by_role("dialog").get_by_role("button", name="Yes, decline").click()
    expect(page).to_have_url(f"{live_server.url}/coalitions")
    banner = page.get_by_role("status").filter(has_text="You declined the invitation")
    expect(banner).to_be_visible()
    expect(banner).to_be_focused()
    expect(page.get_by_role("heading", level=1)).not_to_contain_text("Not found")
    assert _serious_violations(page) == []


def test_approving_a_step_says_what_happened_and_what_is_next(page, live_server, width):
    scene = Scene(live_server)
    scene.join_member()
    scene.letter(open_it=True)
    at(page, width)
    log_in(page, live_server, scene.approver.email)
    page.goto("/approvals")
    card = (
        page.locator("article.approval", has_text=scene.coalition.name)
        .or_(page.locator("article.approval", has_text="Fund school libraries"))
        .first
    )
    expect(card).to_contain_text("step 1 of 2")
    card.get_by_role("button", name="Approve").click()
    banner = page.locator("#approval-answer").get_by_role("status")
    expect(banner).to_contain_text("Approved: Policy committee (step 1 of 2)")
    expect(banner).to_contain_text("Next: Board vote (step 2 of 2)")
    expect(banner).to_be_focused()
    expect(
        page.locator("article.approval", has_text="Fund school libraries").first
    ).to_contain_text("step 2 of 2")
    assert _serious_violations(page) == []


def test_a_vote_without_a_reason_keeps_the_choice_then_counts(page, live_server, width):
    """Keyboard only: the radio, the reason and the button are reached with Tab."""
    scene = Scene(live_server)
    scene.join_member()
    proposal_id = scene.proposal()
    at(page, width)
    log_in(page, live_server, scene.member.email)
    page.goto(f"/proposals/{proposal_id}")
    vote = page.locator("#vote")
    no = vote.get_by_role("radio", name="no")
    no.focus()
    page.keyboard.press("Space")
    expect(no).to_be_checked()
    vote.get_by_role("button", name="Vote").focus()
    page.keyboard.press("Enter")
    expect(vote.locator(".field-error")).to_be_visible()
    expect(vote.get_by_role("radio", name="no")).to_be_checked()  # the choice is kept
    expect(page.get_by_label("Reason")).to_be_focused()  # focus on the field to fix
    page.keyboard.type("Too costly this session")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    banner = vote.get_by_role("status")
    expect(banner).to_have_text("Vote recorded.")
    expect(banner).to_be_focused()
    expect(page.locator("#proposal-tally")).to_contain_text("1 no")
    assert _serious_violations(page) == []
    # The next action's answer replaces this one: no stale "Vote recorded." beside it.
    page.get_by_label("Your comment").fill("Can we revisit in spring?")
    page.get_by_role("button", name="Comment").click()
    expect(page.locator("#discussion")).to_contain_text("Can we revisit in spring?")
    expect(page.get_by_text("Vote recorded.")).to_have_count(0)


def test_opening_a_letter_changes_its_header_from_draft(page, live_server, width):
    scene = Scene(live_server)
    scene.join_member()
    letter_id = scene.letter(open_it=False)
    at(page, width)
    log_in(page, live_server, scene.chair.email)
    page.goto(f"/activities/{letter_id}")
    header = page.locator("#activity hgroup p")
    expect(header).to_contain_text("draft")
    page.get_by_role("button", name="Open: ask every member").click()
    expect(page.locator("#signatories").get_by_role("status")).to_be_focused()
    expect(header).not_to_contain_text("draft")
    expect(header).to_contain_text("open")
    assert _serious_violations(page) == []


def test_a_webhook_test_appears_in_its_log(page, live_server, width):
    scene = Scene(live_server)
    with scene.database.session() as session:
        admin = accounts.principal_for(session, scene.chair)
        webhook_service.create_subscription(
            session, admin,
            WebhookCreate(url="http://127.0.0.1:9/hooks", organization_id=scene.chair_org.id),
            settings=Settings(environment="test"),
        )  # fmt: skip
    at(page, width)
    log_in(page, live_server, scene.chair.email)
    page.goto("/webhooks")
    hook = page.locator("article", has_text="http://127.0.0.1:9/hooks")
    hook.get_by_role("button", name="Send a test").click()
    expect(page.get_by_role("status").filter(has_text="Test queued")).to_be_focused()
    log = page.locator("article", has_text="http://127.0.0.1:9/hooks").locator("[id^=deliveries-]")
    expect(log).to_be_visible()
    expect(log).to_contain_text("A test message")
    assert _serious_violations(page) == []


def test_a_letter_typed_as_the_session_ends_comes_back_after_logging_in(page, live_server, width):
    scene = Scene(live_server)
    at(page, width)
    log_in(page, live_server, scene.chair.email)
    page.goto(f"/coalitions/{scene.coalition.id}/activities")
    page.get_by_text("New advocacy activity").click()
    page.get_by_label("Title").fill("Fund school libraries")
    page.get_by_label("Text").fill("Dear Senators,\nevery child deserves a library.")
    page.context.clear_cookies()  # the session runs out while the letter is typed
    page.get_by_role("button", name="Create draft").click()

    expect(page.get_by_role("status")).to_contain_text("Your session ended.")
    assert _serious_violations(page) == []
    page.get_by_label("E-mail").fill(scene.chair.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/coalitions/{scene.coalition.id}/activities")
    expect(page.get_by_role("status").first).to_contain_text("What you typed")
    expect(page.get_by_label("Title")).to_have_value("Fund school libraries")
    expect(page.get_by_label("Text")).to_have_value(
        "Dear Senators,\nevery child deserves a library."
    )
    page.get_by_role("button", name="Create draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fund school libraries")


def test_mark_read_drops_the_unread_count_at_once(page, live_server, width):
    scene = Scene(live_server)
    scene.invite_member()
    at(page, width)
    log_in(page, live_server, scene.member.email)
    page.goto("/notifications")
    bell = page.locator("#bell")
    expect(bell).to_contain_text("1")
    expect(page.get_by_role("heading", name="Everything you were told")).to_contain_text("1 unread")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_role("status").filter(has_text="Marked read.")).to_be_focused()
    expect(page.get_by_role("heading", name="Everything you were told")).not_to_contain_text(
        "unread"
    )
    expect(bell.locator(".badge")).to_have_text("1")  # the invitation still waits on them
