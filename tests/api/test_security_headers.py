"""Security headers on every response: pages, API, errors, static files, redirects, the
live stream; HSTS only over https; the API docs' looser policy only on the docs."""

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.responses import Response

from app.main import create_app
from app.security import SESSION_COOKIE, SessionSigner
from app.security_headers import CONTENT_SECURITY_POLICY, DOCS_CONTENT_SECURITY_POLICY
from app.settings import Settings
from tests.conftest import TEST_SECRET, World
from tests.live import serve_in_thread

ALWAYS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}
HSTS = "strict-transport-security"

RESPONSES = [
    # path, status, start of the content type
    ("/login", 200, "text/html"),
    ("/", 303, None),  # to the login page
    ("/api/v1/me", 401, "application/problem+json"),
    ("/api/v1/nothing-here", 404, "application/problem+json"),
    ("/nothing-here", 404, "text/html"),
    ("/static/vendor/htmx/htmx.min.js", 200, "text/javascript"),
    ("/static/css/coalesce.css", 200, "text/css"),
    ("/healthz", 200, "application/json"),
]


def assert_security_headers(response: httpx.Response, *, https: bool) -> None:
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, name
    closed = response.headers["permissions-policy"].split(", ")
    assert {"camera=()", "microphone=()", "geolocation=()", "payment=()"} <= set(closed)
    if https:
        assert response.headers[HSTS] == "max-age=31536000"
    else:
        assert HSTS not in response.headers


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
@pytest.mark.parametrize(("path", "status", "content_type"), RESPONSES)
def test_every_kind_of_response_carries_the_headers(app, https, path, status, content_type):
    with TestClient(app, base_url="https://testserver" if https else "http://testserver") as c:
        response = c.get(path, follow_redirects=False)
    assert response.status_code == status
    if content_type:
        assert response.headers["content-type"].startswith(content_type)
    assert_security_headers(response, https=https)


def test_the_policy_allows_no_inline_script_and_no_framing():
    directives = dict(d.split(" ", 1) for d in CONTENT_SECURITY_POLICY.split("; "))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_unexpected_errors_carry_the_headers_too(settings, database):
    app = create_app(settings, database=database)

    def explode() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/api/v1/explode", explode)
    app.add_api_route("/explode", explode)
    with TestClient(app, raise_server_exceptions=False) as client:
        for path in ("/api/v1/explode", "/explode"):
            response = client.get(path)
            assert response.status_code == 500
            assert_security_headers(response, https=False)


def test_a_header_a_route_sets_is_replaced_not_doubled(settings, database):
    app = create_app(settings, database=database)

    def framed() -> Response:
        return Response("hi", headers={"Content-Security-Policy": "default-src *"})

    app.add_api_route("/framed", framed)
    with TestClient(app) as client:
        response = client.get("/framed")
    assert response.headers.get_list("content-security-policy") == [CONTENT_SECURITY_POLICY]


def test_only_the_api_docs_get_their_looser_policy(client):
    for path in ("/docs", "/redoc", "/docs/oauth2-redirect"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-security-policy"] == DOCS_CONTENT_SECURITY_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
    schema = client.get("/openapi.json")
    assert schema.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in DOCS_CONTENT_SECURITY_POLICY


def test_the_live_stream_and_a_proxy_saying_https_on_a_real_server(committed):
    url, database = committed
    user = World(database).user("dana")
    cookie = SessionSigner(TEST_SECRET, 3600).dumps({"uid": user.id, "csrf": "x"})
    app = create_app(
        Settings(environment="test", database_url=url, secret_key=TEST_SECRET), database=database
    )
    with (
        serve_in_thread(app) as base,
        httpx.Client(base_url=base, cookies={SESSION_COOKIE: cookie}, timeout=10) as client,
    ):
        with client.stream("GET", "/events/stream") as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            assert_security_headers(stream, https=False)
        # uvicorn trusts X-Forwarded-Proto from 127.0.0.1 (as `coalesce serve` does behind
        # a proxy on the same host): the request counts as https.
        proxied = client.get("/healthz", headers={"X-Forwarded-Proto": "https"})
        assert_security_headers(proxied, https=True)
        assert_security_headers(client.get("/healthz"), https=False)
