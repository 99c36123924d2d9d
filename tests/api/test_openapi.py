"""/openapi.json is fit for client generators: unique operation ids that read as verbs."""

import re

import pytest

from app.main import create_app
from app.settings import Settings
from tests.conftest import TEST_SECRET

VERBS = {
    "list", "get", "create", "update", "delete", "put", "set", "add", "remove", "open",
    "close", "decide", "invite", "leave", "check", "cast", "mark", "revoke", "rotate",
    "send", "retry",
}  # fmt: skip
SNAKE_CASE = re.compile(r"^[a-z]+(_[a-z]+)*$")


@pytest.fixture(scope="module")
def schema() -> dict:
    # The description does not depend on the database: this one is never connected to.
    settings = Settings(environment="test", database_url="sqlite://", secret_key=TEST_SECRET)
    return create_app(settings).openapi()


def _operations(schema: dict, prefix: str = "/") -> list[tuple[str, str, dict]]:
    return [
        (method.upper(), path, operation)
        for path, operations in schema["paths"].items()
        if path.startswith(prefix)
        for method, operation in operations.items()
    ]


def test_operation_ids_are_unique_snake_case_verb_phrases(schema):
    ids = [operation["operationId"] for _, _, operation in _operations(schema)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    assert [i for i in ids if not SNAKE_CASE.match(i)] == []
    assert [i for i in ids if i.split("_")[0] not in VERBS] == []
    assert {"list_coalitions", "decide_approval", "open_activity"} <= set(ids)
