"""Webhook and notification pages."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.conftest import sign_in


def htmx(token: str) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRF-Token": token}


# What htmx sends when the bell in every page's navigation loads its count.
BELL = {"HX-Request": "true", "HX-Target": "bell"}


def test_create_shows_the_secret_once_then_test_and_disable(client, world):
    admin = world.user("sam")
    organization = world.organization(admin)
    token = sign_in(client, admin)
    made = client.post(
        "/webhooks",
        headers=htmx(token),
        data={"url": "http://127.0.0.1:9/hooks", "organization_id": organization.id,
              "event_types": ["signon.decision_changed"]},
    )  # fmt: skip
    assert made.status_code == 200
    secret = re.search(r'id="new-secret" readonly value="(whsec_[^"]+)"', made.text).group(1)
    page = client.get("/webhooks")
    assert "http://127.0.0.1:9/hooks" in page.text and secret not in page.text
    webhook_id = re.search(r'id="webhook-(whk_[a-z0-9]+)"', page.text).group(1)

    tested = client.post(f"/webhooks/{webhook_id}/test", headers=htmx(token))
    assert "Test queued" in tested.text and "webhook.test" in tested.text
    rotated = client.post(f"/webhooks/{webhook_id}/rotate-secret", headers=htmx(token))
    new_secret = re.search(r'id="new-secret" readonly value="(whsec_[^"]+)"', rotated.text).group(1)
    assert new_secret != secret
    disabled = client.post(
        f"/webhooks/{webhook_id}/enabled",
        headers=htmx(token),
        data={"enabled": "false", "confirmed": "yes"},
    )
    assert "— disabled" in disabled.text

    bad = client.post(
        "/webhooks",
        headers=htmx(token),
        data={"url": "ftp://x.example.org", "organization_id": organization.id},
    )
    assert bad.status_code == 422 and 'id="url-error"' in bad.text


def test_members_cannot_manage_webhooks(client, world):
    admin = world.user("sam")
    organization = world.organization(admin)
    member = world.member(organization, "member")
    sign_in(client, member)
    page = client.get("/webhooks")
    assert "Add a webhook" not in page.text and "admins manage" in page.text


def test_bell_list_mark_read_and_preferences(client, world):
    from app.services import notifications

    user = world.user("rita")
    with world.database.session() as session:
        notifications.notify(
            session,
            user.id,
            kind="proposal_decided",
            text="Decided: “Endorse HB 210” passed. Passed: 3 yes, 0 no.",
            link="/approvals",
        )
    token = sign_in(client, user)
    bell = client.get("/notifications", headers=BELL)
    assert bell.text.strip().startswith('<a href="/notifications" id="bell"')
    # News is not something to do: the bell counts only what waits, the page the unread.
    assert bell.text.strip().endswith(">Notifications</a>")
    page = client.get("/notifications")
    assert "(1 unread)" in page.text
    assert "<h1" in page.text and 'hx-get="/notifications"' in page.text  # its own bell too
    assert "Decided: “Endorse HB 210” passed." in page.text and 'class="unread"' in page.text
    # The link is the short first sentence; the tally after it is plain words.
    told = re.search(r'<li class="unread">\s*<a href="[^"]+">([^<]+)</a> ([^<]+)<', page.text)
    assert told and told.group(1) == "Decided: “Endorse HB 210” passed."
    assert told.group(2).startswith("Passed:")
    read = client.post("/notifications/read", headers=htmx(token))
    assert read.status_code == 200 and 'class="unread"' not in read.text
    assert client.get("/notifications", headers=BELL).text.strip().endswith(">Notifications</a>")
    saved = client.post("/notifications/preferences", headers=htmx(token), data={"email": "daily"})
    assert "Preference saved." in saved.text and '<option value="daily" selected>' in saved.text
    bad = client.post("/notifications/preferences", headers=htmx(token), data={"email": "hourly"})
    assert bad.status_code == 422


def test_the_log_filters_and_a_replay_in_local_time_answers_with_a_banner(client, world):
    admin = world.user("sam")
    organization = world.organization(admin)
    token = sign_in(client, admin)
    headers = world.headers(admin)
    client.patch("/api/v1/me", headers=headers, json={"time_zone": "America/Chicago"})
    hook = client.post(
        "/api/v1/webhooks",
        headers=headers,
        json={"url": "http://127.0.0.1:9/hooks", "organization_id": organization.id,
              "event_types": ["membership.changed"]},
    ).json()  # fmt: skip
    client.post(f"/api/v1/webhooks/{hook['id']}/test", headers=headers)
    coalition = world.coalition(organization)  # its convener joins: one membership.changed
    assert coalition.id

    log = client.get(
        f"/webhooks?log={hook['id']}&status=failed",
        headers={**htmx(token), "HX-Target": f"deliveries-{hook['id']}"},
    )
    assert "No deliveries like that" in log.text
    pending = client.get(
        f"/webhooks?log={hook['id']}&event_type=webhook.test",
        headers={**htmx(token), "HX-Target": f"deliveries-{hook['id']}"},
    )
    assert pending.text.count("<tr>") == 2  # the heading and the test alone

    # A replay from yesterday to tomorrow in Chicago time: the membership change again.
    wrong = client.post(
        f"/webhooks/{hook['id']}/replay",
        headers=htmx(token),
        data={"since": "2099-01-02T00:00", "until": "2099-01-01T00:00"},
    )
    assert wrong.status_code == 422
    assert f'id="replay-until-{hook["id"]}-error"' in wrong.text and "comes before" in wrong.text
    assert 'value="2099-01-02T00:00"' in wrong.text  # what was typed stays
    chicago = datetime.now(UTC).astimezone(ZoneInfo("America/Chicago"))
    window = {
        "since": (chicago - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "until": (chicago + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
    }
    replayed = client.post(f"/webhooks/{hook['id']}/replay", headers=htmx(token), data=window)
    assert replayed.status_code == 200
    assert 'role="status"' in replayed.text and "Queued 1 event for delivery." in replayed.text
    # Ten minutes around now, read in Chicago time; read as UTC they would lie six hours
    # back and hold nothing.
    late = {**window, "since": (chicago - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M")}
    again = client.post(f"/webhooks/{hook['id']}/replay", headers=htmx(token), data=late)
    assert "Queued 1 event for delivery." in again.text
