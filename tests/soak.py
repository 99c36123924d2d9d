"""Several processes on one PostgreSQL, proven: two `coalesce serve` processes without
in-process workers, two `coalesce worker` processes, clients signing, approving, voting
and testing webhooks against both servers, then every promise checked.

    python -m tests.soak [--rounds N] [--members M]      (`make soak`)

Needs COALESCE_TEST_POSTGRES_URL (any database on the server; a fresh one is made).
"""

import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlmodel import select

from app import migrate
from app.db import Database, build_engine
from app.models import Event, WebhookAttempt, WebhookDelivery, WebhookSubscription
from app.schemas.activities import ApprovalProcessPut, ApprovalStepIn
from app.schemas.webhooks import WebhookCreate
from app.services import approvals, webhooks
from app.settings import Settings
from tests.conftest import SETUP, TEST_SECRET, World
from tests.databases import fresh_database_url
from tests.live import free_port
from tests.receiver import Receiver, running_receiver

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "soak-password-1"


@dataclass
class Member:
    organization_id: str
    admin: dict[str, str]
    approver: dict[str, str] | None  # None: signs without an approval process
    webhook_id: str = ""
    secret: str = ""


@dataclass
class Report:
    requests: int = 0
    server_errors: list[str] = field(default_factory=list)
    events: int = 0
    deliveries: int = 0
    requests_received: int = 0
    retries: int = 0
    followed: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"soak: {self.requests} requests in {self.seconds:.1f} s, {len(self.server_errors)} 5xx; "
            f"{self.events} events, {self.deliveries} deliveries, {self.requests_received} "
            f"webhook requests ({self.retries} retries); follower saw {self.followed}"
        )


class Clients:
    """Requests spread over the servers in turn; every answer is counted."""

    def __init__(self, bases: list[str], report: Report) -> None:
        self._clients = [httpx.Client(base_url=b, timeout=30) for b in bases]
        self._turn = itertools.cycle(range(len(bases)))
        self._lock = threading.Lock()
        self.report = report

    def call(self, method: str, path: str, headers: dict, json: dict | None = None) -> dict:
        with self._lock:
            client = self._clients[next(self._turn)]
            self.report.requests += 1
        response = client.request(method, path, headers=headers, json=json)
        if response.status_code >= 500:
            with self._lock:
                self.report.server_errors.append(f"{method} {path}: {response.status_code}")
        response.raise_for_status()
        return response.json() if response.content else {}

    def close(self) -> None:
        for client in self._clients:
            client.close()


def _environment(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "COALESCE_DATABASE_URL": url,
        "COALESCE_SECRET_KEY": TEST_SECRET,
        "COALESCE_ENVIRONMENT": "test",
        "COALESCE_WEBHOOK_ALLOW_PRIVATE_URLS": "true",
        "COALESCE_WEBHOOK_RETRY_SCHEDULE": "0,1,1,1,1,1",
        "COALESCE_WORKER_POLL_SECONDS": "0.2",
        # Clients here hammer two servers from one address on purpose.
        "COALESCE_RATE_LIMIT_PER_MINUTE": "0",
        "COALESCE_RATE_LIMIT_PER_CLIENT_PER_MINUTE": "0",
        "COALESCE_LOG_LEVEL": "WARNING",
    }


@contextmanager
def processes(url: str) -> Iterator[list[str]]:
    """Two web processes and two workers; yields the web addresses."""
    coalesce = [sys.executable, "-m", "app.cli"]
    ports = [free_port(), free_port()]
    commands = [[*coalesce, "serve", "--no-worker", "--port", str(port)] for port in ports] + [
        [*coalesce, "worker"]
    ] * 2
    started = [subprocess.Popen(command, cwd=ROOT, env=_environment(url)) for command in commands]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        deadline = time.monotonic() + 30
        for base in bases:
            while True:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{base} did not start")
                time.sleep(0.1)
        yield bases
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait(timeout=15)


def _seed(database: Database, receiver: Receiver, members: int) -> tuple[dict, list[Member]]:
    world = World(database)
    lead_admin = world.user("chair", password=PASSWORD)
    lead = world.organization(lead_admin, name="State PTA")
    coalition = world.coalition(lead)
    root = world.user("root", platform_admin=True)
    crowd = []
    for n in range(members):
        admin = world.user(f"admin{n}")
        organization = world.organization(admin, name=f"Member {n}", kind="nonprofit")
        approver = None
        if n % 2 == 0:  # half of them need their committee and board first
            approver = world.member(organization, "approver")
            steps = [
                ApprovalStepIn(name="Committee", approver_role="approver", expected_days=3),
                ApprovalStepIn(name="Board", approver_role="admin", expected_days=5),
            ]
            with database.session() as session:
                approvals.put_process(
                    session, SETUP, organization.id, None, ApprovalProcessPut(steps=steps)
                )
        world.join(coalition, organization)
        crowd.append(
            Member(
                organization.id,
                world.headers(admin),
                world.headers(approver) if approver else None,
            )
        )
    settings = Settings(environment="test", secret_key=TEST_SECRET, webhook_allow_private_urls=True)
    with database.session() as session:
        for member in crowd:
            subscription, secret = webhooks.create_subscription(
                session,
                SETUP,
                WebhookCreate(
                    url=f"{receiver.url}/{member.organization_id}",
                    event_types=["*"],
                    organization_id=member.organization_id,
                ),
                settings=settings,
            )
            member.webhook_id, member.secret = subscription.id, secret
    people = {
        "lead": world.headers(lead_admin),
        "lead_user": lead_admin,
        "root": world.headers(root),
        "coalition_id": coalition.id,
    }
    return people, crowd


def _member_round(clients: Clients, activity_id: str, proposal_id: str, member: Member) -> None:
    org = member.organization_id
    if member.approver:
        pending = clients.call(
            "GET", f"/api/v1/organizations/{org}/approvals?status=in_progress", member.admin
        )["items"]
        approval = next(a for a in pending if a["activity_id"] == activity_id)
        decide = f"/api/v1/approvals/{approval['id']}/decision"
        clients.call("POST", decide, member.approver, {"action": "approve", "step": 1})
        clients.call("POST", decide, member.admin, {"action": "approve", "step": 2})
    else:
        clients.call(
            "PUT", f"/api/v1/activities/{activity_id}/decisions/{org}", member.admin,
            {"status": "signed"},
        )  # fmt: skip
    clients.call(
        "POST", f"/api/v1/proposals/{proposal_id}/votes", member.admin,
        {"organization_id": org, "choice": "yes"},
    )  # fmt: skip
    clients.call("POST", f"/api/v1/webhooks/{member.webhook_id}/test", member.admin)


def _follow(clients: Clients, headers: dict, seen: list[str], stop: threading.Event) -> None:
    cursor = None
    while not stop.is_set():
        query = f"?limit=50&after={cursor}" if cursor else "?limit=50"
        page = clients.call("GET", f"/api/v1/events{query}", headers)
        seen.extend(item["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if not page["items"]:
            time.sleep(0.05)


def _cookie_crosses(bases: list[str], email: str) -> bool:
    """Signed in on one process, recognised by the other."""
    with httpx.Client(base_url=bases[0]) as first:
        form = first.get("/login").text
        token = form.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        first.post(
            "/login", data={"email": email, "password": PASSWORD, "csrf_token": token, "next": "/"}
        )
        cookies = first.cookies
    with httpx.Client(base_url=bases[1], cookies=cookies) as second:
        answer = second.get("/", follow_redirects=False)
    return answer.status_code == 200 and "<h1" in answer.text


def run(url: str, rounds: int, members: int) -> Report:
    """The whole soak on the database at `url` (migrated here)."""
    migrate.upgrade(url)
    engine = build_engine(url)
    database = Database(engine)
    report = Report()
    with ExitStack() as stack:
        receiver = stack.enter_context(running_receiver())
        receiver.answers.extend([503, 500, 503])  # a few failures: retries must follow
        people, crowd = _seed(database, receiver, members)
        bases = stack.enter_context(processes(url))
        clients = Clients(bases, report)
        stack.callback(clients.close)
        started = time.monotonic()
        followed: list[str] = []
        stop = threading.Event()
        follower = threading.Thread(
            target=_follow, args=(clients, people["root"], followed, stop), daemon=True
        )
        follower.start()
        coalition = people["coalition_id"]
        with ThreadPoolExecutor(max_workers=8) as pool:
            for n in range(rounds):
                activity = clients.call(
                    "POST", f"/api/v1/coalitions/{coalition}/activities", people["lead"],
                    {"kind": "sign_on_letter", "title": f"Fund tutors {n}"},
                )  # fmt: skip
                clients.call("POST", f"/api/v1/activities/{activity['id']}/open", people["lead"])
                proposal = clients.call(
                    "POST", f"/api/v1/coalitions/{coalition}/proposals", people["lead"],
                    {"title": f"Endorse the budget {n}"},
                )  # fmt: skip
                list(
                    pool.map(
                        lambda m, a=activity["id"], p=proposal["id"]: _member_round(
                            clients, a, p, m
                        ),
                        crowd,
                    )
                )
        if not _cookie_crosses(bases, people["lead_user"].email):
            report.problems.append("a session cookie of one process was refused by the other")
        _settle(database, followed, report)
        stop.set()
        follower.join(timeout=10)
        report.seconds = time.monotonic() - started
        _check(database, receiver, crowd, followed, report)
    engine.dispose()
    return report


def _settle(database: Database, followed: list[str], report: Report) -> None:
    """Wait until every delivery is done and the follower has read the whole log."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with database.session() as session:
            pending = session.exec(
                select(WebhookDelivery.id).where(WebhookDelivery.status == "pending")
            ).first()
            events = set(session.exec(select(Event.id)))
        if pending is None and events <= set(followed):
            return
        time.sleep(0.2)
    report.problems.append("deliveries or the follower did not finish within 120 s")


def _check(
    database: Database, receiver: Receiver, crowd: list[Member], followed: list[str], report: Report
) -> None:
    with database.session() as session:
        events = set(session.exec(select(Event.id)))
        deliveries = session.exec(
            select(WebhookDelivery, WebhookSubscription).join(
                WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id
            )
        ).all()
        attempts = Counter(a.delivery_id for a in session.exec(select(WebhookAttempt)))
        successes = Counter(
            a.delivery_id
            for a in session.exec(select(WebhookAttempt).where(WebhookAttempt.status_code == 200))
        )
    secrets = {m.organization_id: m.secret for m in crowd}
    arrived = Counter(
        (r.path.rsplit("/", 1)[-1], r.headers["webhook-id"]) for r in receiver.received
    )
    report.events, report.deliveries = len(events), len(deliveries)
    report.requests_received = len(receiver.received)
    report.retries = sum(attempts.values()) - len(deliveries)
    report.followed = len(followed)
    for delivery, subscription in deliveries:
        key = (subscription.organization_id, delivery.event_id)
        if delivery.status != "succeeded":
            report.problems.append(f"delivery {delivery.id} ended {delivery.status}")
        if successes[delivery.id] != 1:
            report.problems.append(
                f"delivery {delivery.id} succeeded {successes[delivery.id]} times"
            )
        if arrived[key] != attempts[delivery.id]:
            report.problems.append(
                f"{key}: {arrived[key]} requests arrived for {attempts[delivery.id]} attempts"
            )
    for received in receiver.received:
        received.verify(secrets[received.path.rsplit("/", 1)[-1]])
    if set(followed) != events:
        report.problems.append(f"the follower missed {len(events - set(followed))} events")
    if len(followed) != len(set(followed)):
        report.problems.append("the follower saw an event twice")
    if report.server_errors:
        report.problems.append(f"{len(report.server_errors)} server errors")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--members", type=int, default=6)
    arguments = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as directory,
        fresh_database_url("postgresql", Path(directory)) as url,
    ):
        report = run(url, arguments.rounds, arguments.members)
    print(report.line())
    for problem in report.problems:
        print("  problem:", problem)
    sys.exit(1 if report.problems else 0)


if __name__ == "__main__":
    main()
