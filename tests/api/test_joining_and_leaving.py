"""Members who join while letters are open are asked too."""

from datetime import timedelta

from tests.api.test_signon import NOW, UNION_PROCESS, decisions_by_org, letter, open_letter  # noqa: F401

ABSTAINED = "Set by the game plan (abstain): You have no recorded position on Early literacy."


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
