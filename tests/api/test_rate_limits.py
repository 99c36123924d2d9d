"""API rate limits per token and per client address, shared by every web process."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi.testclient import TestClient
from httpx import Response
from sqlmodel import select

from app.api.rate_limits import forget_old_counts
from app.db import Database, build_engine
from app.main import create_app
from app.models import RateLimitCount
from tests.conftest import World


def _limited(settings, **limits):  # type: ignore[no-untyped-def]
    # Shared after every request, so what one app counts the other sees after its next flush.
    return settings.model_copy(update={"rate_limit_flush_requests": 1, **limits})


def _asked(client: TestClient, path: str, headers: dict[str, str]) -> Response:
    """A request, and then the flush it started, done: as a later request finds it."""
    answer = client.get(path, headers=headers)
    client.app.state.request_ledger.settle()  # type: ignore[attr-defined]
    return answer


def test_over_the_limit_is_429_until_the_minute_turns(settings, database, world, clock):
    app = create_app(
        _limited(settings, rate_limit_per_minute=3, rate_limit_per_client_per_minute=5),
        database=database,
    )
    user = world.user()
    first, second = world.headers(user), world.headers(user)
    with TestClient(app) as client:
        answers = [client.get("/api/v1/me", headers=first) for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 200]
        assert [a.headers["RateLimit-Remaining"] for a in answers] == ["2", "1", "0"]
        assert answers[0].headers["RateLimit-Limit"] == "3"
        assert answers[0].headers["RateLimit-Reset"] == "60"

        clock.shift(timedelta(seconds=15))
        over = client.get("/api/v1/me", headers=first)
        assert over.status_code == 429
        assert over.headers["content-type"].startswith("application/problem+json")
        assert over.json()["code"] == "rate_limited"
        assert over.headers["Retry-After"] == "45"
        assert over.headers["RateLimit-Remaining"] == "0"

        # Another token from the same address meets the address's limit (5) instead.
        assert client.get("/api/v1/me", headers=second).status_code == 200
        refused = client.get("/api/v1/me", headers=second)
        assert refused.status_code == 429 and refused.headers["RateLimit-Limit"] == "5"

        clock.shift(timedelta(seconds=45))
        again = client.get("/api/v1/me", headers=first)
        assert again.status_code == 200
        assert again.headers["RateLimit-Remaining"] == "2"

        # Each token's last use goes out with the counts, at most once a minute: the second
        # token, used at 09:00:15, is not written again by this listing at 09:01.
        used = client.get("/api/v1/tokens", headers=second).json()["items"]
        assert [t["last_used_at"] for t in used] == ["2026-03-02T09:01:00Z", "2026-03-02T09:00:15Z"]

    # The worker forgets minutes that no longer count; the current one stays.
    clock.shift(timedelta(seconds=75))
    with database.session() as session:
        assert forget_old_counts(session) == 3  # 09:00: two tokens and the address
        assert forget_old_counts(session) == 0
        kept = session.exec(select(RateLimitCount.window_start)).all()
    assert {moment.minute for moment in kept} == {1}


def test_two_app_instances_on_one_database_share_the_count(committed, settings, clock):
    url, database = committed
    other_engine = build_engine(url)
    limited = _limited(settings.model_copy(update={"database_url": url}), rate_limit_per_minute=4)
    world = World(database)
    headers = world.headers(world.user())
    one = create_app(limited, database=database)
    two = create_app(limited, database=Database(other_engine))
    try:
        with TestClient(one) as first, TestClient(two) as second:
            assert _asked(first, "/api/v1/me", headers).status_code == 200
            assert _asked(first, "/api/v1/me", headers).headers["RateLimit-Remaining"] == "2"
            # The second app knows the first's two once its own first flush read them back.
            assert _asked(second, "/api/v1/me", headers).headers["RateLimit-Remaining"] == "3"
            assert _asked(second, "/api/v1/me", headers).headers["RateLimit-Remaining"] == "0"
            # The first, at its last flush, knew only its own two: this third is its fifth.
            assert _asked(first, "/api/v1/me", headers).headers["RateLimit-Remaining"] == "1"
            assert _asked(first, "/api/v1/me", headers).status_code == 429
            assert _asked(second, "/api/v1/me", headers).status_code == 429
    finally:
        other_engine.dispose()


def test_no_request_waits_for_the_counts_to_be_shared(committed, settings, clock):
    url, database = committed
    world = World(database)
    headers = world.headers(world.user())
    limits = {"rate_limit_per_minute": 600, "rate_limit_per_client_per_minute": 1200}
    limited = _limited(settings.model_copy(update={"database_url": url}), **limits)
    app = create_app(limited, database=database)
    writer = build_engine(url)

    def shared_counts() -> list[int]:
        with database.session(read_only=True) as session:
            return sorted(session.exec(select(RateLimitCount.count)).all())

    try:
        with TestClient(app) as client, writer.connect() as holder, ThreadPoolExecutor(1) as asker:
            # Another connection holds the table, so the flush the first request starts
            # waits; asked from a thread, so a request that waited too would fail the test.
            holder.begin()  # on SQLite, BEGIN IMMEDIATE: the whole database's write lock
            if writer.dialect.name == "postgresql":
                holder.exec_driver_sql("LOCK TABLE rate_limit_count IN EXCLUSIVE MODE")
            try:
                answers = [
                    asker.submit(client.get, "/api/v1/me", headers=headers).result(timeout=30)
                    for _ in range(2)
                ]
                assert [a.status_code for a in answers] == [200, 200]
                # The second counts the first, whose count is still on its way.
                assert [a.headers["RateLimit-Remaining"] for a in answers] == ["599", "598"]
                assert shared_counts() == []
            finally:
                holder.rollback()
            app.state.request_ledger.settle()
            assert shared_counts() == [1, 1]  # the first request: the token's and the address's
        # The app, stopping, shared what it counted since: the second request.
        assert shared_counts() == [2, 2]
    finally:
        writer.dispose()
