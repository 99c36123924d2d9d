"""Governance: guidelines agreed together, the coalition's letters under its own rule, roles
with powers, and proposals people can decide on (discussion, who has not voted, reminders,
block only where it is a choice, every member told the outcome)."""

from datetime import timedelta

import pytest

from tests.api.test_conventions import assert_problem
from tests.api.test_proposals import propose, table, vote  # noqa: F401

NOW_PLUS_WEEK = "2026-03-20T09:00:00+00:00"


def guidelines_proposal(client, t, changes, who="dana"):
    return propose(client, t, who, title="Change our guidelines", kind="guidelines",
                   changes=changes)  # fmt: skip


def everyone_votes_yes(client, t, proposal_id):
    for who in ("dana", "sam", "lena", "ruth"):
        cast = vote(client, t, proposal_id, who, "yes")
        assert cast.status_code == 200, cast.text
    return cast.json()


def test_the_convener_alone_sets_the_guidelines_directly(client, world):
    dana = world.user("dana")
    pta = world.organization(dana, name="State PTA")
    made = client.post(
        "/api/v1/coalitions",
        headers=world.headers(dana),
        json={"name": "Read by Third Grade", "unifying_issue": "Reading",
              "convener_organization_id": pta.id, "who_may_post": "leads",
              "how_members_are_informed": "A weekly e-mail on Mondays."},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    coalition = made.json()
    assert (coalition["activity_approval"], coalition["who_may_post"]) == ("leads", "leads")
    changed = client.patch(
        f"/api/v1/coalitions/{coalition['id']}",
        headers=world.headers(dana),
        json={"decision_rule": "majority", "activity_approval": "coalition_vote"},
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["decision_rule"], body["activity_approval"]) == ("majority", "coalition_vote")
    assert body["guidelines_agreed_by"] == [pta.id] and body["guidelines_proposal_id"] is None
    assert body["how_members_are_informed"] == "A weekly e-mail on Mondays."


def test_after_others_join_the_guidelines_change_only_by_a_proposal(client, table):  # noqa: F811
    t = table
    url = f"/api/v1/coalitions/{t['c'].id}"
    direct = client.patch(url, headers=t["h"]["dana"], json={"decision_rule": "consensus"})
    assert assert_problem(direct, 409)["code"] == "guidelines_need_a_vote"
    assert "proposal of kind guidelines" in direct.json()["detail"]
    # Other fields still change directly.
    renamed = client.patch(url, headers=t["h"]["dana"], json={"description": "Readers."})
    assert renamed.status_code == 200 and renamed.json()["decision_rule"] == "majority"

    made = guidelines_proposal(
        client, t, {"decision_rule": "consensus", "who_may_post": "leads",
                    "how_members_are_informed": "Minutes after every call."},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    proposal = made.json()
    assert proposal["kind"] == "guidelines"
    assert proposal["changes"] == {"decision_rule": "consensus", "who_may_post": "leads",
                                   "how_members_are_informed": "Minutes after every call."}  # fmt: skip
    assert sorted(proposal["not_voted_organization_ids"]) == sorted(
        t["o"][k].id for k in ("dana", "sam", "lena", "ruth")
    )  # the observer does not vote
    closed = everyone_votes_yes(client, t, proposal["id"])
    assert (closed["status"], closed["outcome"]) == ("closed", "passed")

    coalition = client.get(url, headers=t["h"]["sam"]).json()
    assert (coalition["decision_rule"], coalition["who_may_post"]) == ("consensus", "leads")
    assert coalition["how_members_are_informed"] == "Minutes after every call."
    assert coalition["guidelines_proposal_id"] == proposal["id"]
    assert sorted(coalition["guidelines_agreed_by"]) == sorted(
        t["o"][k].id for k in ("dana", "sam", "lena", "ruth")
    )
    changed = client.get(
        "/api/v1/events?type=coalition.guidelines_changed", headers=t["h"]["oscar"]
    ).json()["items"]
    assert [e["data"]["changes"]["decision_rule"] for e in changed] == [["majority", "consensus"]]


def test_a_guidelines_proposal_that_fails_changes_nothing(client, table):  # noqa: F811
    t = table
    proposal = guidelines_proposal(client, t, {"quorum": 0.9}).json()
    for who in ("dana", "sam", "lena"):
        vote(client, t, proposal["id"], who, "no", "Too high.")
    closed = vote(client, t, proposal["id"], "ruth", "yes").json()
    assert closed["outcome"] == "failed"
    assert closed["explanation"] == (
        "Failed: 1 yes, 3 no, 0 abstain; 4 of 4 members voted. "
        "It needed more yes than no (majority)."
    )
    coalition = client.get(f"/api/v1/coalitions/{t['c'].id}", headers=t["h"]["dana"]).json()
    assert coalition["quorum"] == 0.5 and coalition["guidelines_proposal_id"] is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"colour": "blue"}, ["body", "changes", "colour"]),
        ({"decision_rule": "loudest_wins"}, ["body", "changes", "decision_rule"]),
        ({"quorum": 2}, ["body", "changes", "quorum"]),
        ({}, ["body", "changes"]),
        ({"decision_rule": "majority"}, ["body", "changes"]),  # already the rule: no change
    ],
)
def test_a_bad_guidelines_proposal_is_refused_before_any_vote(client, table, changes, field):  # noqa: F811
    t = table
    made = guidelines_proposal(client, t, changes)
    assert_problem(made, 422)
    assert field in [error["loc"] for error in made.json()["errors"]]
    listed = client.get(f"/api/v1/coalitions/{t['c'].id}/proposals", headers=t["h"]["dana"])
    assert listed.json()["items"] == []


def test_block_is_a_choice_only_where_a_member_may_block(client, table):  # noqa: F811
    t = table
    proposal = propose(client, t).json()
    blocked = vote(client, t, proposal["id"], "sam", "block", "We cannot.")
    assert_problem(blocked, 422)
    assert "only under consensus or unanimity" in blocked.json()["errors"][0]["msg"]
    assert (
        client.get(f"/api/v1/proposals/{proposal['id']}", headers=t["h"]["sam"]).json()["tally"][
            "voted"
        ]
        == 0
    )


def test_the_discussion_and_who_has_not_voted(client, table, world):  # noqa: F811
    t = table
    proposal = propose(client, t).json()
    said = client.post(
        f"/api/v1/proposals/{proposal['id']}/comments",
        headers=t["h"]["sam"],
        json={"body": "Does amendment 3 cover charter schools?"},
    )
    assert said.status_code == 201, said.text
    assert said.json()["organization_name"] == "Sam" and said.json()["author_name"]
    assert "email" not in said.json() and "@" not in str(said.json())
    client.post(f"/api/v1/proposals/{proposal['id']}/comments", headers=t["h"]["dana"],
                json={"body": "It does not."})  # fmt: skip
    thread = client.get(
        f"/api/v1/proposals/{proposal['id']}/comments", headers=t["h"]["oscar"]
    ).json()
    assert [c["body"] for c in thread["items"]] == [
        "Does amendment 3 cover charter schools?", "It does not.",
    ]  # fmt: skip
    vote(client, t, proposal["id"], "sam", "yes")
    seen = client.get(f"/api/v1/proposals/{proposal['id']}", headers=t["h"]["dana"]).json()
    assert seen["comments_count"] == 2
    assert sorted(seen["not_voted_organization_ids"]) == sorted(
        t["o"][k].id for k in ("dana", "lena", "ruth")
    )

    reminded = client.post(f"/api/v1/proposals/{proposal['id']}/reminders", headers=t["h"]["dana"])
    assert reminded.status_code == 200, reminded.text
    # Dana's own organization is not reminded of what Dana herself has not done.
    assert sorted(reminded.json()["reminded_organization_ids"]) == sorted(
        t["o"][k].id for k in ("lena", "ruth")
    )
    bell = client.get("/api/v1/notifications?unread=true", headers=t["h"]["lena"]).json()
    assert "has not voted on “Endorse HB 210”" in " ".join(n["text"] for n in bell["items"])
    not_a_lead = client.post(f"/api/v1/proposals/{proposal['id']}/reminders", headers=t["h"]["sam"])
    assert_problem(not_a_lead, 403)
    stranger = world.user("stranger")
    world.organization(stranger)
    hidden = client.post(
        f"/api/v1/proposals/{proposal['id']}/comments",
        headers=world.headers(stranger),
        json={"body": "Hello"},
    )
    assert_problem(hidden, 404)

    client.post(f"/api/v1/proposals/{proposal['id']}/close", headers=t["h"]["dana"])
    late = client.post(f"/api/v1/proposals/{proposal['id']}/comments", headers=t["h"]["sam"],
                       json={"body": "One more thing"})  # fmt: skip
    assert_problem(late, 409)
    assert len(client.get(f"/api/v1/proposals/{proposal['id']}/comments",
                          headers=t["h"]["sam"]).json()["items"]) == 2  # fmt: skip


def test_every_member_is_told_the_outcome_and_the_tally_stays_as_decided(client, table, world):  # noqa: F811
    t = table
    proposal = propose(client, t).json()
    for who in ("dana", "sam", "lena"):
        vote(client, t, proposal["id"], who, "yes")
    closed = client.post(f"/api/v1/proposals/{proposal['id']}/close", headers=t["h"]["dana"])
    assert closed.json()["tally"] == {"yes": 3, "no": 0, "abstain": 0, "block": 0,
                                      "eligible": 4, "voted": 3}  # fmt: skip
    for who in ("sam", "oscar"):
        bell = client.get("/api/v1/notifications?unread=true", headers=t["h"][who]).json()
        decided = [n for n in bell["items"] if n["kind"] == "proposal_decided"]
        assert [n["text"] for n in decided] == [
            "Decided: “Endorse HB 210” passed. Passed: 3 yes, 0 no, 0 abstain; 3 of 4 members "
            "voted. More yes than no, as the majority rule asks."
        ]
    # A member that joins later does not change the tally the outcome was decided on.
    newcomer = world.organization(world.user("nina"), name="Nina")
    world.join(t["c"], newcomer)
    again = client.get(f"/api/v1/proposals/{proposal['id']}", headers=t["h"]["dana"]).json()
    assert again["tally"]["eligible"] == 4 and again["not_voted_organization_ids"] == []


@pytest.fixture
def voting_on_letters(client, table, clock):  # noqa: F811
    """The table's coalition agreed that letters open only by the coalition's vote."""
    t = table
    proposal = guidelines_proposal(client, t, {"activity_approval": "coalition_vote"}).json()
    everyone_votes_yes(client, t, proposal["id"])
    letter = client.post(
        f"/api/v1/coalitions/{t['c'].id}/activities",
        headers=t["h"]["dana"],
        json={"kind": "sign_on_letter", "title": "Fund tutors", "body": "Dear Chair…",
              "sign_on_deadline": NOW_PLUS_WEEK},
    )  # fmt: skip
    assert letter.status_code == 201, letter.text
    return {**t, "letter": letter.json()}


def test_under_coalition_vote_a_letter_opens_when_its_proposal_passes(client, voting_on_letters):
    t = voting_on_letters
    letter_id = t["letter"]["id"]
    opened = client.post(f"/api/v1/activities/{letter_id}/open", headers=t["h"]["dana"])
    assert opened.status_code == 200, opened.text
    assert opened.json()["status"] == "proposed"
    detail = client.get(f"/api/v1/activities/{letter_id}", headers=t["h"]["sam"]).json()
    proposal_id = detail["proposal"]["id"]
    proposal = client.get(f"/api/v1/proposals/{proposal_id}", headers=t["h"]["sam"]).json()
    assert (proposal["kind"], proposal["activity_id"], proposal["body"]) == (
        "activity", letter_id, "Dear Chair…",
    )  # fmt: skip
    assert client.get(f"/api/v1/activities/{letter_id}/decisions",
                      headers=t["h"]["dana"]).json()["items"] == []  # nobody asked yet  # fmt: skip
    edit = client.patch(f"/api/v1/activities/{letter_id}", headers=t["h"]["dana"],
                        json={"title": "Fund more tutors"})  # fmt: skip
    assert_problem(edit, 409)

    everyone_votes_yes(client, t, proposal_id)
    detail = client.get(f"/api/v1/activities/{letter_id}", headers=t["h"]["sam"]).json()
    assert detail["status"] == "open" and detail["proposal"]["outcome"] == "passed"
    asked = client.get(f"/api/v1/activities/{letter_id}/decisions", headers=t["h"]["dana"])
    assert len(asked.json()["items"]) == 5  # every joined member, the observer included


def test_under_coalition_vote_a_failed_letter_goes_back_to_draft(client, voting_on_letters):
    t = voting_on_letters
    letter_id = t["letter"]["id"]
    client.post(f"/api/v1/activities/{letter_id}/open", headers=t["h"]["dana"])
    proposal_id = client.get(f"/api/v1/activities/{letter_id}", headers=t["h"]["dana"]).json()[
        "proposal"
    ]["id"]
    for who in ("sam", "lena", "ruth"):
        vote(client, t, proposal_id, who, "no", "Not in this form.")
    client.post(f"/api/v1/proposals/{proposal_id}/close", headers=t["h"]["dana"])
    detail = client.get(f"/api/v1/activities/{letter_id}", headers=t["h"]["dana"]).json()
    assert detail["status"] == "draft"
    assert detail["proposal"]["outcome"] == "failed"
    assert detail["proposal"]["explanation"].startswith("Failed: 0 yes, 3 no")
    again = client.patch(f"/api/v1/activities/{letter_id}", headers=t["h"]["dana"],
                         json={"title": "Fund more tutors"})  # fmt: skip
    assert again.status_code == 200  # a draft again: it can be reworked


def test_a_drafter_drafts_a_coordinator_invites_a_plain_member_does_neither(client, table, world):  # noqa: F811
    t = table
    url = f"/api/v1/coalitions/{t['c'].id}"
    for who, role in (("sam", "drafter"), ("lena", "coordinator")):
        assigned = client.patch(f"{url}/members/{t['o'][who].id}", headers=t["h"]["dana"],
                                json={"roles": [role]})  # fmt: skip
        assert assigned.status_code == 200, assigned.text
    drafted = client.post(f"{url}/activities", headers=t["h"]["sam"],
                          json={"kind": "sign_on_letter", "title": "From the drafter"})  # fmt: skip
    assert drafted.status_code == 201, drafted.text
    not_drafter = client.post(f"{url}/activities", headers=t["h"]["lena"],
                              json={"kind": "sign_on_letter", "title": "From the coordinator"})  # fmt: skip
    assert_problem(not_drafter, 403)
    guest = world.organization(world.user("gina"), name="Gina's Group")
    invited = client.post(f"{url}/members", headers=t["h"]["lena"],
                          json={"organization_id": guest.id})  # fmt: skip
    assert invited.status_code == 201, invited.text
    plain = world.organization(world.user("pete"), name="Pete's Group")
    refused = client.post(f"{url}/members", headers=t["h"]["ruth"],
                          json={"organization_id": plain.id})  # fmt: skip
    assert_problem(refused, 403)
    # A member cannot give itself a role with powers.
    self_made = client.patch(f"{url}/members/{t['o']['ruth'].id}", headers=t["h"]["ruth"],
                             json={"roles": ["drafter"]})  # fmt: skip
    assert_problem(self_made, 403)


def test_the_worker_applies_guidelines_when_the_vote_closes_on_time(client, table, clock, database):  # noqa: F811
    """Any member may propose a change; closed by the worker at its time, it still applies."""
    t = table
    proposal = guidelines_proposal(client, t, {"who_may_post": "leads"}, who="ruth").json()
    for who in ("ruth", "sam"):
        vote(client, t, proposal["id"], who, "yes")
    clock.shift(timedelta(days=8))
    from app.services import proposals

    with database.session() as session:
        assert proposals.close_due_proposals(session) == 1
        session.commit()
    coalition = client.get(f"/api/v1/coalitions/{t['c'].id}", headers=t["h"]["dana"]).json()
    assert coalition["who_may_post"] == "leads"
    assert coalition["guidelines_proposal_id"] == proposal["id"]
