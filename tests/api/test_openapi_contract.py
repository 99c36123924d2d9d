"""Every operation of the OpenAPI schema, fed requests schemathesis generates from it (valid
and invalid), in process, on each backend: no answer is a 5xx, and every answer has a status
and media type the schema declares for the operation and matches the schema declared there."""

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.main import create_app
from app.settings import Settings
from tests.conftest import TEST_SECRET
from tests.seeded import Seeded, lookups_on_this_machine_only, seeded_app

pytestmark = pytest.mark.fuzz
# A fixed budget: both backends together add about two minutes to the suite.
EXAMPLES_PER_OPERATION = 15
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]

SCHEMA = schemathesis.openapi.from_dict(
    create_app(
        Settings(environment="test", database_url="sqlite://", secret_key=TEST_SECRET)
    ).openapi()
)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture(scope="module")
def seeded(engine, database_url) -> Iterator[Seeded]:
    with seeded_app(engine, database_url) as world:
        yield world


def aim_at_the_world(case, data, seeded: Seeded) -> None:
    """Most generated ids name nothing (404): point most of them at the seeded objects, and
    send a generated If-Match only now and then, so operations get past their first checks.
    A webhook address is always the loopback receiver's: nothing generated leaves the machine."""
    real = st.integers(0, 9).map(lambda n: n < 8)
    for container in (case.path_parameters, case.query):
        for name in list(container or {}):
            if name in seeded.ids and data.draw(real):
                container[name] = data.draw(st.sampled_from(seeded.ids[name]))
    if isinstance(case.body, dict):
        for name, value in list(case.body.items()):
            ids = seeded.ids.get(name.removesuffix("s") if isinstance(value, list) else name)
            if ids and data.draw(real):
                pick = st.sampled_from(ids)
                case.body[name] = data.draw(st.lists(pick, max_size=2) if isinstance(value, list) else pick)  # fmt: skip
        if "url" in case.body:
            case.body["url"] = seeded.receiver_url
    for name in list(case.headers or {}):
        if name.lower() == "if-match" and data.draw(real):
            del case.headers[name]


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_every_operation_answers_within_its_contract(operation, seeded, monkeypatch):
    refused_lookups = lookups_on_this_machine_only(monkeypatch)
    generated = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(data=st.data())
    def answers_within_contract(data):
        case = data.draw(generated)
        aim_at_the_world(case, data, seeded)
        with seeded.rolled_back():
            case.call_and_validate(app=seeded.app, headers=seeded.headers, checks=CHECKS)

    answers_within_contract()
    assert refused_lookups == []
