"""An organization whose approval process covers `join_coalition` joins through it: status
`joining` while its approvers decide on the commitment, `joined` (commitment recorded) when
the last step approves, `declined` when one rejects."""

from datetime import timedelta

import pytest

from tests.api.test_conventions import assert_problem
from tests.api.test_signon import letter, open_letter  # noqa: F401

JOIN_PROCESS = {
    "steps": [
        {"name": "Membership committee", "approver_role": "approver", "expected_days": 5},
        {"name": "Board vote", "approver_role": "admin", "expected_days": 14},
    ]
}
COMMITMENT = {
    "engagement": "core",
    "roles": ["spokesperson"],
    "commitment_hours_per_month": 6,
    "game_plan": "escalate",
    "game_plan_note": "Our board decides on anything about testing.",
}


@pytest.fixture
def union(client, world, letter):  # noqa: F811
    """A teachers' union with a membership committee and a board vote before joining,
    invited to the literacy coalition while its letter is open."""
    omar, olga = world.user("omar"), world.user("olga")
    teachers = world.organization(omar, name="Teachers Local 12", kind="union")
    world.add(teachers, olga, "approver")
    h = {"omar": world.headers(omar), "olga": world.headers(olga)}
    put = client.put(
        f"/api/v1/organizations/{teachers.id}/approval-process?activity_kind=join_coalition",
        headers=h["omar"],
        json=JOIN_PROCESS,
    )
    assert put.status_code == 200, put.text
    assert put.json()["activity_kind"] == "join_coalition"
    open_letter(client, letter)
    invited = client.post(
        f"/api/v1/coalitions/{letter['coalition'].id}/members",
        headers=letter["h"]["dana"],
        json={"organization_id": teachers.id, "note": "We need a teachers' voice."},
    )
    assert invited.status_code == 201, invited.text
    return {"org": teachers, "h": h, "omar": omar, "url": _member_url(letter, teachers.id)}


def _member_url(letter, organization_id):  # noqa: F811
    return f"/api/v1/coalitions/{letter['coalition'].id}/members/{organization_id}"


def _answer(client, union, **extra):
    return client.patch(
        union["url"], headers=union["h"]["omar"], json={"status": "joined", **COMMITMENT, **extra}
    )


def _approve(client, union, approval_id, step, who):
    decided = client.post(
        f"/api/v1/approvals/{approval_id}/decision",
        headers=union["h"][who],
        json={"action": "approve", "step": step, "comment": "Fits our plan."},
    )
    assert decided.status_code == 200, decided.text
    return decided.json()


def _asked(client, letter, organization_id):  # noqa: F811
    url = f"/api/v1/activities/{letter['activity']['id']}/decisions"
    rows = client.get(url, headers=letter["h"]["dana"]).json()["items"]
    return {r["organization_id"]: r["status"] for r in rows}.get(organization_id)


def test_answering_yes_starts_the_approval_and_the_last_step_joins(client, letter, union, clock):  # noqa: F811
    answered = _answer(client, union)
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert body["status"] == "joining" and body["joined_at"] is None
    approval = body["approval"]
    assert (approval["status"], approval["step"], approval["steps_total"]) == ("in_progress", 1, 2)
    # Five days of committee and fourteen of board, from now.
    assert approval["expected_completion_at"] == "2026-03-21T09:00:00Z"
    assert approval["at_risk"] is False
    # Not a member yet: not asked for the open letter.
    assert _asked(client, letter, union["org"].id) is None

    # The lead sees where it stands, never the union's internal comments.
    seen_by_lead = client.get(union["url"], headers=letter["h"]["dana"]).json()
    assert seen_by_lead["status"] == "joining"
    assert seen_by_lead["approval"]["id"] == approval["id"]
    full = client.get(f"/api/v1/approvals/{approval['id']}", headers=letter["h"]["dana"]).json()
    assert full["kind"] == "join_coalition" and full["steps"][0]["decided_by"] is None

    # The committee's approver has it waiting, with the commitment to decide on.
    inbox = client.get("/api/v1/approvals", headers=union["h"]["olga"]).json()["items"]
    assert [(a["kind"], a["title"]) for a in inbox] == [
        ("join_coalition", f"Joining {letter['coalition'].name}")
    ]
    assert inbox[0]["commitment"] == {**COMMITMENT, "dues_amount": 0.0}
    assert inbox[0]["activity_id"] is None and inbox[0]["membership_id"]
    bell = client.get("/api/v1/notifications?unread=true", headers=union["h"]["olga"]).json()
    assert [(n["kind"], n["text"]) for n in bell["items"]] == [
        (
            "approval_waiting",
            f"Waiting on you: Membership committee for “Joining {letter['coalition'].name}”.",
        )
    ]

    clock.shift(timedelta(days=4))
    _approve(client, union, approval["id"], 1, "olga")
    still = client.get(union["url"], headers=union["h"]["omar"]).json()
    assert (still["status"], still["approval"]["step"]) == ("joining", 2)
    clock.shift(timedelta(days=1))
    done = _approve(client, union, approval["id"], 2, "omar")
    assert done["status"] == "approved"

    joined = client.get(union["url"], headers=union["h"]["omar"]).json()
    assert joined["status"] == "joined"
    assert joined["joined_at"] == "2026-03-07T09:00:00Z"
    assert (joined["engagement"], joined["commitment_hours_per_month"]) == ("core", 6.0)
    assert joined["approval"]["status"] == "approved"
    history = client.get(f"{union['url']}/history", headers=letter["h"]["dana"]).json()["items"]
    assert [row["changes"]["status"] for row in history] == [
        [None, "invited"],
        ["invited", "joining"],
        ["joining", "joined"],
    ]
    assert history[-1]["changes"]["commitment"] == [None, {**COMMITMENT, "dues_amount": 0.0}]
    assert history[-1]["actor_user_id"] == union["omar"].id  # who approved the last step
    # Now a member while the letter is open: asked, like every member, and the game plan
    # its board approved answers (no position on literacy recorded: escalate to the board).
    assert _asked(client, letter, union["org"].id) == "in_approval"


def test_a_rejection_declines_and_the_coalition_is_told(client, letter, union):  # noqa: F811
    approval = _answer(client, union).json()["approval"]
    rejected = client.post(
        f"/api/v1/approvals/{approval['id']}/decision",
        headers=union["h"]["olga"],
        json={"action": "reject", "step": 1, "comment": "Not this year."},
    )
    assert rejected.status_code == 200, rejected.text
    member = client.get(union["url"], headers=letter["h"]["dana"]).json()
    assert member["status"] == "declined" and member["approval"]["status"] == "rejected"
    assert _asked(client, letter, union["org"].id) is None
    seen = client.get(
        "/api/v1/events?type=membership.changed&limit=200", headers=letter["h"]["dana"]
    ).json()["items"]
    moves = [(e["data"]["from"], e["data"]["to"]) for e in seen
             if e["data"]["organization_id"] == union["org"].id]  # fmt: skip
    assert moves == [(None, "invited"), ("invited", "joining"), ("joining", "declined")]


def test_withdrawing_while_the_approvers_decide(client, letter, union):  # noqa: F811
    approval = _answer(client, union).json()["approval"]
    withdrawn = client.patch(union["url"], headers=union["h"]["omar"], json={"status": "declined"})
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "declined"
    assert withdrawn.json()["approval"]["status"] == "withdrawn"
    inbox = client.get("/api/v1/approvals", headers=union["h"]["olga"]).json()["items"]
    assert approval["id"] not in {a["id"] for a in inbox}
    late = client.post(
        f"/api/v1/approvals/{approval['id']}/decision",
        headers=union["h"]["olga"],
        json={"action": "approve", "step": 1},
    )
    assert_problem(late, 409)


def test_a_lead_withdraws_the_invitation_while_the_approvers_decide(client, letter, union):  # noqa: F811
    _answer(client, union)
    withdrawn = client.patch(union["url"], headers=letter["h"]["dana"], json={"status": "left"})
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["approval"]["status"] == "withdrawn"


def test_what_cannot_be_done_while_joining(client, letter, union, world):  # noqa: F811
    approval = _answer(client, union).json()["approval"]
    before = client.get(union["url"], headers=union["h"]["omar"]).json()

    changed = client.patch(
        union["url"], headers=union["h"]["omar"], json={"commitment_hours_per_month": 20}
    )
    assert_problem(changed, 409)
    assert "withdraw" in changed.json()["detail"]
    skipped = client.patch(union["url"], headers=union["h"]["omar"], json={"status": "joined"})
    assert_problem(skipped, 409)
    assert "last step of its own approval" in skipped.json()["detail"]
    # The lead cannot answer for the union, nor decide its steps.
    by_lead = client.patch(union["url"], headers=letter["h"]["dana"], json={"status": "declined"})
    assert_problem(by_lead, 403)
    not_theirs = client.post(
        f"/api/v1/approvals/{approval['id']}/decision",
        headers=letter["h"]["dana"],
        json={"action": "approve", "step": 1},
    )
    assert_problem(not_theirs, 403)
    # An approver cannot take the board's step; an outsider does not see the request.
    _approve(client, union, approval["id"], 1, "olga")
    board_step = client.post(
        f"/api/v1/approvals/{approval['id']}/decision",
        headers=union["h"]["olga"],
        json={"action": "approve", "step": 2},
    )
    assert_problem(board_step, 403)
    stranger = world.user("stranger")
    world.organization(stranger, name="Elsewhere")
    hidden = client.get(f"/api/v1/approvals/{approval['id']}", headers=world.headers(stranger))
    assert_problem(hidden, 404)
    after = client.get(union["url"], headers=union["h"]["omar"]).json()
    assert after["commitment_hours_per_month"] == before["commitment_hours_per_month"] == 6.0
    assert after["status"] == "joining"


def test_only_a_process_for_joining_covers_joining(client, letter, world):  # noqa: F811
    """A default process is about letters: an organization with only that joins at once."""
    nadia = world.user("nadia")
    shelter = world.organization(nadia, name="Family Shelter", kind="nonprofit")
    client.put(
        f"/api/v1/organizations/{shelter.id}/approval-process",
        headers=world.headers(nadia),
        json=JOIN_PROCESS,
    )
    client.post(
        f"/api/v1/coalitions/{letter['coalition'].id}/members",
        headers=letter["h"]["dana"],
        json={"organization_id": shelter.id},
    )
    joined = client.patch(
        _member_url(letter, shelter.id), headers=world.headers(nadia), json={"status": "joined"}
    )
    assert joined.status_code == 200, joined.text
    assert joined.json()["status"] == "joined" and joined.json()["approval"] is None


def test_asking_to_join_records_the_commitment_and_goes_through_the_approval(
    client,
    letter,  # noqa: F811
    union,
    world,
):
    coalition_id = letter["coalition"].id
    listed = client.patch(
        f"/api/v1/coalitions/{coalition_id}", headers=letter["h"]["dana"],
        json={"visibility": "listed"},
    )  # fmt: skip
    assert listed.status_code == 200, listed.text
    nadia = world.user("nadia")
    parents = world.organization(nadia, name="Parents United", kind="community")
    put = client.put(
        f"/api/v1/organizations/{parents.id}/approval-process?activity_kind=join_coalition",
        headers=world.headers(nadia),
        json={"steps": [{"name": "Board vote", "approver_role": "admin", "expected_days": 7}]},
    )
    assert put.status_code == 200, put.text
    asked = client.post(
        f"/api/v1/coalitions/{coalition_id}/members",
        headers=world.headers(nadia),
        json={"organization_id": parents.id, **COMMITMENT},
    )
    assert asked.status_code == 201, asked.text
    assert asked.json()["status"] == "requested"
    assert asked.json()["game_plan"] == "escalate"
    assert asked.json()["commitment_hours_per_month"] == 6.0

    url = _member_url(letter, parents.id)
    accepted = client.patch(url, headers=letter["h"]["dana"], json={"status": "joined"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "joining"
    approval_id = accepted.json()["approval"]["id"]
    decided = client.post(
        f"/api/v1/approvals/{approval_id}/decision",
        headers=world.headers(nadia),
        json={"action": "approve", "step": 1},
    )
    assert decided.status_code == 200, decided.text
    member = client.get(url, headers=world.headers(nadia)).json()
    assert (member["status"], member["game_plan"]) == ("joined", "escalate")
    history = client.get(f"{url}/history", headers=world.headers(nadia)).json()["items"]
    assert history[-1]["changes"]["commitment"][1]["commitment_hours_per_month"] == 6.0


def test_a_lead_cannot_set_the_commitment_of_an_organization_it_invites(client, letter, world):  # noqa: F811
    nadia = world.user("nadia")
    shelter = world.organization(nadia, name="Family Shelter", kind="nonprofit")
    invited = client.post(
        f"/api/v1/coalitions/{letter['coalition'].id}/members",
        headers=letter["h"]["dana"],
        json={"organization_id": shelter.id, "commitment_hours_per_month": 40},
    )
    assert_problem(invited, 403)
    missing = client.get(_member_url(letter, shelter.id), headers=letter["h"]["dana"])
    assert_problem(missing, 404)


def test_a_join_step_overdue_is_noticed_once(client, letter, union, clock, database):  # noqa: F811
    from app.services import approvals

    _answer(client, union)
    clock.shift(timedelta(days=6))
    with database.session() as session:
        approvals.notice_overdue_steps(session)  # the union's letter step is overdue too
        assert approvals.notice_overdue_steps(session) == 0
        session.commit()
    seen = client.get(
        "/api/v1/events?type=approval.step_overdue&limit=200", headers=union["h"]["omar"]
    ).json()["items"]
    assert [(e["data"]["kind"], e["data"]["name"]) for e in seen] == [
        ("join_coalition", "Membership committee")
    ]
    member = client.get(union["url"], headers=letter["h"]["dana"]).json()
    assert member["approval"]["at_risk"] is True
    bell = client.get("/api/v1/notifications?unread=true", headers=union["h"]["omar"]).json()
    overdue = [n["text"] for n in bell["items"] if n["kind"] == "step_overdue"]
    assert overdue == [f"Overdue: Membership committee for “Joining {letter['coalition'].name}”."]


def test_every_activity_kind_has_a_process_kind_and_joining_one_more():
    from app.models.activities import ProcessKind
    from app.models.coalitions import ActivityKind

    assert {k.value for k in ProcessKind} == {k.value for k in ActivityKind} | {"join_coalition"}
