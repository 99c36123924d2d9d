"""API tokens carry scopes and an expiry, and say when they were last used."""

import asyncio
import sqlite3
from datetime import timedelta

import httpx
from sqlalchemy import event

from app import migrate
from app.db import Database, build_engine
from app.main import create_app
from app.services import accounts
from tests.conftest import World, basic_auth

PROBLEM = "application/problem+json"


def test_a_token_does_what_its_scopes_allow_until_it_expires(client, world, clock):
    admin = world.user("chair")
    organization = world.organization(admin, name="Maple PTA")
    full = world.headers(admin)

    made = client.post(
        "/api/v1/tokens",
        headers=full,
        json={"name": "crm", "scopes": ["read"], "expires_at": "2026-03-03T09:00:00Z"},
    )
    assert made.status_code == 201, made.text
    crm = made.json()
    assert crm["scopes"] == ["read"]
    assert crm["expires_at"].startswith("2026-03-03T09:00:00")
    assert crm["last_used_at"] is None
    reader = {"Authorization": f"Bearer {crm['token']}"}

    assert client.get(f"/api/v1/organizations/{organization.id}", headers=reader).status_code == 200
    refused = client.patch(
        f"/api/v1/organizations/{organization.id}", headers=reader, json={"staff_count": 2}
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith(PROBLEM)
    assert refused.json()["code"] == "insufficient_scope"
    assert "write" in refused.json()["detail"]
    assert 'error="insufficient_scope", scope="write"' in refused.headers["WWW-Authenticate"]

    # Without scopes a token gets all four, as tokens did before scopes existed.
    default = client.post("/api/v1/tokens", headers=full, json={"name": "everything"}).json()
    assert default["scopes"] == ["read", "write", "webhooks", "admin"]
    # Read, write and webhooks change things, but do not administer people or tokens.
    sheet = client.post(
        "/api/v1/tokens",
        headers=full,
        json={"name": "sheet", "scopes": ["webhooks", "read", "write"]},
    ).json()
    assert sheet["scopes"] == ["read", "write", "webhooks"]
    writer = {"Authorization": f"Bearer {sheet['token']}"}
    patched = client.patch(
        f"/api/v1/organizations/{organization.id}", headers=writer, json={"staff_count": 2}
    )
    assert patched.status_code == 200
    assert client.get("/api/v1/webhooks", headers=writer).status_code == 200
    person = {"email": "new@example.org", "role": "member"}
    users = f"/api/v1/organizations/{organization.id}/users"
    assert client.post(users, headers=writer, json=person).json()["code"] == "insufficient_scope"
    assert client.post("/api/v1/tokens", headers=writer, json={"name": "x"}).status_code == 403

    # An admin token makes tokens, but none with a scope it lacks itself.
    keys = client.post(
        "/api/v1/tokens", headers=full, json={"name": "keys", "scopes": ["admin", "read"]}
    ).json()
    keeper = {"Authorization": f"Bearer {keys['token']}"}
    wider = client.post("/api/v1/tokens", headers=keeper, json={"name": "w", "scopes": ["write"]})
    assert wider.status_code == 403 and wider.json()["code"] == "insufficient_scope"
    narrower = client.post("/api/v1/tokens", headers=keeper, json={"name": "r", "scopes": ["read"]})
    assert narrower.status_code == 201
    inherited = client.post("/api/v1/tokens", headers=keeper, json={"name": "i"}).json()
    assert inherited["scopes"] == ["read", "admin"]

    past = client.post(
        "/api/v1/tokens", headers=full, json={"name": "old", "expires_at": "2026-03-01T00:00:00Z"}
    )
    assert past.status_code == 422
    assert past.json()["errors"][0]["loc"] == ["body", "expires_at"]
    unknown = client.post("/api/v1/tokens", headers=full, json={"name": "u", "scopes": ["root"]})
    assert unknown.status_code == 422

    clock.shift(timedelta(days=1))
    expired = client.get(f"/api/v1/organizations/{organization.id}", headers=reader)
    assert expired.status_code == 401
    assert expired.json()["code"] == "token_expired"
    # The list shows each token's scopes, expiry and last use.
    listed = {t["name"]: t for t in client.get("/api/v1/tokens", headers=full).json()["items"]}
    assert listed["crm"]["scopes"] == ["read"]
    assert listed["crm"]["expires_at"].startswith("2026-03-03T09:00:00")
    assert listed["sheet"]["expires_at"] is None


def test_basic_and_browser_sessions_keep_every_right(client, world):
    admin = world.user("chair", password="correct horse battery")
    organization = world.organization(admin)
    basic = basic_auth(admin.email, "correct horse battery")
    person = {"email": "new@example.org", "role": "member"}
    added = client.post(
        f"/api/v1/organizations/{organization.id}/users", headers=basic, json=person
    )
    assert added.status_code == 201


async def test_requests_arriving_together_look_their_token_up_once(committed, settings):
    # The cached principal expires every second: at 32 connections each request arriving
    # before the first lookup ends used to send the same query again.
    url, database = committed
    world = World(database)
    user = world.user()
    headers = world.headers(user)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        if "api_token" in statement and "token_hash" in statement:
            statements.append(statement)

    app = create_app(settings.model_copy(update={"database_url": url}), database=database)
    transport = httpx.ASGITransport(app=app)
    accounts.principal_cache.forget_all()
    event.listen(database.bind, "before_cursor_execute", count)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://coalesce") as api:
            answers = await asyncio.gather(
                *(api.get("/api/v1/me", headers=headers) for _ in range(8))
            )
            accounts.principal_cache.forget_all()
            refused = await asyncio.gather(
                *(
                    api.get("/api/v1/me", headers={"Authorization": "Bearer coal_nope"})
                    for _ in range(4)
                )
            )
    finally:
        event.remove(database.bind, "before_cursor_execute", count)
    assert [answer.status_code for answer in answers] == [200] * 8
    assert {answer.json()["email"] for answer in answers} == {user.email}
    assert [answer.status_code for answer in refused] == [401] * 4
    # One lookup for the eight, one for the four with a token that names nobody.
    assert len(statements) == 2, statements


async def test_a_read_does_not_wait_for_the_write_lock_a_write_with_its_token_waits_for(
    tmp_path, settings
):
    # A POST's own session takes SQLite's write lock before it reads anything; a GET with
    # the same token that shared that POST's lookup of the token waited for the lock too.
    url = f"sqlite:///{tmp_path / 'locked.db'}"
    migrate.upgrade(url)
    engine = build_engine(url)
    blocker = sqlite3.connect(tmp_path / "locked.db", isolation_level=None)
    try:
        database = Database(engine)
        world = World(database)
        headers = world.headers(world.user())
        app = create_app(settings.model_copy(update={"database_url": url}), database=database)
        transport = httpx.ASGITransport(app=app)
        accounts.principal_cache.forget_all()
        blocker.execute("BEGIN IMMEDIATE")  # another process is writing
        async with httpx.AsyncClient(transport=transport, base_url="http://coalesce") as api:
            write = asyncio.create_task(
                api.post("/api/v1/tokens", headers=headers, json={"name": "crm"})
            )
            await asyncio.sleep(0)  # the write starts first
            read = await api.get("/api/v1/me", headers=headers)
            # Answered while the other writer still holds the lock.
            assert read.status_code == 200, read.text
            assert not write.done()
            blocker.execute("ROLLBACK")
            written = await write
        assert written.status_code == 201, written.text
    finally:
        blocker.close()
        engine.dispose()
