"""The profile page (/me): each section saves in place and says what happened."""

import re
from datetime import timedelta

from tests.conftest import sign_in

PASSWORD = "dana's password"
HTMX = {"HX-Request": "true"}


def test_the_profile_page_saves_name_time_zone_and_preference(client, world):
    dana = world.user("dana", password=PASSWORD)
    csrf = sign_in(client, dana)
    page = client.get("/me")
    assert page.status_code == 200 and "<h1>Your profile</h1>" in page.text
    assert 'href="/me"' in page.text  # the navigation leads here
    saved = client.post(
        "/me",
        data={
            "name": "Dana Ruiz",
            "time_zone": "Europe/Paris",
            "notification_email": "off",
            "csrf_token": csrf,
        },
        headers=HTMX,
    )
    assert saved.status_code == 200 and "Profile saved." in saved.text
    assert '<option value="Europe/Paris" selected>' in saved.text
    wrong = client.post("/me", data={"time_zone": "Nowhere/Land", "csrf_token": csrf}, headers=HTMX)
    assert wrong.status_code == 422 and "Choose a time zone from the list" in wrong.text


def test_the_profile_page_changes_the_password_and_keeps_this_browser_in(client, world):
    dana = world.user("dana", password=PASSWORD)
    csrf = sign_in(client, dana)
    wrong = client.post(
        "/me/password",
        data={"current": "guess", "new": "a new long password", "csrf_token": csrf},
        headers=HTMX,
    )
    assert wrong.status_code == 422 and "That is not your current password." in wrong.text
    changed = client.post(
        "/me/password",
        data={"current": PASSWORD, "new": "a new long password", "csrf_token": csrf},
        headers=HTMX,
    )
    assert changed.status_code == 200 and "Other browsers were signed out" in changed.text
    assert client.get("/me", follow_redirects=False).status_code == 200


def test_the_profile_page_creates_shows_once_and_revokes_tokens(client, world):
    dana = world.user("dana", password=PASSWORD)
    csrf = sign_in(client, dana)
    created = client.post("/me/tokens", data={"name": "our CRM", "csrf_token": csrf}, headers=HTMX)
    assert "shown only this once" in created.text
    token = re.search(r'id="new-token" value="(coal_[^"]+)"', created.text).group(1)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    listed = client.get("/me").text
    assert "our CRM" in listed and token not in listed
    token_id = re.search(r"/me/tokens/(tok_[^/]+)/revoke", listed).group(1)
    revoked = client.post(f"/me/tokens/{token_id}/revoke", data={"csrf_token": csrf}, headers=HTMX)
    assert "Token revoked" in revoked.text and "You have no API tokens." in revoked.text
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_sign_out_everywhere_from_the_page(client, world):
    dana = world.user("dana", password=PASSWORD)
    csrf = sign_in(client, dana)
    response = client.post("/me/sessions/end", data={"csrf_token": csrf}, follow_redirects=False)
    assert (
        response.status_code == 303
        and response.headers["location"] == "/login?signed_out=everywhere"
    )
    assert "signed out of every browser" in client.get(response.headers["location"]).text
    # The old cookie, replayed, no longer works.
    sign_in(client, dana)
    assert client.get("/me", follow_redirects=False).status_code == 303


def test_a_person_chooses_a_tokens_scopes_and_expiry_and_sees_its_last_use(client, world, clock):
    dana = world.user("dana", password=PASSWORD)
    csrf = sign_in(client, dana)
    nothing = client.post(
        "/me/tokens", data={"name": "empty", "scopes": "", "csrf_token": csrf}, headers=HTMX
    )
    assert nothing.status_code == 422 and "Choose at least one scope." in nothing.text

    created = client.post(
        "/me/tokens",
        data={
            "name": "our CRM",
            "scopes": ["", "read"],
            "expires_at": "2026-03-09T17:00",
            "csrf_token": csrf,
        },
        headers=HTMX,
    )
    assert "shown only this once" in created.text
    token = re.search(r'id="new-token" value="(coal_[^"]+)"', created.text).group(1)
    reader = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=reader).status_code == 200
    assert client.patch("/api/v1/me", headers=reader, json={"name": "D"}).status_code == 403
    listed = client.get("/me").text
    assert "May: read." in listed and "Stops working" in listed and "never used" in listed
    [made] = client.get("/api/v1/tokens", headers=world.headers(dana)).json()["items"][:1]
    assert made["scopes"] == ["read"]
    assert made["expires_at"] == "2026-03-09T17:00:00Z"  # read in Dana's zone, UTC here

    clock.shift(timedelta(days=8))
    assert client.get("/api/v1/me", headers=reader).status_code == 401
    assert "Expired" in client.get("/me").text
