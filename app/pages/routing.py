"""The route class of every page router: a page that only reads is rendered where its
database answers a read soonest (`app.deps.run_read`), on the event loop for SQLite.

FastAPI runs a `def` page in the thread pool. On SQLite, four threads rendering pages hand
Python's lock to one another at every query, and a dashboard cost nearly twice its CPU at
four connections (in process, alone: 10 ms; under wrk: 18 ms).
"""

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute

from app.deps import READ_METHODS, run_read

# The extra parameter a wrapped page is given, when it has no Request of its own.
_REQUEST_PARAMETER = "read_request"


_WRITES = "page_writes"


def writes(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a GET page that writes (a link in an e-mail that acts when followed): it runs
    in a thread, where waiting for SQLite's write lock holds up no other request."""
    setattr(endpoint, _WRITES, True)
    return endpoint


class PageRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        methods = {method.upper() for method in kwargs.get("methods") or ()}
        reads = methods and methods <= READ_METHODS and not getattr(endpoint, _WRITES, False)
        if reads and _plain_def(endpoint):
            endpoint = _read_where_soonest(endpoint)
        super().__init__(path, endpoint, **kwargs)


def _plain_def(endpoint: Callable[..., Any]) -> bool:
    return not (
        inspect.iscoroutinefunction(endpoint)
        or inspect.isgeneratorfunction(endpoint)
        or inspect.isasyncgenfunction(endpoint)
    )


def _read_where_soonest(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """An `async` stand-in for a `def` page, with the same parameters (and so the same
    dependencies), that runs it through `run_read`."""
    signature = inspect.signature(endpoint, eval_str=True)
    request_name = next(
        (name for name, p in signature.parameters.items() if p.annotation is Request), None
    )
    parameters = list(signature.parameters.values())
    own_request = request_name is not None
    if request_name is None:
        request_name = _REQUEST_PARAMETER
        parameters.append(
            inspect.Parameter(request_name, inspect.Parameter.KEYWORD_ONLY, annotation=Request)
        )

    @functools.wraps(endpoint)
    async def answer(**values: Any) -> Any:
        request: Request = values[request_name] if own_request else values.pop(request_name)
        return await run_read(request, endpoint, **values)

    answer.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return answer
