"""Races on real commits: two approvers at once, two workers at once."""

import threading
from datetime import timedelta

import httpx
from sqlmodel import select

from app.main import create_app
from app.models import ApprovalStep, Event
from app.schemas.activities import ActivityCreate, ApprovalProcessPut, ApprovalStepIn
from app.services import activities, approvals
from app.settings import Settings
from app.worker import Worker
from tests.conftest import SETUP, TEST_SECRET, World
from tests.live import serve_in_thread


def _union_with_a_letter_campaign(world: World, steps: list[ApprovalStepIn]):
    admin = world.user("sam")
    union = world.organization(admin, name="Education Association", kind="union")
    approver = world.member(union, "approver")
    coalition = world.coalition(union)
    with world.database.session() as session:
        approvals.put_process(session, SETUP, union.id, None, ApprovalProcessPut(steps=steps))
    return admin, approver, union, coalition


def _open_letter(world: World, coalition_id: str, union_id: str, title: str) -> str:
    with world.database.session() as session:
        activity = activities.create_activity(
            session, SETUP, coalition_id, ActivityCreate(kind="sign_on_letter", title=title)
        )
        activities.open_activity(session, SETUP, activity.id)
        return approvals.list_for_organization(
            session, SETUP, union_id, status="in_progress", limit=200
        ).items[-1]["id"]


def test_two_concurrent_approvals_one_wins_fifty_times(committed):
    """Two approvers at once, and (every other round) one approver's double submit:
    each decision names step 1, so the second can never approve step 2 unseen."""
    url, database = committed
    world = World(database)
    steps = [
        ApprovalStepIn(name="Committee", approver_role="approver", expected_days=3),
        ApprovalStepIn(name="Board", approver_role="approver", expected_days=5),
    ]
    admin, approver, union, coalition = _union_with_a_letter_campaign(world, steps)
    tokens = [world.headers(admin), world.headers(approver)]
    double_submit = [tokens[1], tokens[1]]
    app = create_app(
        Settings(environment="test", database_url=url, secret_key=TEST_SECRET), database=database
    )
    outcomes = []
    losers: list[str] = []
    with serve_in_thread(app) as base, httpx.Client(base_url=base, timeout=30) as client:
        for round_ in range(50):
            approval_id = _open_letter(world, coalition.id, union.id, f"Letter {round_}")
            barrier = threading.Barrier(2)
            answers: list[httpx.Response] = []
            threads = [
                threading.Thread(target=_approve, args=(client, h, approval_id, barrier, answers))
                for h in (tokens if round_ % 2 == 0 else double_submit)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            statuses = [a.status_code for a in answers]
            losers.extend(a.json()["detail"] for a in answers if a.status_code == 409)
            state = client.get(f"/api/v1/approvals/{approval_id}", headers=tokens[0]).json()
            outcomes.append((sorted(statuses), state["step"]))
    assert outcomes == [([200, 409], 2)] * 50
    # How each loser lost: at the same moment (the conditional update) or just after.
    at_once = sum("a moment ago" in detail for detail in losers)
    print(
        f"\n{backend_of(url)}: {at_once} of 50 lost at the same moment, {50 - at_once} just after"
    )


def backend_of(url: str) -> str:
    return url.split(":", 1)[0].split("+", 1)[0]


def _approve(
    client: httpx.Client,
    headers: dict[str, str],
    approval_id: str,
    barrier: threading.Barrier,
    answers: list[httpx.Response],
) -> None:
    barrier.wait()
    answers.append(
        client.post(
            f"/api/v1/approvals/{approval_id}/decision",
            headers=headers,
            json={"action": "approve", "step": 1},
        )
    )


def test_two_workers_announce_each_overdue_step_once(committed, clock):
    _, database = committed
    world = World(database)
    steps = [ApprovalStepIn(name="Board", approver_role="admin", expected_days=1)]
    _, _, union, coalition = _union_with_a_letter_campaign(world, steps)
    for n in range(12):
        _open_letter(world, coalition.id, union.id, f"Letter {n}")
    clock.shift(timedelta(days=2))

    settings = Settings(environment="test", secret_key=TEST_SECRET)
    workers = [Worker(database, settings) for _ in range(2)]
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def run(worker: Worker) -> None:
        barrier.wait()
        for _ in range(3):
            counts.append(worker.run_once()["notice_overdue_steps"])

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with database.session() as session:
        overdue = session.exec(select(Event).where(Event.type == "approval.step_overdue")).all()
        noticed = session.exec(
            select(ApprovalStep).where(ApprovalStep.overdue_noticed_at.is_not(None))
        ).all()
    assert sum(counts) == 12
    assert len(overdue) == 12
    assert len({e.data["approval_id"] for e in overdue}) == 12
    assert len(noticed) == 12
