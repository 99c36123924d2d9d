"""Rate limits on the API, per token (or Basic sign-in) and per client address, shared by
every web process without a database write per request.

Each process counts requests in memory (`RequestLedger`). Now and then (every
`rate_limit_flush_ms`, or after `rate_limit_flush_requests` requests, whichever comes
first) it adds its counts to `rate_limit_count`, one row per caller and minute, and reads
back the totals every process has added. A caller's use is that total plus what this
process counted since: exact with one process, and with several it lags by at most one
flush interval of the others' requests (approximate by design, so a request costs a dict
update, not a write). Windows are fixed minutes of the app's clock.

The flush runs on a thread of its own beside the requests, so no request waits for it.
When the request that made it due waited, one request in a hundred paid for a write and
two trips through a busy event loop, and those were the slowest hundredth.

The same flush writes a token's `last_used_at`, at most once a minute per token.
"""

import hashlib
import logging
import math
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from anyio import to_thread
from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import clock
from app.api.problems import problem
from app.api.routing import API_PREFIX
from app.db import Database
from app.models import ApiToken, RateLimitCount
from app.security import TOKEN_HASH, hash_token
from app.settings import Settings

log = logging.getLogger("coalesce.rate_limits")

WINDOW = timedelta(minutes=1)
# last_used_at is kept to the minute: a token used all day is written once a minute.
LAST_USED_EVERY = timedelta(minutes=1)
_BATCH = 500  # keys per statement, well under every backend's parameter limit


@dataclass(frozen=True)
class Usage:
    limit: int
    used: int
    reset_seconds: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def exceeded(self) -> bool:
        return self.used > self.limit


class RequestLedger:
    """One process's counts since its last flush, and the shared totals it last read."""

    def __init__(self, settings: Settings) -> None:
        self.per_credential = settings.rate_limit_per_minute
        self.per_client = settings.rate_limit_per_client_per_minute
        self.flush_every = timedelta(milliseconds=settings.rate_limit_flush_ms)
        self.flush_after = max(1, settings.rate_limit_flush_requests)
        self._lock = threading.Lock()
        self._flushing = False
        self._window = _window_of(clock.now())
        self._window_end = self._window + WINDOW
        self._pending: dict[str, int] = {}
        self._in_flight: dict[str, int] = {}
        self._shared: dict[str, int] = {}
        self._since_flush = 0
        self._last_flush = clock.now()
        self._tokens_used: set[str] = set()
        self._token_written: dict[str, datetime] = {}
        # One thread, started on the first flush: flushes never overlap (`_flushing`).
        self._flusher: ThreadPoolExecutor | None = None
        self._last_flush_done: Future[None] | None = None

    def keys(self, credential: str | None, client: str) -> list[tuple[str, int]]:
        """The counters a request counts toward, each with its limit."""
        keys: list[tuple[str, int]] = []
        if credential is not None and self.per_credential > 0:
            keys.append((credential, self.per_credential))
        if self.per_client > 0:
            keys.append((client, self.per_client))
        return keys

    def record(
        self, keys: list[tuple[str, int]], token_hash: str | None, now: datetime
    ) -> tuple[Usage | None, bool]:
        """Count a request toward `keys`: the tightest of its limits as it now stands (None
        when limits are off) and whether a flush is due, under one hold of the lock."""
        with self._lock:
            if not self._window <= now < self._window_end:  # a new minute (or a clock set back)
                self._roll(now)
            pending = self._pending
            for key, _ in keys:
                pending[key] = pending.get(key, 0) + 1
            self._since_flush += 1
            if token_hash is not None:
                self._tokens_used.add(token_hash)
            due = not self._flushing and (
                self._since_flush >= self.flush_after or now - self._last_flush >= self.flush_every
            )
            # Read under the same hold: a flush ending on its thread moves counts from
            # `_in_flight` to `_shared`, and a read between the two would miss or double them.
            return self._usage(keys, now), due

    def _usage(self, keys: list[tuple[str, int]], now: datetime) -> Usage | None:
        """The tightest of the request's limits as it stands; None when limits are off."""
        if not keys:
            return None
        reset = max(1, math.ceil((self._window_end - now).total_seconds()))
        tightest: Usage | None = None
        for key, limit in keys:
            used = (
                self._shared.get(key, 0) + self._in_flight.get(key, 0) + self._pending.get(key, 0)
            )
            # The first of equally tight limits, as min() would pick.
            if tightest is None or limit - used < tightest.limit - tightest.used:
                tightest = Usage(limit, used, reset)
        return tightest

    def flush_beside(self, database: Database, now: datetime) -> None:
        """Start a flush on the ledger's own thread and return at once."""
        with self._lock:
            claimed = self._claim(now)
            if claimed is None:
                return
            try:
                if self._flusher is None:
                    self._flusher = ThreadPoolExecutor(1, thread_name_prefix="rate-limit-flush")
                self._last_flush_done = self._flusher.submit(self._share, database, now, *claimed)
            except Exception:
                # No thread to flush on (the process is stopping): the next flush takes them.
                log.warning("rate limit counts not shared", exc_info=True)
                self._unclaim(*claimed)

    def flush(self, database: Database, now: datetime) -> None:
        """The same flush on the caller's thread, returning when it is done."""
        with self._lock:
            claimed = self._claim(now)
        if claimed is not None:
            self._share(database, now, *claimed)

    def settle(self) -> None:
        """Wait for the flush under way, if any: its totals count from then on."""
        done = self._last_flush_done
        if done is not None:
            done.result()

    def close(self, database: Database) -> None:
        """Let the flush under way finish, then share what was counted since: a process
        that stops leaves its counts to the others."""
        with self._lock:
            flusher, self._flusher = self._flusher, None
        if flusher is not None:
            flusher.shutdown(wait=True)
        self.flush(database, clock.now())

    def _claim(self, now: datetime) -> tuple[datetime, dict[str, int], set[str], set[str]] | None:
        """Under the lock: take what a flush shares (the window, the counts since the last,
        the keys to read back, the tokens whose last use is due), or None when a flush is
        under way or there is nothing to share."""
        if self._flushing:
            return None
        self._roll(now)
        window, pending = self._window, self._pending
        watched = set(self._shared) | set(pending)
        self._pending, self._since_flush, self._last_flush = {}, 0, now
        tokens = {
            token
            for token in self._tokens_used
            if now - self._token_written.get(token, datetime.min.replace(tzinfo=UTC))
            >= LAST_USED_EVERY
        }
        self._tokens_used = set()
        if not (pending or watched or tokens):
            # Limits off and every token's last use fresh: nothing to share or write.
            return None
        # Counted while on their way, so a caller's use never dips during the flush.
        self._flushing, self._in_flight = True, pending
        return window, pending, watched, tokens

    def _share(
        self,
        database: Database,
        now: datetime,
        window: datetime,
        pending: dict[str, int],
        watched: set[str],
        tokens: set[str],
    ) -> None:
        """Add the claimed counts to the shared table, read the totals back, and write the
        last use of tokens not written for a minute. One short transaction."""
        try:
            with database.session() as session:
                _add_counts(session, database.dialect, window, pending)
                totals = _totals(session, window, watched)
                _note_token_use(session, tokens, now)
        except Exception:
            # A busy database must not turn every API call into an error: the counts go
            # back to be shared with the next flush.
            log.warning("rate limit counts not shared", exc_info=True)
            with self._lock:
                self._unclaim(window, pending, watched, tokens)
            return
        with self._lock:
            self._flushing, self._in_flight = False, {}
            if window == self._window:
                self._shared.update(totals)
            for token in tokens:
                self._token_written[token] = now
            if len(self._token_written) > 100_000:
                self._token_written.clear()

    def _unclaim(
        self, window: datetime, pending: dict[str, int], _watched: set[str], tokens: set[str]
    ) -> None:
        """Under the lock: give back what a flush claimed and could not share, for the next
        flush to take (the counts only if their minute still counts)."""
        self._flushing, self._in_flight = False, {}
        if window == self._window:
            for key, count in pending.items():
                self._pending[key] = self._pending.get(key, 0) + count
        self._tokens_used |= tokens

    def _roll(self, now: datetime) -> None:
        window = _window_of(now)
        if window != self._window:
            self._window, self._pending, self._shared, self._in_flight = window, {}, {}, {}
        self._window_end = self._window + WINDOW


def _window_of(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _add_counts(session: Session, dialect: str, window: datetime, pending: dict[str, int]) -> None:
    rows = [{"key": k, "window_start": window, "count": n} for k, n in sorted(pending.items())]
    if not rows:
        return
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = RateLimitCount.__table__  # type: ignore[attr-defined]
    for start in range(0, len(rows), _BATCH):
        statement = insert(table).values(rows[start : start + _BATCH])
        statement = statement.on_conflict_do_update(
            index_elements=["key", "window_start"],
            set_={"count": table.c.count + statement.excluded.count},
        )
        session.connection().execute(statement)


def _totals(session: Session, window: datetime, keys: set[str]) -> dict[str, int]:
    table = RateLimitCount.__table__  # type: ignore[attr-defined]
    ordered = sorted(keys)
    totals: dict[str, int] = {}
    for start in range(0, len(ordered), _BATCH):
        rows = session.connection().execute(
            select(table.c.key, table.c.count).where(
                table.c.window_start == window, table.c.key.in_(ordered[start : start + _BATCH])
            )
        )
        totals.update({key: count for key, count in rows})
    return totals


def _note_token_use(session: Session, token_hashes: set[str], now: datetime) -> None:
    if not token_hashes:
        return
    # A Core statement on the table, not the ORM: the row's other columns are untouched,
    # so the cache of principals has no reason to forget anyone.
    table = ApiToken.__table__  # type: ignore[attr-defined]
    session.connection().execute(
        update(table)
        .where(
            table.c.token_hash.in_(sorted(token_hashes)),
            or_(table.c.last_used_at.is_(None), table.c.last_used_at <= now - LAST_USED_EVERY),
        )
        .values(last_used_at=now)
    )


def forget_old_counts(session: Session) -> int:
    """Housekeeping for the worker: only the current minute counts."""
    cutoff = _window_of(clock.now()) - WINDOW
    result = session.exec(delete(RateLimitCount).where(RateLimitCount.window_start < cutoff))  # type: ignore[call-overload,arg-type]
    return result.rowcount or 0


def _callers(headers: list[tuple[bytes, bytes]]) -> tuple[str | None, str | None]:
    """The credential a request is counted under, and its token's hash if it has one.
    Keys hold hashes, never a token or a password."""
    # The last Authorization header, as a dict of the headers would hold.
    raw = b""
    for name, value in headers:
        if name == b"authorization":
            raw = value
    authorization = raw.decode("latin-1")
    scheme, _, value = authorization.partition(" ")
    value = value.strip()
    if not value:
        return None, None
    if scheme.lower() == "bearer":
        token_hash = hash_token(value)
        return "token:" + token_hash[:40], token_hash
    digest = hashlib.sha256(value.encode()).hexdigest()[:40]
    return f"{scheme.lower()[:10]}:{digest}", None


class RateLimitMiddleware:
    """Counts every API request, answers 429 over the limit, and puts `RateLimit-Limit`,
    `RateLimit-Remaining` and `RateLimit-Reset` (seconds) on every API response."""

    def __init__(
        self, app: ASGIApp, ledger: RequestLedger, database_of: Callable[[Scope], Database]
    ) -> None:
        self.app = app
        self.ledger = ledger
        self._database_of = database_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        credential, token_hash = _callers(scope.get("headers", []))
        if token_hash is not None:
            scope[TOKEN_HASH] = token_hash
        client = scope.get("client")
        address = "client:" + (client[0] if client else "unknown")[:60]
        now = clock.now()
        keys = self.ledger.keys(credential, address)
        usage, due = self.ledger.record(keys, token_hash, now)
        if due:
            database = self._database_of(scope)
            if database.one_connection:
                await to_thread.run_sync(self.ledger.flush, database, now)
            else:
                self.ledger.flush_beside(database, now)
        if usage is None:
            await self.app(scope, receive, send)
            return
        headers = [
            (b"ratelimit-limit", str(usage.limit).encode()),
            (b"ratelimit-remaining", str(usage.remaining).encode()),
            (b"ratelimit-reset", str(usage.reset_seconds).encode()),
        ]
        if usage.exceeded:
            response = problem(
                429,
                f"Over the limit of {usage.limit} requests a minute; "
                f"try again in {usage.reset_seconds} seconds.",
                code="rate_limited",
                headers={
                    "Retry-After": str(usage.reset_seconds),
                    **{k.decode(): v.decode() for k, v in headers},
                },
            )
            await response(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *headers]
            await send(message)

        await self.app(scope, receive, send_with_headers)
