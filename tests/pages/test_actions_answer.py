"""Every action answers: a banner says what happened, the page's other parts (header,
tally) show the new state in the same answer, and a refused action keeps what was chosen."""

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from tests.api.test_proposals import propose, table  # noqa: F401
from tests.api.test_signon import decisions_by_org, letter, open_letter  # noqa: F401
from tests.conftest import sign_in


def test_a_vote_refused_for_want_of_a_reason_keeps_the_choice(client, table):  # noqa: F811
    t = table
    proposal = propose(client, t, reason_required=True).json()
    token = sign_in(client, t["people"]["sam"])
    refused = client.post(
        f"/proposals/{proposal['id']}/votes",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        data={"organization_id": t["o"]["sam"].id, "choice": "no", "comment": ""},
    )
    assert refused.status_code == 422
    assert re.search(r'value="no"\s+checked', refused.text)  # the choice is still made
    assert "hx-trigger" not in {k.lower() for k in refused.headers}  # nothing changed


def test_a_vote_refreshes_the_tally_and_the_close_the_header(client, table):  # noqa: F811
    t = table
    proposal = propose(client, t).json()
    token = sign_in(client, t["people"]["dana"])
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    voted = client.post(
        f"/proposals/{proposal['id']}/votes",
        headers=headers,
        data={"organization_id": t["o"]["dana"].id, "choice": "yes"},
    )
    assert voted.status_code == 200 and 'role="status"' in voted.text
    assert "Vote recorded." in voted.text
    assert re.search(r'id="proposal-tally"[^>]*hx-swap-oob="true"', voted.text)
    assert "1 of 4 members voted" in voted.text
    closed = client.post(f"/proposals/{proposal['id']}/close", headers=headers)
    assert re.search(r'id="proposal-header"[^>]*hx-swap-oob="true"', closed.text)
    header = closed.text[closed.text.index('id="proposal-header"') :]
    assert "closed " in header[: header.index("</hgroup>")]
    assert "Outcome: " in closed.text


def test_approving_says_which_step_and_what_comes_next(client, letter):  # noqa: F811
    open_letter(client, letter)
    token = sign_in(client, letter["people"]["sam_approver"])
    approval_id = decisions_by_org(client, letter)[letter["orgs"]["union"].id]["approval"]["id"]
    answered = client.post(
        f"/approvals/{approval_id}",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        data={"action": "approve", "step": "1"},
    )
    assert answered.status_code == 200
    banner = answered.text[answered.text.index('id="approval-answer"') :]
    assert 'hx-swap-oob="true"' in banner[:60] and 'role="status"' in banner
    assert "Approved: Policy committee (step 1 of 2)" in banner
    assert "Next: Executive board vote (step 2 of 2)" in banner
    assert answered.headers["hx-trigger"] == "waiting-changed"


def test_a_test_delivery_opens_the_log_and_the_log_asks_again_while_it_waits(client, world):
    admin = world.user("admin")
    organization = world.organization(admin)
    token = sign_in(client, admin)
    htmx = {"HX-Request": "true", "X-CSRF-Token": token}
    client.post(
        "/webhooks",
        headers=htmx,
        data={"url": "http://127.0.0.1:9/hooks", "organization_id": organization.id},
    )
    webhook_id = re.search(r'id="webhook-(whk_[a-z0-9]+)"', client.get("/webhooks").text).group(1)
    tested = client.post(f"/webhooks/{webhook_id}/test", headers=htmx)
    assert re.search(r"<details\s+open>\s*<summary>Delivery log", tested.text)
    log = re.search(rf'<div id="deliveries-{webhook_id}"[^>]*>', tested.text).group(0)
    assert 'hx-trigger="every 2s"' in log
    refreshed = client.get(
        f"/webhooks?log={webhook_id}",
        headers={"HX-Request": "true", "HX-Target": f"deliveries-{webhook_id}"},
    )
    assert refreshed.text.lstrip().startswith(f'<div id="deliveries-{webhook_id}"')
    assert "A test message" in refreshed.text and "<h1" not in refreshed.text


def section_of(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def test_joining_lands_on_the_coalition_with_a_banner(client, world):
    dana = world.user("dana")
    coalition = world.coalition(world.organization(dana, name="State PTA"), name="Read by Third")
    maya = world.user("maya")
    library = world.organization(maya, name="Library Friends", kind="nonprofit")
    world.invite(coalition, library)
    token = sign_in(client, maya)
    url = f"/coalitions/{coalition.id}/join?organization_id={library.id}"
    joined = client.post(
        url,
        data={"csrf_token": token, "status": "joined", "engagement": "supporter",
              "commitment_hours_per_month": "2"},
    )  # fmt: skip
    assert joined.status_code == 200 and joined.url.path == f"/coalitions/{coalition.id}/members"
    assert "You joined Read by Third. Welcome." in joined.text
    assert "You joined" not in client.get(f"/coalitions/{coalition.id}/members").text  # said once


@dataclass
class Confirmation:
    """A destructive post set up to be tried: where it goes, what it sends, the question the
    page asks first, what the page looks like before, and after it is confirmed."""

    token: str
    page: str  # the page the action is on, whose button carries the dialog's question
    url: str
    fields: dict[str, str]
    question: str
    banner: str
    done: Callable[[], bool]  # whether the action took effect
    dialog: str = ""  # how the page's own dialog asks, when not in the same words


def reject_a_step(client, request) -> Confirmation:
    signing = request.getfixturevalue("letter")
    open_letter(client, signing)
    token = sign_in(client, signing["people"]["sam_approver"])
    approval_id = decisions_by_org(client, signing)[signing["orgs"]["union"].id]["approval"]["id"]
    return Confirmation(
        token=token, page="/approvals", url=f"/approvals/{approval_id}",
        fields={"action": "reject", "step": "1", "comment": "Not now"},
        dialog="Reject Policy committee for",
        question="Reject this step?", banner="Rejected: Policy committee",
        done=lambda: "Policy committee" not in client.get("/approvals").text,
    )  # fmt: skip


def decline_an_invitation(client, request) -> Confirmation:
    world = request.getfixturevalue("world")
    dana = world.user("dana")
    coalition = world.coalition(world.organization(dana, name="State PTA"), name="Read by Third")
    maya = world.user("maya")
    library = world.organization(maya, name="Library Friends", kind="nonprofit")
    world.invite(coalition, library)
    url = f"/coalitions/{coalition.id}/join?organization_id={library.id}"
    return Confirmation(
        token=sign_in(client, maya), page=url, url=url, fields={"status": "declined"},
        question="Decline the invitation to join Read by Third?",
        banner="You declined the invitation to join Read by Third.",
        done=lambda: "Read by Third"
        not in section_of(client.get("/coalitions").text, "invited-heading"),
    )  # fmt: skip


def disable_a_webhook(client, request) -> Confirmation:
    world = request.getfixturevalue("world")
    admin = world.user("admin")
    organization = world.organization(admin)
    token = sign_in(client, admin)
    client.post(
        "/webhooks",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        data={"url": "http://127.0.0.1:9/hooks", "organization_id": organization.id},
    )
    webhook_id = re.search(r'id="webhook-(whk_[a-z0-9]+)"', client.get("/webhooks").text).group(1)
    return Confirmation(
        token=token, page="/webhooks", url=f"/webhooks/{webhook_id}/enabled",
        fields={"enabled": "false"},
        question="Disable the webhook to http://127.0.0.1:9/hooks?",
        banner="Disabled: nothing is sent.",
        done=lambda: "— disabled" in client.get("/webhooks").text,
    )  # fmt: skip


@pytest.mark.parametrize("set_up", [reject_a_step, decline_an_invitation, disable_a_webhook])
def test_a_destructive_action_asks_first_and_changes_nothing_until_confirmed(
    client, request, set_up
):
    case = set_up(client, request)
    # With JavaScript, the page's dialog asks; without it, the confirmation page does.
    assert f'data-confirm="{case.dialog or case.question}' in client.get(case.page).text
    asked = client.post(case.url, data={"csrf_token": case.token, **case.fields})
    assert asked.status_code == 200 and case.question in asked.text
    assert 'name="confirmed" value="yes"' in asked.text
    assert f'action="{case.url}"'.replace("&", "&amp;") in asked.text
    for name, value in case.fields.items():  # what was typed goes along
        assert f'name="{name}" value="{value}"' in asked.text
    assert not case.done()

    confirmed = {"csrf_token": case.token, **case.fields, "confirmed": "yes"}
    landed = client.post(case.url, data=confirmed)
    assert landed.status_code == 200  # the page it lands on, after the redirect
    assert case.banner in landed.text and 'role="status"' in landed.text
    assert case.done()
    assert case.banner not in client.get(landed.url.path).text  # said once
