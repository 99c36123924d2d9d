"""A CRM keeping a copy of what the demo's advocacy chair sees, against a live server: a
full sync in a bounded number of calls, then only what changed."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from app import demo
from app.main import create_app
from app.services import accounts
from app.settings import Settings
from tests.conftest import TEST_SECRET
from tests.live import serve_in_thread

# Me, the coalitions with their members, the activities with their decisions and tallies,
# and the end of the event log to follow: four calls, whatever the number of coalitions.
FULL_SYNC_CALLS = 4
# What changed since: the coalitions and the activities, each with updated_since.
INCREMENTAL_SYNC_CALLS = 2
PAGE = 200
CHAIR = "dana@statepta.example.org"
PARTNER = "ellen@maplepta.example.org"  # Maple District PTA's president, in the chair's coalition


@dataclass
class Crm:
    """The integration: its own copy, and the calls it made to fill it."""

    http: httpx.Client
    calls: int = 0
    coalitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    activities: dict[str, dict[str, Any]] = field(default_factory=dict)
    events_cursor: str | None = None

    def get(self, path: str, **params: Any) -> Any:
        self.calls += 1
        response = self.http.get(path, params={k: v for k, v in params.items() if v is not None})
        assert response.status_code == 200, response.text
        return response.json()

    def pages(self, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        cursor = None
        while True:
            page = self.get(path, limit=PAGE, cursor=cursor, **params)
            yield from page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return

    def full_sync(self) -> None:
        self.get("/api/v1/me")
        self.pull()
        page = self.get("/api/v1/events", limit=PAGE)
        while len(page["items"]) == PAGE:  # follow to the end of the log
            page = self.get("/api/v1/events", limit=PAGE, after=page["next_cursor"])
        self.events_cursor = page["next_cursor"]

    def pull(self, since: str | None = None) -> None:
        for coalition in self.pages("/api/v1/coalitions", expand="members", updated_since=since):
            self.coalitions[coalition["id"]] = coalition
        for activity in self.pages(
            "/api/v1/activities", expand="decisions,tally", updated_since=since
        ):
            self.activities[activity["id"]] = activity

    def per_row_sync(self) -> None:
        """The same copy read without `expand`: a call per coalition and per activity."""
        own = {o["id"] for o in self.get("/api/v1/me")["organizations"]}
        for coalition in self.pages("/api/v1/coalitions"):
            members = list(self.pages(f"/api/v1/coalitions/{coalition['id']}/members"))
            self.coalitions[coalition["id"]] = {**coalition, "members": members}
            if not any(m["status"] == "joined" and m["organization_id"] in own for m in members):
                continue  # its activities are for its members
            for activity in self.pages(f"/api/v1/coalitions/{coalition['id']}/activities"):
                # The detail has the tally; the decisions are a list of their own.
                detail = self.get(f"/api/v1/activities/{activity['id']}")
                decisions = list(self.pages(f"/api/v1/activities/{activity['id']}/decisions"))
                self.activities[activity["id"]] = {**detail, "decisions": decisions}
        page = self.get("/api/v1/events", limit=PAGE)
        while len(page["items"]) == PAGE:
            page = self.get("/api/v1/events", limit=PAGE, after=page["next_cursor"])


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@pytest.fixture
def demo_server(committed, clock) -> Iterator[tuple[str, dict[str, dict[str, str]]]]:
    """The demo (`coalesce seed-demo`) served live; a token for the chair and one partner."""
    url, database = committed
    settings = Settings(environment="test", database_url=url, secret_key=TEST_SECRET)
    headers = {}
    with database.session() as session:
        demo.seed(session, settings)
        for email in (CHAIR, PARTNER):
            user = accounts.find_user(session, email)
            assert user is not None
            _, token = accounts.create_token(
                session, accounts.principal_for(session, user), name="CRM"
            )
            headers[email] = {"Authorization": f"Bearer {token}"}
    with serve_in_thread(create_app(settings, database=database)) as base_url:
        yield base_url, headers


def test_a_crm_syncs_the_chair_in_four_calls_then_sees_every_change(demo_server, clock):
    base_url, headers = demo_server
    partner = httpx.Client(base_url=base_url, headers=headers[PARTNER], timeout=30)
    with partner, httpx.Client(base_url=base_url, headers=headers[CHAIR], timeout=30) as http:
        before = Crm(http)
        before.per_row_sync()
        crm = Crm(http)
        crm.full_sync()
        assert crm.calls == FULL_SYNC_CALLS < before.calls
        # The same copy either way: every coalition with its members, every activity.
        assert crm.coalitions.keys() == before.coalitions.keys()
        for coalition_id, coalition in before.coalitions.items():
            expanded = {
                m["organization_id"]: m["status"] for m in crm.coalitions[coalition_id]["members"]
            }
            assert expanded == {m["organization_id"]: m["status"] for m in coalition["members"]}
        assert crm.activities.keys() == before.activities.keys() and crm.activities
        for activity_id, detail in before.activities.items():
            assert crm.activities[activity_id]["tally"] == detail["tally"]
            assert [
                (d["organization_id"], d["status"])
                for d in crm.activities[activity_id]["decisions"]
            ] == [(d["organization_id"], d["status"]) for d in detail["decisions"]]

        # An hour later a partner changes its decision on an open letter and the chair rewrites the
        # description of the coalition it leads.
        clock.shift(timedelta(hours=1))
        since = iso(datetime.now(UTC) - timedelta(minutes=1))
        maple = partner.get("/api/v1/me").json()["organizations"][0]["id"]
        letter = next(
            a for a in crm.activities.values()
            if a["status"] == "open" and any(d["organization_id"] == maple for d in a["decisions"])
        )  # fmt: skip
        was = next(d["status"] for d in letter["decisions"] if d["organization_id"] == maple)
        now = "signed" if was == "abstained" else "abstained"
        decided = partner.put(
            f"/api/v1/activities/{letter['id']}/decisions/{maple}",
            json={"status": now, "comment": "Decided at our meeting"},
        )
        assert decided.status_code == 200, decided.text
        chair_org = next(
            o["id"] for o in http.get("/api/v1/me").json()["organizations"] if o["role"] == "admin"
        )
        led = next(
            c for c in crm.coalitions.values()
            if any(m["organization_id"] == chair_org and m["engagement"] == "lead" for m in c["members"])
        )  # fmt: skip
        patched = http.patch(
            f"/api/v1/coalitions/{led['id']}", json={"description": "Now meeting monthly."}
        )
        assert patched.status_code == 200, patched.text

        crm.calls = 0
        crm.pull(since=since)
        assert crm.calls == INCREMENTAL_SYNC_CALLS
        assert crm.coalitions[led["id"]]["description"] == "Now meeting monthly."
        seen = {d["organization_id"]: d for d in crm.activities[letter["id"]]["decisions"]}
        assert seen[maple]["status"] == now
        assert crm.activities[letter["id"]]["tally"][now] == letter["tally"][now] + 1
        # The incremental sync read only what changed.
        changed = http.get(
            "/api/v1/activities", params={"updated_since": since, "limit": PAGE}
        ).json()["items"]
        assert [a["id"] for a in changed] == [letter["id"]]
        # Following the log from the end the full sync reached answers what came since
        # (on PostgreSQL once every older transaction of the server has ended).
        follow = http.get("/api/v1/events", params={"after": crm.events_cursor})
        assert follow.status_code == 200 and follow.json()["next_cursor"]
