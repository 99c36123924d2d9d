"""`make bench`: Coalesce's organization list against bare Starlette + sqlite3 on the same data.

Each server runs as its own uvicorn process; one async load generator drives it with
a fixed concurrency for a fixed time and reports requests/s and latency percentiles.
"""

import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from app import migrate
from app.db import Database, build_engine
from app.models.organizations import OrganizationKind
from app.principal import Principal
from app.schemas.organizations import OrganizationCreate
from app.services import accounts, organizations

ROWS = 1_000
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "16"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "5"))
PATH = "/api/v1/organizations?limit=50"


def seed(url: str) -> str:
    database = Database(build_engine(url))
    with database.session() as session:
        # The rows belong to someone else: the caller is an ordinary member of two.
        owner = accounts.create_user(session, email="owner@example.org", name="Owner")
        user = accounts.create_user(session, email="bench@example.org", name="Bench")
        for n in range(ROWS):
            creator = user if n < 2 else owner
            organizations.create_organization(
                session,
                Principal(user_id=creator.id, email=creator.email),
                OrganizationCreate(
                    name=f"Organization {n}",
                    kind=OrganizationKind.nonprofit,
                    staff_count=n % 20,
                    expertise=["literacy", "testimony"],
                    communities=["families"],
                ),
            )
        principal = accounts.principal_for(session, user)
        _, token = accounts.create_token(session, principal, name="bench")
    return token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(target: list[str], env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [sys.executable, "-m", "uvicorn", *target, "--port", str(port), "--log-level", "warning"],
        env={**os.environ, **env},
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(f"{base}/healthz", timeout=0.5)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    return process, base


async def load(base: str, headers: dict[str, str]) -> dict[str, float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + SECONDS
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits) as client:
        assert (await client.get(PATH)).status_code == 200

        async def user() -> None:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get(PATH)
                response.raise_for_status()
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(user() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "bench.db"
        url = f"sqlite:///{path}"
        migrate.upgrade(url)
        token = seed(url)
        results = {}
        runs = [
            ("bare Starlette + sqlite3", ["bench.baseline:app"], {}),
            ("Coalesce", ["app.main:serve_app", "--factory"], {"Authorization": f"Bearer {token}"}),
        ]
        env = {
            "BENCH_SQLITE_PATH": str(path),
            "COALESCE_DATABASE_URL": url,
            "COALESCE_LOG_LEVEL": "WARNING",
        }
        for name, target, headers in runs:
            process, base = start(target, env)
            try:
                results[name] = asyncio.run(load(base, headers))
            finally:
                process.terminate()
                process.wait()
    baseline = results["bare Starlette + sqlite3"]["rps"]
    print(f"\nGET {PATH} over {ROWS} rows, {CONCURRENCY} concurrent clients, {SECONDS:.0f} s each")
    print(f"{'server':<28}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'vs bare':>10}")
    for name, r in results.items():
        share = r["rps"] / baseline * 100
        print(f"{name:<28}{r['rps']:>10.0f}{r['p50']:>10.1f}{r['p99']:>10.1f}{share:>9.0f}%")


if __name__ == "__main__":
    main()
