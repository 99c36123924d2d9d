"""Following the event log loses nothing: writers in two processes, one of them committing
late, and a follower polling `GET /api/v1/events?after=` and one on the live stream, each
see every event exactly once."""

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from sqlmodel import select

from app.main import create_app
from app.models import Event
from app.security import SESSION_COOKIE, SessionSigner
from app.settings import Settings
from tests.conftest import TEST_SECRET, World
from tests.event_writers import EVENTS_PER_THREAD, LATE_EVENTS, THREADS
from tests.live import serve_in_thread

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = 2 * THREADS * EVENTS_PER_THREAD + LATE_EVENTS


def _poll(base: str, headers: dict, seen: list[str], stop: threading.Event) -> None:
    cursor = None
    with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
        while not stop.is_set():
            params = {"limit": 7, "type": "webhook.test", **({"after": cursor} if cursor else {})}
            page = client.get("/api/v1/events", params=params).json()
            seen.extend(item["id"] for item in page["items"])
            cursor = page["next_cursor"]
            assert cursor, "every page gives a cursor to poll with"
            if not page["items"]:
                time.sleep(0.02)


def _stream(base: str, user_id: str, seen: list[str], stop: threading.Event) -> None:
    cookie = {SESSION_COOKIE: SessionSigner(TEST_SECRET, 3600).dumps({"uid": user_id})}
    with (
        httpx.Client(base_url=base, cookies=cookie, timeout=10) as client,
        client.stream("GET", "/events/stream") as response,
    ):
        kind = ""
        for line in response.iter_lines():
            # Only the writers' events count, as the poller asks for them alone: the
            # follower's own organization may be announced late on PostgreSQL (held back
            # behind another transaction on the server until it ends).
            if line.startswith("event:"):
                kind = line.removeprefix("event:").strip()
            if line.startswith("data:") and kind == "webhook.test":
                seen.append(json.loads(line.removeprefix("data:"))["id"])
            if stop.is_set():
                return


def test_followers_miss_nothing_and_see_nothing_twice(committed, monkeypatch):
    monkeypatch.setattr("app.pages.live.PING_SECONDS", 0.3)
    url, database = committed
    world = World(database)
    follower = world.user("follower")
    organization = world.organization(follower)
    app = create_app(
        Settings(environment="test", database_url=url, secret_key=TEST_SECRET), database=database
    )
    polled: list[str] = []
    streamed: list[str] = []
    stop = threading.Event()
    with serve_in_thread(app) as base:
        followers = [
            threading.Thread(
                target=_poll, args=(base, world.headers(follower), polled, stop), daemon=True
            ),
            threading.Thread(target=_stream, args=(base, follower.id, streamed, stop), daemon=True),
        ]
        for thread in followers:
            thread.start()
        time.sleep(1.0)  # the stream is open before the first event is written
        writers = [
            subprocess.Popen(
                [sys.executable, "-m", "tests.event_writers", url, organization.id, name, *late],
                cwd=ROOT,
            )
            for name, late in (("one", ["--late"]), ("two", []))
        ]
        for writer in writers:
            assert writer.wait(timeout=120) == 0
        with database.session() as session:
            written = set(session.exec(select(Event.id).where(Event.type == "webhook.test")))
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not (
            set(polled) >= written and set(streamed) >= written
        ):
            time.sleep(0.1)
        time.sleep(0.5)  # anything seen twice would arrive now
        stop.set()
        for thread in followers:
            thread.join(timeout=10)

    assert len(written) == EXPECTED
    for seen in (polled, streamed):
        assert set(seen) == written, f"missed {len(written - set(seen))} of {len(written)}"
        assert len(seen) == len(set(seen)), "an event was seen twice"
    print(
        f"\n{len(written)} events from 2 processes; polled {len(polled)}, streamed {len(streamed)}"
    )
