"""Writers for the event-log order test, run as separate processes:

    python -m tests.event_writers DATABASE_URL ORGANIZATION_ID NAME [--late]

Each of several threads writes events in transactions of its own, pausing a little
inside each; with --late one more thread holds every transaction open for a second
after writing its event, so it commits well after events written later than its own.
"""

import random
import sys
import threading
import time

from sqlalchemy.exc import OperationalError

from app.db import Database, build_engine
from app.services import events

THREADS = 3
EVENTS_PER_THREAD = 15
LATE_EVENTS = 3


# SQLite's lock is not fair to a waiting writer: on a busy machine one may wait past the
# busy timeout while the others (and the late one, holding it a second) take turns. The
# transaction took the lock first (BEGIN IMMEDIATE), so nothing of it was written: try again.
ATTEMPTS = 5


def write(database: Database, organization_id: str, name: str, count: int, hold: float) -> None:
    rng = random.Random(name)
    for n in range(count):
        for attempt in range(ATTEMPTS):
            try:
                with database.session() as session:
                    events.emit(
                        session,
                        "webhook.test",
                        {"writer": name, "n": n},
                        visible_to={organization_id},
                    )
                    time.sleep(hold or rng.uniform(0, 0.02))
                break
            except OperationalError as error:
                if "database is locked" not in str(error) or attempt == ATTEMPTS - 1:
                    raise


def main() -> None:
    url, organization_id, name = sys.argv[1:4]
    late = "--late" in sys.argv[4:]
    database = Database(build_engine(url))
    threads = [
        threading.Thread(
            target=write, args=(database, organization_id, f"{name}-{t}", EVENTS_PER_THREAD, 0)
        )
        for t in range(THREADS)
    ]
    if late:
        threads.append(
            threading.Thread(
                target=write, args=(database, organization_id, f"{name}-late", LATE_EVENTS, 1.0)
            )
        )
    failed: list[BaseException] = []
    threading.excepthook = lambda hook: failed.append(hook.exc_value)  # type: ignore[misc]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failed:
        # The test counts what was written: a writer that gave up says so in its exit code.
        sys.exit(f"{len(failed)} writer thread(s) failed: {failed[0]!r}")


if __name__ == "__main__":
    main()
