"""Readiness before opening: a draft shows the deadline every member's approval can meet,
and who would miss the one it has, before anyone is asked."""

from datetime import timedelta

from tests.api.test_signon import NOW, decisions_by_org, letter, open_letter  # noqa: F401

THREE_STEPS = {
    "steps": [
        {"name": "Staff review", "approver_role": "approver", "expected_days": 4},
        {"name": "Director", "approver_role": "admin", "expected_days": 4},
        {"name": "Board", "approver_role": "admin", "expected_days": 8},
    ]
}


def detail(client, letter, who="dana"):  # noqa: F811
    url = f"/api/v1/activities/{letter['activity']['id']}"
    answer = client.get(url, headers=letter["h"][who])
    assert answer.status_code == 200, answer.text
    return answer.json()


def put_process(client, letter, org, who, process, kind=None):  # noqa: F811
    query = f"?activity_kind={kind}" if kind else ""
    url = f"/api/v1/organizations/{letter['orgs'][org].id}/approval-process{query}"
    answer = client.put(url, headers=letter["h"][who], json=process)
    assert answer.status_code == 200, answer.text


def test_a_draft_shows_the_deadline_its_slowest_member_can_meet(client, letter):  # noqa: F811
    o = letter["orgs"]
    # Read Together takes three steps (4 + 4 + 8 days) for letters, the longest of all.
    put_process(client, letter, "literacy", "lena", THREE_STEPS, kind="sign_on_letter")
    # The Interfaith Council has a process too, but its game plan declines this ask.
    put_process(client, letter, "faith", "ruth", {"steps": THREE_STEPS["steps"][:1]})
    # The State PTA's month-long default gives way to its one-day process for letters.
    month = {"steps": [{"name": "Convention", "approver_role": "admin", "expected_days": 30}]}
    day = {"steps": [{"name": "President", "approver_role": "admin", "expected_days": 1}]}
    put_process(client, letter, "state_pta", "dana", month)
    put_process(client, letter, "state_pta", "dana", day, kind="sign_on_letter")

    draft = detail(client, letter)
    assert draft["status"] == "draft"
    readiness = draft["readiness"]
    assert readiness["recommended_deadline"] == "2026-03-19T09:00:00Z"  # 16 days, plus one
    forecasts = {f["organization_id"]: f for f in readiness["forecasts"]}
    assert readiness["forecasts"][0]["organization_id"] == o["literacy"].id  # slowest first
    assert (forecasts[o["literacy"].id]["steps_total"],
            forecasts[o["literacy"].id]["expected_completion_at"]) == (3, "2026-03-18T09:00:00Z")  # fmt: skip
    assert forecasts[o["union"].id]["expected_completion_at"] == "2026-03-15T09:00:00Z"  # 3 + 10
    # The food bank's game plan escalates to its board: one 7-day step, due on the deadline.
    assert forecasts[o["food_bank"].id]["expected_completion_at"] == "2026-03-09T09:00:00Z"
    assert forecasts[o["state_pta"].id]["expected_completion_at"] == "2026-03-03T09:00:00Z"
    assert o["faith"].id not in forecasts
    assert set(readiness["at_risk_organization_ids"]) == {o["union"].id, o["literacy"].id}
    # Nobody has been asked.
    assert decisions_by_org(client, letter) == {}
    notes = client.get("/api/v1/notifications", headers=letter["h"]["lena"]).json()["items"]
    assert [n["kind"] for n in notes] == ["invitation"]

    tight = client.patch(
        f"/api/v1/activities/{draft['id']}",
        headers={**letter["h"]["dana"], "If-Match": f'"{draft["version"]}"'},
        json={"sign_on_deadline": (NOW + timedelta(days=3)).isoformat()},
    )
    assert tight.status_code == 200, tight.text
    at_risk = set(tight.json()["readiness"]["at_risk_organization_ids"])
    assert at_risk == {o["union"].id, o["literacy"].id, o["food_bank"].id}

    # Opened at once, the approvals under way forecast exactly what the draft said.
    opened = open_letter(client, letter)
    assert opened["readiness"]["recommended_deadline"] == readiness["recommended_deadline"]
    assert set(opened["readiness"]["at_risk_organization_ids"]) == at_risk


def test_a_draft_forecast_learns_from_the_members_own_history(client, letter, clock):  # noqa: F811
    """After three board votes that took 2 days, a draft stops assuming 10, as an approval
    under way does."""
    h, union = letter["h"], letter["orgs"]["union"].id
    for n in range(3):
        earlier = client.post(
            f"/api/v1/coalitions/{letter['coalition'].id}/activities",
            headers=h["dana"],
            json={"kind": "sign_on_letter", "title": f"Earlier letter {n}",
                  "issue_area_ids": letter["activity"]["issue_area_ids"]},
        ).json()  # fmt: skip
        client.post(f"/api/v1/activities/{earlier['id']}/open", headers=h["dana"])
        approval = decisions_by_org(client, {**letter, "activity": earlier})[union]["approval"]
        for step, who in ((1, "sam_approver"), (2, "sam")):
            if step == 2:
                clock.shift(timedelta(days=2))
            decided = client.post(
                f"/api/v1/approvals/{approval['id']}/decision",
                headers=h[who],
                json={"action": "approve", "step": step},
            )
            assert decided.status_code == 200, decided.text
    forecasts = {f["organization_id"]: f for f in detail(client, letter)["readiness"]["forecasts"]}
    # Six days after the fixture's clock: the committee at once (0 days), the board 2 days.
    assert forecasts[union]["expected_completion_at"] == "2026-03-10T09:00:00Z"


def test_an_activity_that_asks_nobody_has_no_readiness(client, letter):  # noqa: F811
    meeting = client.post(
        f"/api/v1/coalitions/{letter['coalition'].id}/activities",
        headers=letter["h"]["dana"],
        json={"kind": "policymaker_meeting", "title": "Meet Chair Alvarez"},
    ).json()
    assert meeting["readiness"] == {
        "recommended_deadline": None,
        "at_risk_organization_ids": [],
        "forecasts": [],
    }
