"""The worker's housekeeping, with a moved clock."""

from datetime import timedelta

import pytest
from sqlmodel import select

from app.errors import Unauthorized
from app.models import LoginFailure
from app.services import accounts
from app.worker import Worker


def test_run_once_forgets_old_failures_and_keys(client, database, settings, world, clock, session):
    user = world.user("dana", password="correct horse")
    with database.session() as s, pytest.raises(Unauthorized):
        accounts.authenticate(s, email=user.email, password="bad", address="ip", settings=settings)
    headers = {**world.headers(user), "Idempotency-Key": "one"}
    client.post("/api/v1/organizations", headers=headers, json={"name": "A", "kind": "pta"})

    worker = Worker(database, settings)
    first = worker.run_once()
    assert (first["forget_old_login_failures"], first["forget_old_idempotency_keys"]) == (0, 0)

    clock.shift(timedelta(hours=25))
    later = worker.run_once()
    assert (later["forget_old_login_failures"], later["forget_old_idempotency_keys"]) == (1, 1)
    assert session.exec(select(LoginFailure)).all() == []
