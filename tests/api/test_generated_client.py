"""An integrator's view: a typed client generated from a real server's /openapi.json lists
organizations and opens a letter on that server.

SQLite only, on purpose: what this proves is that the schema generates a client that works,
which no database changes; the API itself runs on PostgreSQL in the rest of the suite.
"""

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from app import migrate
from app.db import Database, build_engine
from app.main import create_app
from app.schemas.activities import ActivityCreate
from app.schemas.coalitions import CoalitionCreate
from app.schemas.organizations import OrganizationCreate
from app.services import accounts, activities, coalitions, organizations
from app.settings import Settings
from tests.conftest import SETUP, TEST_SECRET
from tests.databases import fresh_database_url
from tests.live import serve_in_thread

PACKAGE = "coalesce_client"


@dataclass
class Server:
    url: str
    token: str
    organization_id: str
    letter_id: str


def _seed(database: Database) -> dict[str, str]:
    """Dana runs Maple District PTA, which convenes a coalition with a draft letter."""
    with database.session() as session:
        dana = accounts.create_user(session, email="dana@example.org", name="Dana")
        principal = accounts.principal_for(session, dana)
        maple = organizations.create_organization(
            session, principal, OrganizationCreate(name="Maple District PTA", kind="pta")
        )
        organizations.create_organization(
            session,
            accounts.principal_for(session, accounts.create_user(session, email="o@example.org")),
            OrganizationCreate(name="Oak Street PTA", kind="pta"),
        )
        coalition = coalitions.create_coalition(
            session,
            SETUP,
            CoalitionCreate(
                name="Read by Third Grade",
                unifying_issue="Every child reads by third grade",
                convener_organization_id=maple.id,
            ),
        )
        letter = activities.create_activity(
            session,
            SETUP,
            coalition.id,
            ActivityCreate(kind="sign_on_letter", title="Fund reading coaches"),
        )
        _, token = accounts.create_token(session, principal, name="crm")
    return {"token": token, "organization_id": maple.id, "letter_id": letter.id}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with fresh_database_url("sqlite", tmp_path_factory.mktemp("client-db")) as url:
        migrate.upgrade(url)
        engine = build_engine(url)
        database = Database(engine)
        seeded = _seed(database)
        settings = Settings(environment="test", database_url=url, secret_key=TEST_SECRET)
        with serve_in_thread(create_app(settings, database=database)) as base_url:
            yield Server(url=base_url, **seeded)
        engine.dispose()


@pytest.fixture(scope="module")
def generated(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The client package made from the server's schema file, importable while the module runs."""
    directory = tmp_path_factory.mktemp("generated")
    schema = directory / "openapi.json"
    schema.write_bytes(httpx.get(f"{server.url}/openapi.json").raise_for_status().content)
    command = [sys.executable, "-m", "openapi_python_generator", str(schema)]
    command += [str(directory / PACKAGE), "--formatter", "none"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(directory))
        yield directory
        for name in [n for n in sys.modules if n == PACKAGE or n.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def _client(module: str) -> ModuleType:
    return import_module(f"{PACKAGE}.{module}")


def test_a_generated_client_lists_organizations_and_opens_a_letter(server, generated):
    api_config, models = _client("api_config"), _client("models")
    organizations_api = _client("services.organizations_service")
    activities_api = _client("services.activities_service")
    config = api_config.APIConfig(base_path=server.url, access_token=server.token)

    page = organizations_api.list_organizations(api_config_override=config, mine=True)
    assert isinstance(page, models.PageOut_OrganizationRead_)
    assert all(isinstance(item, models.OrganizationRead) for item in page.items)
    assert [(o.id, o.name) for o in page.items] == [(server.organization_id, "Maple District PTA")]
    everyone = organizations_api.list_organizations(api_config_override=config)
    assert {o.name for o in everyone.items} == {"Maple District PTA", "Oak Street PTA"}

    letter = activities_api.open_activity(api_config_override=config, activity_id=server.letter_id)
    assert isinstance(letter, models.ActivityDetail)
    assert (letter.id, letter.status) == (server.letter_id, "open")
    reread = activities_api.get_activity(api_config_override=config, activity_id=server.letter_id)
    assert reread.status == "open" and reread.opened_at is not None

    # Declared problems reach the client as its error, with the status the schema names.
    with pytest.raises(api_config.HTTPException) as opened_twice:
        activities_api.open_activity(api_config_override=config, activity_id=server.letter_id)
    assert opened_twice.value.status_code == 409
    stranger = api_config.APIConfig(base_path=server.url, access_token="not-a-token")
    with pytest.raises(api_config.HTTPException) as refused:
        organizations_api.list_organizations(api_config_override=stranger)
    assert refused.value.status_code == 401
