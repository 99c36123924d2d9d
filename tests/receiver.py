"""A real HTTP receiver on 127.0.0.1 for webhook tests: it records what arrives and
answers with the status codes the test asks for."""

import json
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    path: str = "/hooks"

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    def verify(self, secret: str) -> Any:
        """Raises unless the signature is valid for `secret` (the listener's own check)."""
        return Webhook(secret).verify(self.body, self.headers)


@dataclass
class Receiver:
    url: str
    received: list[Received] = field(default_factory=list)
    answers: deque[int] = field(default_factory=deque)  # status codes to answer, then 200
    delay_seconds: float = 0.0  # a slow endpoint keeps a batch in flight
    connections: set[tuple[str, int]] = field(default_factory=set)  # the senders' addresses

    @property
    def ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.received]


@contextmanager
def running_receiver(*, keep_alive: bool = False) -> Iterator[Receiver]:
    """`keep_alive` answers in HTTP/1.1, keeping each connection open for the next request;
    otherwise HTTP/1.0 closes it after every answer."""
    receiver = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            body = self.rfile.read(length)
            if len(body) < length:
                return  # the sender died mid-request (a killed worker): nothing arrived
            if receiver.delay_seconds:
                time.sleep(receiver.delay_seconds)
            with lock:
                receiver.received.append(
                    Received({k.lower(): v for k, v in self.headers.items()}, body, self.path)
                )
                receiver.connections.add(self.client_address)
                status = receiver.answers.popleft() if receiver.answers else 200
            self.send_response(status)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:
            pass

    class Server(ThreadingHTTPServer):
        request_queue_size = 256  # many deliveries arrive at once
        daemon_threads = True

        def handle_error(self, request: Any, client_address: Any) -> None:
            pass  # a sender killed mid-request leaves a broken pipe: expected here

    server = Server(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
