"""The soak in short: two web processes and two workers on one PostgreSQL database, every
promise checked (`make soak` runs the long version)."""

import pytest

from tests.databases import fresh_database_url
from tests.soak import run


@pytest.mark.postgres
def test_two_servers_and_two_workers_keep_every_promise(tmp_path):
    with fresh_database_url("postgresql", tmp_path) as url:
        report = run(url, rounds=3, members=4)
    print("\n" + report.line())
    assert report.problems == []
    assert report.server_errors == []
    assert report.deliveries > 0 and report.retries >= 3  # the receiver failed three times
    assert report.followed == report.events
