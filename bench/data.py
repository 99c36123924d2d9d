"""The data set `make bench` reads: the demo, grown with bulk inserts to the size of a
busy installation, and cached between runs (a SQLite file, a PostgreSQL database).

On top of the demo: 100,000 organizations, 10,000 coalitions with one open letter each,
100,000 sign-on decisions with 1,000,000 rows of decision history, and an event log of
`events` rows (every 20th one seen by the demo chair's organization). The demo's literacy
coalition grows to 200 members and 30 open letters, each with a decision per member.
"""

import json
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import make_url

from app import demo, migrate
from app.db import Database, build_engine
from app.ids import new_id
from app.models import (
    Activity,
    Coalition,
    DecisionChange,
    Event,
    EventAudience,
    Membership,
    Organization,
    OrganizationUser,
    SignOnDecision,
    User,
)
from app.services import accounts
from app.settings import Settings

ORGANIZATIONS = 100_000
COALITIONS = 10_000
DECISIONS_PER_LETTER = 10
CHANGES_PER_DECISION = 10
BIG_COALITION_MEMBERS = 200
BIG_COALITION_LETTERS = 30
CHAIR = "dana@statepta.example.org"
CHUNK = 20_000
# Bump when the shape of the data set (or what it needs from the schema) changes.
DATA_VERSION = 3


@dataclass
class BenchData:
    """What the load generator needs to know about a data set."""

    url: str
    token: str
    organization_ids: list[str]
    coalition_id: str
    activity_id: str
    events: int

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self)))

    @classmethod
    def load(cls, path: Path) -> "BenchData":
        return cls(**json.loads(path.read_text()))


def prepare(url: str, *, events: int, key_file: Path) -> BenchData:
    """The data set at `url`, built once: a later run with the same schema reuses it."""
    stamp = f"{DATA_VERSION}:{migrate_head()}:{events}"
    marker = key_file.with_suffix(".stamp")
    if key_file.exists() and marker.exists() and marker.read_text() == stamp:
        return BenchData.load(key_file)
    _drop(url)
    migrate.upgrade(url)
    data = _build(url, events)
    data.save(key_file)
    marker.write_text(stamp)
    return data


def migrate_head() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(migrate.alembic_config()).get_current_head() or ""


def _drop(url: str) -> None:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    server = parsed.set(database="postgres").render_as_string(hide_password=False)
    admin = build_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    admin.dispose()


def _build(url: str, events: int) -> BenchData:
    database = Database(build_engine(url))
    with database.session() as session:
        demo.seed(session, Settings(database_url=url))
    rng = random.Random(14)  # noqa: S311 (a repeatable data set, not a secret)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    engine = database.bind
    with engine.connect() as conn:
        chair = conn.execute(select(User.id).where(User.email == CHAIR)).scalar_one()
        chair_org = conn.execute(
            select(OrganizationUser.organization_id).where(OrganizationUser.user_id == chair)
        ).scalar_one()
        coalition_id = conn.execute(
            select(Coalition.id).where(Coalition.convener_organization_id == chair_org).limit(1)
        ).scalar_one()
        org_ids = [new_id("org") for _ in range(ORGANIZATIONS)]
        _insert(
            conn,
            Organization.__table__,
            (_organization(i, oid, now) for i, oid in enumerate(org_ids)),
        )
        coalition_ids = [new_id("coa") for _ in range(COALITIONS)]
        _insert(
            conn,
            Coalition.__table__,
            (_coalition(cid, rng.choice(org_ids), now) for cid in coalition_ids),
        )
        letters = [(new_id("act"), cid) for cid in coalition_ids]
        _insert(conn, Activity.__table__, (_letter(aid, cid, now) for aid, cid in letters))
        decisions = [
            (new_id("sgn"), aid, oid)
            for aid, _ in letters
            for oid in rng.sample(org_ids, DECISIONS_PER_LETTER)
        ]
        _insert(conn, SignOnDecision.__table__, (_decision(d, a, o, now) for d, a, o in decisions))
        _insert(
            conn,
            DecisionChange.__table__,
            (
                _change(decision_id, n, now)
                for decision_id, _, _ in decisions
                for n in range(CHANGES_PER_DECISION)
            ),
        )
        _grow_coalition(conn, coalition_id, org_ids[:BIG_COALITION_MEMBERS], now)
        _event_log(conn, events, chair_org, org_ids, rng, now)
        activity_id = conn.execute(
            select(Activity.id)
            .where(Activity.coalition_id == coalition_id)
            .order_by(Activity.id.desc())  # type: ignore[attr-defined]
            .limit(1)
        ).scalar_one()
    with database.session() as session:
        principal = accounts.principal_for(session, session.get(User, chair))  # type: ignore[arg-type]
        _, token = accounts.create_token(session, principal, name="bench")
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return BenchData(
        url=url,
        token=token,
        organization_ids=rng.sample(org_ids, 2000),
        coalition_id=coalition_id,
        activity_id=activity_id,
        events=events,
    )


def _grow_coalition(conn: Any, coalition_id: str, members: list[str], now: datetime) -> None:
    _insert(
        conn,
        Membership.__table__,
        (
            {
                "id": new_id("mem"),
                "coalition_id": coalition_id,
                "organization_id": oid,
                "status": "joined",
                "engagement": "supporter",
                "roles": [],
                "commitment_hours_per_month": 2.0,
                "game_plan": "case_by_case",
                "joined_at": now,
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
            for oid in members
        ),
    )
    letters = [new_id("act") for _ in range(BIG_COALITION_LETTERS)]
    _insert(conn, Activity.__table__, (_letter(aid, coalition_id, now) for aid in letters))
    _insert(
        conn,
        SignOnDecision.__table__,
        (_decision(new_id("sgn"), aid, oid, now) for aid in letters for oid in members),
    )


def _event_log(
    conn: Any,
    count: int,
    chair_org: str,
    org_ids: list[str],
    rng: random.Random,
    now: datetime,
) -> None:
    start = conn.execute(select(func.max(Event.position))).scalar_one() or 0
    ids = [new_id("evt") for _ in range(count)]
    positions = range(start + 1, start + 1 + count)
    # A small txid: settled long ago on PostgreSQL; SQLite's events all carry 0.
    txid = 1 if conn.dialect.name == "postgresql" else 0
    _insert(
        conn,
        Event.__table__,
        (
            {
                "id": eid,
                "txid": txid,
                "position": position,
                "type": "signon.decision_changed",
                "occurred_at": now + timedelta(seconds=n),
                "coalition_id": None,
                "actor_user_id": None,
                # The shape decisions.py emits, so the pages can describe every event.
                "data": {
                    "activity_id": f"act_{n}",
                    "coalition_id": None,
                    "organization_id": org_ids[n % len(org_ids)],
                    "from": "pending",
                    "to": "signed",
                    "comment": None,
                    "asked": False,
                },
                "shared_data": None,
            }
            for n, (eid, position) in enumerate(zip(ids, positions, strict=True))
        ),
    )

    def audience() -> Iterator[dict[str, Any]]:
        for n, (eid, position) in enumerate(zip(ids, positions, strict=True)):
            seen_by = {rng.choice(org_ids)} | ({chair_org} if n % 20 == 0 else set())
            for oid in seen_by:
                yield _audience(eid, oid, txid, position)

    _insert(conn, EventAudience.__table__, audience())
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT setval('event_position_seq', :p)"), {"p": start + count + 1})
        conn.commit()


def _audience(event_id: str, organization_id: str, txid: int, position: int) -> dict[str, Any]:
    row: dict[str, Any] = {"event_id": event_id, "organization_id": organization_id, "full": True}
    columns = EventAudience.__table__.c  # type: ignore[attr-defined]
    if "position" in columns:
        row |= {"txid": txid, "position": position}
    return row


def _organization(n: int, oid: str, now: datetime) -> dict[str, Any]:
    return {
        "id": oid,
        "name": f"Organization {n}",
        "kind": "nonprofit",
        "website": None,
        "description": "A member of the bench data set.",
        "staff_count": n % 20,
        "volunteer_count": n % 50,
        "expertise": ["literacy", "testimony"],
        "communities": ["families"],
        "version": 1,
        "created_at": now,
        "updated_at": now,
        "deleted_at": None,
    }


def _coalition(cid: str, convener: str, now: datetime) -> dict[str, Any]:
    return {
        "id": cid,
        "name": f"Coalition {cid[-6:]}",
        "unifying_issue": "Fund early literacy",
        "policy_goal": None,
        "description": None,
        "issue_area_ids": [],
        "issue_positions": [],
        "status": "active",
        "decision_rule": "consensus",
        "quorum": 0.5,
        "allowed_activity_kinds": [],
        "dues_amount": 0.0,
        "convener_organization_id": convener,
        "visibility": "private",
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def _letter(aid: str, cid: str, now: datetime) -> dict[str, Any]:
    return {
        "id": aid,
        "coalition_id": cid,
        "kind": "sign_on_letter",
        "title": f"Letter {aid[-6:]}",
        "body": "Dear committee, we write in support of early literacy funding.",
        "target": "Education committee",
        "scheduled_at": None,
        "sign_on_deadline": now + timedelta(days=400),
        "issue_area_ids": [],
        "issue_positions": [],
        "collects_signatures": True,
        "status": "open",
        "opened_at": now,
        "closed_at": None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def _decision(did: str, aid: str, oid: str, now: datetime) -> dict[str, Any]:
    return {
        "id": did,
        "activity_id": aid,
        "organization_id": oid,
        "status": "pending",
        "comment": None,
        "decided_at": None,
        "decided_by": None,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def _change(decision_id: str, n: int, now: datetime) -> dict[str, Any]:
    statuses = ("pending", "in_approval", "signed", "withdrawn")
    return {
        "id": new_id("dch"),
        "decision_id": decision_id,
        "actor_user_id": None,
        "from_status": statuses[n % 4],
        "to_status": statuses[(n + 1) % 4],
        "comment": None,
        "created_at": now + timedelta(minutes=n),
    }


def _insert(conn: Any, table: Table, rows: Any) -> None:
    # A commit per chunk: on PostgreSQL a transaction left open for minutes would hold back
    # every event follower on the server (the horizon is the oldest transaction in flight).
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            conn.execute(table.insert(), chunk)
            conn.commit()
            chunk = []
    if chunk:
        conn.execute(table.insert(), chunk)
        conn.commit()
