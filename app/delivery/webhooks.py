"""Webhook delivery, run by the worker: claim due deliveries with a lease, sign and send
them outside any transaction, then record each attempt, retry on the schedule and
disable endpoints that are gone or keep failing.

A crashed worker loses nothing: its lease runs out and another worker claims the rows.
"""

import asyncio
import contextlib
import logging
import ssl
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import h11
import httpx
from sqlalchemy import insert, or_, update
from sqlmodel import Session, select
from standardwebhooks.webhooks import Webhook

from app import clock
from app.concurrency import claimable
from app.db import Database
from app.errors import Invalid
from app.ids import new_id
from app.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from app.services import notifications, webhooks
from app.settings import Settings
from app.webhook_security import decrypt, resolve_and_check

log = logging.getLogger("coalesce.webhooks")
GIVE_UP_AFTER = timedelta(days=5)


@dataclass
class Outgoing:
    delivery_id: str
    subscription_id: str
    url: str
    event_id: str
    payload: str
    secrets: list[str]


@dataclass
class Outcome:
    delivery_id: str
    status_code: int | None
    duration_ms: float
    error: str | None
    excerpt: str | None


def _claim(database: Database, settings: Settings) -> list[Outgoing]:
    """Lease a batch of due deliveries. A crashed worker's lease simply runs out."""
    now = clock.now()
    with database.session() as session:
        # Columns, not objects, and one UPDATE for the whole lease: the worker's time per
        # delivery goes to sending, not to loading and flushing rows one by one.
        statement = (
            select(
                WebhookDelivery.id,
                WebhookDelivery.subscription_id,
                WebhookDelivery.event_id,
                WebhookDelivery.payload,
            )
            .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
            .where(
                WebhookDelivery.status == "pending",
                WebhookDelivery.next_attempt_at <= now,  # type: ignore[operator]
                or_(
                    WebhookDelivery.locked_until.is_(None),  # type: ignore[union-attr]
                    WebhookDelivery.locked_until < now,  # type: ignore[operator]
                ),
                WebhookSubscription.enabled.is_(True),  # type: ignore[attr-defined]
            )
            .order_by(WebhookDelivery.next_attempt_at)  # type: ignore[arg-type]
            .limit(settings.webhook_batch_size)
        )
        due = session.exec(claimable(session, statement, of=WebhookDelivery)).all()
        if not due:
            return []
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.id.in_([row.id for row in due]))  # type: ignore[attr-defined]
            .values(locked_until=now + timedelta(seconds=settings.webhook_lease_seconds))
            .execution_options(synchronize_session=False)
        )
        subscriptions = session.exec(
            select(WebhookSubscription).where(
                WebhookSubscription.id.in_({row.subscription_id for row in due})  # type: ignore[attr-defined]
            )
        ).all()
        # Decrypted once per subscription and batch.
        endpoints = {s.id: (s.url, _signing_secrets(settings, s, now)) for s in subscriptions}
    return [
        Outgoing(
            delivery_id=row.id,
            subscription_id=row.subscription_id,
            url=endpoints[row.subscription_id][0],
            event_id=row.event_id,
            payload=row.payload,
            secrets=endpoints[row.subscription_id][1],
        )
        for row in due
    ]


def _signing_secrets(
    settings: Settings, subscription: WebhookSubscription, now: datetime
) -> list[str]:
    secrets = [decrypt(settings.secret_key, subscription.secret_encrypted)]
    expires = subscription.previous_secret_expires_at
    if subscription.previous_secret_encrypted and expires and expires > now:
        secrets.append(decrypt(settings.secret_key, subscription.previous_secret_encrypted))
    return secrets


def signed_headers(outgoing: Outgoing, moment: datetime) -> dict[str, str]:
    signatures = " ".join(
        Webhook(secret).sign(outgoing.event_id, moment, outgoing.payload)
        for secret in outgoing.secrets
    )
    return {
        "content-type": "application/json",
        "webhook-id": outgoing.event_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signatures,
        "user-agent": "Coalesce-Webhooks/1.0",
    }


@dataclass(frozen=True)
class _Endpoint:
    """Where a request goes: the checked address, and the name it is verified under."""

    scheme: str
    host: str
    address: str
    port: int


@dataclass
class _Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    http: h11.Connection


# Read no more of an answer than this: the log keeps an excerpt, and a longer body only
# costs the worker (its connection is closed instead of reused).
EXCERPT_CHARS = 1024
LONGEST_BODY_READ = 64 * 1024
# Building a TLS context costs tens of milliseconds; every connection of every round shares one.
_TLS = ssl.create_default_context()


class _Round:
    """One round's sends: `webhook_concurrency` senders take the next delivery in turn and
    keep their HTTP/1.1 connections alive for the next delivery to the same endpoint.

    The requests are h11's own events over asyncio streams. Through httpx one delivery cost
    1.2-1.8 ms of the worker's CPU (its pool, anyio and per-request models), capping a
    worker near 400/s; this costs about 0.2 ms for the same request.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.targets: dict[str, tuple[_Endpoint, bytes, bytes]] = {}
        self.idle: dict[_Endpoint, list[_Connection]] = {}
        self.opened: list[asyncio.StreamWriter] = []

    async def send_all(self, batch: list[Outgoing]) -> list[Outcome]:
        """Send what the lease leaves time for: no send starts that could still be under
        way when the lease runs out (and another worker may claim the same deliveries).
        The ones not started wait for their lease to end and go out in a later round."""
        waiting = deque(batch)
        outcomes: list[Outcome] = []
        last_start = (
            time.monotonic()
            + self.settings.webhook_lease_seconds
            - self.settings.webhook_timeout_seconds
        )

        async def sender() -> None:
            while waiting and time.monotonic() < last_start:
                outcomes.append(await self.send(waiting.popleft()))

        try:
            senders = min(self.settings.webhook_concurrency, len(batch))
            await asyncio.gather(*(sender() for _ in range(max(1, senders))))
        finally:
            await self._close_all()
        return outcomes

    async def _close_all(self) -> None:
        """Close every connection of the round before its event loop ends, so none is left
        for the garbage collector; an endpoint slow to finish its TLS goodbye is not
        waited for long."""
        for connections in self.idle.values():
            for connection in connections:
                connection.writer.close()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(1):
                await asyncio.gather(
                    *(writer.wait_closed() for writer in self.opened), return_exceptions=True
                )

    async def send(self, outgoing: Outgoing) -> Outcome:
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.settings.webhook_timeout_seconds):
                status_code, excerpt = await self._post(outgoing)
            return Outcome(
                outgoing.delivery_id,
                status_code,
                (time.perf_counter() - started) * 1000,
                None,
                excerpt,
            )
        except TimeoutError:
            error = f"TimeoutError: no answer within {self.settings.webhook_timeout_seconds:g} s"
        except (OSError, ValueError, h11.ProtocolError, Invalid) as exc:
            error = exc.detail if isinstance(exc, Invalid) else f"{type(exc).__name__}: {exc}"
        return Outcome(
            outgoing.delivery_id, None, (time.perf_counter() - started) * 1000, error[:1000], None
        )

    async def _post(self, outgoing: Outgoing) -> tuple[int, str]:
        endpoint, host_header, path = await self._target(outgoing.url)
        body = outgoing.payload.encode()
        headers = [
            ("host", host_header),
            *signed_headers(outgoing, clock.now()).items(),
            ("content-length", str(len(body))),
        ]
        connection = await self._connection(endpoint)
        http = connection.http
        reusable = False
        try:
            request = http.send(h11.Request(method="POST", target=path, headers=headers))
            connection.writer.write(
                request + http.send(h11.Data(data=body)) + http.send(h11.EndOfMessage())  # type: ignore[operator]
            )
            await connection.writer.drain()
            status_code, excerpt, reusable = await self._answer(connection)
        finally:
            if reusable:
                http.start_next_cycle()
                self.idle.setdefault(endpoint, []).append(connection)
            else:
                connection.writer.close()
        return status_code, excerpt

    async def _target(self, url: str) -> tuple[_Endpoint, bytes, bytes]:
        """Where `url` goes, its Host header and its path, once per address and round."""
        if url not in self.targets:
            # Checked again at delivery, and the connection goes to the address that was
            # checked: a name that starts resolving elsewhere is caught.
            host, address = await asyncio.to_thread(
                resolve_and_check, url, allow_private=self.settings.webhook_allow_private_urls
            )
            target = httpx.URL(url)  # IDNA host and percent-encoded path, as sent
            port = target.port or (443 if target.scheme == "https" else 80)
            endpoint = _Endpoint(target.scheme, host, address, port)
            self.targets[url] = (endpoint, target.netloc, target.raw_path)
        return self.targets[url]

    async def _connection(self, endpoint: _Endpoint) -> _Connection:
        idle = self.idle.get(endpoint, [])
        while idle:
            connection = idle.pop()
            if not connection.reader.at_eof() and not connection.writer.is_closing():
                return connection
            connection.writer.close()  # the endpoint closed it while it waited
        https = endpoint.scheme == "https"
        reader, writer = await asyncio.open_connection(
            endpoint.address,
            endpoint.port,
            ssl=_TLS if https else None,
            server_hostname=endpoint.host if https else None,
        )
        self.opened.append(writer)
        return _Connection(reader, writer, h11.Connection(h11.CLIENT))

    async def _answer(self, connection: _Connection) -> tuple[int, str, bool]:
        """The answer's status and excerpt, and whether the connection may carry another."""
        http = connection.http
        status_code = 0
        body = bytearray()
        while True:
            event = http.next_event()
            if event is h11.NEED_DATA:
                if len(body) > LONGEST_BODY_READ:
                    break
                http.receive_data(await connection.reader.read(65536))
            elif isinstance(event, h11.Response):
                status_code = event.status_code
            elif isinstance(event, h11.Data):
                body += event.data
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                break
        excerpt = body[: EXCERPT_CHARS * 4].decode(errors="replace")[:EXCERPT_CHARS]
        reusable = http.our_state is h11.DONE and http.their_state is h11.DONE
        return status_code, excerpt, reusable


def _record(database: Database, settings: Settings, outcomes: list[Outcome]) -> None:
    schedule = settings.retry_schedule_seconds
    now = clock.now()
    with database.session() as session:
        # One query for the batch's deliveries, one for their subscriptions, then one
        # INSERT for the attempts and one UPDATE per kind of change for the deliveries.
        standing = {
            row.id: row
            for row in session.exec(
                select(
                    WebhookDelivery.id,
                    WebhookDelivery.subscription_id,
                    WebhookDelivery.attempt_count,
                ).where(
                    WebhookDelivery.id.in_([o.delivery_id for o in outcomes])  # type: ignore[attr-defined]
                )
            )
        }
        subscriptions = {
            s.id: s
            for s in session.exec(
                select(WebhookSubscription).where(
                    WebhookSubscription.id.in_({d.subscription_id for d in standing.values()})  # type: ignore[attr-defined]
                )
            )
        }
        attempts: list[dict[str, Any]] = []
        changes: list[dict[str, Any]] = []
        for outcome in outcomes:
            delivery = standing.get(outcome.delivery_id)
            if delivery is None:
                continue  # the subscription was deleted meanwhile
            attempts.append(
                {
                    "id": new_id("wat"),
                    "delivery_id": delivery.id,
                    "at": now,
                    "status_code": outcome.status_code,
                    "duration_ms": round(outcome.duration_ms, 2),
                    "error": outcome.error,
                    "response_excerpt": outcome.excerpt,
                }
            )
            attempt_count = delivery.attempt_count + 1
            change: dict[str, Any] = {
                "id": delivery.id,
                "attempt_count": attempt_count,
                "locked_until": None,
            }
            subscription = subscriptions[delivery.subscription_id]
            code = outcome.status_code
            if code is not None and 200 <= code < 300:
                change |= {"status": "succeeded", "completed_at": now}
                subscription.last_success_at = now
                subscription.failing_since = None
            elif code == 410:
                change |= {"status": "failed", "completed_at": now}
                _disable(session, subscription, "The endpoint answered 410 Gone.")
            else:
                subscription.failing_since = subscription.failing_since or now
                if attempt_count < len(schedule):
                    change["next_attempt_at"] = now + timedelta(seconds=schedule[attempt_count])
                else:
                    change |= {"status": "failed", "completed_at": now}
                if now - subscription.failing_since >= GIVE_UP_AFTER:
                    _disable(session, subscription, "No successful delivery for 5 days.")
            changes.append(change)
        if attempts:
            session.execute(insert(WebhookAttempt), attempts)
            # By primary key: rows with the same keys go out as one executemany.
            session.execute(update(WebhookDelivery), changes)


def _disable(session: Session, subscription: WebhookSubscription, reason: str) -> None:
    if not subscription.enabled:
        return
    subscription.enabled = False
    subscription.disabled_reason = reason
    subscription.version += 1
    subscription.updated_at = clock.now()
    # Delivery bookkeeping (last success, failing since) is no change of the subscription;
    # being switched off is, and its organization's other subscriptions hear of it.
    webhooks.announce(session, None, "webhook.updated", subscription)
    log.warning(
        "webhook disabled", extra={"fields": {"webhook_id": subscription.id, "reason": reason}}
    )
    for user_id in notifications.admins_of(session, subscription.organization_id):
        notifications.notify(
            session,
            user_id,
            kind="webhook_disabled",
            text=f"Your webhook to {subscription.url} was disabled: {reason}",
            link="/webhooks",
        )


def deliver_due(database: Database, settings: Settings) -> int:
    """One round: claim, send concurrently, record. Returns how many were attempted."""
    batch = _claim(database, settings)
    if not batch:
        return 0
    outcomes = asyncio.run(_Round(settings).send_all(batch))
    if outcomes:
        _record(database, settings, outcomes)
    return len(outcomes)
