"""Proposals through the API: propose, vote, change a vote, close; the bad inputs."""

import pytest

from tests.api.test_conventions import assert_problem


@pytest.fixture
def table(world, clock):
    """A majority-rule coalition of four voters and one observer."""
    people = {k: world.user(k) for k in ("dana", "sam", "lena", "ruth", "oscar")}
    orgs = {k: world.organization(u, name=k.title()) for k, u in people.items()}
    coalition = world.coalition(orgs["dana"], decision_rule="majority", quorum=0.5)
    for key in ("sam", "lena", "ruth"):
        world.join(coalition, orgs[key])
    world.join(coalition, orgs["oscar"], engagement="observer")
    return {
        "h": {k: world.headers(u) for k, u in people.items()},
        "o": orgs,
        "c": coalition,
        "people": people,
    }


def propose(client, t, who="dana", **extra):
    return client.post(
        f"/api/v1/coalitions/{t['c'].id}/proposals",
        headers=t["h"][who],
        json={"title": "Endorse HB 210", "body": "Amendment 3 included.", **extra},
    )


def vote(client, t, proposal_id, who, choice, comment=None):
    body = {"organization_id": t["o"][who].id, "choice": choice}
    if comment:
        body["comment"] = comment
    return client.post(f"/api/v1/proposals/{proposal_id}/votes", headers=t["h"][who], json=body)


def test_vote_change_and_early_close(client, table):
    t = table
    made = propose(client, t)
    assert made.status_code == 201
    proposal = made.json()
    assert proposal["status"] == "open" and proposal["closes_at"] == "2026-03-09T09:00:00Z"
    assert proposal["tally"]["eligible"] == 4  # the observer does not vote
    assert vote(client, t, proposal["id"], "sam", "no", "Too costly").status_code == 200
    changed = vote(client, t, proposal["id"], "sam", "yes")
    assert changed.json()["tally"]["yes"] == 1 and changed.json()["tally"]["no"] == 0
    vote(client, t, proposal["id"], "lena", "yes")
    closed = client.post(f"/api/v1/proposals/{proposal['id']}/close", headers=t["h"]["dana"])
    body = closed.json()
    assert (body["status"], body["outcome"]) == ("closed", "passed")
    assert body["explanation"].startswith("Passed: 2 yes, 0 no")
    types = [
        e["type"]
        for e in client.get(
            "/api/v1/events?type=proposal.opened,proposal.vote_cast,proposal.closed",
            headers=t["h"]["ruth"],
        ).json()["items"]
    ]
    assert types == [
        "proposal.opened",
        "proposal.vote_cast",
        "proposal.vote_cast",
        "proposal.vote_cast",
        "proposal.closed",
    ]


def test_closes_itself_when_everyone_has_voted(client, table):
    t = table
    proposal = propose(client, t).json()
    for who in ("dana", "sam", "lena"):
        vote(client, t, proposal["id"], who, "yes")
    last = vote(client, t, proposal["id"], "ruth", "no", "We cannot")
    assert last.json()["status"] == "closed" and last.json()["outcome"] == "passed"


def test_bad_votes_change_nothing(client, table, world):
    t = table
    proposal = propose(client, t).json()
    pid = proposal["id"]
    # for another organization
    other = client.post(
        f"/api/v1/proposals/{pid}/votes",
        headers=t["h"]["sam"],
        json={"organization_id": t["o"]["lena"].id, "choice": "yes"},
    )
    assert_problem(other, 403)
    assert_problem(vote(client, t, pid, "oscar", "yes"), 403)  # observers do not vote
    assert_problem(vote(client, t, pid, "sam", "maybe"), 422)
    assert_problem(vote(client, t, pid, "sam", "no"), 422)  # a reason is required
    assert_problem(client.post(f"/api/v1/proposals/{pid}/close", headers=t["h"]["sam"]), 403)
    stranger = world.user("stranger")
    world.organization(stranger)
    assert_problem(client.get(f"/api/v1/proposals/{pid}", headers=world.headers(stranger)), 404)
    assert (
        client.get(f"/api/v1/proposals/{pid}", headers=t["h"]["dana"]).json()["tally"]["voted"] == 0
    )
    client.post(f"/api/v1/proposals/{pid}/close", headers=t["h"]["dana"])
    assert_problem(vote(client, t, pid, "sam", "yes"), 409)
    assert_problem(propose(client, t, closes_at="2020-01-01T00:00:00Z"), 422)


def test_a_member_closes_its_own_proposal(client, table, clock):
    t = table
    proposal = propose(client, t, who="sam").json()
    closed = client.post(f"/api/v1/proposals/{proposal['id']}/close", headers=t["h"]["sam"])
    assert closed.json()["outcome"] == "no_quorum"
    listed = client.get(
        f"/api/v1/coalitions/{t['c'].id}/proposals?status=closed", headers=t["h"]["lena"]
    ).json()
    assert [p["id"] for p in listed["items"]] == [proposal["id"]]
    detail = client.get(f"/api/v1/coalitions/{t['c'].id}", headers=t["h"]["lena"]).json()
    assert detail["size_implications"]["median_decision_days"] == 0
