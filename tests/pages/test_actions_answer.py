"""Every action answers: a banner says what happened, the page's other parts (header,
tally) show the new state in the same answer, and a refused action keeps what was chosen."""

import re

from tests.api.test_proposals import propose, table  # noqa: F401
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
