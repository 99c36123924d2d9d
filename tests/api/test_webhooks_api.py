"""Webhook subscriptions through the API."""

from tests.api.test_conventions import assert_problem


def test_subscribe_see_secret_once_rotate_and_test(client, world):
    admin = world.user("sam")
    organization = world.organization(admin)
    headers = world.headers(admin)
    created = client.post(
        "/api/v1/webhooks",
        headers=headers,
        json={"url": "http://127.0.0.1:9/hooks", "organization_id": organization.id,
              "event_types": ["signon.decision_changed", "approval.completed"]},
    )  # fmt: skip
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["enabled"] is True
    again = client.get(f"/api/v1/webhooks/{body['id']}", headers=headers).json()
    assert "secret" not in again
    rotated = client.post(f"/api/v1/webhooks/{body['id']}/rotate-secret", headers=headers).json()
    assert rotated["secret"] != body["secret"]
    test = client.post(f"/api/v1/webhooks/{body['id']}/test", headers=headers)
    assert test.status_code == 202 and test.json()["event_type"] == "webhook.test"
    deliveries = client.get(f"/api/v1/webhooks/{body['id']}/deliveries", headers=headers).json()
    assert [d["status"] for d in deliveries["items"]] == ["pending"]
    disabled = client.patch(
        f"/api/v1/webhooks/{body['id']}", headers=headers, json={"enabled": False}
    )
    assert disabled.json()["enabled"] is False
    assert_problem(client.post(f"/api/v1/webhooks/{body['id']}/test", headers=headers), 409)


def test_bad_subscriptions(app, client, settings, world):
    admin = world.user("sam")
    organization = world.organization(admin)
    headers = world.headers(admin)
    base = {"organization_id": organization.id}
    assert_problem(
        client.post(
            "/api/v1/webhooks",
            headers=headers,
            json={**base, "url": "http://127.0.0.1/x", "event_types": ["nope"]},
        ),
        422,
    )
    assert_problem(
        client.post(
            "/api/v1/webhooks",
            headers=headers,
            json={**base, "url": "http://127.0.0.1/x", "event_types": []},
        ),
        422,
    )
    # The same app, told to refuse what the suite's settings allow.
    app.state.settings = settings.model_copy(update={"webhook_allow_private_urls": False})
    refused = client.post(
        "/api/v1/webhooks", headers=headers, json={**base, "url": "https://10.0.0.8/x"}
    )
    body = assert_problem(refused, 422)
    assert body["errors"][0]["loc"] == ["body", "url"]
    assert_problem(
        client.post(
            "/api/v1/webhooks", headers=headers, json={**base, "url": "http://93.184.216.34/x"}
        ),
        422,
    )
    assert client.get("/api/v1/webhooks", headers=headers).json()["items"] == []
