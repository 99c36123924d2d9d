"""Statement budgets: every read, API or page, costs a fixed number of SQL statements,
however many rows it shows. A change that adds a query per row (an N+1) fails here, in
the route group it touched, with the count before and after the world grew."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from app.services import accounts
from tests.conftest import sign_in

NOW = datetime.fromisoformat("2026-03-02T09:00:00+00:00")
ONE_STEP = {"steps": [{"name": "Board", "approver_role": "admin", "expected_days": 3}]}

# A coalition's page, section by section (the overview at its bare address).
COALITION_SECTIONS = ["", "/members", "/goals", "/activities", "/proposals", "/guidelines"]
# An organization's page, the same way (its research section lists every other organization).
ORGANIZATION_SECTIONS = ["", "/people", "/positions", "/approval-process", "/research"]
# Route group → the reads it answers, as the coalition's lead sees them.
API_READS = {
    "organizations": ["/api/v1/organizations", "/api/v1/organizations/{lead}", "/api/v1/me"],
    "coalitions": [
        "/api/v1/coalitions",
        "/api/v1/coalitions/{coalition}",
        "/api/v1/coalitions/{coalition}/members",
        "/api/v1/coalitions?expand=members",
        "/api/v1/coalitions/{coalition}?expand=members",
    ],
    "activities": [
        "/api/v1/coalitions/{coalition}/activities",
        "/api/v1/activities/{letter}",
        "/api/v1/activities/{letter}/decisions",
        "/api/v1/coalitions/{coalition}/activities?expand=decisions,tally",
        "/api/v1/activities?status=open&expand=decisions,tally",
    ],
    "approvals": ["/api/v1/approvals", "/api/v1/organizations/{lead}/approvals"],
    "events": ["/api/v1/events?limit=200"],
}
PAGES = [
    "/",
    *(f"/coalitions/{{coalition}}{section}" for section in COALITION_SECTIONS),
    *(f"/organizations/{{lead}}{section}" for section in ORGANIZATION_SECTIONS),
    "/activities/{letter}",
    "/approvals",
]


class Grown:
    """A coalition whose lead needs an approval for every letter: each `grow` adds members
    and opened letters, and as many other coalitions the lead joins (its "Recently" then
    tells of more coalitions), so every list above gets longer."""

    def __init__(self, client, world) -> None:
        self.client, self.world = client, world
        self.lead_user = world.user("dana")
        self.lead = world.organization(self.lead_user, name="State PTA")
        self.headers = world.headers(self.lead_user)
        self.coalition = world.coalition(self.lead)
        answer = client.put(
            f"/api/v1/organizations/{self.lead.id}/approval-process",
            headers=self.headers,
            json=ONE_STEP,
        )
        assert answer.status_code == 200, answer.text
        self.letters: list[str] = []

    def grow(self, members: int, letters: int) -> None:
        for _ in range(members):
            self.world.join(self.coalition, self.world.organization(self.world.user()))
        for n in range(letters):
            created = self.client.post(
                f"/api/v1/coalitions/{self.coalition.id}/activities",
                headers=self.headers,
                json={
                    "kind": "sign_on_letter",
                    "title": f"Letter {len(self.letters) + n}",
                    "sign_on_deadline": (NOW + timedelta(days=7)).isoformat(),
                },
            )
            assert created.status_code == 201, created.text
            letter = created.json()["id"]
            opened = self.client.post(f"/api/v1/activities/{letter}/open", headers=self.headers)
            assert opened.status_code == 200, opened.text
            self.letters.append(letter)
        # Last, so that they are what "Recently" tells of: a coalition joined per letter.
        for _ in range(letters):
            other = self.world.coalition(self.world.organization(self.world.user()))
            self.world.join(other, self.lead)

    def path(self, template: str) -> str:
        return template.format(
            lead=self.lead.id, coalition=self.coalition.id, letter=self.letters[-1]
        )


@contextmanager
def counted(engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, _parameters, _context, _many) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _costs(grown: Grown, engine, paths: list[str], headers=None) -> dict[str, int]:
    costs = {}
    for template in paths:
        path = grown.path(template)
        grown.client.get(path, headers=headers)
        # Every counted request looks its caller up: a cache entry expiring between two
        # requests on a slow machine must not look like a query added per row.
        accounts.principal_cache.forget_all()
        with counted(engine) as statements:
            answer = grown.client.get(path, headers=headers)
        assert answer.status_code == 200, (path, answer.text[:300])
        costs[template] = len(statements)
    return costs


@pytest.fixture
def grown(client, world, clock):
    grown = Grown(client, world)
    grown.grow(members=2, letters=2)
    return grown


@pytest.mark.parametrize("group", sorted(API_READS))
def test_api_reads_cost_the_same_however_many_rows_they_show(grown, engine, group):
    small = _costs(grown, engine, API_READS[group], grown.headers)
    grown.grow(members=4, letters=3)
    large = _costs(grown, engine, API_READS[group], grown.headers)
    assert large == small, f"statements per read grew with the rows shown: {small} → {large}"


def test_pages_cost_the_same_however_many_rows_they_show(grown, engine):
    sign_in(grown.client, grown.lead_user)
    small = _costs(grown, engine, PAGES)
    grown.grow(members=4, letters=3)
    large = _costs(grown, engine, PAGES)
    assert large == small, f"statements per page grew with the rows shown: {small} → {large}"
