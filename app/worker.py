"""The background worker: runs due work in short transactions of its own.

`coalesce serve` starts it in a thread beside the web app; `coalesce worker` runs it
alone for scale-out. Every task is idempotent, so two workers running the same
task at once do no harm.
"""

import logging
import threading
from collections.abc import Callable
from functools import partial

from sqlmodel import Session

from app.api.idempotency import forget_old_keys
from app.api.rate_limits import forget_old_counts
from app.db import Database
from app.delivery import mail, webhooks
from app.services import account_links, proposals
from app.services.accounts import forget_old_login_failures
from app.services.approvals import notice_overdue_steps
from app.settings import Settings

log = logging.getLogger("coalesce.worker")

Task = Callable[[Session], int]
Round = Callable[[Database, Settings], int]


def tasks_for(settings: Settings) -> dict[str, Task]:
    """Tasks that fit in one short transaction."""
    return {
        "forget_old_login_failures": partial(forget_old_login_failures, settings=settings),
        "send_requested_links": partial(account_links.send_requested_links, settings=settings),
        "forget_old_link_requests": partial(
            account_links.forget_old_link_requests, settings=settings
        ),
        "forget_old_idempotency_keys": forget_old_keys,
        "forget_old_rate_limit_counts": forget_old_counts,
        "notice_overdue_steps": notice_overdue_steps,
        "close_due_proposals": proposals.close_due_proposals,
        "notice_proposals_closing_soon": proposals.notice_closing_soon,
        "release_stuck_emails": mail.release_stuck_emails,
    }


# Rounds talk to the outside world between transactions of their own.
ROUNDS: dict[str, Round] = {
    "deliver_webhooks": webhooks.deliver_due,
    "send_emails": mail.send_emails,
}


class Worker:
    def __init__(self, database: Database, settings: Settings) -> None:
        self.database = database
        self.settings = settings
        self.tasks = tasks_for(settings)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> dict[str, int]:
        """Run every task once; a failing task is logged and does not stop the others."""
        done: dict[str, int] = {}
        for name, task in self.tasks.items():
            try:
                with self.database.session() as session:
                    done[name] = task(session)
            except Exception:
                log.exception("task failed", extra={"fields": {"task": name}})
        for name, round_ in ROUNDS.items():
            try:
                done[name] = round_(self.database, self.settings)
            except Exception:
                log.exception("task failed", extra={"fields": {"task": name}})
        return done

    def run_forever(self) -> None:
        log.info("worker started")
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(self.settings.worker_poll_seconds)
        log.info("worker stopped")

    def start_in_thread(self) -> None:
        self._thread = threading.Thread(
            target=self.run_forever, name="coalesce-worker", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
