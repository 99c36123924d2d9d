"""Text no backend can store (NUL, which PostgreSQL's text refuses; lone surrogates, which
UTF-8 cannot encode) is refused at the edge with a 422 naming the field, on every write of
the API, in path and query parameters, and in credentials; a refused request changes nothing."""

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import SQLModel

from app.api.deps import _if_match
from app.errors import PreconditionFailed
from app.schemas.base import UNSTORABLE, Input
from tests.api.test_conventions import assert_problem
from tests.seeded import SEEDED_PASSWORD, Seeded, lookups_on_this_machine_only, seeded_app

WRITES = {"post", "put", "patch"}


@pytest.fixture(scope="module")
def seeded(engine, database_url) -> Iterator[Seeded]:
    with seeded_app(engine, database_url) as world:
        yield world


@pytest.fixture(scope="module")
def client(seeded) -> Iterator[TestClient]:
    with TestClient(seeded.app) as client:
        yield client


def valid_writes(w: Seeded) -> dict[tuple[str, str], tuple[str, dict[str, Any]]]:
    """Every write of the API that takes a body: where to send it, and a body it accepts,
    with every text field it has filled in."""
    n = w.named
    org, area, coalition = f"/api/v1/organizations/{n['pta']}", n["area"], n["coalition"]
    profile = {
        "name": "Read Together",
        "kind": "nonprofit",
        "website": "https://read.example.org",
        "description": "Tutors",
        "expertise": ["tutoring"],
        "communities": ["families"],
        "reports_to": "state@example.org",
    }
    notes = {
        "positions_note": "a",
        "community_relations": "b",
        "policymaker_relations": "c",
        "expertise_note": "d",
        "recommendation": "e",
    }
    goal = {"title": "Pass the bill", "description": "This session", "due_date": "2027-06-30"}
    text = {"title": "Fund tutors", "body": "Dear chair", "target": "House committee"}
    return {
        ("POST", "/api/v1/tokens"): ("/api/v1/tokens", {"name": "crm"}),
        ("PUT", "/api/v1/notifications/preferences"): ("/api/v1/notifications/preferences", {"email": "daily"}),
        ("POST", "/api/v1/organizations"): ("/api/v1/organizations", profile),
        ("PATCH", "/api/v1/organizations/{org_id}"): (org, profile),
        ("POST", "/api/v1/organizations/{org_id}/users"): (f"{org}/users", {"email": "new@example.org", "role": "member", "name": "Ana"}),
        ("PATCH", "/api/v1/organizations/{org_id}/users/{user_id}"): (f"{org}/users/{n['sam']}", {"role": "approver"}),
        ("POST", "/api/v1/issue-areas"): ("/api/v1/issue-areas", {"name": "School meals", "description": "Lunch"}),
        ("PUT", "/api/v1/organizations/{org_id}/positions/{issue_area_id}"): (f"{org}/positions/{area}", {"stance": "support", "priority": "main", "statement": "Yes", "limitations": "No testimony", "limited_activity_kinds": ["testimony"]}),
        ("POST", "/api/v1/organizations/{org_id}/research"): (f"{org}/research", {"subject_organization_id": n["union"], **notes}),
        ("PUT", "/api/v1/organizations/{org_id}/approval-process"): (f"{org}/approval-process", {"steps": [{"name": "Board", "approver_role": "admin", "expected_days": 2}]}),
        ("POST", "/api/v1/coalitions"): ("/api/v1/coalitions", {"name": "Meals", "unifying_issue": "Free lunch", "policy_goal": "A law", "description": "Us", "issue_area_ids": [area], "issue_positions": [{"issue_area_id": area, "stance": "oppose"}], "status": "forming", "decision_rule": "majority", "allowed_activity_kinds": ["sign_on_letter"], "convener_organization_id": n["pta"], "visibility": "private"}),
        ("PATCH", "/api/v1/coalitions/{coalition_id}"): (f"/api/v1/coalitions/{coalition}", {"name": "Read by Ten", "unifying_issue": "Reading", "policy_goal": "A law", "description": "Us", "issue_positions": [{"issue_area_id": area, "stance": "support"}]}),
        ("POST", "/api/v1/coalitions/{coalition_id}/members"): (f"/api/v1/coalitions/{coalition}/members", {"organization_id": n["union"], "roles": ["drafter"], "note": "Join us"}),
        ("PATCH", "/api/v1/coalitions/{coalition_id}/members/{org_id}"): (f"/api/v1/coalitions/{coalition}/members/{n['union']}", {"roles": ["drafter"], "game_plan": "abstain", "game_plan_note": "Ask the board"}),
        ("POST", "/api/v1/coalitions/{coalition_id}/goals"): (f"/api/v1/coalitions/{coalition}/goals", {**goal, "owner_organization_ids": [n["pta"]]}),
        ("PATCH", "/api/v1/goals/{goal_id}"): (f"/api/v1/goals/{n['goal']}", goal),
        ("POST", "/api/v1/goals/{goal_id}/objectives"): (f"/api/v1/goals/{n['goal']}/objectives", {"title": "Meet", "due_date": "2027-01-31", "assignee_organization_id": n["pta"]}),
        ("PATCH", "/api/v1/objectives/{objective_id}"): (f"/api/v1/objectives/{n['objective']}", {"title": "Meet", "due_date": "2027-01-31", "assignee_organization_id": n["pta"]}),
        ("POST", "/api/v1/coalitions/{coalition_id}/activities"): (f"/api/v1/coalitions/{coalition}/activities", {"kind": "sign_on_letter", **text, "scheduled_at": "2027-01-05T10:00:00Z", "sign_on_deadline": "2027-01-04T10:00:00Z", "issue_area_ids": [area], "issue_positions": [{"issue_area_id": area, "stance": "support"}]}),
        ("PATCH", "/api/v1/activities/{activity_id}"): (f"/api/v1/activities/{n['draft']}", {**text, "issue_area_ids": [area], "issue_positions": [{"issue_area_id": area, "stance": "support"}]}),
        ("PUT", "/api/v1/activities/{activity_id}/decisions/{org_id}"): (f"/api/v1/activities/{n['letter']}/decisions/{n['pta']}", {"status": "signed", "comment": "Gladly"}),
        ("POST", "/api/v1/approvals/{approval_id}/decision"): (f"/api/v1/approvals/{n['approval']}/decision", {"action": "approve", "comment": "Fine", "step": 1}),
        ("POST", "/api/v1/coalitions/{coalition_id}/proposals"): (f"/api/v1/coalitions/{coalition}/proposals", {"title": "Rally", "body": "In May", "closes_at": "2027-01-10T10:00:00Z", "organization_id": n["pta"]}),
        ("POST", "/api/v1/proposals/{proposal_id}/votes"): (f"/api/v1/proposals/{n['proposal']}/votes", {"organization_id": n["pta"], "choice": "yes", "comment": "Yes"}),
        ("POST", "/api/v1/proposals/{proposal_id}/comments"): (f"/api/v1/proposals/{n['proposal']}/comments", {"body": "We agree."}),
        ("POST", "/api/v1/coalitions/{coalition_id}/messages"): (f"/api/v1/coalitions/{coalition}/messages", {"subject": "Hearing", "body": "Tuesday", "organization_id": n["pta"]}),
        ("POST", "/api/v1/organizations/{org_id}/reports"): (f"{org}/reports", {"start": "2026-01-01", "end": "2026-03-31", "note": "We learned"}),
        ("POST", "/api/v1/webhooks"): ("/api/v1/webhooks", {"url": w.receiver_url, "event_types": ["*"], "organization_id": n["pta"], "description": "CRM"}),
        ("PATCH", "/api/v1/me"): ("/api/v1/me", {"name": "Dana", "time_zone": "Europe/Paris", "notification_email": "daily"}),
        ("POST", "/api/v1/me/password"): ("/api/v1/me/password", {"current": SEEDED_PASSWORD, "new": "a long new password"}),
        ("POST", "/api/v1/password-resets"): ("/api/v1/password-resets", {"email": "someone@example.org"}),
        ("POST", "/api/v1/password-resets/use"): ("/api/v1/password-resets/use", {"token": n["reset_token"], "password": "a long new password"}),
        ("POST", "/api/v1/invitations/accept"): ("/api/v1/invitations/accept", {"token": n["invitation_token"], "password": "a long new password", "name": "Sam"}),
        ("POST", "/api/v1/signups"): ("/api/v1/signups", {"email": "another.newcomer@example.org"}),
        ("POST", "/api/v1/signups/complete"): ("/api/v1/signups/complete", {"token": n["signup_token"], "password": "a long new password", "name": "Nia", "organization_name": "Eastside Food Bank", "organization_kind": "nonprofit"}),
        ("PATCH", "/api/v1/webhooks/{webhook_id}"): (f"/api/v1/webhooks/{n['webhook']}", {"url": w.receiver_url, "event_types": ["*"], "description": "CRM"}),
        ("POST", "/api/v1/webhooks/{webhook_id}/replay"): (f"/api/v1/webhooks/{n['webhook']}/replay", {"since": "2026-01-01T00:00:00Z", "until": "2026-01-02T00:00:00Z"}),
    }  # fmt: skip


def text_places(body: Any, path: tuple = ()) -> Iterator[tuple]:
    """The path of every text value in a body: fields, list items, fields of nested items."""
    if isinstance(body, str):
        yield path
    elif isinstance(body, dict):
        for key, value in body.items():
            yield from text_places(value, (*path, key))
    elif isinstance(body, list):
        for index, value in enumerate(body):
            yield from text_places(value, (*path, index))


def replaced(body: Any, path: tuple, value: str) -> Any:
    if not path:
        return value
    copy = list(body) if isinstance(body, list) else dict(body)
    copy[path[0]] = replaced(body[path[0]], path[1:], value)
    return copy


def snapshot(seeded: Seeded) -> dict[str, list]:
    connection = seeded.database.bind  # type: ignore[union-attr]
    return {
        table.name: connection.execute(table.select().order_by(*table.primary_key)).all()
        for table in SQLModel.metadata.sorted_tables
    }


def send(client: TestClient, seeded: Seeded, method: str, path: str, body: Any):
    # json.dumps writes a lone surrogate as a \u escape, as any JSON client may.
    return client.request(
        method, path, content=json.dumps(body),
        headers={**seeded.headers, "content-type": "application/json"},
    )  # fmt: skip


def test_every_write_with_a_body_has_a_valid_body_here(seeded):
    writes = {
        (method.upper(), path)
        for path, operations in seeded.app.openapi()["paths"].items()
        for method, operation in operations.items()
        if method in WRITES and "requestBody" in operation
    }
    assert writes == set(valid_writes(seeded))


def test_every_body_the_api_reads_is_an_input(seeded):
    """Input carries the check: a body model that bypassed it would let such text through."""
    inputs, pending = set(), [Input]
    while pending:
        for subclass in pending.pop().__subclasses__():
            inputs.add(subclass.__name__)
            pending.append(subclass)
    bodies = {
        operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/")[-1]
        for operations in seeded.app.openapi()["paths"].values()
        for operation in operations.values()
        if "requestBody" in operation
    }
    assert bodies <= inputs


def test_the_valid_bodies_are_accepted(client, seeded):
    for (method, _), (path, body) in valid_writes(seeded).items():
        with seeded.rolled_back():
            response = send(client, seeded, method, path, body)
        assert response.status_code < 300 or response.status_code == 409, (path, response.text)


ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=20)  # NUL and surrogates too
REFUSED = st.sampled_from(["\x00", "\ud800", "\udbff", "\udc00", "\udfff"])
TEXT = st.one_of(ANY_TEXT, st.tuples(ANY_TEXT, REFUSED, ANY_TEXT).map("".join))


def test_no_text_in_any_field_of_any_write_is_a_server_error(client, seeded, monkeypatch):
    lookups_on_this_machine_only(monkeypatch)  # a generated webhook address stays unresolved
    writes = valid_writes(seeded)
    places = [
        (method, path, body, place)
        for (method, _), (path, body) in writes.items()
        for place in text_places(body)
    ]

    @settings(max_examples=120, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(target=st.sampled_from(places), text=TEXT)
    def stored_or_refused(target, text):
        method, path, body, place = target
        with seeded.rolled_back():
            before = snapshot(seeded)
            response = send(client, seeded, method, path, replaced(body, place, text))
            assert response.status_code < 500, response.text
            if UNSTORABLE.search(json.loads(json.dumps(text))):  # as the server reads it
                problem = assert_problem(response, 422)
                assert any(e["loc"][:2] == ["body", place[0]] for e in problem["errors"])
                assert snapshot(seeded) == before

    stored_or_refused()


def test_the_reported_nul_in_a_name(client, seeded):
    response = send(client, seeded, "POST", "/api/v1/organizations", {"name": "Nul\u0000byte", "kind": "pta"})  # fmt: skip
    problem = assert_problem(response, 422)
    assert problem["errors"][0]["loc"] == ["body", "name"]
    assert "NUL" in problem["errors"][0]["msg"]


@pytest.mark.parametrize(
    ("path", "loc"),
    [
        ("/api/v1/organizations/%00", ["path", "org_id"]),
        ("/api/v1/coalitions/coa%00x/members/org%00", ["path", "coalition_id"]),
        ("/api/v1/webhooks?organization_id=%00", ["query", "organization_id"]),
        ("/api/v1/events?type=a%00b", ["query", "type"]),
    ],
)
def test_parameters_with_a_nul_are_refused_before_any_lookup(client, seeded, path, loc):
    problem = assert_problem(client.get(path, headers=seeded.headers), 422)
    assert loc in [e["loc"] for e in problem["errors"]]
    assert "NUL" in problem["detail"]


def test_basic_credentials_with_a_nul_are_malformed(client):
    encoded = base64.b64encode(b"dana\x00@example.org:secret").decode()
    response = client.get("/api/v1/me", headers={"Authorization": f"Basic {encoded}"})
    assert assert_problem(response, 401)["detail"] == "Malformed Basic credentials."


def test_an_if_match_of_other_digits_is_refused_not_a_crash():
    # A header arrives as Latin-1: "²" is a digit to str.isdigit(), but not to int().
    with pytest.raises(PreconditionFailed):
        _if_match('"²"')


def test_text_nested_as_deep_as_json_goes_is_refused_not_a_crash(client, seeded):
    # The parser stops near Python's recursion limit; the check must not stop before it.
    answers = set()
    for depth in range(900, 1000):
        nested = "[" * depth + '"\\u0000"' + "]" * depth
        body = '{"name": "A", "kind": "pta", "expertise": ' + nested + "}"
        response = client.post(
            "/api/v1/organizations",
            content=body,
            headers={**seeded.headers, "content-type": "application/json"},
        )
        answers.add(response.status_code)
    assert answers == {422}  # past the parser's depth the body is malformed JSON: 422 too


def test_a_body_that_is_not_utf8_is_malformed_json(client, seeded):
    response = client.post(
        "/api/v1/organizations",
        content=b'{"name": "Caf\xe9", "kind": "pta"}',  # Latin-1, not UTF-8
        headers={**seeded.headers, "content-type": "application/json"},
    )
    assert assert_problem(response, 422)["errors"][0]["loc"] == ["body"]
