"""Goals, objectives and the event log through the API."""

from datetime import date, timedelta

import pytest

from tests.api.test_conventions import assert_problem


@pytest.fixture
def coalition(world, clock):
    dana = world.user("dana")
    state_pta = world.organization(dana, name="State PTA")
    lena = world.user("lena")
    read_together = world.organization(lena, name="Read Together", kind="nonprofit")
    coalition = world.coalition(state_pta)
    world.join(coalition, read_together, engagement="core")
    return {
        "coalition": coalition,
        "lead": world.headers(dana),
        "member": world.headers(lena),
        "member_org": read_together,
        "lead_org": state_pta,
    }


def test_goal_progress_and_health_move_with_objectives(client, coalition, clock):
    c = coalition
    goals = f"/api/v1/coalitions/{c['coalition'].id}/goals"
    due = (date(2026, 3, 2) + timedelta(days=30)).isoformat()
    goal = client.post(
        goals,
        headers=c["lead"],
        json={
            "title": "Pass the literacy bill",
            "due_date": due,
            "owner_organization_ids": [c["lead_org"].id],
        },
    ).json()
    assert (goal["progress"], goal["health"]) == (0, "on_track")

    objectives = [
        client.post(
            f"/api/v1/goals/{goal['id']}/objectives",
            headers=c["member"],
            json={"title": title, "assignee_organization_id": c["member_org"].id},
        ).json()
        for title in ("Draft the letter", "Collect 20 signatures")
    ]
    done = client.patch(
        f"/api/v1/objectives/{objectives[0]['id']}", headers=c["member"], json={"done": True}
    )
    assert done.json()["done"] is True and done.json()["done_at"] is not None
    current = client.get(f"/api/v1/goals/{goal['id']}", headers=c["lead"]).json()
    assert (current["progress"], current["health"]) == (0.5, "on_track")

    clock.shift(timedelta(days=25))  # 25 of 30 days used, half the work done
    assert client.get(f"/api/v1/goals/{goal['id']}", headers=c["lead"]).json()["health"] == (
        "at_risk"
    )
    clock.shift(timedelta(days=6))
    assert client.get(f"/api/v1/goals/{goal['id']}", headers=c["lead"]).json()["health"] == (
        "overdue"
    )
    client.patch(
        f"/api/v1/objectives/{objectives[1]['id']}", headers=c["lead"], json={"done": True}
    )
    finished = client.get(goals, headers=c["member"]).json()["items"][0]
    assert (finished["progress"], finished["health"]) == (1.0, "done")

    changes = client.get("/api/v1/events?type=goal.progress_changed", headers=c["member"]).json()
    assert [(e["data"]["from"], e["data"]["to"]) for e in changes["items"]] == [
        (0, 0.5),
        (0.5, 1.0),
    ]


def test_goal_rules(client, world, coalition):
    c = coalition
    goals = f"/api/v1/coalitions/{c['coalition'].id}/goals"
    stranger = world.organization()
    assert_problem(
        client.post(
            goals,
            headers=c["lead"],
            json={"title": "X", "due_date": "2026-06-01", "owner_organization_ids": [stranger.id]},
        ),
        422,
    )
    assert_problem(client.post(goals, headers=c["lead"], json={"title": "X"}), 422)
    goal = client.post(
        goals, headers=c["lead"], json={"title": "X", "due_date": "2026-06-01"}
    ).json()
    objective = client.post(
        f"/api/v1/goals/{goal['id']}/objectives", headers=c["lead"], json={"title": "Y"}
    ).json()

    assert (
        client.delete(f"/api/v1/objectives/{objective['id']}", headers=c["lead"]).status_code == 204
    )
    assert_problem(
        client.patch(
            f"/api/v1/objectives/{objective['id']}", headers=c["lead"], json={"done": True}
        ),
        404,
    )

    # Read Together leaves; it can no longer edit the coalition's goals.
    client.delete(
        f"/api/v1/coalitions/{c['coalition'].id}/members/{c['member_org'].id}", headers=c["member"]
    )
    assert_problem(
        client.patch(f"/api/v1/goals/{goal['id']}", headers=c["member"], json={"title": "Mine"}),
        404,
    )
    assert client.get(f"/api/v1/goals/{goal['id']}", headers=c["lead"]).json()["title"] == "X"


def test_events_are_paginated_filtered_and_private(client, world, coalition):
    c = coalition
    page = client.get("/api/v1/events?limit=1", headers=c["member"]).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    first = page["items"][0]
    assert {"id", "type", "timestamp", "data"} <= first.keys()
    rest = client.get(f"/api/v1/events?after={page['next_cursor']}", headers=c["member"]).json()
    assert first["id"] not in [e["id"] for e in rest["items"]]
    none = client.get("/api/v1/events?type=proposal.closed", headers=c["member"]).json()
    assert none["items"] == [] and none["next_cursor"]  # a cursor to poll with, even so
    outsider = world.user("outsider")
    world.organization(outsider)
    # An outsider sees its own organization's creation, nothing of the coalition.
    seen = client.get("/api/v1/events", headers=world.headers(outsider)).json()["items"]
    assert [e["type"] for e in seen] == ["organization.created"]
