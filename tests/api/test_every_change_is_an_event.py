"""Every change is an event that stands alone: a journey through the API, watched at the
ORM, fails when a service writes an organization, coalition, membership, goal, activity,
decision, approval, proposal or webhook without emitting an event naming it in the same
transaction; the events carry the object's version and snapshot, and nobody outside an
organization reads its people's e-mail addresses."""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.models import (
    Activity,
    ApprovalRequest,
    Coalition,
    Event,
    Membership,
    Organization,
    SignOnDecision,
    WebhookSubscription,
)
from app.models.coalitions import Goal
from app.models.events import EVENT_TYPES
from app.models.proposals import Proposal
from tests.api.test_signon import decisions_by_org, letter, open_letter  # noqa: F401
from tests.conftest import sign_in

TRACKED = (
    Organization,
    Coalition,
    Membership,
    Goal,
    Activity,
    SignOnDecision,
    ApprovalRequest,
    Proposal,
    WebhookSubscription,
)
Z_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def _named(data: dict[str, Any]) -> set[str]:
    """The ids an event names: its object's, and those it gives as top-level values."""
    ids = {value for value in data.values() if isinstance(value, str)}
    if isinstance(data.get("object"), dict):
        ids.add(data["object"].get("id"))
    return ids


@pytest.fixture
def transactions() -> Iterator[list[tuple[dict[str, str], set[str]]]]:
    """Each committed transaction's changed objects (id → kind) and the ids its events name."""
    committed: list[tuple[dict[str, str], set[str]]] = []

    def after_flush(session: Session, _context: Any) -> None:
        changed = session.info.setdefault("changed", {})
        named = session.info.setdefault("named", set())
        for obj in (*session.new, *session.dirty, *session.deleted):
            if isinstance(obj, Event):
                named |= _named(obj.data)
            elif isinstance(obj, TRACKED) and (
                obj not in session.dirty or session.is_modified(obj)
            ):
                changed[obj.id] = type(obj).__name__

    def after_commit(session: Session) -> None:
        committed.append((session.info.pop("changed", {}), session.info.pop("named", set())))

    def after_rollback(session: Session) -> None:
        session.info.pop("changed", None), session.info.pop("named", None)

    hooks = (("after_flush", after_flush), ("after_commit", after_commit))
    hooks += (("after_soft_rollback", lambda session, _: after_rollback(session)),)
    for name, hook in hooks:
        event.listen(Session, name, hook)
    yield committed
    for name, hook in hooks:
        event.remove(Session, name, hook)


def _ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json() if response.content else {}


def _events(client: Any, headers: dict[str, str], type: str) -> list[dict[str, Any]]:
    items = client.get(f"/api/v1/events?type={type}&limit=200", headers=headers).json()["items"]
    return [e["data"] for e in items]


def test_every_write_emits_an_event_naming_what_it_changed(transactions, client, letter):  # noqa: F811
    h, o = letter["h"], letter["orgs"]
    coalition_id, activity_id = letter["coalition"].id, letter["activity"]["id"]
    pta = o["state_pta"].id
    # Organizations, coalitions, memberships, goals and webhooks change…
    _ok(client.patch(f"/api/v1/organizations/{pta}", headers=h["dana"], json={"staff_count": 4}))
    _ok(client.patch(f"/api/v1/coalitions/{coalition_id}", headers=h["dana"],
                     json={"description": "Every child reads by third grade."}))  # fmt: skip
    _ok(client.patch(f"/api/v1/coalitions/{coalition_id}/members/{o['literacy'].id}",
                     headers=h["dana"], json={"engagement": "core"}))  # fmt: skip
    goal = _ok(client.post(f"/api/v1/coalitions/{coalition_id}/goals", headers=h["dana"],
                           json={"title": "Pass the act", "due_date": "2026-06-01"}), 201)  # fmt: skip
    _ok(client.patch(f"/api/v1/goals/{goal['id']}", headers=h["dana"], json={"title": "Pass it"}))
    objective = _ok(client.post(f"/api/v1/goals/{goal['id']}/objectives", headers=h["dana"],
                                json={"title": "Meet the chair"}), 201)  # fmt: skip
    _ok(client.patch(f"/api/v1/objectives/{objective['id']}", headers=h["dana"],
                     json={"done": True}))  # fmt: skip
    hook = _ok(client.post("/api/v1/webhooks", headers=h["dana"],
                           json={"url": "http://127.0.0.1/hooks", "organization_id": pta}), 201)  # fmt: skip
    _ok(client.patch(f"/api/v1/webhooks/{hook['id']}", headers=h["dana"],
                     json={"description": "Chat bot"}))  # fmt: skip
    _ok(client.post(f"/api/v1/webhooks/{hook['id']}/rotate-secret", headers=h["dana"]))
    # …and the letter: opened, decided, approved, its deadline moved, a proposal voted on.
    opened = open_letter(client, letter)
    _ok(client.put(f"/api/v1/activities/{activity_id}/decisions/{o['literacy'].id}",
                   headers=h["lena"], json={"status": "signed"}))  # fmt: skip
    approval = decisions_by_org(client, letter, "sam")[o["union"].id]["approval"]
    _ok(client.post(f"/api/v1/approvals/{approval['id']}/decision", headers=h["sam_approver"],
                    json={"action": "approve", "step": 1, "comment": "Fits our platform"}))  # fmt: skip
    _ok(client.patch(f"/api/v1/activities/{activity_id}", headers=h["dana"],
                     json={"sign_on_deadline": "2026-03-20T09:00:00Z"}))  # fmt: skip
    proposal = _ok(client.post(f"/api/v1/coalitions/{coalition_id}/proposals", headers=h["dana"],
                               json={"title": "Testify too", "closes_at": "2026-03-20T09:00:00Z"}), 201)  # fmt: skip
    for choice in ("no", "yes"):
        _ok(client.post(f"/api/v1/proposals/{proposal['id']}/votes", headers=h["lena"],
                        json={"organization_id": o["literacy"].id, "choice": choice,
                              "comment": "Our reason"}))  # fmt: skip
    # The union votes, then leaves: its decision, approval and vote are withdrawn.
    _ok(client.post(f"/api/v1/proposals/{proposal['id']}/votes", headers=h["sam"],
                    json={"organization_id": o["union"].id, "choice": "yes"}))  # fmt: skip
    _ok(client.delete(f"/api/v1/coalitions/{coalition_id}/members/{o['union'].id}",
                      headers=h["sam"]))  # fmt: skip
    _ok(client.post(f"/api/v1/proposals/{proposal['id']}/close", headers=h["dana"]))
    _ok(client.post(f"/api/v1/activities/{activity_id}/close", headers=h["dana"]))
    assert client.delete(f"/api/v1/goals/{goal['id']}", headers=h["dana"]).status_code == 204
    assert client.delete(f"/api/v1/webhooks/{hook['id']}", headers=h["dana"]).status_code == 204

    kinds_seen = set()
    for changed, named in transactions:
        silent = {id: kind for id, kind in changed.items() if id not in named}
        assert silent == {}, f"changed without an event naming it: {silent}"
        kinds_seen |= set(changed.values())
    assert kinds_seen == {kind.__name__ for kind in TRACKED}  # the journey touched every kind

    # Each event stands alone: who, what, where, which version, in one timestamp format.
    [signed] = [
        d for d in _events(client, h["ruth"], "signon.decision_changed")
        if d["organization_id"] == o["literacy"].id and d["to"] == "signed"
    ]  # fmt: skip
    assert signed["coalition_id"] == coalition_id and signed["event_id"].startswith("evt_")
    assert signed["type"] == "signon.decision_changed" and Z_TIME.match(signed["timestamp"])
    decision = signed["object"]
    assert (decision["organization_name"], decision["activity_title"]) == (
        "Read Together", "Fund the Early Literacy Act",
    )  # fmt: skip
    assert (decision["tally"]["signed"], decision["tally"]["asked"]) == (1, 5)
    assert signed["version"] == decision["version"]
    votes = _events(client, h["ruth"], "proposal.vote_cast")
    assert [(v["to"], v["object"]["tally"]["yes"]) for v in votes] == [
        ("no", 0), ("yes", 1), ("yes", 2), (None, 1),
    ]  # fmt: skip
    assert votes[0]["version"] < votes[1]["version"]
    [updated] = _events(client, h["dana"], "organization.updated")
    assert updated["object"]["staff_count"] == 4 and Z_TIME.match(updated["object"]["updated_at"])
    assert _events(client, h["ruth"], "organization.updated") == []  # another's profile
    [moved] = _events(client, h["ruth"], "activity.updated")[-1:]
    assert (
        moved["sign_on_deadline"] == moved["object"]["sign_on_deadline"] == ("2026-03-20T09:00:00Z")
    )
    assert moved["version"] == opened["version"] + 1
    # The approval's other members see status, step and forecast; its organization more.
    [theirs] = _events(client, h["ruth"], "approval.step_completed")
    [own] = _events(client, h["sam"], "approval.step_completed")
    assert "comment" not in theirs and own["comment"] == "Fits our platform"
    assert theirs["object"]["step"] == 2 and theirs["object"]["steps_total"] == 2
    assert theirs["object"]["organization_name"] == "Education Association"
    [hooked] = _events(client, h["dana"], "webhook.created")
    assert "secret" not in hooked["object"] and "secret_encrypted" not in hooked["object"]
    # The dashboard says the new kinds in words.
    sign_in(client, letter["people"]["dana"])
    recently = client.get("/").text.split('id="recent-heading"')[1]
    assert "Pass it was removed" in recently and "webhook.deleted" not in recently


def test_another_organizations_reader_never_sees_a_persons_email(client, letter):  # noqa: F811
    h, o, people = letter["h"], letter["orgs"], letter["people"]
    activity_id = letter["activity"]["id"]
    open_letter(client, letter)
    _ok(client.put(f"/api/v1/activities/{activity_id}/decisions/{o['literacy'].id}",
                   headers=h["lena"], json={"status": "signed", "signer_title": "Director"}))  # fmt: skip
    url = f"/api/v1/activities/{activity_id}/decisions/{o['literacy'].id}/history"
    lena = people["lena"]
    for reader in ("dana", "ruth"):
        answer = client.get(url, headers=h[reader])
        assert lena.email not in answer.text
        signed = answer.json()["items"][-1]
        assert (signed["who_name"], signed["who_organization_name"]) == (lena.name, "Read Together")
        assert signed["who_email"] is None
    # Its own people still see who it was by address.
    assert client.get(url, headers=h["lena"]).json()["items"][-1]["who_email"] == lena.email
    for reader in ("dana", "ruth"):
        decisions = client.get(f"/api/v1/activities/{activity_id}/decisions", headers=h[reader])
        assert lena.email not in decisions.text
        events = client.get("/api/v1/events?limit=200", headers=h[reader])
        assert lena.email not in events.text


def test_the_schema_shows_every_event_type_with_an_example(client):
    webhooks = client.get("/openapi.json").json()["webhooks"]
    assert set(webhooks) == set(EVENT_TYPES)
    for type, entry in webhooks.items():
        body = entry["post"]["requestBody"]["content"]["application/json"]["example"]
        data = body["data"]
        assert body["type"] == data["type"] == type
        assert Z_TIME.match(body["timestamp"]) and data["event_id"].startswith("evt_")
        assert data["version"] == data["object"].get("version", data["version"])
    decided = webhooks["signon.decision_changed"]["post"]["requestBody"]["content"]
    decision = decided["application/json"]["example"]["data"]["object"]
    assert (decision["organization_name"], decision["tally"]["signed"]) == ("Riverside PTA", 3)
