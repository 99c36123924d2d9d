"""The pages people reach from an e-mail: choosing a password from an invitation,
forgetting one, and the people page's "invited — not yet signed in" with "send again"."""

from datetime import timedelta

import pytest

from tests.api.test_account_links import PASSWORD, link_token, mails_to
from tests.conftest import sign_in
from tests.pages.test_pages import csrf_of


@pytest.fixture
def lead(world):
    dana = world.user("dana", password="dana's password")
    return dana, world.organization(dana, name="Maple PTA")


def add_person(client, lead, email="new.person@example.org"):
    dana, maple = lead
    csrf = sign_in(client, dana)
    response = client.post(
        f"/organizations/{maple.id}/users",
        data={"email": email, "role": "member", "name": "", "password": "", "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.text
    return response


def test_the_people_page_shows_who_is_invited_and_sends_again(client, database, lead):
    _, maple = lead
    fragment = add_person(client, lead)
    assert "Person added" in fragment.text
    assert "invited — not yet signed in" in fragment.text and "Send again" in fragment.text
    first = link_token(database, "new.person@example.org", "/welcome/")

    user_id = next(
        line.split("/users/")[1].split("/")[0]
        for line in fragment.text.splitlines()
        if "/invitation" in line
    )
    again = client.post(
        f"/organizations/{maple.id}/users/{user_id}/invitation",
        data={"csrf_token": "csrf-token-for-tests"},
        headers={"HX-Request": "true"},
    )
    assert "Invitation sent again" in again.text
    assert len(mails_to(database, "new.person@example.org")) == 2
    assert link_token(database, "new.person@example.org", "/welcome/") != first


def test_following_an_invitation_sets_a_password_and_signs_in(client, database, lead):
    _, maple = lead
    add_person(client, lead)
    client.cookies.clear()
    token = link_token(database, "new.person@example.org", "/welcome/")
    form = client.get(f"/welcome/{token}")
    assert form.status_code == 200 and "Maple PTA" in form.text
    weak = client.post(
        f"/welcome/{token}",
        data={"name": "Ana", "password": "short", "csrf_token": csrf_of(form.text)},
    )
    assert weak.status_code == 422 and "at least 8 characters" in weak.text
    assert 'aria-invalid="true"' in weak.text and 'value="Ana"' in weak.text
    done = client.post(
        f"/welcome/{token}",
        data={"name": "Ana", "password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"/organizations/{maple.id}"
    assert "Ana" in client.get(f"/organizations/{maple.id}/people").text
    assert client.get("/", follow_redirects=False).status_code == 200  # signed in

    client.cookies.clear()
    used = client.get(f"/welcome/{token}")
    assert (
        used.status_code == 400
        and "already been used" in used.text
        and 'href="/login"' in used.text
    )


def test_an_expired_or_unknown_invitation_explains_itself(client, database, lead, clock):
    add_person(client, lead)
    client.cookies.clear()
    token = link_token(database, "new.person@example.org", "/welcome/")
    unknown = client.get(f"/welcome/{token[:-2]}")
    assert unknown.status_code == 400 and "does not know this link" in unknown.text
    clock.shift(timedelta(days=7, seconds=1))
    expired = client.get(f"/welcome/{token}")
    assert expired.status_code == 400 and "expired" in expired.text
    assert (
        "Ask dana to send you a new one" in expired.text and "send a new invitation" in expired.text
    )


def test_someone_else_signed_in_cannot_use_the_link(client, world, database, lead):
    add_person(client, lead)
    token = link_token(database, "new.person@example.org", "/welcome/")
    other = world.user("other", password="other's password")
    csrf = sign_in(client, other)
    assert client.get(f"/welcome/{token}").status_code == 404
    posted = client.post(f"/welcome/{token}", data={"password": PASSWORD, "csrf_token": csrf})
    assert posted.status_code == 404
    client.cookies.clear()
    assert client.get(f"/welcome/{token}").status_code == 200  # still unused


def test_forgot_password_answers_the_same_and_the_link_signs_out_elsewhere(
    client, database, lead, world
):
    dana, _ = lead
    client.cookies.clear()
    page = client.get("/forgot-password")
    assert page.status_code == 200 and 'href="/forgot-password"' in client.get("/login").text
    answers = []
    for email in (dana.email, "nobody@example.org"):
        response = client.post(
            "/forgot-password", data={"email": email, "csrf_token": csrf_of(page.text)}
        )
        assert response.status_code == 200
        answers.append(response.text.replace(email, "ADDRESS"))
    assert answers[0] == answers[1] and "If ADDRESS has a Coalesce account" in answers[0]
    assert mails_to(database, "nobody@example.org") == []

    bad = client.post("/forgot-password", data={"email": "nope", "csrf_token": csrf_of(page.text)})
    assert bad.status_code == 422 and "Enter an e-mail address" in bad.text

    token = link_token(database, dana.email, "/reset-password/")
    form = client.get(f"/reset-password/{token}")
    assert "API tokens keep working" in form.text
    done = client.post(
        f"/reset-password/{token}", data={"password": PASSWORD, "csrf_token": csrf_of(form.text)}
    )
    assert (
        done.status_code == 200
        and "signed out" in done.text
        and "API tokens keep working" in done.text
    )
    assert client.get("/", follow_redirects=False).status_code == 200  # this browser stays in

    used = client.get(f"/reset-password/{token}")
    assert used.status_code == 400 and 'href="/forgot-password"' in used.text


def test_too_many_resets_show_a_plain_message(client, lead):
    dana, _ = lead
    page = client.get("/forgot-password")
    for _ in range(3):
        client.post(
            "/forgot-password", data={"email": dana.email, "csrf_token": csrf_of(page.text)}
        )
    throttled = client.post(
        "/forgot-password", data={"email": dana.email, "csrf_token": csrf_of(page.text)}
    )
    assert throttled.status_code == 429 and "Try again in 60 minutes" in throttled.text


def test_a_lead_invites_a_food_bank_and_its_admin_lands_on_the_assessment(
    client, world, database, lead
):
    dana, maple = lead
    coalition = world.coalition(maple, name="Feed Every Kid")
    csrf = sign_in(client, dana)
    fragment = client.post(
        f"/coalitions/{coalition.id}/members",
        data={
            "invite_email": "director@foodbank.example.org",
            "organization_name": "Eastside Food Bank",
            "note": "Join us",
            "csrf_token": csrf,
        },
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200 and "Eastside Food Bank" in fragment.text
    missing = client.post(
        f"/coalitions/{coalition.id}/members",
        data={"invite_email": "x@example.org", "organization_name": "", "csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert missing.status_code == 422 and "Give the name of the organization" in missing.text

    client.cookies.clear()
    token = link_token(database, "director@foodbank.example.org", "/welcome/")
    form = client.get(f"/welcome/{token}")
    assert "Feed Every Kid" in form.text and "Eastside Food Bank" in form.text
    done = client.post(
        f"/welcome/{token}",
        data={"password": PASSWORD, "csrf_token": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert done.headers["location"].startswith(f"/coalitions/{coalition.id}/join?organization_id=")
    assessment = client.get(done.headers["location"])
    assert assessment.status_code == 200 and "Feed Every Kid" in assessment.text

    # A lead of another coalition gets nothing from the assessment's address.
    other = world.user("oaklead", password="oak lead's password")
    world.coalition(world.organization(other, name="Oak PTA"), name="Oak coalition")
    sign_in(client, other)
    assert client.get(done.headers["location"]).status_code == 404
