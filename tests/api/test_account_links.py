"""People arrive by e-mail, through the API: invitations, password resets, inviting an
organization not yet on Coalesce, and signing out everywhere; every misuse of a link."""

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from app.main import create_app
from app.models import AccountLink, EmailMessage, Membership, Organization, OrganizationUser, User
from app.security import hash_token
from app.services import account_links
from app.settings import Settings, get_settings
from tests.api.test_conventions import assert_problem
from tests.conftest import TEST_SECRET, basic_auth

PASSWORD = "a long new password"


def answer_requests(database) -> None:
    """What the worker does with recorded requests for links (resets, sign-ups): mails them."""
    settings = get_settings().model_copy(update={"signup": "open"})
    with database.session() as session:
        account_links.send_requested_links(session, settings=settings)


def mails_to(database, email: str) -> list[EmailMessage]:
    """The e-mails queued for `email`, once the worker has answered requests for links."""
    answer_requests(database)
    with database.session() as session:
        return list(
            session.exec(
                select(EmailMessage)
                .where(EmailMessage.to_address == email)
                .order_by(EmailMessage.id)  # type: ignore[arg-type]
            )
        )


def link_token(database, email: str, path: str) -> str:
    """The token of the last link to `path` mailed to `email`."""
    found = [m for m in mails_to(database, email) if path in m.body]
    assert found, f"no e-mail to {email} with a {path} link"
    return re.findall(re.escape(path) + r"(\S+)", found[-1].body)[-1]


@pytest.fixture
def lead(world):
    """Dana, who signs in with a password, admins Maple PTA."""
    dana = world.user("dana", password="dana's password")
    return dana, world.organization(dana, name="Maple PTA")


def invite_person(client, world, lead, email: str = "new.person@example.org"):
    dana, maple = lead
    response = client.post(
        f"/api/v1/organizations/{maple.id}/users",
        json={"email": email, "role": "member", "name": "New Person"},
        headers=world.headers(dana),
    )
    assert response.status_code == 201, response.text
    return response.json()


# Invitations ---------------------------------------------------------------------------


def test_adding_a_person_without_a_password_mails_a_single_use_link(
    client, world, database, lead, clock
):
    dana, maple = lead
    row = invite_person(client, world, lead)
    assert row["status"] == "invited"
    [mail] = mails_to(database, "new.person@example.org")
    assert "Maple PTA" in mail.subject and "7 days" in mail.body
    token = link_token(database, "new.person@example.org", "/welcome/")

    with database.session() as session:
        link = session.exec(select(AccountLink)).one()
        # Stored hashed, never as sent; valid for 7 days.
        assert link.token_hash == hash_token(token) and token not in link.token_hash
        assert link.expires_at - link.created_at == timedelta(days=7)

    accepted = client.post(
        "/api/v1/invitations/accept", json={"token": token, "password": PASSWORD}
    )
    assert accepted.status_code == 204
    me = client.get("/api/v1/me", headers=basic_auth("new.person@example.org", PASSWORD))
    assert me.status_code == 200 and me.json()["organizations"][0]["id"] == maple.id
    people = client.get(f"/api/v1/organizations/{maple.id}/users", headers=world.headers(dana))
    assert {p["email"]: p["status"] for p in people.json()["items"]}[
        "new.person@example.org"
    ] == "active"


def test_a_reused_link_is_refused(client, world, database, lead):
    invite_person(client, world, lead)
    token = link_token(database, "new.person@example.org", "/welcome/")
    assert (
        client.post(
            "/api/v1/invitations/accept", json={"token": token, "password": PASSWORD}
        ).status_code
        == 204
    )
    again = client.post(
        "/api/v1/invitations/accept", json={"token": token, "password": "another password"}
    )
    assert "already been used" in assert_problem(again, 400)["detail"]
    # The first password still holds.
    assert (
        client.get("/api/v1/me", headers=basic_auth("new.person@example.org", PASSWORD)).status_code
        == 200
    )


def test_an_expired_link_is_refused_after_seven_days(client, world, database, lead, clock):
    invite_person(client, world, lead)
    token = link_token(database, "new.person@example.org", "/welcome/")
    clock.shift(timedelta(days=7))
    response = client.post(
        "/api/v1/invitations/accept", json={"token": token, "password": PASSWORD}
    )
    body = assert_problem(response, 400)
    assert "expired" in body["detail"] and body["type"].endswith("link-not-valid")


def test_a_tampered_or_foreign_link_is_refused(client, world, database, lead):
    invite_person(client, world, lead)
    token = link_token(database, "new.person@example.org", "/welcome/")
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.post(
        "/api/v1/invitations/accept", json={"token": tampered, "password": PASSWORD}
    )
    assert "does not know this link" in assert_problem(response, 400)["detail"]
    # An invitation is not a password reset, nor the other way round.
    foreign = client.post(
        "/api/v1/password-resets/use", json={"token": token, "password": PASSWORD}
    )
    assert_problem(foreign, 400)
    assert (
        client.post(
            "/api/v1/invitations/accept", json={"token": token, "password": PASSWORD}
        ).status_code
        == 204
    )


def test_a_weak_password_is_refused_and_the_link_still_works(client, world, database, lead):
    invite_person(client, world, lead)
    token = link_token(database, "new.person@example.org", "/welcome/")
    weak = client.post("/api/v1/invitations/accept", json={"token": token, "password": "short"})
    assert assert_problem(weak, 422)["errors"][0]["loc"][-1] == "password"
    assert (
        client.post(
            "/api/v1/invitations/accept", json={"token": token, "password": PASSWORD}
        ).status_code
        == 204
    )


def test_sending_again_replaces_the_link_until_a_password_is_chosen(client, world, database, lead):
    dana, maple = lead
    row = invite_person(client, world, lead)
    first = link_token(database, "new.person@example.org", "/welcome/")
    again = f"/api/v1/organizations/{maple.id}/users/{row['user_id']}/invitation"
    assert client.post(again, headers=world.headers(dana)).status_code == 202
    second = link_token(database, "new.person@example.org", "/welcome/")
    assert second != first and len(mails_to(database, "new.person@example.org")) == 2
    assert_problem(
        client.post("/api/v1/invitations/accept", json={"token": first, "password": PASSWORD}), 400
    )
    assert (
        client.post(
            "/api/v1/invitations/accept", json={"token": second, "password": PASSWORD}
        ).status_code
        == 204
    )
    assert_problem(client.post(again, headers=world.headers(dana)), 409)


def test_adding_an_address_that_has_an_account_adds_it_without_a_duplicate(
    client, world, database, lead
):
    dana, maple = lead
    known = world.user("known", password="known's password")
    response = client.post(
        f"/api/v1/organizations/{maple.id}/users",
        json={"email": known.email.upper(), "role": "approver"},
        headers=world.headers(dana),
    )
    assert response.status_code == 201 and response.json()["user_id"] == known.id
    assert response.json()["status"] == "active"
    with database.session() as session:
        assert len(session.exec(select(User).where(User.email == known.email)).all()) == 1
    assert mails_to(database, known.email) == []  # nothing to choose: they sign in already


def test_production_without_smtp_refuses_to_send_a_link(world, database, settings, lead):
    from fastapi.testclient import TestClient

    production = Settings(
        environment="production", database_url=settings.database_url, secret_key=TEST_SECRET
    )
    dana, maple = lead
    with TestClient(create_app(production, database=database)) as client:
        response = client.post(
            f"/api/v1/organizations/{maple.id}/users",
            json={"email": "nobody.gets.this@example.org", "role": "member"},
            headers=world.headers(dana),
        )
        assert "COALESCE_SMTP_URL" in assert_problem(response, 503)["detail"]
        reset = client.post("/api/v1/password-resets", json={"email": dana.email})
        assert_problem(reset, 503)
    assert mails_to(database, "nobody.gets.this@example.org") == []


# Password resets -----------------------------------------------------------------------


def test_a_reset_answers_the_same_for_known_and_unknown_addresses(client, world, database, lead):
    dana, _ = lead
    known = client.post("/api/v1/password-resets", json={"email": dana.email})
    unknown = client.post("/api/v1/password-resets", json={"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 202
    assert known.content == unknown.content
    # The request itself writes the same for both: one recorded request, no link, no mail.
    with database.session() as session:
        assert session.exec(select(AccountLink)).all() == []
        assert session.exec(select(EmailMessage)).all() == []
    assert len(mails_to(database, dana.email)) == 1  # the worker answers
    assert mails_to(database, "nobody@example.org") == []


def test_a_reset_link_sets_a_new_password_once_within_the_hour(
    client, world, database, lead, clock
):
    dana, _ = lead
    token_before = world.token(dana)
    client.post("/api/v1/password-resets", json={"email": dana.email})
    token = link_token(database, dana.email, "/reset-password/")
    used = client.post("/api/v1/password-resets/use", json={"token": token, "password": PASSWORD})
    assert used.status_code == 204
    assert client.get("/api/v1/me", headers=basic_auth(dana.email, PASSWORD)).status_code == 200
    assert (
        client.get("/api/v1/me", headers=basic_auth(dana.email, "dana's password")).status_code
        == 401
    )
    # API tokens stay valid.
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {token_before}"}).status_code
        == 200
    )
    assert_problem(
        client.post(
            "/api/v1/password-resets/use", json={"token": token, "password": "yet another one"}
        ),
        400,
    )

    client.post("/api/v1/password-resets", json={"email": dana.email})
    late = link_token(database, dana.email, "/reset-password/")
    clock.shift(timedelta(hours=1))
    assert (
        "expired"
        in assert_problem(
            client.post("/api/v1/password-resets/use", json={"token": late, "password": PASSWORD}),
            400,
        )["detail"]
    )


def test_too_many_resets_for_one_address_are_throttled_known_or_not(client, world, lead, clock):
    dana, _ = lead
    for email in (dana.email, "nobody@example.org"):
        for _ in range(3):
            assert client.post("/api/v1/password-resets", json={"email": email}).status_code == 202
        throttled = client.post("/api/v1/password-resets", json={"email": email})
        assert_problem(throttled, 429)
        assert int(throttled.headers["retry-after"]) > 0
    clock.shift(timedelta(hours=1, seconds=1))
    assert client.post("/api/v1/password-resets", json={"email": dana.email}).status_code == 202


def test_too_many_resets_from_one_client_are_throttled(client):
    for n in range(20):
        assert (
            client.post("/api/v1/password-resets", json={"email": f"p{n}@example.org"}).status_code
            == 202
        )
    assert_problem(client.post("/api/v1/password-resets", json={"email": "p99@example.org"}), 429)


def test_a_reset_ends_browser_sessions_and_sign_out_everywhere_too(client, world, database, lead):
    from tests.conftest import sign_in

    dana, _ = lead
    sign_in(client, dana)
    assert client.get("/", follow_redirects=False).status_code == 200
    client.post("/api/v1/password-resets", json={"email": dana.email})
    token = link_token(database, dana.email, "/reset-password/")
    client.post("/api/v1/password-resets/use", json={"token": token, "password": PASSWORD})
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"

    # Signed in again, then out everywhere through the API.
    from app.pages.browser_session import start_session  # noqa: F401 (the cookie layout)
    from app.security import SESSION_COOKIE, SessionSigner

    signer = SessionSigner(TEST_SECRET, 3600)
    client.cookies.set(SESSION_COOKIE, signer.dumps({"uid": dana.id, "sv": 2, "csrf": "c"}))
    assert client.get("/", follow_redirects=False).status_code == 200
    assert client.delete("/api/v1/me/sessions", headers=world.headers(dana)).status_code == 204
    assert client.get("/", follow_redirects=False).status_code == 303


# Inviting an organization not yet on Coalesce ------------------------------------------


@pytest.fixture
def convening(world, lead):
    dana, maple = lead
    return dana, maple, world.coalition(maple, name="Feed Every Kid")


def invite_by_email(client, world, dana, coalition_id, email="director@foodbank.example.org"):
    return client.post(
        f"/api/v1/coalitions/{coalition_id}/members",
        json={"invite_email": email, "organization_name": "Eastside Food Bank", "note": "Join us"},
        headers=world.headers(dana),
    )


def test_a_lead_invites_an_organization_not_yet_on_coalesce(client, world, database, convening):
    dana, _, coalition = convening
    response = invite_by_email(client, world, dana, coalition.id)
    assert response.status_code == 201, response.text
    membership = response.json()
    assert membership["status"] == "invited"
    with database.session() as session:
        food_bank = session.get(Organization, membership["organization_id"])
        assert food_bank.name == "Eastside Food Bank"
        admin = session.exec(
            select(User).where(User.email == "director@foodbank.example.org")
        ).one()
        assert admin.password_hash is None  # pending until the link is followed
        link = session.get(OrganizationUser, (food_bank.id, admin.id))
        assert link.role == "admin"
    [mail] = mails_to(database, "director@foodbank.example.org")
    assert "Feed Every Kid" in mail.subject and "Eastside Food Bank" in mail.body
    token = link_token(database, "director@foodbank.example.org", "/welcome/")
    assert (
        client.post(
            "/api/v1/invitations/accept", json={"token": token, "password": PASSWORD}
        ).status_code
        == 204
    )
    director = basic_auth("director@foodbank.example.org", PASSWORD)
    answer = client.patch(
        f"/api/v1/coalitions/{coalition.id}/members/{food_bank.id}",
        json={"status": "declined"},
        headers=director,
    )
    assert answer.status_code == 200 and answer.json()["status"] == "declined"


def test_inviting_an_address_with_an_account_makes_it_admin_without_a_duplicate(
    client, world, database, convening
):
    dana, _, coalition = convening
    known = world.user("director", password="director's password")
    response = invite_by_email(client, world, dana, coalition.id, email=known.email)
    assert response.status_code == 201
    with database.session() as session:
        assert len(session.exec(select(User).where(User.email == known.email)).all()) == 1
        assert (
            session.get(OrganizationUser, (response.json()["organization_id"], known.id)).role
            == "admin"
        )
    [mail] = mails_to(database, known.email)
    assert (
        f"/coalitions/{coalition.id}/join?organization_id=" in mail.body
        and "/welcome/" not in mail.body
    )


def test_only_a_lead_invites_by_email_and_a_refusal_creates_nothing(
    client, world, database, convening
):
    _, maple, coalition = convening
    member = world.member(maple, "member")
    stranger = world.user("stranger")
    world.organization(stranger, name="Oak PTA")
    assert_problem(invite_by_email(client, world, member, coalition.id), 403)
    assert_problem(invite_by_email(client, world, stranger, coalition.id), 404)
    with database.session() as session:
        assert (
            session.exec(
                select(Organization).where(Organization.name == "Eastside Food Bank")
            ).first()
            is None
        )
        assert (
            session.exec(select(Membership).where(Membership.coalition_id == coalition.id))
            .all()[0]
            .organization_id
            == maple.id
        )
    assert mails_to(database, "director@foodbank.example.org") == []


def test_inviting_by_email_needs_a_name_and_not_both_kinds(client, world, convening):
    dana, maple, coalition = convening
    path = f"/api/v1/coalitions/{coalition.id}/members"
    no_name = client.post(path, json={"invite_email": "a@example.org"}, headers=world.headers(dana))
    assert_problem(no_name, 422)
    both = client.post(
        path,
        json={
            "invite_email": "a@example.org",
            "organization_name": "A",
            "organization_id": maple.id,
        },
        headers=world.headers(dana),
    )
    assert_problem(both, 422)
    bad = client.post(
        path,
        json={"invite_email": "not an address", "organization_name": "A"},
        headers=world.headers(dana),
    )
    assert_problem(bad, 422)


def test_choosing_a_password_ends_every_other_link_of_the_person(client, world, database, lead):
    invite_person(client, world, lead)
    invitation = link_token(database, "new.person@example.org", "/welcome/")
    client.post("/api/v1/password-resets", json={"email": "new.person@example.org"})
    reset = link_token(database, "new.person@example.org", "/reset-password/")
    assert (
        client.post(
            "/api/v1/password-resets/use", json={"token": reset, "password": PASSWORD}
        ).status_code
        == 204
    )
    # The invitation still in the mailbox can no longer change the password.
    late = client.post(
        "/api/v1/invitations/accept", json={"token": invitation, "password": "someone else's"}
    )
    assert_problem(late, 400)
    assert (
        client.get("/api/v1/me", headers=basic_auth("new.person@example.org", PASSWORD)).status_code
        == 200
    )
