"""Members who join while letters are open are asked too; members who leave let go of
their open decisions, approval requests and votes, with history."""

from datetime import timedelta

import pytest

from tests.api.test_signon import NOW, UNION_PROCESS, decisions_by_org, letter, open_letter  # noqa: F401

LEFT = "Left the coalition."
ABSTAINED = "Set by the game plan “Abstain”: You have no recorded position on Early literacy."


def new_letter(client, letter, title, *, days, kind="sign_on_letter"):  # noqa: F811
    made = client.post(
        f"/api/v1/coalitions/{letter['coalition'].id}/activities",
        headers=letter["h"]["dana"],
        json={"kind": kind, "title": title,
              "sign_on_deadline": (NOW + timedelta(days=days)).isoformat()},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    activity = made.json()
    opened = client.post(f"/api/v1/activities/{activity['id']}/open", headers=letter["h"]["dana"])
    assert opened.status_code == 200, opened.text
    return activity


def join(client, letter, organization, admin_headers, **answer):  # noqa: F811
    coalition_id = letter["coalition"].id
    invited = client.post(
        f"/api/v1/coalitions/{coalition_id}/members",
        headers=letter["h"]["dana"],
        json={"organization_id": organization.id},
    )
    assert invited.status_code == 201, invited.text
    joined = client.patch(
        f"/api/v1/coalitions/{coalition_id}/members/{organization.id}",
        headers=admin_headers,
        json={"status": "joined", **answer},
    )
    assert joined.status_code == 200, joined.text


def history(client, letter, activity_id, organization_id, who="dana"):  # noqa: F811
    url = f"/api/v1/activities/{activity_id}/decisions/{organization_id}/history"
    answer = client.get(url, headers=letter["h"][who])
    assert answer.status_code == 200, answer.text
    return [(row["from"], row["to"], row["comment"]) for row in answer.json()["items"]]


def events_of(client, headers, types):
    page = client.get(f"/api/v1/events?type={types}&limit=200", headers=headers).json()
    return [e["data"] for e in page["items"]]


def test_a_late_joiner_is_asked_for_open_letters_with_its_game_plan(client, letter, world, clock):  # noqa: F811
    open_letter(client, letter)
    h = letter["h"]
    closed = new_letter(client, letter, "Thank the Governor", days=7)
    client.post(f"/api/v1/activities/{closed['id']}/close", headers=h["dana"])
    lapsed = new_letter(client, letter, "Comment on the draft rule", days=1)
    meeting = new_letter(client, letter, "Meet Senator Ruiz", days=5, kind="policymaker_meeting")
    clock.shift(timedelta(days=2))  # the draft rule's deadline has passed; it is still open

    maya, omar = world.user("maya"), world.user("omar")
    library = world.organization(maya, name="Library Friends", kind="nonprofit")
    teachers = world.organization(omar, name="Teachers Local", kind="union")
    area_id = letter["activity"]["issue_area_ids"][0]
    client.put(
        f"/api/v1/organizations/{teachers.id}/positions/{area_id}",
        headers=world.headers(omar),
        json={"stance": "support", "priority": "main"},
    )
    client.put(
        f"/api/v1/organizations/{teachers.id}/approval-process",
        headers=world.headers(omar),
        json=UNION_PROCESS,
    )
    join(client, letter, library, world.headers(maya), game_plan="abstain")
    join(client, letter, teachers, world.headers(omar))

    letter_id = letter["activity"]["id"]
    rows = decisions_by_org(client, letter)
    # The library's game plan applies (the letter is outside its priorities): it abstains.
    assert (rows[library.id]["status"], rows[library.id]["comment"]) == (
        "abstained", ABSTAINED,
    )  # fmt: skip
    # The union local supports the issue; its own board approves letters, as for any member.
    assert rows[teachers.id]["status"] == "in_approval"
    approval = rows[teachers.id]["approval"]
    assert (approval["status"], approval["step"], approval["steps_total"]) == ("in_progress", 1, 2)
    assert history(client, letter, letter_id, library.id) == [(None, "abstained", ABSTAINED)]
    tally = client.get(f"/api/v1/activities/{letter_id}", headers=h["dana"]).json()["tally"]
    assert (tally["abstained"], tally["in_approval"]) == (1, 3)

    for not_asked in (closed, lapsed, meeting):
        decisions = client.get(f"/api/v1/activities/{not_asked['id']}/decisions", headers=h["dana"])
        assert teachers.id not in {r["organization_id"] for r in decisions.json()["items"]}

    asked = [
        (d["organization_id"], d["from"], d["to"])
        for d in events_of(client, h["dana"], "signon.decision_changed")
        if d["organization_id"] in (library.id, teachers.id)
    ]
    assert sorted(asked) == sorted([(library.id, None, "abstained"),
                                    (teachers.id, None, "in_approval")])  # fmt: skip
    bell = client.get("/api/v1/notifications?unread=true", headers=world.headers(omar)).json()
    assert {(n["kind"], n["link"]) for n in bell["items"]} == {
        ("ask_waiting", f"/activities/{letter_id}"),
        ("approval_waiting", "/approvals"),
        ("invitation", "/coalitions"),
    }


@pytest.fixture
def voting(client, letter):  # noqa: F811
    """The letter open, and a proposal on which the union voted no and Read Together yes."""
    open_letter(client, letter)
    h, o = letter["h"], letter["orgs"]
    proposal = client.post(
        f"/api/v1/coalitions/{letter['coalition'].id}/proposals",
        headers=h["dana"],
        json={"title": "Endorse HB 210"},
    ).json()
    url = f"/api/v1/proposals/{proposal['id']}/votes"
    for who, org, choice in (("sam", "union", "no"), ("lena", "literacy", "yes")):
        body = {"organization_id": o[org].id, "choice": choice, "comment": "Our members say so"}
        assert client.post(url, headers=h[who], json=body).status_code == 200
    return proposal


def test_a_leaver_withdraws_its_open_decisions_approvals_and_votes(client, letter, voting):  # noqa: F811
    h, o = letter["h"], letter["orgs"]
    coalition_id, letter_id = letter["coalition"].id, letter["activity"]["id"]
    union_approval = decisions_by_org(client, letter)[o["union"].id]["approval"]["id"]
    before = client.get(f"/api/v1/proposals/{voting['id']}", headers=h["dana"]).json()["tally"]
    assert (before["yes"], before["no"], before["voted"], before["eligible"]) == (1, 1, 2, 5)

    left = client.delete(f"/api/v1/coalitions/{coalition_id}/members/{o['union'].id}",
                         headers=h["sam"])  # fmt: skip
    assert left.status_code == 200 and left.json()["status"] == "left"
    moved = client.patch(
        f"/api/v1/coalitions/{coalition_id}/members/{o['literacy'].id}",
        headers=h["lena"],
        json={"status": "left"},
    )
    assert moved.status_code == 200

    rows = decisions_by_org(client, letter)
    assert (rows[o["union"].id]["status"], rows[o["union"].id]["comment"]) == ("withdrawn", LEFT)
    assert rows[o["literacy"].id]["status"] == "withdrawn"
    assert history(client, letter, letter_id, o["union"].id)[-1] == (
        "in_approval",
        "withdrawn",
        LEFT,
    )
    assert history(client, letter, letter_id, o["literacy"].id) == [
        (None, "pending", None), ("pending", "withdrawn", LEFT),
    ]  # fmt: skip
    detail = client.get(f"/api/v1/activities/{letter_id}", headers=h["dana"]).json()
    assert detail["tally"] == {"pending": 1, "in_approval": 1, "signed": 0, "declined": 1,
                               "abstained": 0, "withdrawn": 2}  # fmt: skip
    assert o["union"].id not in detail["readiness"]["at_risk_organization_ids"]

    # The union's own people still see its request: withdrawn, no step waiting on anyone.
    approval = client.get(f"/api/v1/approvals/{union_approval}", headers=h["sam"]).json()
    assert approval["status"] == "withdrawn" and approval["step"] is None
    assert {s["status"] for s in approval["steps"]} == {"waiting"}
    assert client.get("/api/v1/organizations/{}/approvals?status=in_progress".format(
        o["union"].id), headers=h["sam"]).json()["items"] == []  # fmt: skip
    inbox_step = client.post(f"/api/v1/approvals/{union_approval}/decision",
                             headers=h["sam_approver"], json={"action": "approve", "step": 1})  # fmt: skip
    assert inbox_step.status_code == 409

    proposal = client.get(f"/api/v1/proposals/{voting['id']}", headers=h["dana"]).json()
    assert proposal["status"] == "open" and proposal["votes"] == []
    tally = proposal["tally"]
    assert (tally["yes"], tally["no"], tally["voted"], tally["eligible"]) == (0, 0, 0, 3)

    seen = events_of(
        client, h["sam"], "signon.decision_changed,approval.completed,proposal.vote_cast"
    )
    union_events = [(d.get("from"), d.get("to"), d.get("status"))
                    for d in seen if d["organization_id"] == o["union"].id]  # fmt: skip
    assert (None, None, "withdrawn") in union_events  # approval.completed
    assert ("in_approval", "withdrawn", None) in union_events
    assert ("no", None, None) in union_events  # its vote stopped counting


def test_the_last_silent_member_leaving_closes_a_proposal_everyone_left_has_voted_on(
    client,
    letter,  # noqa: F811
    voting,
):
    h, o = letter["h"], letter["orgs"]
    url = f"/api/v1/proposals/{voting['id']}/votes"
    for who, org in (("dana", "state_pta"), ("ruth", "faith")):
        answer = client.post(
            url, headers=h[who], json={"organization_id": o[org].id, "choice": "yes"}
        )
        assert answer.json()["status"] == "open"
    # The food bank has not voted; once it leaves, everyone who may vote has spoken.
    client.delete(f"/api/v1/coalitions/{letter['coalition'].id}/members/{o['food_bank'].id}",
                  headers=h["tom"])  # fmt: skip
    proposal = client.get(f"/api/v1/proposals/{voting['id']}", headers=h["dana"]).json()
    assert (proposal["status"], proposal["outcome"]) == ("closed", "passed")
    assert (proposal["tally"]["voted"], proposal["tally"]["eligible"]) == (4, 4)


def test_a_member_that_rejoins_is_asked_again(client, letter):  # noqa: F811
    open_letter(client, letter)
    h, o = letter["h"], letter["orgs"]
    coalition_id, letter_id = letter["coalition"].id, letter["activity"]["id"]
    literacy = o["literacy"].id
    client.put(f"/api/v1/activities/{letter_id}/decisions/{o['faith'].id}", headers=h["ruth"],
               json={"status": "signed"})  # fmt: skip
    for key, who in (("literacy", "lena"), ("faith", "ruth")):
        client.delete(f"/api/v1/coalitions/{coalition_id}/members/{o[key].id}", headers=h[who])
        join(client, letter, o[key], h[who])
    rows = decisions_by_org(client, letter)
    assert rows[literacy]["status"] == "pending"
    assert rows[o["faith"].id]["status"] == "signed"  # a decision made stands
    assert [step[:2] for step in history(client, letter, letter_id, literacy)] == [
        (None, "pending"), ("pending", "withdrawn"), ("withdrawn", "pending"),
    ]  # fmt: skip
    bell = client.get("/api/v1/notifications?unread=true", headers=h["lena"]).json()["items"]
    # Asked again: the bell says so, as for a first ask (the old one was read on leaving).
    assert [n["link"] for n in bell if n["kind"] == "ask_waiting"] == [f"/activities/{letter_id}"]


def test_withdrawing_an_invitation_changes_nothing_else(client, letter, world):  # noqa: F811
    open_letter(client, letter)
    maya = world.user("maya")
    library = world.organization(maya, name="Library Friends")
    world.invite(letter["coalition"], library)
    removed = client.delete(
        f"/api/v1/coalitions/{letter['coalition'].id}/members/{library.id}",
        headers=letter["h"]["dana"],
    )
    assert removed.status_code == 200 and removed.json()["status"] == "left"
    bell = client.get("/api/v1/notifications?unread=true", headers=world.headers(maya)).json()
    assert bell["items"] == []  # the invitation no longer waits on anyone
    assert library.id not in decisions_by_org(client, letter)


def unread(client, headers):
    page = client.get("/api/v1/notifications?unread=true", headers=headers).json()
    return sorted((n["kind"], n["link"]) for n in page["items"])


def test_leaving_marks_the_bell_read_for_what_no_longer_waits(client, letter, voting):  # noqa: F811
    h, o = letter["h"], letter["orgs"]
    letter_page, proposal_page = (
        f"/activities/{letter['activity']['id']}",
        f"/proposals/{voting['id']}",
    )
    assert unread(client, h["sam"]) == [
        ("approval_waiting", "/approvals"), ("ask_waiting", letter_page),
        ("invitation", "/coalitions"), ("proposal_opened", proposal_page),
    ]  # fmt: skip
    client.delete(f"/api/v1/coalitions/{letter['coalition'].id}/members/{o['union'].id}",
                  headers=h["sam"])  # fmt: skip
    assert unread(client, h["sam"]) == []
    everything = client.get("/api/v1/notifications", headers=h["sam"]).json()["items"]
    assert len(everything) == 4  # read, and kept as history


def test_a_person_of_two_members_keeps_the_others_asks(client, letter, world):  # noqa: F811
    h, o = letter["h"], letter["orgs"]
    world.add(o["literacy"], letter["people"]["dana"], "admin")  # dana speaks for both
    open_letter(client, letter)
    letter_page = f"/activities/{letter['activity']['id']}"
    assert unread(client, h["dana"]).count(("ask_waiting", letter_page)) == 2
    client.delete(f"/api/v1/coalitions/{letter['coalition'].id}/members/{o['literacy'].id}",
                  headers=h["lena"])  # fmt: skip
    # Read Together's ask is settled; the State PTA's still waits on dana.
    assert unread(client, h["dana"]).count(("ask_waiting", letter_page)) == 1
    rows = decisions_by_org(client, letter)
    assert (rows[o["state_pta"].id]["status"], rows[o["literacy"].id]["status"]) == (
        "pending", "withdrawn",
    )  # fmt: skip
