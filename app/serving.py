"""Serving the web app from several processes on one port, each accepting for itself."""

import gc
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess


def tcp_listener(host: str, port: int) -> socket.socket:
    """A socket to listen on `host`:`port`, created as TCP by name, that other processes may
    listen on as well (SO_REUSEPORT).

    uvicorn binds its own for several workers with protocol 0, and asyncio turns Nagle's
    algorithm off (TCP_NODELAY) only on sockets that say they are TCP: every response on a
    keep-alive connection then waits for the client's delayed ACK, about 40 ms, which caps
    a process near 700 requests/s at 32 connections whatever the app does.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Any socket that sets SO_REUSEPORT may share the port, another server's as well: a
    # plain socket bound first fails as before when something listens there (and names
    # the port when asked for any).
    with socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        address = probe.getsockname()
    return _bound(family, address)


def _bound(family: socket.AddressFamily, address: tuple) -> socket.socket:
    listener = _PortListener(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    listener.bind(address)
    return listener


class _PortListener(socket.socket):
    """A listener that, handed to a new process, opens that process's own on the same port.

    Processes sharing one listening socket share one queue of new connections, and the
    process that wakes first takes all that wait (asyncio accepts up to a hundred at once):
    a burst of 32 keep-alive connections all went to one of two processes, which then did
    all the work. With a socket of its own in each process (SO_REUSEPORT), the kernel deals
    the connections out among them. The parent's socket is only bound, never listening, so
    it takes none. (The price: connections waiting on a process that stops are not handed
    to the others.)
    """

    def __reduce__(self) -> tuple:
        # The whole address: an IPv6 one keeps its flow and scope.
        return (_bound, (self.family, self.getsockname()))


def run_processes(config: uvicorn.Config) -> None:
    """Serve `config.app` (an import string) from `config.workers` processes."""
    Multiprocess(config, sockets=[tcp_listener(config.host, config.port)]).run()


def settle_heap() -> None:
    """Once the app is built: set what it imported and built (modules, routes, models,
    templates) aside from the garbage collector. Every full collection otherwise walks
    those hundreds of thousands of objects again, and on a large page (thousands of cells)
    that came to more CPU in the slowest requests than rendering the page itself."""
    gc.collect()
    gc.freeze()
