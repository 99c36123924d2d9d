"""Events that stand alone, against a live server: a chat bot writes its messages from the
webhook payloads alone, and a follower of /api/v1/events applies every change once, in
version order, dropping the stale copies that arrive late."""

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import time_machine
from sqlmodel import select

from app.main import create_app
from app.models import EventAudience
from app.settings import Settings, get_settings
from app.worker import Worker
from tests.conftest import TEST_SECRET, World
from tests.live import serve_in_thread
from tests.receiver import Received, running_receiver

DECIDED = {"signed", "declined", "abstained"}


def chat_line(data: dict[str, Any]) -> str:
    """What a chat bot posts for a sign-on decision, from the event's data alone."""
    decision, tally = data["object"], data["object"]["tally"]
    return (
        f"{decision['organization_name']} {decision['status']} '{decision['activity_title']}' "
        f"({tally['signed']} of {tally['asked']} signed)"
    )


class Follower:
    """Keeps the newest copy of each object: a repeat (same event) or an older version of
    an object it holds already is dropped, so arrival order does not matter."""

    def __init__(self) -> None:
        self.applied: list[str] = []
        self.stale: list[str] = []
        self.version: dict[str, int] = {}
        self.votes: dict[tuple[str, str], str] = {}
        self.tallies: dict[str, dict[str, int]] = {}

    def apply(self, data: dict[str, Any]) -> None:
        if data["event_id"] in self.applied or data["event_id"] in self.stale:
            return
        key = data["object"]["id"]
        if data["version"] < self.version.get(key, 0):
            self.stale.append(data["event_id"])
            return
        self.version[key] = data["version"]
        self.applied.append(data["event_id"])
        if data["type"] == "proposal.vote_cast":
            # The proposal's version moves with every vote: the newest vote wins.
            self.votes[(key, data["organization_id"])] = data["to"]
            self.tallies[key] = data["object"]["tally"]


def _worker_round(database: Any) -> None:
    Worker(database, get_settings()).run_once()


def _verified(received: list[Received], secret: str) -> list[dict[str, Any]]:
    return [r.verify(secret)["data"] for r in received]


def test_a_chat_bot_and_a_follower_need_nothing_but_the_events(committed):
    url, database = committed
    world = World(database)
    admins = {key: world.user(key) for key in ("dana", "rita", "hal", "olga", "faith")}
    names = {"dana": "State PTA", "rita": "Riverside PTA", "hal": "Hill Teachers Union",
             "olga": "Oak Tutoring", "faith": "Faith Council"}  # fmt: skip
    orgs = {key: world.organization(admins[key], name=names[key]) for key in admins}
    coalition = world.coalition(orgs["dana"], decision_rule="consensus")
    for key in ("rita", "hal", "olga", "faith"):
        world.join(coalition, orgs[key])
    h = {key: world.headers(user) for key, user in admins.items()}
    app = create_app(
        Settings(
            environment="test",
            database_url=url,
            secret_key=TEST_SECRET,
            webhook_allow_private_urls=True,
        ),
        database=database,
    )
    with serve_in_thread(app) as base, running_receiver() as receiver:
        api = httpx.Client(base_url=f"{base}/api/v1", timeout=10)
        hook = api.post("/webhooks", headers=h["dana"], json={
            "url": receiver.url, "organization_id": orgs["dana"].id,
            "event_types": ["signon.decision_changed", "proposal.vote_cast"],
        }).json()  # fmt: skip
        deadline = (datetime.now(UTC) + timedelta(days=7)).isoformat()
        letter = api.post(f"/coalitions/{coalition.id}/activities", headers=h["dana"], json={
            "kind": "sign_on_letter", "title": "Fund tutors", "sign_on_deadline": deadline,
        }).json()  # fmt: skip
        assert api.post(f"/activities/{letter['id']}/open", headers=h["dana"]).status_code == 200
        for key, status in (("rita", "signed"), ("hal", "signed"), ("olga", "declined"),
                            ("faith", "signed")):  # fmt: skip
            decided = api.put(f"/activities/{letter['id']}/decisions/{orgs[key].id}",
                              headers=h[key], json={"status": status})  # fmt: skip
            assert decided.status_code == 200, decided.text
        _worker_round(database)

        # The bot: one message per decision, each with the tally as of that decision.
        decisions = _verified(receiver.received, hook["secret"])
        lines = [chat_line(d) for d in decisions if d["object"]["status"] in DECIDED]
        assert sorted(lines) == sorted([
            "Riverside PTA signed 'Fund tutors' (1 of 5 signed)",
            "Hill Teachers Union signed 'Fund tutors' (2 of 5 signed)",
            "Oak Tutoring declined 'Fund tutors' (2 of 5 signed)",
            "Faith Council signed 'Fund tutors' (3 of 5 signed)",
        ])  # fmt: skip
        assert {d["coalition_id"] for d in decisions} == {coalition.id}
        assert all(d["timestamp"].endswith("Z") for d in decisions)

        # A vote changes block → no → yes; the first copy fails and arrives last.
        proposal = api.post(f"/coalitions/{coalition.id}/proposals", headers=h["dana"], json={
            "title": "Testify at the hearing", "closes_at": deadline,
        }).json()  # fmt: skip
        before = len(receiver.received)

        def vote(choice: str) -> None:
            cast = api.post(f"/proposals/{proposal['id']}/votes", headers=h["rita"], json={
                "organization_id": orgs["rita"].id, "choice": choice, "comment": "We talked",
            })  # fmt: skip
            assert cast.status_code == 200, cast.text

        vote("block")
        receiver.answers.append(500)
        _worker_round(database)  # block: refused by the receiver, retried in 5 seconds
        vote("no")
        vote("yes")
        _worker_round(database)  # no and yes
        with time_machine.travel(datetime.now(UTC) + timedelta(seconds=30)):
            _worker_round(database)  # block again, last
        answered = [r for i, r in enumerate(receiver.received[before:]) if i > 0]
        arrived = _verified(answered, hook["secret"])
        assert [d["to"] for d in arrived][-1] == "block"  # delivered out of order
        bot = Follower()
        for data in arrived:
            bot.apply(data)
        assert bot.votes[(proposal["id"], orgs["rita"].id)] == "yes"
        assert bot.tallies[proposal["id"]]["yes"] == 1 and bot.tallies[proposal["id"]]["block"] == 0

        # The follower of the log: every change once, in version order, even when a page is
        # read twice; the same events shuffled end in the same state.
        # On PostgreSQL the log holds back what commits after a transaction still open
        # anywhere on the server (another test's, say): the follower polls, as a real one
        # would, until it has seen every event written for its organization.
        with database.session() as session:
            written = set(
                session.exec(
                    select(EventAudience.event_id).where(
                        EventAudience.organization_id == orgs["dana"].id
                    )
                )
            )
        log: list[dict[str, Any]] = []
        cursor, previous = None, None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            params = {"limit": 3, **({"after": cursor} if cursor else {})}
            page = api.get("/events", headers=h["dana"], params=params).json()
            log += [item["data"] for item in page["items"]]
            if previous is not None and page["items"]:  # a poller that retried a page
                again = api.get(
                    "/events", headers=h["dana"], params={"limit": 3, "after": previous}
                )
                log += [item["data"] for item in again.json()["items"]]
            if not page["items"]:
                if {d["event_id"] for d in log} >= written:
                    break
                time.sleep(0.1)
                continue
            previous, cursor = cursor, page["next_cursor"]
        assert {d["event_id"] for d in log} >= written
        follower = Follower()
        for data in log:
            follower.apply(data)
        assert follower.stale == []
        assert len(follower.applied) == len({d["event_id"] for d in log})
        versions: dict[str, list[int]] = {}
        for data in {d["event_id"]: d for d in log}.values():  # in log order, once each
            versions.setdefault(data["object"]["id"], []).append(data["version"])
        assert all(v == sorted(v) for v in versions.values())
        late = Follower()
        for data in reversed(log):
            late.apply(data)
        assert late.votes == follower.votes == {(proposal["id"], orgs["rita"].id): "yes"}
        assert late.stale  # the older copies were dropped, not applied over the newer
