"""Idempotency-Key on API POSTs: a retried create returns the first response, not a twin.

Keys are scoped to the credential that sent them. A key is reserved before the
request runs (so two concurrent retries cannot both create), the 2xx response is
stored when it ends, and a failed request frees its key so it can be retried.
"""

import hashlib
import json
from collections.abc import Callable
from datetime import timedelta

from anyio import to_thread
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import clock
from app.api.problems import problem
from app.db import Database
from app.ids import new_id
from app.models import IdempotencyRecord

KEY_HEADER = b"idempotency-key"
REPLAYED_HEADERS = {"content-type", "location", "etag"}
KEEP_FOR = timedelta(hours=24)


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, database_of: Callable[[Scope], Database]) -> None:
        self.app = app
        self._database_of = database_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        key = headers.get(KEY_HEADER)
        authorization = headers.get(b"authorization")
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].startswith("/api/")
            or key is None
            or authorization is None
        ):
            await self.app(scope, receive, send)
            return
        key_text = key.decode("latin-1").strip()
        if not 1 <= len(key_text) <= 255:
            await problem(
                422,
                "Idempotency-Key must be 1 to 255 characters.",
                errors=[{"loc": ["header", "Idempotency-Key"], "msg": "1 to 255 characters"}],
            )(scope, receive, send)
            return

        body = await _read_body(receive)
        request_hash = hashlib.sha256(
            b"\n".join([scope["path"].encode(), scope.get("query_string", b""), canonical(body)])
        ).hexdigest()
        credential = hashlib.sha256(authorization).hexdigest()
        database: Database = self._database_of(scope)

        outcome = await to_thread.run_sync(_reserve, database, credential, key_text, request_hash)
        if isinstance(outcome, IdempotencyRecord):
            await _answer_from_record(outcome, request_hash, scope, receive, send)
            return

        record_id = outcome
        captured: dict = {"status": None, "headers": [], "body": b""}

        async def replay_body() -> Message:
            nonlocal body
            chunk, body = body, b""
            return {"type": "http.request", "body": chunk, "more_body": False}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = message.get("headers", [])
            elif message["type"] == "http.response.body":
                captured["body"] += message.get("body", b"")
            await send(message)

        try:
            await self.app(scope, replay_body, capture)
        finally:
            await to_thread.run_sync(_settle, database, record_id, captured)


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def canonical(body: bytes) -> bytes:
    """The body as the request means it: a JSON body with its keys sorted and no spacing, so
    a retry that serializes the same object differently is the same request. A body that is
    not JSON is compared as sent (the route answers it with a 422 anyway)."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return body
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def _reserve(
    database: Database, credential: str, key: str, request_hash: str
) -> str | IdempotencyRecord:
    """The new record's id, or the record that already holds this key."""
    record_id = new_id("idk")
    try:
        with database.session() as session:
            session.add(
                IdempotencyRecord(
                    id=record_id,
                    scope=credential,
                    key=key,
                    request_hash=request_hash,
                    created_at=clock.now(),
                )
            )
        return record_id
    except IntegrityError:
        with database.session() as session:
            existing = session.exec(
                select(IdempotencyRecord).where(
                    IdempotencyRecord.scope == credential, IdempotencyRecord.key == key
                )
            ).one()
            session.expunge(existing)
            return existing


async def _answer_from_record(
    record: IdempotencyRecord, request_hash: str, scope: Scope, receive: Receive, send: Send
) -> None:
    if record.request_hash != request_hash:
        response = problem(
            422,
            "This Idempotency-Key was used with a different request.",
            slug="idempotency-key-reused",
            code="idempotency_key_reused",
            errors=[{"loc": ["header", "Idempotency-Key"], "msg": "used with another body"}],
        )
    elif record.status_code is None:
        response = problem(
            409,
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            code="idempotency_key_in_use",
        )
    else:
        headers = [(k.encode(), v.encode()) for k, v in json.loads(record.response_headers or "[]")]
        await send(
            {
                "type": "http.response.start",
                "status": record.status_code,
                "headers": [*headers, (b"idempotent-replayed", b"true")],
            }
        )
        await send({"type": "http.response.body", "body": record.response_body or b""})
        return
    await response(scope, receive, send)


def _settle(database: Database, record_id: str, captured: dict) -> None:
    """Keep a successful response for replay; free the key of anything else."""
    with database.session() as session:
        record = session.get(IdempotencyRecord, record_id)
        if record is None:
            return
        status = captured["status"]
        if status is not None and 200 <= status < 300:
            record.status_code = status
            record.response_body = captured["body"]
            record.response_headers = json.dumps(
                [
                    (k.decode("latin-1"), v.decode("latin-1"))
                    for k, v in captured["headers"]
                    if k.decode("latin-1").lower() in REPLAYED_HEADERS
                ]
            )
            session.add(record)
        else:
            session.delete(record)


def forget_old_keys(session: Session) -> int:
    """Housekeeping for the worker: keys are honoured for 24 hours."""
    cutoff = clock.now() - KEEP_FOR
    result = session.exec(delete(IdempotencyRecord).where(IdempotencyRecord.created_at < cutoff))  # type: ignore[call-overload]
    return result.rowcount or 0
