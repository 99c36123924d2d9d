"""The route class of every API router: a plain `def` route answers from its own thread,
and a bounded read from the event loop.

FastAPI runs a `def` route in the thread pool, then checks and encodes what it returned
in a second trip through the pool, and ends the request's session on the event loop. Each
trip wakes a thread and hands the GIL back and forth, which on a short read costs more
than the query. Here the route's own thread also checks and encodes the result (the same
pydantic model, so the same bytes) and, on a read, ends the session's transaction, giving
its connection back to the pool before the event loop takes over again.

A read marked `@bounded_read` (a lookup by key, or one page along an index: a few short
queries whatever the data's size) skips the thread pool altogether: the trip costs more
than the queries, which block the loop for less time than the trip would take.
"""

import functools
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Response
from fastapi.exceptions import ResponseValidationError
from fastapi.routing import APIRoute
from sqlmodel import Session

# The extra parameter a wrapped route is given, when it has none of its own, to carry the
# headers and status the route's dependencies set (FastAPI fills any `Response` parameter).
_RESPONSE_PARAMETER = "prepared_response"
_READS = {"GET", "HEAD"}
_BOUNDED = "_coalesce_bounded_read"


Endpoint = TypeVar("Endpoint", bound=Callable[..., Any])


def bounded_read(endpoint: Endpoint) -> Endpoint:
    """Marks a `def` GET route whose queries are few and short whatever the data's size,
    so it is answered on the event loop instead of in the thread pool."""
    setattr(endpoint, _BOUNDED, True)
    return endpoint


class ApiRoute(APIRoute):
    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if _answers_itself(endpoint, kwargs):
            endpoint = self._in_one_thread(endpoint)
        super().__init__(path, endpoint, **kwargs)

    def _in_one_thread(self, endpoint: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(endpoint, eval_str=True)
        response_name = next(
            (
                name
                for name, parameter in signature.parameters.items()
                if parameter.annotation is Response
            ),
            None,
        )
        parameters = list(signature.parameters.values())
        if response_name is None:
            response_name = _RESPONSE_PARAMETER
            parameters.append(
                inspect.Parameter(
                    response_name, inspect.Parameter.KEYWORD_ONLY, annotation=Response
                )
            )
        own_response = response_name in signature.parameters
        route = self

        def run(values: dict[str, Any]) -> Any:
            response: Response = values[response_name]
            if not own_response:
                del values[response_name]
            content = endpoint(**values)
            if isinstance(content, Response):
                return content
            prepared = route._prepared(content, response)
            if route.methods and route.methods <= _READS:
                # Reads commit nothing: ending the transaction here returns the connection
                # from this thread; the session's own end then has nothing left to do.
                for value in values.values():
                    if isinstance(value, Session):
                        value.commit()
            return prepared

        if getattr(endpoint, _BOUNDED, False):

            @functools.wraps(endpoint)
            async def answer(**values: Any) -> Any:
                return run(values)

        else:

            @functools.wraps(endpoint)
            def answer(**values: Any) -> Any:
                return run(values)

        answer.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        return answer

    def _prepared(self, content: Any, response: Response) -> Response:
        """What FastAPI would send for `content`, checked and encoded by the same model."""
        field = self.response_field
        assert field is not None
        value, errors = field.validate(content, {}, loc=("response",))
        if errors:
            raise ResponseValidationError(errors=errors, body=content)
        body = field.serialize_json(
            value,
            include=self.response_model_include,
            exclude=self.response_model_exclude,
            by_alias=self.response_model_by_alias,
            exclude_unset=self.response_model_exclude_unset,
            exclude_defaults=self.response_model_exclude_defaults,
            exclude_none=self.response_model_exclude_none,
        )
        status_code = response.status_code or self.status_code or 200
        prepared = Response(body, status_code=status_code, media_type="application/json")
        prepared.headers.raw.extend(response.headers.raw)
        return prepared


def _answers_itself(endpoint: Callable[..., Any], options: dict[str, Any]) -> bool:
    """A plain `def` route with a model to answer in, a body, and FastAPI's own response
    class: the routes whose answer can be made in their thread exactly as FastAPI would."""
    if inspect.iscoroutinefunction(endpoint) or inspect.isgeneratorfunction(endpoint):
        return False
    if options.get("response_class") is not None and not _is_default(options["response_class"]):
        return False
    status_code = options.get("status_code")
    if status_code is not None and (status_code < 200 or status_code in {204, 304}):
        return False
    model = options.get("response_model")
    return model is not None and not _is_default(model)


def _is_default(value: Any) -> bool:
    from fastapi.datastructures import DefaultPlaceholder

    return isinstance(value, DefaultPlaceholder)
