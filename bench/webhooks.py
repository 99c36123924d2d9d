"""`make bench-webhooks`: N events fan out to a local receiver through one worker.

Phase 1 queues N events and measures how fast one worker drains them (deliveries/s).
Phase 2 emits events at a steady rate while the worker runs and measures event → delivery
latency (p50/p99) at the receiver.
"""

import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

os.environ.setdefault("COALESCE_WEBHOOK_ALLOW_PRIVATE_URLS", "true")
os.environ.setdefault("COALESCE_LOG_LEVEL", "WARNING")

from app import migrate
from app.db import Database, build_engine
from app.delivery.webhooks import deliver_due
from app.principal import Principal
from app.schemas.organizations import OrganizationCreate
from app.schemas.webhooks import WebhookCreate
from app.services import accounts, organizations, webhooks
from app.settings import Settings, get_settings
from bench.api import free_port

EVENTS = int(os.environ.get("BENCH_EVENTS", "3000"))
RATE = int(os.environ.get("BENCH_RATE", "300"))  # events per second in phase 2
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
ROOT = Principal(user_id="bench", email="bench", is_platform_admin=True)


def main() -> None:
    directory = Path(tempfile.mkdtemp())
    url = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{directory / 'bench.db'}")
    migrate.upgrade(url)
    database = Database(build_engine(url))
    port = free_port()
    receiver = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "bench.receiver", "--port", str(port)]
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{base}/stats", timeout=0.5)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    try:
        settings = get_settings()
        subscription_id = _subscribe(database, f"{base}/hooks", settings)

        _queue(database, subscription_id, EVENTS)
        started = time.perf_counter()
        while deliver_due(database, settings):
            pass
        drained = time.perf_counter() - started
        stats = httpx.get(f"{base}/stats").json()
        throughput = stats["distinct"] / drained

        httpx.post(f"{base}/reset")
        stop = threading.Event()
        worker = threading.Thread(target=_work, args=(database, settings, stop))
        worker.start()
        sent = _produce(database, subscription_id, RATE, SECONDS)
        time.sleep(2)
        stop.set()
        worker.join()
        paced = httpx.get(f"{base}/stats").json()
    finally:
        receiver.terminate()
        receiver.wait()
    print(f"\nOne worker, {database.dialect}, receiver on 127.0.0.1")
    print(f"{'phase':<44}{'value':>14}")
    print(f"{f'drain {EVENTS} queued events':<44}{throughput:>10.0f} /s")
    print(f"{f'paced {RATE}/s for {SECONDS:.0f} s: delivered':<44}{paced['distinct']:>7} of {sent}")
    print(f"{'event → delivery latency p50':<44}{paced['p50'] * 1000:>11.0f} ms")
    print(f"{'event → delivery latency p99':<44}{paced['p99'] * 1000:>11.0f} ms")


def _subscribe(database: Database, url: str, settings: Settings) -> str:
    with database.session() as session:
        user = accounts.create_user(session, email="bench@example.org")
        organization = organizations.create_organization(
            session,
            accounts.principal_for(session, user),
            OrganizationCreate(name="B", kind="other"),
        )
        subscription, _ = webhooks.create_subscription(
            session,
            ROOT,
            WebhookCreate(url=url, organization_id=organization.id),
            settings=settings,
        )
        return subscription.id


def _queue(database: Database, subscription_id: str, count: int) -> None:
    with database.session() as session:
        for _ in range(count):
            webhooks.send_test(session, ROOT, subscription_id)


def _produce(database: Database, subscription_id: str, rate: int, seconds: float) -> int:
    sent = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        _queue(database, subscription_id, max(1, rate // 20))
        sent += max(1, rate // 20)
        time.sleep(0.05)
    return sent


def _work(database: Database, settings, stop: threading.Event) -> None:  # type: ignore[no-untyped-def]
    while not stop.is_set():
        if not deliver_due(database, settings):
            time.sleep(0.01)


if __name__ == "__main__":
    main()
