"""Several web processes: one listening socket, from which every connection answers at once
(Nagle's algorithm off), and `coalesce serve --workers 2` serving through it."""

import asyncio
import os
import socket
import subprocess
import sys
import time

import httpx

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
