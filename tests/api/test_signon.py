"""Sign-on letters through the API: asking, game plans, approvals, forecasts, privacy."""

from datetime import datetime, timedelta

import pytest

from app.schemas.coalitions import MembershipUpdate
from app.services import coalitions
from tests.api.test_conventions import assert_problem
from tests.conftest import SETUP

NOW = datetime.fromisoformat("2026-03-02T09:00:00+00:00")
UNION_PROCESS = {
    "steps": [
        {"name": "Policy committee", "approver_role": "approver", "expected_days": 3},
        {"name": "Executive board vote", "approver_role": "admin", "expected_days": 10,
         "private": True},
    ]
}  # fmt: skip


@pytest.fixture
def letter(client, world, clock):
    """A literacy coalition with five members, each of whom answers a letter differently."""
    people = {
        key: world.user(key) for key in ("dana", "sam", "sam_approver", "lena", "ruth", "tom")
    }
    orgs = {
        "state_pta": world.organization(people["dana"], name="State PTA"),
        "union": world.organization(people["sam"], name="Education Association", kind="union"),
        "literacy": world.organization(people["lena"], name="Read Together", kind="nonprofit"),
        "faith": world.organization(people["ruth"], name="Interfaith Council", kind="faith"),
        "food_bank": world.organization(people["tom"], name="Food Bank", kind="nonprofit"),
    }
    world.add(orgs["union"], people["sam_approver"], "approver")
    headers = {key: world.headers(user) for key, user in people.items()}
    area = world.issue_area("Early literacy")
    for key in ("state_pta", "union", "literacy"):
        client.put(
            f"/api/v1/organizations/{orgs[key].id}/positions/{area.id}",
            headers=headers[{"state_pta": "dana", "union": "sam", "literacy": "lena"}[key]],
            json={"stance": "support", "priority": "main"},
        )
    coalition = world.coalition(orgs["state_pta"], issue_area_ids=[area.id])
    for key, plan in (
        ("union", None),
        ("literacy", None),
        ("faith", "decline"),
        ("food_bank", "escalate"),
    ):
        world.join(coalition, orgs[key])
        if plan:
            with world.database.session() as session:
                coalitions.update_member(
                    session, SETUP, coalition_id=coalition.id, organization_id=orgs[key].id, changes=MembershipUpdate(game_plan=plan)
                )  # fmt: skip
    put = client.put(
        f"/api/v1/organizations/{orgs['union'].id}/approval-process",
        headers=headers["sam"],
        json=UNION_PROCESS,
    )
    assert put.status_code == 200, put.text
    activity = client.post(
        f"/api/v1/coalitions/{coalition.id}/activities",
        headers=headers["dana"],
        json={
            "kind": "sign_on_letter",
            "title": "Fund the Early Literacy Act",
            "body": "Dear Chair Alvarez, …",
            "target": "House Education Committee",
            "sign_on_deadline": (NOW + timedelta(days=7)).isoformat(),
            "issue_area_ids": [area.id],
        },
    )
    assert activity.status_code == 201, activity.text
    return {"orgs": orgs, "h": headers, "people": people, "activity": activity.json(),
            "coalition": coalition}  # fmt: skip


def decisions_by_org(client, letter, who="dana"):
    url = f"/api/v1/activities/{letter['activity']['id']}/decisions"
    page = client.get(url, headers=letter["h"][who]).json()
    assert page["next_cursor"] is None  # a coalition's members fit in one page
    return {row["organization_id"]: row for row in page["items"]}


def open_letter(client, letter):
    opened = client.post(
        f"/api/v1/activities/{letter['activity']['id']}/open", headers=letter["h"]["dana"]
    )
    assert opened.status_code == 200, opened.text
    return opened.json()


def test_opening_asks_every_member_and_applies_game_plans(client, letter):
    assert letter["activity"]["status"] == "draft" and letter["activity"]["collects_signatures"]
    detail = open_letter(client, letter)
    assert detail["status"] == "open"
    o = letter["orgs"]
    rows = decisions_by_org(client, letter)
    assert {org: rows[o[org].id]["status"] for org in o} == {
        "state_pta": "pending",
        "union": "in_approval",
        "literacy": "pending",
        "faith": "declined",
        "food_bank": "in_approval",
    }
    # The faith council recorded no position on literacy: the ask does not fit it as it
    # stands, so its game plan answered, and says why.
    assert rows[o["faith"].id]["comment"] == (
        "Set by the game plan “Decline”: You have no recorded position on Early literacy."
    )
    assert rows[o["literacy"].id]["comment"] is None  # it fits: no game plan
    union_approval = rows[o["union"].id]["approval"]
    assert (union_approval["status"], union_approval["step"], union_approval["steps_total"]) == (
        "in_progress", 1, 2,
    )  # fmt: skip
    escalated = rows[o["food_bank"].id]["approval"]
    assert escalated["steps_total"] == 1
    assert detail["tally"] == {
        "pending": 2, "in_approval": 2, "signed": 0, "declined": 1, "abstained": 0, "withdrawn": 0,
    }  # fmt: skip


def test_forecasts_and_readiness(client, letter):
    detail = open_letter(client, letter)
    union = letter["orgs"]["union"].id
    rows = decisions_by_org(client, letter)
    # 3 days of committee then 10 of board: 13 days, past the 7-day deadline.
    assert rows[union]["approval"]["expected_completion_at"] == "2026-03-15T09:00:00Z"
    assert rows[union]["approval"]["at_risk"] is True
    readiness = detail["readiness"]
    assert readiness["recommended_deadline"] == "2026-03-16T09:00:00Z"
    assert union in readiness["at_risk_organization_ids"]
    assert letter["orgs"]["food_bank"].id not in readiness["at_risk_organization_ids"]
    # Each step's window, as the approval timeline draws it: the committee from now for 3
    # days, the board forecast after it.
    approval = client.get(
        f"/api/v1/approvals/{rows[union]['approval']['id']}", headers=letter["h"]["sam"]
    ).json()
    assert [(s["starts_at"], s["ends_at"]) for s in approval["steps"]] == [
        ("2026-03-02T09:00:00Z", "2026-03-05T09:00:00Z"),
        ("2026-03-05T09:00:00Z", "2026-03-15T09:00:00Z"),
    ]


def test_approval_moves_step_by_step_then_signs(client, letter, clock):
    open_letter(client, letter)
    union = letter["orgs"]["union"].id
    h = letter["h"]
    approval_id = decisions_by_org(client, letter)[union]["approval"]["id"]
    decide = f"/api/v1/approvals/{approval_id}/decision"
    url = f"/api/v1/activities/{letter['activity']['id']}/decisions/{union}"

    blocked = client.put(url, headers=h["sam"], json={"status": "signed"})
    blocked_problem = assert_problem(blocked, 409)
    assert "approval is not finished" in blocked_problem["detail"]
    assert blocked_problem["code"] == "approval_not_finished"

    inbox = client.get("/api/v1/approvals", headers=h["sam_approver"]).json()["items"]
    assert [a["id"] for a in inbox] == [approval_id]
    assert_problem(
        client.post(decide, headers=h["dana"], json={"action": "approve", "step": 1}), 403
    )
    missing = assert_problem(
        client.post(decide, headers=h["sam_approver"], json={"action": "approve"}), 422
    )
    assert missing["errors"][0]["loc"] == ["body", "step"]

    clock.shift(timedelta(days=2))
    first = client.post(
        decide,
        headers=h["sam_approver"],
        json={"action": "approve", "step": 1, "comment": "Fine by the committee"},
    )
    assert first.status_code == 200 and first.json()["step"] == 2
    # The same approval sent again (a double submit) names step 1, which is decided: it
    # must not approve step 2, which nobody has seen yet.
    again = client.post(decide, headers=h["sam"], json={"action": "approve", "step": 1})
    stale_step = assert_problem(again, 409)
    assert "step 2 is" in stale_step["detail"]
    assert stale_step["code"] == "approval_step_not_active"
    assert client.get(f"/api/v1/approvals/{approval_id}", headers=h["sam"]).json()["step"] == 2
    # The board step is for an admin: the approver cannot take it.
    assert_problem(
        client.post(decide, headers=h["sam_approver"], json={"action": "approve", "step": 2}), 403
    )
    assert client.get("/api/v1/approvals", headers=h["sam_approver"]).json()["items"] == []
    final = client.post(
        decide,
        headers=h["sam"],
        json={"action": "approve", "step": 2, "comment": "Board voted 9-2"},
    )
    assert final.json()["status"] == "approved"
    finished = assert_problem(
        client.post(decide, headers=h["sam"], json={"action": "approve", "step": 2}), 409
    )
    assert finished["code"] == "approval_finished"

    assert decisions_by_org(client, letter)[union]["status"] == "signed"
    history = client.get(f"{url}/history", headers=h["dana"]).json()["items"]
    assert [(c["from"], c["to"]) for c in history] == [
        (None, "in_approval"),
        ("in_approval", "signed"),
    ]
    assert history[1]["who"] == letter["people"]["sam"].id
    types = [e["type"] for e in client.get("/api/v1/events", headers=h["sam"]).json()["items"]]
    assert types.count("approval.step_completed") == 2 and "approval.completed" in types


def test_rejection_declines_and_others_never_see_internal_comments(client, letter):
    open_letter(client, letter)
    union = letter["orgs"]["union"].id
    h = letter["h"]
    approval_id = decisions_by_org(client, letter)[union]["approval"]["id"]
    decide = f"/api/v1/approvals/{approval_id}/decision"
    client.post(
        decide, headers=h["sam_approver"], json={"action": "approve", "step": 1, "comment": "ok"}
    )
    client.post(
        decide,
        headers=h["sam"],
        json={"action": "reject", "step": 2, "comment": "Donor conflict, keep quiet"},
    )

    assert decisions_by_org(client, letter)[union]["status"] == "declined"
    own = client.get(f"/api/v1/approvals/{approval_id}", headers=h["sam"]).json()
    assert own["steps"][1]["name"] == "Executive board vote"
    assert own["steps"][1]["comment"] == "Donor conflict, keep quiet"
    other = client.get(f"/api/v1/approvals/{approval_id}", headers=h["dana"])
    assert other.status_code == 200
    seen = other.json()
    assert seen["status"] == "rejected"
    assert seen["steps"][1]["name"] == "Step 2"  # marked private by the union
    assert all(s["comment"] is None and s["decided_by"] is None for s in seen["steps"])
    assert "Donor conflict" not in other.text
    dana_events = client.get("/api/v1/events?type=approval.step_completed", headers=h["dana"])
    assert dana_events.json()["items"] and "Donor conflict" not in dana_events.text
    sam_events = client.get("/api/v1/events?type=approval.step_completed", headers=h["sam"])
    assert "Donor conflict" in sam_events.text


def test_decision_rules(client, letter, world):
    open_letter(client, letter)
    h, o = letter["h"], letter["orgs"]
    base = f"/api/v1/activities/{letter['activity']['id']}/decisions"
    assert_problem(
        client.put(f"{base}/{o['literacy'].id}", headers=h["dana"], json={"status": "signed"}), 403
    )
    assert_problem(
        client.put(f"{base}/{o['literacy'].id}", headers=h["lena"], json={"status": "in_approval"}),
        422,
    )
    assert_problem(
        client.put(f"{base}/{o['literacy'].id}", headers=h["lena"], json={"status": "withdrawn"}),
        409,
    )
    signed = client.put(
        f"{base}/{o['literacy'].id}",
        headers=h["lena"],
        json={"status": "signed", "comment": "Proudly"},
    )
    assert signed.status_code == 200 and signed.json()["status"] == "signed"
    withdrawn = client.put(
        f"{base}/{o['literacy'].id}", headers=h["lena"], json={"status": "withdrawn"}
    )
    assert withdrawn.json()["status"] == "withdrawn"
    stranger = world.user("stranger")
    world.organization(stranger)
    assert_problem(client.get(base, headers=world.headers(stranger)), 404)


def test_activity_rules(client, letter):
    h = letter["h"]
    coalition_id = letter["coalition"].id
    url = f"/api/v1/coalitions/{coalition_id}/activities"
    past = client.post(
        url,
        headers=h["dana"],
        json={
            "kind": "sign_on_letter",
            "title": "Late",
            "sign_on_deadline": "2020-01-01T00:00:00Z",
        },
    )
    assert_problem(past, 422)
    # The members agreed the guidelines together: the kinds change by a passed proposal.
    direct = client.patch(
        f"/api/v1/coalitions/{coalition_id}",
        headers=h["dana"],
        json={"allowed_activity_kinds": ["testimony"]},
    )
    assert_problem(direct, 409)
    proposal = client.post(
        f"/api/v1/coalitions/{coalition_id}/proposals",
        headers=h["dana"],
        json={"title": "Testimony only", "kind": "guidelines",
              "changes": {"allowed_activity_kinds": ["testimony"]}},
    ).json()  # fmt: skip
    for who, org in (("dana", "state_pta"), ("sam", "union"), ("lena", "literacy")):
        client.post(f"/api/v1/proposals/{proposal['id']}/votes", headers=h[who],
                    json={"organization_id": letter["orgs"][org].id, "choice": "yes"})  # fmt: skip
    closed = client.post(f"/api/v1/proposals/{proposal['id']}/close", headers=h["dana"])
    assert closed.json()["outcome"] == "passed"
    assert_problem(
        client.post(url, headers=h["dana"], json={"kind": "public_event", "title": "Rally"}), 422
    )
    assert_problem(
        client.post(url, headers=h["sam"], json={"kind": "testimony", "title": "Mine"}), 403
    )

    activity = letter["activity"]["id"]
    open_letter(client, letter)
    assert_problem(client.post(f"/api/v1/activities/{activity}/open", headers=h["dana"]), 409)
    closed = client.post(f"/api/v1/activities/{activity}/close", headers=h["dana"])
    assert closed.json()["status"] == "closed"
    assert_problem(client.post(f"/api/v1/activities/{activity}/open", headers=h["dana"]), 409)
    union = letter["orgs"]["union"].id
    rows = decisions_by_org(client, letter)
    assert rows[union]["approval"]["status"] == "withdrawn"
    ended = client.get("/api/v1/events?type=approval.completed", headers=h["dana"]).json()
    # Closing stopped both open approvals, and each stop is an event the coalition sees.
    assert sorted(
        (e["data"]["organization_id"], e["data"]["status"]) for e in ended["items"]
    ) == sorted([(union, "withdrawn"), (letter["orgs"]["food_bank"].id, "withdrawn")])
    assert_problem(
        client.put(
            f"/api/v1/activities/{activity}/decisions/{union}",
            headers=h["sam"],
            json={"status": "declined"},
        ),
        409,
    )


def test_learned_durations_shorten_the_forecast(client, letter, world, clock):
    """After three board votes that took 2 days, the forecast stops assuming 10."""
    h = letter["h"]
    union = letter["orgs"]["union"].id
    coalition_id = letter["coalition"].id
    for n in range(3):
        activity = client.post(
            f"/api/v1/coalitions/{coalition_id}/activities",
            headers=h["dana"],
            json={
                "kind": "sign_on_letter",
                "title": f"Earlier letter {n}",
                "issue_area_ids": letter["activity"]["issue_area_ids"],
            },
        ).json()
        client.post(f"/api/v1/activities/{activity['id']}/open", headers=h["dana"])
        approval = decisions_by_org(client, {**letter, "activity": activity})[union]["approval"][
            "id"
        ]
        client.post(
            f"/api/v1/approvals/{approval}/decision",
            headers=h["sam_approver"],
            json={"action": "approve", "step": 1},
        )
        clock.shift(timedelta(days=2))
        client.post(
            f"/api/v1/approvals/{approval}/decision",
            headers=h["sam"],
            json={"action": "approve", "step": 2},
        )
    open_letter(client, letter)
    expected = decisions_by_org(client, letter)[union]["approval"]["expected_completion_at"]
    # Opened 6 days after the fixture's clock. The committee answered at once three times
    # (0 days) and the board took 2 days three times: 0 + 2, not the expected 3 + 10.
    assert expected == "2026-03-10T09:00:00Z"


def test_approval_process_editing(client, letter):
    h, union = letter["h"], letter["orgs"]["union"].id
    url = f"/api/v1/organizations/{union}/approval-process"
    read = client.get(url, headers=h["sam_approver"])
    assert [s["name"] for s in read.json()["steps"]] == ["Policy committee", "Executive board vote"]
    assert_problem(client.put(url, headers=h["sam_approver"], json=UNION_PROCESS), 403)
    assert_problem(client.get(url, headers=h["dana"]), 404)
    assert_problem(
        client.put(
            url,
            headers=h["sam"],
            json={"steps": [{"name": "x", "approver_role": "owner", "expected_days": 1}]},
        ),
        422,
    )
    assert_problem(
        client.put(
            url,
            headers=h["sam"],
            json={"steps": [{"name": "x", "approver_role": "admin", "expected_days": 0}]},
        ),
        422,
    )
    assert_problem(
        client.put(url, headers={**h["sam"], "If-Match": '"9"'}, json=UNION_PROCESS), 412
    )
    testimony = client.put(
        f"{url}?activity_kind=testimony", headers=h["sam"],
        json={"steps": [{"name": "Executive director", "approver_role": "admin", "expected_days": 1}]},
    )  # fmt: skip
    assert testimony.json()["activity_kind"] == "testimony"
    assert [s["name"] for s in client.get(url, headers=h["sam"]).json()["steps"]] == [
        "Policy committee", "Executive board vote",
    ]  # fmt: skip


def test_a_secondary_supporter_is_asked_not_declined_and_a_misfit_says_why(client, world):
    """What was seen: an organization supporting the issue as a secondary priority was
    auto-declined by its game plan. The plan answers only asks that do not fit."""
    dana, ruth = world.user("dana"), world.user("ruth")
    lead = world.organization(dana, name="State PTA")
    faith = world.organization(ruth, name="Interfaith Council", kind="faith")
    area = world.issue_area("Early literacy")
    coalition = world.coalition(lead, issue_area_ids=[area.id])
    world.join(coalition, faith)
    with world.database.session() as session:
        coalitions.update_member(
            session, SETUP, coalition_id=coalition.id, organization_id=faith.id,
            changes=MembershipUpdate(game_plan="decline"),
        )  # fmt: skip
    put = f"/api/v1/organizations/{faith.id}/positions/{area.id}"
    client.put(
        put, headers=world.headers(ruth), json={"stance": "support", "priority": "secondary"}
    )
    answers = {}
    for kind in ("sign_on_letter", "public_statement"):
        if kind == "public_statement":  # now it cannot put its name to statements on this
            client.put(
                put, headers=world.headers(ruth),
                json={"stance": "support", "priority": "secondary",
                      "limited_activity_kinds": ["public_statement"]},
            )  # fmt: skip
        activity = client.post(
            f"/api/v1/coalitions/{coalition.id}/activities",
            headers=world.headers(dana),
            json={"kind": kind, "title": f"A {kind}", "issue_area_ids": [area.id]},
        ).json()
        client.post(f"/api/v1/activities/{activity['id']}/open", headers=world.headers(dana))
        rows = client.get(
            f"/api/v1/activities/{activity['id']}/decisions", headers=world.headers(ruth)
        ).json()["items"]
        answers[kind] = next(r for r in rows if r["organization_id"] == faith.id)
    assert answers["sign_on_letter"]["status"] == "pending"
    assert answers["sign_on_letter"]["comment"] is None
    assert answers["public_statement"]["status"] == "declined"
    assert "cannot take on public statements" in answers["public_statement"]["comment"]
