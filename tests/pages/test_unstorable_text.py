"""Pages refuse text no backend can store as the API does: beside the field on a form (422),
for values no schema reads, and in addresses."""

import pytest

from tests.conftest import sign_in
from tests.pages.test_pages import csrf_of


@pytest.fixture
def dana(client, world):
    user = world.user("dana")
    organization = world.organization(user, name="Maple District PTA")
    return user, organization, sign_in(client, user)


def test_a_nul_in_a_field_is_said_beside_it_and_saves_nothing(client, world, dana):
    user, organization, token = dana
    response = client.post(
        f"/organizations/{organization.id}",
        data={"name": "Maple\x00PTA", "kind": "pta", "csrf_token": token},
    )
    assert response.status_code == 422 and "<html" in response.text
    error = response.text.split('id="name-error">', 1)[1].split("</small>", 1)[0]
    assert "NUL character" in error
    profile = client.get(f"/api/v1/organizations/{organization.id}", headers=world.headers(user))
    assert profile.json()["name"] == "Maple District PTA"


def test_htmx_gets_the_fragment_with_the_message(client, world, dana):
    _, organization, token = dana
    area = world.issue_area("Early literacy")
    response = client.post(
        f"/organizations/{organization.id}/positions/{area.id}",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        data={"stance": "support", "priority": "main", "statement": "Read\x00", "version": "0"},
    )
    assert response.status_code == 422 and "<html" not in response.text
    assert f'id="position-{area.id}-statement-error"' in response.text
    assert "NUL character" in response.text


def test_values_no_schema_reads_are_refused_too(client, world, dana):
    user, _, token = dana
    marked = client.post(
        "/notifications/read", data={"notification_id": "ntf\x00", "csrf_token": token}
    )
    assert marked.status_code == 422

    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    login = client.post(
        "/login", data={"email": f"{user.email}\x00", "password": "x", "csrf_token": token}
    )
    assert login.status_code == 422 and "NUL character" in login.text


@pytest.mark.parametrize(
    "path", ["/organizations/%00", "/coalitions/coa_x/join?organization_id=org%00"]
)
def test_an_address_with_a_nul_is_refused_not_looked_up(client, dana, path):
    response = client.get(path)
    assert response.status_code == 422
    assert "<html" in response.text and "NUL character" in response.text


def test_a_csrf_token_that_is_not_ascii_is_refused_not_a_crash(client, dana):
    response = client.post(
        "/notifications/read", headers={"X-CSRF-Token": "tok\xe9n".encode("latin-1")}
    )
    assert response.status_code == 403


def test_a_form_version_of_other_digits_is_no_version_not_a_crash(client, dana):
    _, organization, token = dana
    response = client.post(
        f"/organizations/{organization.id}",
        data={"name": "Maple PTA", "kind": "pta", "version": "²", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
