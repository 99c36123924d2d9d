"""The worker closes proposals at closes_at, exactly once even with two workers."""

import threading
from datetime import timedelta

from sqlmodel import select

from app.models import Event, Notification
from app.schemas.proposals import ProposalCreate
from app.services import proposals
from app.settings import get_settings
from app.worker import Worker
from tests.conftest import SETUP, World


def test_two_workers_close_each_proposal_once_and_remind_the_silent(committed, clock):
    _, database = committed
    world = World(database)
    dana = world.user("dana")
    lead = world.organization(dana, name="State PTA")
    sam = world.user("sam")
    member = world.organization(sam, name="Union")
    coalition = world.coalition(lead)
    world.join(coalition, member)
    with database.session() as session:
        ids = [
            proposals.create_proposal(
                session, SETUP, coalition.id, ProposalCreate(title=f"P{n}")
            ).id
            for n in range(5)
        ]
    clock.shift(timedelta(days=6, hours=1))  # within a day of closing
    Worker(database, get_settings()).run_once()
    with database.session() as session:
        reminders = session.exec(
            select(Notification).where(Notification.kind == "proposal_closing_soon")
        ).all()
    assert sorted(n.user_id for n in reminders) == sorted([dana.id, sam.id] * 5)

    clock.shift(timedelta(days=1))
    workers = [Worker(database, get_settings()) for _ in range(2)]
    barrier = threading.Barrier(2)

    def run(worker):
        barrier.wait()
        worker.run_once()

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with database.session() as session:
        closed = session.exec(select(Event).where(Event.type == "proposal.closed")).all()
        statuses = {proposals.get_proposal(session, SETUP, pid)["status"] for pid in ids}
    assert statuses == {"closed"}
    assert sorted(e.data["proposal_id"] for e in closed) == sorted(ids)
