"""The shared API mechanisms: problems, pagination, ETags, idempotency, health, request ids."""

import logging

from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from app.db import Database
from app.main import create_app
from tests.conftest import basic_auth

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert {"type", "title", "status", "detail"} <= body.keys()
    assert body["status"] == status
    return body


def test_unknown_route_and_wrong_method_are_problems(client, world):
    headers = world.headers(world.user())
    assert_problem(client.get("/api/v1/nothing-here", headers=headers), 404)
    assert_problem(client.put("/api/v1/me", headers=headers), 405)


def test_unknown_ids_are_404(client, world):
    headers = world.headers(world.user())
    body = assert_problem(client.get("/api/v1/organizations/org_missing", headers=headers), 404)
    assert "organization" in body["detail"].lower()


def test_unexpected_errors_are_500_without_a_stack_trace(settings, database):
    app = create_app(settings, database=database)

    def explode() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/api/v1/explode", explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/api/v1/explode")
    body = assert_problem(response, 500)
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert body["detail"]


def test_validation_errors_list_each_field(client, world):
    headers = world.headers(world.user())
    response = client.post(
        "/api/v1/organizations",
        headers=headers,
        json={"name": "x" * 201, "kind": "club", "staff_count": "many", "color": "red"},
    )
    body = assert_problem(response, 422)
    locations = {tuple(error["loc"]) for error in body["errors"]}
    assert {
        ("body", "name"),
        ("body", "kind"),
        ("body", "staff_count"),
        ("body", "color"),
    } <= locations
    assert all(error["msg"] for error in body["errors"])


def test_malformed_json_is_422_and_creates_nothing(client, world):
    user = world.user()
    headers = {**world.headers(user), "content-type": "application/json"}
    response = client.post("/api/v1/organizations", headers=headers, content=b'{"name": "A",')
    assert_problem(response, 422)
    assert client.get("/api/v1/me", headers=headers).json()["organizations"] == []


def test_auth_failures_are_401(client, world):
    user = world.user()
    token = world.token(user)
    assert_problem(client.get("/api/v1/me"), 401)
    assert_problem(client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}), 401)
    assert_problem(client.get("/api/v1/me", headers={"Authorization": "Digest x"}), 401)
    assert_problem(client.get("/api/v1/me", headers={"Authorization": "Basic !!!"}), 401)

    listed = client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {token}"}).json()
    token_id = listed["items"][0]["id"]
    revoke = client.delete(
        f"/api/v1/tokens/{token_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert revoke.status_code == 204
    assert_problem(client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401)


def test_basic_auth_makes_a_token_shown_once(client, world):
    user = world.user("dana", password="correct horse")
    created = client.post(
        "/api/v1/tokens", headers=basic_auth(user.email, "correct horse"), json={"name": "crm"}
    )
    assert created.status_code == 201
    token = created.json()["token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["email"] == user.email
    listed = client.get("/api/v1/tokens", headers={"Authorization": f"Bearer {token}"}).json()
    assert [item["name"] for item in listed["items"]] == ["crm"]
    assert "token" not in listed["items"][0]


def test_basic_auth_is_throttled_after_ten_failures(client, world):
    user = world.user("dana", password="correct horse")
    for _ in range(10):
        assert_problem(client.get("/api/v1/me", headers=basic_auth(user.email, "wrong")), 401)
    locked = client.get("/api/v1/me", headers=basic_auth(user.email, "correct horse"))
    assert_problem(locked, 429)
    assert int(locked.headers["retry-after"]) > 0


def test_pagination_is_keyset_and_stable_under_inserts(client, world):
    user = world.user()
    world.organization(user)  # issue areas are added by organizations' admins
    headers = world.headers(user)
    for n in range(5):
        client.post("/api/v1/issue-areas", headers=headers, json={"name": f"Area {n}"})

    first = client.get("/api/v1/issue-areas?limit=2", headers=headers).json()
    assert [i["name"] for i in first["items"]] == ["Area 0", "Area 1"]
    client.post("/api/v1/issue-areas", headers=headers, json={"name": "Area 5"})
    second = client.get(
        f"/api/v1/issue-areas?limit=2&cursor={first['next_cursor']}", headers=headers
    ).json()
    assert [i["name"] for i in second["items"]] == ["Area 2", "Area 3"]
    rest = client.get(
        f"/api/v1/issue-areas?limit=200&cursor={second['next_cursor']}", headers=headers
    ).json()
    assert [i["name"] for i in rest["items"]] == ["Area 4", "Area 5"]
    assert rest["next_cursor"] is None


def test_pagination_limits_and_bad_cursors(client, world):
    headers = world.headers(world.user())
    for limit in (0, 201, "ten"):
        assert_problem(client.get(f"/api/v1/issue-areas?limit={limit}", headers=headers), 422)
    body = assert_problem(client.get("/api/v1/issue-areas?cursor=%%%", headers=headers), 422)
    assert body["errors"][0]["loc"] == ["query", "cursor"]


def test_etag_and_if_match(client, world):
    user = world.user()
    headers = world.headers(user)
    created = client.post(
        "/api/v1/organizations", headers=headers, json={"name": "A", "kind": "pta"}
    )
    org_id = created.json()["id"]
    assert created.headers["etag"] == '"1"'

    read = client.get(f"/api/v1/organizations/{org_id}", headers=headers)
    etag = read.headers["etag"]
    updated = client.patch(
        f"/api/v1/organizations/{org_id}",
        headers={**headers, "If-Match": etag},
        json={"description": "Parents for schools"},
    )
    assert updated.status_code == 200 and updated.headers["etag"] == '"2"'
    assert updated.json()["version"] == 2

    stale = client.patch(
        f"/api/v1/organizations/{org_id}",
        headers={**headers, "If-Match": etag},
        json={"description": "Overwritten?"},
    )
    assert_problem(stale, 412)
    assert (
        client.get(f"/api/v1/organizations/{org_id}", headers=headers).json()["description"]
        == "Parents for schools"
    )
    assert_problem(
        client.patch(
            f"/api/v1/organizations/{org_id}",
            headers={**headers, "If-Match": "garbage"},
            json={"description": "x"},
        ),
        412,
    )


def test_idempotency_key_replays_the_first_response(client, world):
    user = world.user()
    headers = {**world.headers(user), "Idempotency-Key": "create-parents-1"}
    body = {"name": "Parents United", "kind": "pta"}

    first = client.post("/api/v1/organizations", headers=headers, json=body)
    again = client.post("/api/v1/organizations", headers=headers, json=body)

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["idempotent-replayed"] == "true"
    mine = client.get("/api/v1/organizations?mine=true", headers=headers).json()["items"]
    assert len(mine) == 1

    # The same JSON written another way (keys reordered, spaced out) is the same request.
    reordered = client.post(
        "/api/v1/organizations",
        headers={**headers, "content-type": "application/json"},
        content=b'{ "kind" : "pta",\n  "name": "Parents United" }',
    )
    assert reordered.status_code == 201
    assert reordered.headers["idempotent-replayed"] == "true"
    assert reordered.json() == first.json()

    other = client.post(
        "/api/v1/organizations", headers=headers, json={"name": "Other", "kind": "pta"}
    )
    assert_problem(other, 422)
    assert len(client.get("/api/v1/organizations?mine=true", headers=headers).json()["items"]) == 1


def test_idempotency_key_is_freed_when_the_request_fails(client, world):
    headers = {**world.headers(world.user()), "Idempotency-Key": "k-1"}
    bad = client.post("/api/v1/organizations", headers=headers, json={"name": "A"})
    assert_problem(bad, 422)
    good = client.post("/api/v1/organizations", headers=headers, json={"name": "A", "kind": "pta"})
    assert good.status_code == 201


def test_health_and_readiness(client, settings, tmp_path):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").status_code == 200

    unreachable = Database(create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    with TestClient(create_app(settings, database=unreachable)) as broken:
        assert broken.get("/healthz").status_code == 200
        assert broken.get("/readyz").status_code == 503


def test_every_response_carries_a_request_id_that_reaches_the_logs(client, caplog):
    caplog.set_level(logging.INFO, logger="coalesce.access")
    mine = client.get("/healthz", headers={"X-Request-ID": "trace-abc-123"})
    assert mine.headers["x-request-id"] == "trace-abc-123"
    made = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"})
    assert made.headers["x-request-id"] != "bad id with spaces"
    assert len(made.headers["x-request-id"]) == 32

    from app.observability import JsonFormatter

    lines = [JsonFormatter().format(r) for r in caplog.records if r.name == "coalesce.access"]
    assert any('"request_id": "trace-abc-123"' in line for line in lines)


def test_oversized_bodies_are_refused_before_they_are_read(client, world):
    headers = {**world.headers(world.user()), "content-type": "application/json"}
    big = b'{"name": "' + b"x" * 2_000_000 + b'", "kind": "pta"}'
    assert_problem(client.post("/api/v1/organizations", headers=headers, content=big), 413)

    def chunks():
        yield b'{"name": "'
        for _ in range(40):
            yield b"x" * 65_536
        yield b'", "kind": "pta"}'

    streamed = client.post("/api/v1/organizations", headers=headers, content=chunks())
    assert_problem(streamed, 413)
    assert client.get("/api/v1/organizations?mine=true", headers=headers).json()["items"] == []


def test_each_kind_of_error_has_one_type_and_a_machine_code(client, world):
    admin = world.user()
    organization = world.organization(admin=admin)
    headers = world.headers(admin)

    # A 404 is the same kind of problem whether the router or a service answered it.
    no_route = assert_problem(client.get("/api/v1/nothing-here", headers=headers), 404)
    no_object = assert_problem(
        client.get("/api/v1/organizations/org_missing", headers=headers), 404
    )
    assert no_route["type"] == no_object["type"]
    assert no_route["type"].endswith("/not-found")
    assert no_route["code"] == no_object["code"] == "not_found"

    # Two different conflicts share the type and say which conflict they are.
    area = {"name": "Early literacy"}
    assert client.post("/api/v1/issue-areas", headers=headers, json=area).status_code == 201
    area_taken = assert_problem(client.post("/api/v1/issue-areas", headers=headers, json=area), 409)
    person = {"email": "second@example.org", "role": "member"}
    users = f"/api/v1/organizations/{organization.id}/users"
    assert client.post(users, headers=headers, json=person).status_code == 201
    person_taken = assert_problem(client.post(users, headers=headers, json=person), 409)
    assert area_taken["type"] == person_taken["type"]
    assert area_taken["type"].endswith("/conflict")
    assert area_taken["code"] == "issue_area_exists"
    assert person_taken["code"] == "already_in_organization"

    stale = assert_problem(
        client.patch(
            f"/api/v1/organizations/{organization.id}",
            headers={**headers, "If-Match": '"999"'},
            json={"staff_count": 3},
        ),
        412,
    )
    assert stale["code"] == "stale_version"
