"""The route class of every API router: a plain `def` route answers from its own thread.

FastAPI runs a `def` route in the thread pool, then checks and encodes what it returned
in a second trip through the pool, and ends the request's session on the event loop. Each
trip wakes a thread and hands the GIL back and forth, which on a short read costs more
than the query. Here the route's own thread also checks and encodes the result (the same
pydantic model, so the same bytes) and, on a read, ends the session's transaction, giving
its connection back to the pool before the event loop takes over again.
"""

import functools
import hashlib
import inspect
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError, ResponseValidationError
from fastapi.routing import APIRoute
from sqlalchemy import Row
from sqlmodel import Session

from app.api.openapi import operation_id, problems
from app.deps import READ_METHODS, end_route_session, run_read, storable_parameters
from app.errors import Invalid
from app.pagination import ListRequest, Page, list_identity, parse_moment, start_reading
from app.schemas.base import PageOut

# The extra parameter a wrapped route is given, when it has none of its own, to carry the
# headers and status the route's dependencies set (FastAPI fills any `Response` parameter).
_RESPONSE_PARAMETER = "prepared_response"
_REQUEST_PARAMETER = "revalidating_request"
API_PREFIX = "/api/v1"


class ApiRoute(APIRoute):
    # The request's session (RouteSessionDep) ends here, as a cleanup dependency would end
    # it: after the route and its response model, before the response leaves.
    ends_session = True

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        self._answers_itself = _answers_itself(endpoint, kwargs)
        if self._answers_itself:
            endpoint = self._in_one_thread(endpoint, set(kwargs.get("methods") or ()))
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = (
            self._read_handler()
            if self._answers_itself and self.methods <= READ_METHODS and _plain_read(self.dependant)
            else super().get_route_handler()
        )

        async def handle_ending_session(request: Request) -> Response:
            # The parameters are checked before anything else, as a router-wide dependency
            # would check them, without the cost of solving one.
            await checked_parameters(request)
            try:
                response = await handle(request)
            except BaseException as exc:
                await end_route_session(request, exc)
                raise
            await end_route_session(request, None)
            return response

        return handle_ending_session

    def _read_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler for a read that takes path and query parameters and async
        dependencies of the request and its query alone (its session, its caller, what to
        expand), without the general solver: on a short read that solver, with its
        telemetry and context hooks, cost more than the query. Same order, same answers:
        the dependencies first, then the parameters (a 422 with FastAPI's own errors), then
        the route, where its database answers a read soonest (`run_read`)."""
        dependant = self.dependant
        endpoint = dependant.call
        assert endpoint is not None and dependant.response_param_name is not None

        async def handle(request: Request) -> Response:
            if self.dependency_overrides_provider is not None and getattr(
                self.dependency_overrides_provider, "dependency_overrides", None
            ):
                raise RuntimeError("ApiRoute's reads do not take dependency overrides.")
            solved: dict[Callable[..., Any], Any] = {}
            errors: list[Any] = []
            values = {
                dependency.name: await _solve(dependency, request, solved, errors)
                for dependency in dependant.dependencies
            }
            path_values, path_errors = request_params_to_args(
                dependant.path_params, request.path_params
            )
            query_values, query_errors = request_params_to_args(
                dependant.query_params, request.query_params
            )
            errors += [*path_errors, *query_errors]
            if errors:
                raise RequestValidationError(errors, body=None)
            values.update(path_values)
            values.update(query_values)
            if dependant.request_param_name is not None:
                values[dependant.request_param_name] = request
            response = Response()
            del response.headers["content-length"]
            response.status_code = None  # type: ignore[assignment]
            values[dependant.response_param_name] = response
            return await run_read(request, endpoint, **values)

        return handle

    def _in_one_thread(self, endpoint: Callable[..., Any], methods: set[str]) -> Callable[..., Any]:
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
        reads = bool(methods) and {m.upper() for m in methods} <= READ_METHODS
        if reads:
            # The request, for its If-None-Match (a Request parameter adds nothing to the schema).
            parameters.append(
                inspect.Parameter(
                    _REQUEST_PARAMETER, inspect.Parameter.KEYWORD_ONLY, annotation=Request
                )
            )

        @functools.wraps(endpoint)
        def answer(**values: Any) -> Any:
            response: Response = values[response_name]
            if not own_response:
                del values[response_name]
            request: Request | None = values.pop(_REQUEST_PARAMETER, None)
            content = endpoint(**values)
            if isinstance(content, Response):
                return content
            prepared = route._prepared(content, response)
            if reads:
                # Reads commit nothing: ending the transaction here returns the connection
                # from this thread; the session's own end then has nothing left to do.
                for value in values.values():
                    if isinstance(value, Session):
                        value.commit()
                if not isinstance(content, Page):
                    assert request is not None
                    return revalidated(prepared, response, request.headers.get("if-none-match"))
            return prepared

        answer.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        return answer

    def _prepared(self, content: Any, response: Response) -> Response:
        """What FastAPI would send for `content`, checked and encoded by the same model."""
        field = self.response_field
        assert field is not None
        value, errors = field.validate(_plain(content), {}, loc=("response",))
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


def _plain_read(dependant: Dependant) -> bool:
    """A read `ApiRoute._read_handler` answers: no body, headers or cookies as parameters,
    and dependencies it can call directly."""
    return (
        not (dependant.body_params or dependant.header_params or dependant.cookie_params)
        and dependant.background_tasks_param_name is None
        and dependant.security_scopes_param_name is None
        and dependant.response_param_name is not None
        and all(_plain_dependency(dependency) for dependency in dependant.dependencies)
    )


def _plain_dependency(dependant: Dependant) -> bool:
    """An async function of the request, its query parameters and other such dependencies,
    and nothing else."""
    return (
        inspect.iscoroutinefunction(dependant.call)
        and dependant.use_cache
        and dependant.name is not None
        and not (
            dependant.path_params
            or dependant.header_params
            or dependant.cookie_params
            or dependant.body_params
        )
        and dependant.websocket_param_name is None
        and dependant.http_connection_param_name is None
        and dependant.response_param_name is None
        and dependant.background_tasks_param_name is None
        and dependant.security_scopes_param_name is None
        and not dependant.own_oauth_scopes
        and all(_plain_dependency(sub) for sub in dependant.dependencies)
    )


async def _solve(
    dependant: Dependant, request: Request, solved: dict[Any, Any], errors: list[Any]
) -> Any:
    """A plain dependency's value, each called once a request as FastAPI caches them. As
    FastAPI does, one whose query parameters are wrong is not called: their errors join
    `errors`, answered together once every dependency has been tried."""
    call = dependant.call
    assert call is not None
    if call in solved:
        return solved[call]
    wrong_before = len(errors)
    values = {
        sub.name: await _solve(sub, request, solved, errors) for sub in dependant.dependencies
    }
    if dependant.query_params:
        query_values, query_errors = request_params_to_args(
            dependant.query_params, request.query_params
        )
        errors += query_errors
        values.update(query_values)
    if len(errors) > wrong_before:
        return None  # its own parameters, or a dependency's, are wrong: not called
    if dependant.request_param_name is not None:
        values[dependant.request_param_name] = request
    value = await call(**values)
    solved[call] = value
    return value


def revalidated(prepared: Response, response: Response, if_none_match: str | None) -> Response:
    """A read of one resource carries an ETag (its `version` where the route set one, else
    a digest of the body) and answers 304 to an `If-None-Match` naming it."""
    etag = prepared.headers.get("etag")
    if etag is None:
        etag = '"' + hashlib.sha256(bytes(prepared.body)).hexdigest()[:20] + '"'
        prepared.headers["ETag"] = etag
    elif not covers_body(response):
        return prepared
    if if_none_match and _names(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag})
    return prepared


def _names(if_none_match: str, etag: str) -> bool:
    # Weak comparison (RFC 9110 13.1.2): W/"3" and "3" name the same representation.
    wanted = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in wanted or etag.removeprefix("W/") in wanted


_PARTIAL_ETAG = "_etag_covers_version_only"


def version_only(response: Response) -> None:
    """Say the route's version ETag does not cover all it answers (a tally, a readiness,
    a size that change without the resource's version): no 304 for it."""
    setattr(response, _PARTIAL_ETAG, True)


def covers_body(response: Response) -> bool:
    return not getattr(response, _PARTIAL_ETAG, False)


def _plain(content: Any) -> Any:
    """Plain rows (a page of them, or one) as dicts: pydantic reads a dict several times
    faster than it reads a row's attributes one by one."""
    if isinstance(content, Row):
        return dict(zip(content._fields, content, strict=True))
    if isinstance(content, Page) and content.items and isinstance(content.items[0], Row):
        names = content.items[0]._fields
        items = [dict(zip(names, row, strict=True)) for row in content.items]
        return {"items": items, "next_cursor": content.next_cursor}
    return content


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


# Query parameters --------------------------------------------------------------------------

UPDATED_SINCE = "updated_since"
_KNOWN = "_query_names"  # kept on the route itself, computed on its first request


def _query_names(route: APIRoute) -> frozenset[str]:
    """The query parameters a route declares, its dependencies' included (computed once)."""
    known: frozenset[str] | None = getattr(route, _KNOWN, None)
    if known is None:
        names = set(_declared_query(route.dependant))
        if is_list(route):
            # Every list takes them, also one answered whole (its `next_cursor` is null).
            names |= {UPDATED_SINCE, "limit", "cursor"}
        known = frozenset(names)
        setattr(route, _KNOWN, known)
    return known


def _declared_query(dependant: Dependant) -> Iterator[str]:
    yield from (parameter.alias for parameter in dependant.query_params)
    for dependency in dependant.dependencies:
        yield from _declared_query(dependency)


def is_list(route: APIRoute) -> bool:
    """A route answering `{items, next_cursor}`."""
    model = route.response_model
    return isinstance(model, type) and issubclass(model, PageOut)


async def query_parameters(request: Request) -> None:
    """Every API route refuses a query parameter it does not take (a misspelt filter would
    otherwise answer everything), and a list route names the list its cursors belong to
    and reads `updated_since`."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = _query_names(route)
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        takes = ", ".join(sorted(known)) or "none"
        raise Invalid(
            f"Unknown query parameter {', '.join(unknown)}; this route takes: {takes}.",
            errors=[
                {"loc": ["query", name], "msg": "Unknown query parameter.", "type": "unknown"}
                for name in unknown
            ],
        )
    if is_list(route):
        since = request.query_params.get(UPDATED_SINCE)
        start_reading(
            ListRequest(
                # The path within the API, as when the routers were included: cursors
                # given out before stay valid.
                identity=list_identity(route.path.removeprefix(API_PREFIX), request.path_params),
                updated_since=parse_moment(since, ["query", UPDATED_SINCE]) if since else None,
            )
        )


async def checked_parameters(request: Request) -> None:
    """Both checks of an API route's parameters, storable first, made by ApiRoute before
    its dependencies: FastAPI spends as much solving a dependency as these checks cost."""
    await storable_parameters(request)
    await query_parameters(request)


def api_router(tag: str) -> APIRouter:
    """The router of one domain's API routes, each complete as declared: under /api/v1,
    needing a caller (Basic sign-ins are throttled), whose token may lack the route's scope
    (403), rate limited (429), its input checked (path and query parameters by ApiRoute).
    The app adds these routes as they are: a request is matched against one flat list,
    where included routers would be matched level by level on every request."""
    return APIRouter(
        prefix=API_PREFIX,
        tags=[tag],
        route_class=ApiRoute,
        responses=problems(401, 403, 422, 429),
        generate_unique_id_function=operation_id,
    )
