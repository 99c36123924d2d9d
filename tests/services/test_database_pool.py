"""PostgreSQL's connections are shared by every process of a deployment: however many
processes serve, their pools together stay within the connection budget."""

import pytest

from app.db import engine_for
from app.settings import Settings

URL = "postgresql+psycopg://coalesce@127.0.0.1:5432/coalesce"  # never connected to


def _pool(processes: int, budget: int = 80) -> tuple[int, int]:
    settings = Settings(
        database_url=URL, database_processes=processes, database_connection_budget=budget
    )
    pool = engine_for(settings).pool
    return pool.size(), pool._max_overflow  # type: ignore[attr-defined]


def test_one_process_keeps_ten_open_and_thirty_at_most() -> None:
    assert _pool(1) == (10, 20)


@pytest.mark.parametrize(
    ("processes", "expected"), [(2, (10, 20)), (3, (8, 18)), (4, (6, 14)), (8, (3, 7))]
)
def test_processes_share_the_budget(processes: int, expected: tuple[int, int]) -> None:
    size, overflow = _pool(processes)
    assert (size, overflow) == expected
    assert processes * (size + overflow) <= 80


def test_a_smaller_budget_gives_each_process_less() -> None:
    size, overflow = _pool(4, budget=40)
    assert (size, overflow) == (3, 7)
    assert 4 * (size + overflow) <= 40
