"""A person's own profile through the API: name, time zone, e-mail preference, password,
and signing out everywhere."""

from tests.api.test_conventions import assert_problem
from tests.conftest import basic_auth, sign_in

PASSWORD = "dana's password"


def test_me_carries_and_changes_name_time_zone_and_e_mail_preference(client, world):
    dana = world.user("dana")
    headers = world.headers(dana)
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["time_zone"] == "UTC" and me["notification_email"] == "immediate"
    changed = client.patch(
        "/api/v1/me",
        json={"name": "Dana Ruiz", "time_zone": "America/Chicago", "notification_email": "daily"},
        headers=headers,
    )
    assert changed.status_code == 200
    assert {k: changed.json()[k] for k in ("name", "time_zone", "notification_email")} == {
        "name": "Dana Ruiz", "time_zone": "America/Chicago", "notification_email": "daily",
    }  # fmt: skip
    assert client.get("/api/v1/notifications/preferences", headers=headers).json() == {
        "email": "daily"
    }
    wrong = client.patch("/api/v1/me", json={"time_zone": "Mars/Olympus"}, headers=headers)
    assert assert_problem(wrong, 422)["errors"][0]["loc"] == ["body", "time_zone"]
    assert client.get("/api/v1/me", headers=headers).json()["time_zone"] == "America/Chicago"


def test_changing_the_password_needs_the_current_one(client, world):
    dana = world.user("dana", password=PASSWORD)
    headers = world.headers(dana)
    wrong = client.post(
        "/api/v1/me/password",
        json={"current": "guess", "new": "a new long password"},
        headers=headers,
    )
    assert assert_problem(wrong, 422)["errors"][0]["loc"] == ["body", "current"]
    weak = client.post(
        "/api/v1/me/password", json={"current": PASSWORD, "new": "short"}, headers=headers
    )
    assert_problem(weak, 422)
    sign_in(client, dana)
    changed = client.post(
        "/api/v1/me/password",
        json={"current": PASSWORD, "new": "a new long password"},
        headers=headers,
    )
    assert changed.status_code == 204
    assert (
        client.get("/api/v1/me", headers=basic_auth(dana.email, "a new long password")).status_code
        == 200
    )
    assert client.get("/api/v1/me", headers=basic_auth(dana.email, PASSWORD)).status_code == 401
    assert client.get("/api/v1/me", headers=headers).status_code == 200  # the token still works
    assert client.get("/", follow_redirects=False).status_code == 303  # the browser is out


def test_sign_out_everywhere_ends_every_browser_session(client, world):
    dana = world.user("dana", password=PASSWORD)
    sign_in(client, dana)
    assert client.get("/", follow_redirects=False).status_code == 200
    assert client.delete("/api/v1/me/sessions", headers=world.headers(dana)).status_code == 204
    assert client.get("/", follow_redirects=False).headers["location"] == "/login?next=/"
