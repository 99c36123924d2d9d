"""Editing an activity: a draft changes freely (with If-Match); once members are asked its
text stays as they read it, and only the deadline moves, with the members deciding told."""

from datetime import timedelta

from tests.api.test_conventions import assert_problem
from tests.api.test_signon import NOW, letter, open_letter  # noqa: F401


def url_of(letter):  # noqa: F811
    return f"/api/v1/activities/{letter['activity']['id']}"


def patch(client, letter, json, *, version=None, who="dana"):  # noqa: F811
    headers = dict(letter["h"][who])
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    return client.patch(url_of(letter), headers=headers, json=json)


def current(client, letter):  # noqa: F811
    return client.get(url_of(letter), headers=letter["h"]["dana"]).json()


def events_of(client, letter, kind="activity.updated"):  # noqa: F811
    page = client.get(f"/api/v1/events?type={kind}", headers=letter["h"]["lena"]).json()
    return [e["data"] for e in page["items"]]


def kinds_of_notes(client, letter, who):  # noqa: F811
    page = client.get("/api/v1/notifications", headers=letter["h"][who]).json()
    return [(n["kind"], n["text"]) for n in page["items"] if n["kind"] == "deadline_moved"]


def test_a_draft_changes_with_if_match_and_a_stale_version_is_refused(client, world, letter):  # noqa: F811
    draft = client.get(url_of(letter), headers=letter["h"]["dana"])
    version = draft.json()["version"]
    assert draft.headers["ETag"] == f'"{version}"'
    transit = world.issue_area("School transit")
    literacy = letter["activity"]["issue_area_ids"][0]
    edited = patch(
        client,
        letter,
        {
            "title": "Fund the Early Literacy Act now",
            "body": "Dear Chair Alvarez and members, …",
            "target": "Senate Education Committee",
            "scheduled_at": (NOW + timedelta(days=30)).isoformat(),
            "sign_on_deadline": (NOW + timedelta(days=21)).isoformat(),
            "issue_area_ids": [literacy, transit.id],
            "issue_positions": [{"issue_area_id": transit.id, "stance": "oppose"}],
        },
        version=version,
    )
    assert edited.status_code == 200, edited.text
    body = edited.json()
    assert edited.headers["ETag"] == f'"{version + 1}"' and body["version"] == version + 1
    assert (body["title"], body["target"], body["sign_on_deadline"], body["scheduled_at"]) == (
        "Fund the Early Literacy Act now", "Senate Education Committee",
        "2026-03-23T09:00:00Z", "2026-04-01T09:00:00Z",
    )  # fmt: skip
    assert body["issue_positions"] == [
        {"issue_area_id": literacy, "stance": "support"},
        {"issue_area_id": transit.id, "stance": "oppose"},
    ]
    # With three weeks, nobody's approval would be late any more.
    assert body["readiness"]["at_risk_organization_ids"] == []
    [event] = events_of(client, letter)
    assert event["status"] == "draft" and event["version"] == version + 1
    assert "body" in event["changed"] and "sign_on_deadline" in event["changed"]
    # Nobody has been asked, so nobody is told.
    assert kinds_of_notes(client, letter, "sam") == []

    stale = patch(client, letter, {"title": "Someone else's idea"}, version=version)
    assert_problem(stale, 412)
    past = patch(client, letter, {"sign_on_deadline": "2026-03-01T09:00:00Z"}, version=version + 1)
    assert assert_problem(past, 422)["errors"][0]["loc"] == ["body", "sign_on_deadline"]
    after = current(client, letter)
    assert (after["title"], after["version"]) == ("Fund the Early Literacy Act now", version + 1)
    assert after["sign_on_deadline"] == "2026-03-23T09:00:00Z"
    assert len(events_of(client, letter)) == 1


def test_an_open_letters_text_stays_as_the_members_were_asked(client, world, letter):  # noqa: F811
    opened = open_letter(client, letter)
    refused = patch(client, letter, {"body": "Dear Chair, a different letter."})
    detail = assert_problem(refused, 409)["detail"]
    assert detail == (
        "The text of “Fund the Early Literacy Act” can no longer change: members have been "
        "asked to sign it as it stands. To change that, close this one and draft a new one; "
        "the sign-on deadline can still move."
    )
    several = patch(client, letter, {"title": "New", "issue_area_ids": [world.issue_area().id]})
    assert "title, issue areas and stances on the issues" in assert_problem(several, 409)["detail"]
    assert_problem(patch(client, letter, {"target": "The Governor"}), 409)
    after = current(client, letter)
    assert (after["body"], after["version"]) == ("Dear Chair Alvarez, …", opened["version"])
    assert events_of(client, letter) == []
    # The text sent back as it is, with a new deadline, is no change of text.
    same = patch(
        client,
        letter,
        {"title": opened["title"], "sign_on_deadline": (NOW + timedelta(days=8)).isoformat()},
    )
    assert same.status_code == 200, same.text
    assert events_of(client, letter)[0]["changed"] == ["sign_on_deadline"]


def test_moving_an_open_deadline_tells_the_members_still_deciding(client, letter):  # noqa: F811
    o = letter["orgs"]
    opened = open_letter(client, letter)
    signed = client.put(
        f"{url_of(letter)}/decisions/{o['literacy'].id}",
        headers=letter["h"]["lena"],
        json={"status": "signed"},
    )
    assert signed.status_code == 200, signed.text
    assert opened["readiness"]["at_risk_organization_ids"] == [o["union"].id]

    moved = patch(
        client,
        letter,
        {"sign_on_deadline": (NOW + timedelta(days=20)).isoformat()},
        version=opened["version"],
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["sign_on_deadline"] == "2026-03-22T09:00:00Z"
    assert moved.headers["ETag"] == f'"{opened["version"] + 1}"'
    # Thirteen days of the union's approval now fit.
    assert moved.json()["readiness"]["at_risk_organization_ids"] == []
    [event] = events_of(client, letter)
    assert (event["changed"], event["status"]) == (["sign_on_deadline"], "open")
    assert (event["previous_sign_on_deadline"], event["sign_on_deadline"]) == (
        "2026-03-09T09:00:00Z", "2026-03-22T09:00:00Z",
    )  # fmt: skip

    told = (
        "deadline_moved",
        "The deadline to sign “Fund the Early Literacy Act” moved from "
        "9 Mar 2026 at 9 am to 22 Mar 2026 at 9 am.",
    )
    # Pending (the State PTA) and in approval (the union, the food bank): their admins.
    for who in ("dana", "sam", "tom"):
        assert kinds_of_notes(client, letter, who) == [told], who
    # Signed already (Read Together), declined by its game plan (the council), or no admin.
    for who in ("lena", "ruth", "sam_approver"):
        assert kinds_of_notes(client, letter, who) == [], who

    past = patch(client, letter, {"sign_on_deadline": "2026-03-01T09:00:00Z"})
    assert assert_problem(past, 422)["errors"][0]["loc"] == ["body", "sign_on_deadline"]
    removed = patch(client, letter, {"sign_on_deadline": None})
    assert "choose a new date" in assert_problem(removed, 422)["errors"][0]["msg"]
    after = current(client, letter)
    assert (after["sign_on_deadline"], after["version"]) == (
        "2026-03-22T09:00:00Z", opened["version"] + 1,
    )  # fmt: skip
    assert len(events_of(client, letter)) == 1
    assert len(kinds_of_notes(client, letter, "sam")) == 1

    client.post(f"{url_of(letter)}/close", headers=letter["h"]["dana"])
    late = patch(client, letter, {"sign_on_deadline": (NOW + timedelta(days=30)).isoformat()})
    assert_problem(late, 409)


def test_only_a_lead_edits(client, letter):  # noqa: F811
    assert_problem(patch(client, letter, {"title": "Mine now"}, who="sam"), 403)
    assert current(client, letter)["title"] == "Fund the Early Literacy Act"


def test_a_moment_without_a_time_zone_is_refused_not_a_server_error(client, world):
    """ "2030-01-01T00:00:00" could be any of 24 hours: a 422 naming the field, nothing made."""
    dana = world.user("dana")
    lead = world.organization(dana, name="State PTA")
    coalition = world.coalition(lead)
    answer = client.post(
        f"/api/v1/coalitions/{coalition.id}/activities",
        headers=world.headers(dana),
        json={
            "kind": "sign_on_letter",
            "title": "Fund tutors",
            "sign_on_deadline": "2030-01-01T00:00:00",
        },
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "sign_on_deadline"]
    listed = client.get(
        f"/api/v1/coalitions/{coalition.id}/activities", headers=world.headers(dana)
    )
    assert listed.json()["items"] == []
    proposal = client.post(
        f"/api/v1/coalitions/{coalition.id}/proposals",
        headers=world.headers(dana),
        json={"title": "Endorse", "closes_at": "2030-01-01T00:00:00"},
    )
    assert proposal.status_code == 422
    assert proposal.json()["errors"][0]["loc"] == ["body", "closes_at"]
