"""Every action answers: a banner says what happened, the page's other parts (header,
tally) show the new state in the same answer, and a refused action keeps what was chosen."""

import re

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


def test_rejecting_asks_first_and_changes_nothing_until_confirmed(client, letter):  # noqa: F811
    open_letter(client, letter)
    token = sign_in(client, letter["people"]["sam_approver"])
    approval_id = decisions_by_org(client, letter)[letter["orgs"]["union"].id]["approval"]["id"]
    asked = client.post(
        f"/approvals/{approval_id}",
        data={"csrf_token": token, "action": "reject", "step": "1", "comment": "Not now"},
    )
    assert asked.status_code == 200 and "Reject this step?" in asked.text
    assert 'name="confirmed" value="yes"' in asked.text
    assert 'name="comment" value="Not now"' in asked.text  # the comment goes along
    assert "Policy committee" in client.get("/approvals").text  # still waiting
    rejected = client.post(
        f"/approvals/{approval_id}",
        data={"csrf_token": token, "action": "reject", "step": "1", "confirmed": "yes"},
    )
    assert rejected.status_code == 200  # the inbox, after the redirect
    assert "Rejected: Policy committee" in rejected.text and 'role="status"' in rejected.text
    assert "Rejected: Policy committee" not in client.get("/approvals").text  # said once


def test_declining_an_invitation_asks_first_then_lands_with_a_banner(client, world):
    dana = world.user("dana")
    coalition = world.coalition(world.organization(dana, name="State PTA"), name="Read by Third")
    maya = world.user("maya")
    library = world.organization(maya, name="Library Friends", kind="nonprofit")
    world.invite(coalition, library)
    token = sign_in(client, maya)
    url = f"/coalitions/{coalition.id}/join?organization_id={library.id}"
    assert 'data-confirm="Decline the invitation to join Read by Third?"' in client.get(url).text
    asked = client.post(url, data={"csrf_token": token, "status": "declined"})
    assert asked.status_code == 200
    assert "Decline the invitation to join Read by Third?" in asked.text
    assert f'action="{url}"'.replace("&", "&amp;") in asked.text
    assert "Read by Third" in section_of(client.get("/coalitions").text, "invited-heading")
    landed = client.post(url, data={"csrf_token": token, "status": "declined", "confirmed": "yes"})
    assert landed.status_code == 200 and landed.url.path == "/coalitions"
    assert "You declined the invitation to join Read by Third." in landed.text
    assert "Read by Third" not in section_of(landed.text, "invited-heading")


def test_disabling_a_webhook_asks_first(client, world):
    admin = world.user("admin")
    organization = world.organization(admin)
    token = sign_in(client, admin)
    htmx = {"HX-Request": "true", "X-CSRF-Token": token}
    client.post(
        "/webhooks",
        headers=htmx,
        data={"url": "http://127.0.0.1:9/hooks", "organization_id": organization.id},
    )
    page = client.get("/webhooks").text
    webhook_id = re.search(r'id="webhook-(whk_[a-z0-9]+)"', page).group(1)
    assert 'data-confirm="Disable the webhook to http://127.0.0.1:9/hooks?' in page
    asked = client.post(
        f"/webhooks/{webhook_id}/enabled", data={"csrf_token": token, "enabled": "false"}
    )
    assert "Disable the webhook" in asked.text and "— enabled" in client.get("/webhooks").text


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
