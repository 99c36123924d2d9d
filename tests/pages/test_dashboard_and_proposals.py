"""The dashboard and the proposal page."""

from tests.api.test_proposals import propose, table, vote  # noqa: F401
from tests.api.test_signon import letter, open_letter  # noqa: F401
from tests.conftest import sign_in


def test_dashboard_lists_what_waits_on_me(client, letter):  # noqa: F811
    open_letter(client, letter)
    sign_in(client, letter["people"]["sam"])
    page = client.get("/")
    assert "Fund the Early Literacy Act" in page.text
    assert "in approval" in page.text and "after the deadline" in page.text  # the union is at risk
    assert "Policy committee" in page.text  # sam is an admin: the step may be his too
    assert "Opened for sign-on: Fund the Early Literacy Act" in page.text
    blocks = client.get("/dashboard/blocks")
    assert 'id="dashboard-blocks"' in blocks.text and "<html" not in blocks.text


def test_empty_dashboard_says_what_to_do(client, world):
    sign_in(client, world.user("newcomer"))
    page = client.get("/")
    assert "Nothing waits on your organization" in page.text
    assert "Create one, or ask its admin to add you" in page.text


def test_proposal_page_votes_in_place_and_explains_the_outcome(client, table):  # noqa: F811
    t = table
    proposal = propose(client, t).json()
    token = sign_in(client, t["people"]["sam"])
    page = client.get(f"/proposals/{proposal['id']}")
    assert "Endorse HB 210" in page.text and "0 of 4 members voted" in page.text
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    url = f"/proposals/{proposal['id']}/votes"
    missing_reason = client.post(
        url, headers=headers, data={"organization_id": t["o"]["sam"].id, "choice": "no"}
    )
    assert missing_reason.status_code == 422 and 'id="comment-error"' in missing_reason.text
    voted = client.post(
        url, headers=headers, data={"organization_id": t["o"]["sam"].id, "choice": "yes"}
    )
    assert voted.status_code == 200 and "Vote recorded." in voted.text
    tally = client.get(f"/proposals/{proposal['id']}/tally")
    assert "1 yes" in tally.text and "1 of 4 members voted" in tally.text
    for who in ("dana", "lena"):
        vote(client, t, proposal["id"], who, "yes")
    sign_in(client, t["people"]["dana"])
    closed = client.post(
        f"/proposals/{proposal['id']}/close",
        headers={"HX-Request": "true", "X-CSRF-Token": "csrf-token-for-tests"},
    )
    assert closed.status_code == 200
    final = client.get(f"/proposals/{proposal['id']}")
    assert "Outcome: passed" in final.text
    assert "passed: 3 yes, 0 no, 0 abstain, 0 block; turnout 3 of 4, above quorum 50%" in final.text
    coalition_page = client.get(f"/coalitions/{t['c'].id}")
    assert "Endorse HB 210</a> — passed" in coalition_page.text
