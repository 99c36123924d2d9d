"""Sign-up: absent while COALESCE_SIGNUP=invite (the default); when open, a person and a new
organization are made once the e-mailed link is followed, and the person becomes its admin."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.main import create_app
from app.models import User
from app.settings import Settings
from tests.api.test_account_links import PASSWORD, link_token, mails_to
from tests.api.test_conventions import assert_problem
from tests.conftest import basic_auth
from tests.pages.test_pages import csrf_of

FINISH = {
    "password": PASSWORD,
    "name": "Rosa",
    "organization_name": "Eastside Food Bank",
    "organization_kind": "nonprofit",
}


@pytest.fixture
def open_client(settings, database) -> Iterator[TestClient]:
    opened = Settings(**{**settings.model_dump(), "signup": "open"})
    with TestClient(create_app(opened, database=database)) as client:
        yield client


def test_sign_up_is_not_there_while_it_is_by_invitation(client):
    assert_problem(client.post("/api/v1/signups", json={"email": "rosa@example.org"}), 404)
    assert_problem(client.post("/api/v1/signups/complete", json={"token": "x", **FINISH}), 404)
    assert client.get("/signup").status_code == 404
    assert client.get("/signup/some-token").status_code == 404
    assert 'href="/signup"' not in client.get("/login").text


def test_an_open_sign_up_makes_the_person_admin_of_a_new_organization(open_client, database):
    assert (
        open_client.post("/api/v1/signups", json={"email": "Rosa@Example.org"}).status_code == 202
    )
    token = link_token(database, "rosa@example.org", "/signup/")
    weak = open_client.post(
        "/api/v1/signups/complete", json={"token": token, **FINISH, "password": "short"}
    )
    assert_problem(weak, 422)
    done = open_client.post("/api/v1/signups/complete", json={"token": token, **FINISH})
    assert done.status_code == 201, done.text
    me = open_client.get("/api/v1/me", headers=basic_auth("rosa@example.org", PASSWORD)).json()
    assert me["name"] == "Rosa"
    assert me["organizations"] == [
        {
            "id": done.json()["organization_id"],
            "name": "Eastside Food Bank",
            "kind": "nonprofit",
            "role": "admin",
        }
    ]
    again = open_client.post("/api/v1/signups/complete", json={"token": token, **FINISH})
    assert "already been used" in assert_problem(again, 400)["detail"]


def test_signing_up_with_an_address_that_has_an_account_mails_a_way_in_instead(
    open_client, world, database
):
    known = world.user("known", password="known's password")
    assert open_client.post("/api/v1/signups", json={"email": known.email}).status_code == 202
    [mail] = mails_to(database, known.email)
    assert "already has an account" in mail.body and "/signup/" not in mail.body
    with database.session() as session:
        assert len(session.exec(select(User).where(User.email == known.email)).all()) == 1


def test_a_sign_up_link_expires_after_a_day_and_requests_are_throttled(
    open_client, database, clock
):
    for _ in range(3):
        assert (
            open_client.post("/api/v1/signups", json={"email": "rosa@example.org"}).status_code
            == 202
        )
    assert_problem(open_client.post("/api/v1/signups", json={"email": "rosa@example.org"}), 429)
    token = link_token(database, "rosa@example.org", "/signup/")
    clock.shift(timedelta(days=1))
    assert (
        "expired"
        in assert_problem(
            open_client.post("/api/v1/signups/complete", json={"token": token, **FINISH}), 400
        )["detail"]
    )


def test_sign_up_through_the_pages(open_client, database):
    assert 'href="/signup"' in open_client.get("/login").text
    form = open_client.get("/signup")
    bad = open_client.post("/signup", data={"email": "nope", "csrf_token": csrf_of(form.text)})
    assert bad.status_code == 422 and "Enter an e-mail address" in bad.text
    sent = open_client.post(
        "/signup", data={"email": "rosa@example.org", "csrf_token": csrf_of(form.text)}
    )
    assert sent.status_code == 200 and "We have sent a link to rosa@example.org" in sent.text
    token = link_token(database, "rosa@example.org", "/signup/")
    finish = open_client.get(f"/signup/{token}")
    assert finish.status_code == 200 and "Finish signing up" in finish.text
    missing = open_client.post(
        f"/signup/{token}",
        data={**FINISH, "organization_name": "", "csrf_token": csrf_of(finish.text)},
    )
    assert (
        missing.status_code == 422
        and 'aria-invalid="true"' in missing.text
        and 'value="Rosa"' in missing.text
    )
    done = open_client.post(
        f"/signup/{token}",
        data={**FINISH, "csrf_token": csrf_of(finish.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/organizations/org_")
    page = open_client.get(done.headers["location"])
    assert "Eastside Food Bank" in page.text
    people = open_client.get(f"{done.headers['location']}/people")
    assert "Add a person" in people.text  # its admin
    used = open_client.get(f"/signup/{token}")
    assert used.status_code == 400 and 'href="/login"' in used.text
