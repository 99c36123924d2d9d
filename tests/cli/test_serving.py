"""Several web processes: a listening socket in each on one port, from which every connection
answers at once (Nagle's algorithm off), connections dealt out among the processes, and
`coalesce serve --workers 2` serving through them."""

import asyncio
import multiprocessing
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from app.serving import tcp_listener
from tests.databases import fresh_database_url
from tests.live import free_port


def test_connections_accepted_on_the_listener_send_without_delay():
    listener = tcp_listener("127.0.0.1", 0)
    port = listener.getsockname()[1]
    nodelay: list[int] = []

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            accepted = transport.get_extra_info("socket")
            nodelay.append(accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            transport.close()

    async def accept_one() -> None:
        server = await asyncio.get_running_loop().create_server(Probe, sock=listener)
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(100):
            if nodelay:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()

    asyncio.run(accept_one())
    assert nodelay and nodelay[0] != 0


def _accept_what_waits(listener: socket.socket, listening, go, taken) -> None:
    """In a process of its own: listen, then, when told, accept every connection waiting."""
    listener.listen(64)
    listening.set()
    go.wait(30)
    listener.setblocking(False)
    count = 0
    while True:
        try:
            listener.accept()[0].close()
        except BlockingIOError:
            break
        count += 1
    taken.put(count)


def test_a_burst_of_connections_is_dealt_out_among_the_processes():
    # The process that wakes first takes what waits on its own socket, not what waits for
    # the other: with one shared socket the first would take all 32.
    spawn = multiprocessing.get_context("spawn")
    listener = tcp_listener("127.0.0.1", 0)
    port = listener.getsockname()[1]
    taken = spawn.Queue()
    processes = []
    for _ in range(2):
        listening, go = spawn.Event(), spawn.Event()
        process = spawn.Process(target=_accept_what_waits, args=(listener, listening, go, taken))
        process.start()
        assert listening.wait(30)
        processes.append((process, go))
    clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(32)]
    try:
        counts = []
        for process, go in processes:
            go.set()
            counts.append(taken.get(timeout=30))
            process.join(30)
        assert sum(counts) == 32
        assert min(counts) > 0, counts
    finally:
        for client in clients:
            client.close()
        listener.close()


def test_a_port_another_server_listens_on_is_refused():
    # SO_REUSEPORT would let a second server share the port unseen; it fails instead.
    running = tcp_listener("127.0.0.1", 0)
    running.listen()  # as each process of a server that runs there listens
    try:
        with pytest.raises(OSError):
            tcp_listener("127.0.0.1", running.getsockname()[1])
    finally:
        running.close()


def test_serve_with_two_processes_answers(tmp_path):
    with fresh_database_url("sqlite", tmp_path) as url:
        port = free_port()
        env = {**os.environ, "COALESCE_DATABASE_URL": url, "COALESCE_LOG_LEVEL": "WARNING"}
        command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--workers", "2"]
        server = subprocess.Popen(command, env=env)
        try:
            answer = None
            deadline = time.monotonic() + 60
            while answer is None and time.monotonic() < deadline:
                try:
                    answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                except httpx.HTTPError:
                    time.sleep(0.2)
            assert answer is not None and answer.json() == {"status": "ok"}
        finally:
            server.terminate()
            server.wait(timeout=30)
