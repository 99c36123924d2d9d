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
    recently = page.text[page.text.index('id="recent-heading"') :]
    assert ">Fund the Early Literacy Act</a> opened for signatures in <a" in recently
    assert "<h1" in page.text and 'id="dashboard-blocks"' in page.text


def test_dashboard_refreshes_its_blocks_at_its_own_address(client, letter):  # noqa: F811
    open_letter(client, letter)
    sign_in(client, letter["people"]["sam"])
    page = client.get("/")
    assert 'hx-get="/"' in page.text  # the blocks ask the dashboard itself for a refresh
    blocks = client.get("/", headers={"HX-Request": "true", "HX-Target": "dashboard-blocks"})
    assert blocks.text.lstrip().startswith('<div id="dashboard-blocks"')
    assert "Fund the Early Literacy Act" in blocks.text
    assert "<h1" not in blocks.text and "<html" not in blocks.text
    assert {"HX-Request", "HX-Target"} <= {v.strip() for v in blocks.headers["vary"].split(",")}
    # htmx aiming at anything else (or at no element with an id) gets the whole page.
    for headers in ({"HX-Request": "true", "HX-Target": "main"}, {"HX-Request": "true"}):
        assert "<h1" in client.get("/", headers=headers).text


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
    tally = client.get(
        f"/proposals/{proposal['id']}",
        headers={"HX-Request": "true", "HX-Target": "proposal-tally"},
    )
    assert tally.text.lstrip().startswith('<section id="proposal-tally"')
    assert "1 yes" in tally.text and "1 of 4 members voted" in tally.text
    assert "<h1" not in tally.text and 'id="vote"' not in tally.text
    page = client.get(f"/proposals/{proposal['id']}")
    assert "<h1" in page.text and "1 of 4 members voted" in page.text
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
    assert "Passed: 3 yes, 0 no, 0 abstain; 3 of 4 members voted." in final.text
    coalition_page = client.get(f"/coalitions/{t['c'].id}/proposals")
    assert "Endorse HB 210</a> — passed" in coalition_page.text
