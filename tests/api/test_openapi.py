"""/openapi.json is fit for client generators: verb operation ids, and every problem a
route can answer declared as application/problem+json."""

import re

import pytest

from app.api.problems import Problem
from app.main import create_app
from app.settings import Settings
from tests.api.test_authorization import ACTORS, CASES
from tests.conftest import TEST_SECRET

VERBS = {
    "list", "get", "create", "update", "delete", "put", "set", "add", "remove", "open",
    "close", "decide", "invite", "leave", "check", "cast", "mark", "revoke", "rotate",
    "send", "retry", "accept", "complete", "replay",
}  # fmt: skip
SNAKE_CASE = re.compile(r"^[a-z]+(_[a-z]+)*$")
PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


@pytest.fixture(scope="module")
def schema() -> dict:
    # The description does not depend on the database: this one is never connected to.
    settings = Settings(environment="test", database_url="sqlite://", secret_key=TEST_SECRET)
    return create_app(settings).openapi()


def _operations(schema: dict, prefix: str = "/") -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, operation)
        for path, operations in schema["paths"].items()
        if path.startswith(prefix)
        for method, operation in operations.items()
    ]


def test_operation_ids_are_unique_snake_case_verb_phrases(schema):
    ids = [operation["operationId"] for _, _, operation in _operations(schema)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert [i for i in ids if not SNAKE_CASE.match(i)] == []
    assert [i for i in ids if i.split("_")[0] not in VERBS] == []
    assert {"list_coalitions", "decide_approval", "open_activity"} <= set(ids)


def test_every_api_operation_declares_401_and_422_as_problems(schema):
    operations = _operations(schema, "/api/v1/")
    assert len(operations) == len(CASES)
    for method, path, operation in operations:
        responses = operation["responses"]
        where = f"{method} {path}"
        assert {"401", "422"} <= responses.keys(), where
        for status, response in responses.items():
            if status.startswith(("4", "5")):
                assert response["content"] == PROBLEM_CONTENT, f"{where} {status}"
    # FastAPI's own 422 shape is not what our handler renders, so it must not linger.
    assert "HTTPValidationError" not in schema["components"]["schemas"]


@pytest.mark.parametrize("route", list(CASES), ids=lambda r: f"{r[0]} {r[1]}")
def test_declared_problems_cover_what_the_authorization_table_observes(schema, route):
    method, path = route
    case = CASES[route]
    observed = {401} | {getattr(case, actor) for actor in ACTORS if actor != "anonymous"}
    problems = {status for status in observed if status >= 400}
    declared = {int(status) for status in schema["paths"][path][method.lower()]["responses"]}
    assert problems <= declared, f"undeclared: {sorted(problems - declared)}"


def test_the_problem_schema_describes_what_the_api_renders(client, world):
    headers = world.headers(world.user())
    rendered = [
        client.get("/api/v1/me"),
        client.get("/api/v1/organizations/org_missing", headers=headers),
        client.post("/api/v1/organizations", headers=headers, json={"kind": "club"}),
    ]
    assert [response.status_code for response in rendered] == [401, 404, 422]
    for response in rendered:
        problem = Problem.model_validate(response.json())
        assert problem.status == response.status_code
        assert problem.model_extra == {}, "a member the schema does not name"
    assert {tuple(error.loc) for error in problem.errors or []} >= {
        ("body", "name"),
        ("body", "kind"),
    }


def test_every_operation_names_the_scope_a_token_needs(schema):
    assert schema["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    scopes = {}
    for method, path, operation in _operations(schema, "/api/v1/"):
        reached_from_an_email = CASES[(method, path)].anonymous != 401
        if reached_from_an_email:
            assert operation["security"] == [], f"{method} {path}"
            continue
        [token, password] = operation["security"]
        assert password == {"password": []}
        scopes[(method, path)] = token["token"]
    assert scopes[("GET", "/api/v1/coalitions")] == ["read"]
    assert scopes[("POST", "/api/v1/coalitions")] == ["write"]
    assert scopes[("GET", "/api/v1/webhooks")] == ["webhooks"]
    assert scopes[("GET", "/api/v1/tokens")] == ["admin"]
    assert scopes[("PATCH", "/api/v1/organizations/{org_id}/users/{user_id}")] == ["admin"]
