"""A minimal webhook receiver for `make bench-webhooks`: counts deliveries and measures
event → delivery latency from the body's timestamp. GET /stats reports them, POST /reset
starts over.

A bare asyncio protocol rather than a web framework: the receiver shares the machine with
the worker it measures, so it must cost far less per request than the worker does (a
Starlette app under uvicorn answered about 3,300 requests/s with wrk; this one answers
several times that).

    python -m bench.receiver --port 8765
"""

import argparse
import asyncio
import time
from datetime import datetime

import orjson

latencies: list[float] = []
ids: set[str] = set()


def _stats() -> bytes:
    ordered = sorted(latencies)

    def pick(q: float) -> float | None:
        return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else None

    return orjson.dumps(
        {"requests": len(latencies), "distinct": len(ids), "p50": pick(0.5), "p99": pick(0.99)}
    )


def _answer(method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
    if method == "POST" and path == "/hooks":
        sent = datetime.fromisoformat(orjson.loads(body)["timestamp"]).timestamp()
        latencies.append(time.time() - sent)
        ids.add(headers["webhook-id"])
        return 204, b""
    if method == "GET" and path == "/stats":
        return 200, _stats()
    if method == "POST" and path == "/reset":
        latencies.clear()
        ids.clear()
        return 204, b""
    return 404, b""


class Receiving(asyncio.Protocol):
    """HTTP/1.1 with keep-alive and content-length bodies: what the worker sends."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: asyncio.Transport = transport  # type: ignore[assignment]
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            request_line, *lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
            headers = {}
            for line in lines:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0"))
            if len(self.buffer) < end + 4 + length:
                return  # the rest of the body is still on its way
            body = bytes(self.buffer[end + 4 : end + 4 + length])
            del self.buffer[: end + 4 + length]
            method, path, _ = request_line.split(" ", 2)
            status, content = _answer(method, path, headers, body)
            self.transport.write(
                b"HTTP/1.1 %d -\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n%s"
                % (status, len(content), content)
            )


async def serve(port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Receiving, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    asyncio.run(serve(parser.parse_args().port))
