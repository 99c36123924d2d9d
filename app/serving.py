"""Serving the web app from several processes on one listening socket that answers at once."""

import gc
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess


def tcp_listener(host: str, port: int) -> socket.socket:
    """The socket every web process accepts on, created as TCP by name.

    uvicorn binds its own for several workers with protocol 0, and asyncio turns Nagle's
    algorithm off (TCP_NODELAY) only on sockets that say they are TCP: every response on a
    keep-alive connection then waits for the client's delayed ACK, about 40 ms, which caps
    a process near 700 requests/s at 32 connections whatever the app does.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((host, port))
    listener.set_inheritable(True)
    return listener


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
