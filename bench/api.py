"""`make bench`: Coalesce's API reads against bare Starlette on the same data, with wrk.

For each backend (SQLite, and PostgreSQL when COALESCE_BENCH_POSTGRES_URL or
COALESCE_TEST_POSTGRES_URL names a server) and each number of processes, both servers
run on the same cached data set (bench/data.py); every request is measured with wrk
(2 threads, 32 connections, a Lua script choosing a random path from a list per request)
after a warm-up, the bare server and Coalesce alternating. The event list is measured on
a log of 10,000 and one of 1,000,000 events: the two should read the same. Pages are
measured at 32 connections and again at BENCH_PAGE_CONNECTIONS (4). Each row ends with
where the machine's CPU went while Coalesce was measured, in cores: its processes, the
database server's, wrk's, and idle.
"""

import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url

from app.demo import DEMO_PASSWORD
from app.pagination import encode_cursor
from bench.data import CHAIR, BenchData, prepare

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "2"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
# Pages are also measured as people open them, a few at a time: at 32 connections on one
# process a page's time is mostly its wait behind the 31 others.
PAGE_CONNECTIONS = int(os.environ.get("BENCH_PAGE_CONNECTIONS", "4"))
EVENTS_LARGE = int(os.environ.get("BENCH_EVENTS", "1000000"))
EVENTS_SMALL = 10_000
CACHE = Path(os.environ.get("BENCH_CACHE", "var/bench"))
BACKENDS = os.environ.get("BENCH_BACKENDS", "sqlite,postgresql").split(",")
# An optional filter: only requests whose name contains one of these words.
ONLY = [word for word in os.environ.get("BENCH_ONLY", "").split(",") if word]

LUA = """
local paths = {%(paths)s}
local auth = %(auth)s
local cookie = %(cookie)s
math.randomseed(os.time())
request = function()
  local headers = {}
  if auth ~= "" then headers["Authorization"] = auth end
  if cookie ~= "" then headers["Cookie"] = cookie end
  return wrk.format("GET", paths[math.random(#paths)], headers)
end
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
    + summary.errors.write + summary.errors.timeout
  local shape = '{"requests": %%d, "seconds": %%f, "p50": %%f, "p95": %%f, "p99": %%f, '
    .. '"errors": %%d}'
  io.write(string.format("BENCH " .. shape .. "\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(95) / 1e3, latency:percentile(99) / 1e3, errors))
end
"""


@dataclass
class Probe:
    """One request the table reports: its paths, whether the bare server answers it, and
    whether it is a page, asked for as the demo chair signed in (not with the API token)."""

    name: str
    paths: list[str]
    bare: bool = False
    page: bool = False
    connections: int = CONNECTIONS


def probes(data: BenchData, small: BenchData) -> list[tuple[Probe, BenchData]]:
    rng = random.Random(7)  # noqa: S311 (picking paths, not secrets)
    ids = data.organization_ids
    pages = [f"/api/v1/organizations?limit=50&cursor={encode_cursor(i)}" for i in ids[:1000]]
    by_id = [f"/api/v1/organizations/{i}" for i in ids[1000:]]

    def event_pages(events: int) -> list[str]:
        # Cursors anywhere in the log, as a follower far behind or up to date would send.
        return [
            f"/api/v1/events?limit=50&cursor={encode_cursor(f'0.{rng.randrange(events)}')}"
            for _ in range(500)
        ]

    return [
        (Probe("GET /healthz", ["/healthz"], bare=True), data),
        (Probe("GET /api/v1/organizations?limit=50&cursor=…", pages, bare=True), data),
        (Probe("GET /api/v1/organizations/{id}", by_id, bare=True), data),
        (Probe("GET /api/v1/coalitions/{id}", [f"/api/v1/coalitions/{data.coalition_id}"]), data),
        (Probe("GET /api/v1/activities/{id}", [f"/api/v1/activities/{data.activity_id}"]), data),
        (Probe("GET /api/v1/approvals", ["/api/v1/approvals?limit=50"]), data),
        (Probe(f"GET /api/v1/events, {small.events:,} events", event_pages(small.events)), small),
        (Probe(f"GET /api/v1/events, {data.events:,} events", event_pages(data.events)), data),
        # The pages the chair of the big coalition (200 members, 30 open letters) opens most.
        *(
            (Probe(f"page: {name}{suffix}", [path], page=True, connections=connections), data)
            for connections, suffix in (
                (CONNECTIONS, ""),
                (PAGE_CONNECTIONS, f", {PAGE_CONNECTIONS} conn."),
            )
            for name, path in (
                ("dashboard /", "/"),
                ("coalition", f"/coalitions/{data.coalition_id}"),
                ("activity", f"/activities/{data.activity_id}"),
            )
        ),
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One uvicorn serving `target` on a free port, with `processes` workers."""

    def __init__(self, target: list[str], url: str, processes: int) -> None:
        self.port = free_port()
        env = {
            **os.environ,
            "BENCH_DATABASE_URL": url,
            "COALESCE_DATABASE_URL": url,
            "COALESCE_LOG_LEVEL": "WARNING",
            # Counted as in production, so the bench pays for it, but never refused.
            "COALESCE_RATE_LIMIT_PER_MINUTE": "1000000000",
            "COALESCE_RATE_LIMIT_PER_CLIENT_PER_MINUTE": "1000000000",
        }
        command = [sys.executable, "-m", "uvicorn", *target, "--port", str(self.port)]
        command += ["--log-level", "warning", "--no-access-log"]
        if processes > 1:
            # As `coalesce serve --workers` runs them (see app/serving.py).
            command = [sys.executable, "-m", "bench.serve", target[0], str(self.port)]
            command += [str(processes), *target[1:]]
        # The servers' own output (errors, if any) goes to a log beside the data, not the table.
        self.log = (CACHE / "servers.log").open("a")
        self.process = subprocess.Popen(  # noqa: S603 (our own interpreter)
            command, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(200):
            try:
                httpx.get(f"{self.base}/healthz", timeout=0.5)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"{target} did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()
        self.log.close()


def page_cookie(base: str) -> str:
    """The browser session cookie of the demo chair, signed in through the login form."""
    with httpx.Client(base_url=base, timeout=30) as client:
        form = client.get("/login").text
        match = re.search(r'name="csrf_token" value="([^"]+)"', form)
        if match is None:
            raise RuntimeError("the login form carries no CSRF token")
        answer = client.post(
            "/login",
            data={"email": CHAIR, "password": DEMO_PASSWORD, "csrf_token": match.group(1)},
        )
        if answer.status_code != 303:
            raise RuntimeError(f"signing in as {CHAIR}: {answer.status_code}")
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


_TICK = os.sysconf("SC_CLK_TCK")


def _ticks(pid: int) -> tuple[int, int, str] | None:
    """A process's CPU ticks (user + system), parent pid and name, from /proc."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()
    return int(fields[11]) + int(fields[12]), int(fields[1]), name


class CpuUse:
    """Where the machine's CPU went during a run: the server's processes, the database
    server's, wrk's, and what was left idle, in cores. On a machine with few cores this is
    what says whether more processes could have served more."""

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.start = self._sample()

    def _sample(self) -> dict[str, Any]:
        processes = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and (found := _ticks(int(entry.name))) is not None:
                processes[int(entry.name)] = found
        server = {self.server_pid}
        # The server's worker processes are its children (and theirs).
        for _ in range(3):
            server |= {pid for pid, (_, parent, _) in processes.items() if parent in server}
        cpu = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        children = os.times()
        return {
            "server": sum(processes[pid][0] for pid in server if pid in processes) / _TICK,
            # Per process: one that ended during the run (a closed connection's backend)
            # leaves no end figure, so it counts only as far as the start saw it.
            "database": {pid: t for pid, (t, _, name) in processes.items() if name == "postgres"},
            "wrk": children.children_user + children.children_system,
            "idle": (int(cpu[3]) + int(cpu[4])) / _TICK,
            "wall": time.monotonic(),
        }

    def cores(self) -> dict[str, float]:
        end = self._sample()
        wall = end["wall"] - self.start["wall"]
        used = {k: (end[k] - self.start[k]) / wall for k in ("server", "wrk", "idle")}
        before = self.start["database"]
        used["database"] = (
            sum(t - before.get(pid, 0) for pid, t in end["database"].items()) / _TICK / wall
        )
        return used


def wrk(base: str, probe: Probe, token: str, seconds: int, cookie: str = "") -> dict[str, float]:
    auth = f'"Bearer {token}"' if token and not probe.page else '""'
    script = LUA % {
        "paths": ",".join(json.dumps(p) for p in probe.paths),
        "auth": auth,
        "cookie": json.dumps(cookie) if probe.page else '""',
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        output = subprocess.run(  # noqa: S603
            ["wrk", "-t2", f"-c{probe.connections}", f"-d{seconds}s", "-s", f.name, base],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    line = next(line for line in output.splitlines() if line.startswith("BENCH "))
    result = json.loads(line.removeprefix("BENCH "))
    result["rps"] = result["requests"] / result["seconds"]
    return result


def check(base: str, probe: Probe, token: str, cookie: str) -> None:
    headers = {"Cookie": cookie} if probe.page else {}
    if token and not probe.page:
        headers["Authorization"] = f"Bearer {token}"
    response = httpx.get(base + probe.paths[0], headers=headers, timeout=120)
    if response.status_code != 200:
        raise RuntimeError(f"{probe.name}: {response.status_code} {response.text[:300]}")


def measure(backend: str, url_of: dict[str, str], processes: int) -> list[str]:
    data = prepare(url_of["large"], events=EVENTS_LARGE, key_file=CACHE / f"{backend}-large.json")
    small = prepare(url_of["small"], events=EVENTS_SMALL, key_file=CACHE / f"{backend}-small.json")
    coalesce = {
        "large": Server(["app.main:serve_app", "--factory"], data.url, processes),
        "small": Server(["app.main:serve_app", "--factory"], small.url, processes),
    }
    bare = Server(["bench.baseline:app"], data.url, processes)
    lines = []
    try:
        cookie = page_cookie(coalesce["large"].base)
        for probe, on in probes(data, small):
            if ONLY and not any(word in probe.name for word in ONLY):
                continue
            server = coalesce["small" if on is small else "large"]
            check(server.base, probe, on.token, cookie)
            results = {}
            # wrk stops the warm-up with requests still queued at the server: one more
            # request, answered after them, lets the measured run start on a drained server.
            if probe.bare:
                wrk(bare.base, probe, "", WARMUP)
                check(bare.base, probe, "", "")
                results["bare"] = wrk(bare.base, probe, "", SECONDS)
            wrk(server.base, probe, on.token, WARMUP, cookie)
            check(server.base, probe, on.token, cookie)
            use = CpuUse(server.process.pid)
            results["coalesce"] = wrk(server.base, probe, on.token, SECONDS, cookie)
            results["cores"] = use.cores()
            lines.append(_row(probe.name, results))
            print(lines[-1], flush=True)
        if not ONLY or any(word in "stream" for word in ONLY):
            for size, on in (("small", small), ("large", data)):
                lines.append(_stream_row(coalesce[size].base, on.events))
                print(lines[-1], flush=True)
    finally:
        for server in (*coalesce.values(), bare):
            server.stop()
    return lines


STREAM_OPENS = 30


def _stream_row(base: str, events: int) -> str:
    """How long the live stream takes to open (it finds the end of the log, then polls from
    there): the same at any size of log. One listener at a time; milliseconds."""
    cookie = page_cookie(base)
    times = []
    with httpx.Client(base_url=base, timeout=30, headers={"Cookie": cookie}) as client:
        for _ in range(STREAM_OPENS):
            started = time.perf_counter()
            with client.stream("GET", "/events/stream") as answer:
                if answer.status_code != 200:
                    raise RuntimeError(f"/events/stream: {answer.status_code}")
                times.append((time.perf_counter() - started) * 1000)
    times.sort()
    name = f"stream: open /events/stream, {events:,} events"
    p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95)]
    return f"{name:<48} {'—':>8} {'':>7} {'':>7} {'':>7}   {'—':>8} {p50:>7.1f} {p95:>7.1f}"


def _row(name: str, results: dict[str, dict[str, float]]) -> str:
    c = results["coalesce"]
    b = results.get("bare")
    bare = (
        f"{b['rps']:>8.0f} {b['p50']:>7.1f} {b['p95']:>7.1f} {b['p99']:>7.1f}"
        if b
        else f"{'—':>8} {'':>7} {'':>7} {'':>7}"
    )
    ratio = f"{c['rps'] / b['rps']:>6.2f}" if b else f"{'':>6}"
    errors = f"  ({c['errors']:.0f} errors)" if c["errors"] else ""
    cores = results["cores"]
    # In cores, while Coalesce was measured: ours, the database server's, wrk's, idle.
    use = "  " + " ".join(f"{cores[k]:.2f}" for k in ("server", "database", "wrk", "idle"))
    ours = f"{c['rps']:>8.0f} {c['p50']:>7.1f} {c['p95']:>7.1f} {c['p99']:>7.1f}"
    return f"{name:<48} {bare}   {ours}  {ratio}{use}{errors}"


HEADER = (
    f"{'request':<48} {'bare/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}   "
    f"{'ours/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  {'ratio':>6}"
    "  cores: ours db wrk idle"
)


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("make bench needs wrk: apt-get install -y wrk")
    CACHE.mkdir(parents=True, exist_ok=True)
    runs: list[tuple[str, dict[str, str], int]] = []
    if "sqlite" in BACKENDS:
        urls = {
            size: f"sqlite:///{(CACHE / f'sqlite-{size}.db').resolve()}"
            for size in ("large", "small")
        }
        runs.append(("sqlite", urls, 1))
    server = os.environ.get("COALESCE_BENCH_POSTGRES_URL") or os.environ.get(
        "COALESCE_TEST_POSTGRES_URL"
    )
    if "postgresql" in BACKENDS and server:
        base = make_url(server)
        urls = {
            size: base.set(database=f"coalesce_bench_{size}").render_as_string(hide_password=False)
            for size in ("large", "small")
        }
        runs += [("postgresql", urls, 1), ("postgresql", urls, 2)]
    for backend, urls, processes in runs:
        if str(processes) not in os.environ.get("BENCH_PROCESSES", "1,2"):
            continue
        print(f"\n{backend}, {processes} process(es), wrk -t2 -c{CONNECTIONS} -d{SECONDS}s")
        print(HEADER, flush=True)
        measure(backend, urls, processes)


if __name__ == "__main__":
    main()
