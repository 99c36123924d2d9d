"""SIGKILL the worker in the middle of its batches, again and again: nothing is lost."""

import os
import random
import signal
import subprocess
import sys
import time

from sqlmodel import select

from app.models import WebhookDelivery
from app.schemas.webhooks import WebhookCreate
from app.services import webhooks
from app.settings import get_settings
from tests.conftest import SETUP, TEST_SECRET, World
from tests.receiver import running_receiver

EVENTS = 150


def _start_worker(url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "COALESCE_DATABASE_URL": url,
        "COALESCE_SECRET_KEY": TEST_SECRET,
        "COALESCE_WEBHOOK_ALLOW_PRIVATE_URLS": "true",
        "COALESCE_WEBHOOK_LEASE_SECONDS": "1",
        "COALESCE_WEBHOOK_TIMEOUT_SECONDS": "0.5",  # a lease outlasts a send
        "COALESCE_WEBHOOK_BATCH_SIZE": "20",
        "COALESCE_WORKER_POLL_SECONDS": "0.05",
        "COALESCE_LOG_LEVEL": "ERROR",
    }
    return subprocess.Popen([sys.executable, "-m", "app.cli", "worker"], env=env)


def _pending(database) -> int:
    with database.session(read_only=True) as session:
        return len(
            session.exec(select(WebhookDelivery).where(WebhookDelivery.status != "succeeded")).all()
        )


def _stuck(database) -> list:
    from app.models import WebhookAttempt

    with database.session() as session:
        stuck = session.exec(
            select(WebhookDelivery).where(WebhookDelivery.status != "succeeded")
        ).all()
        return [
            (d.status, d.attempt_count, d.next_attempt_at, d.locked_until,
             [(a.status_code, a.error) for a in session.exec(select(WebhookAttempt).where(WebhookAttempt.delivery_id == d.id))])
            for d in stuck
        ]  # fmt: skip


def test_sigkill_ten_times_every_event_still_arrives(committed):
    url, database = committed
    world = World(database)
    organization = world.organization(world.user("sam"))
    with running_receiver() as receiver:
        receiver.delay_seconds = 0.02
        with database.session() as session:
            subscription, secret = webhooks.create_subscription(
                session,
                SETUP,
                WebhookCreate(url=receiver.url, organization_id=organization.id),
                settings=get_settings(),
            )
            for _ in range(EVENTS):
                webhooks.send_test(session, SETUP, subscription.id)
        with database.session() as session:
            expected = {d.event_id for d in session.exec(select(WebhookDelivery))}

        rng = random.Random(7)
        kills = 0
        for _ in range(10):
            worker = _start_worker(url)
            time.sleep(rng.uniform(0.6, 1.2))  # start-up, then part of a batch
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            kills += 1
        worker = _start_worker(url)
        try:
            deadline = time.monotonic() + 90
            while _pending(database) and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            worker.terminate()
            worker.wait(timeout=10)

        assert kills == 10
        assert _pending(database) == 0, _stuck(database)
        assert set(receiver.ids) == expected  # every event arrived at least once
        for received in receiver.received:
            received.verify(secret)  # repeats carry the same webhook-id and a valid signature
        repeats = len(receiver.ids) - len(set(receiver.ids))
        print(f"\n{len(expected)} events, {len(receiver.ids)} requests, {repeats} repeats")
