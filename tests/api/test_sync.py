"""What an integration needs to keep a copy in step: strict query parameters, cursors that
belong to their list, `updated_since`, `expand`, ETags that revalidate, and a webhook that
can replay what it missed."""

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import Settings, get_settings
from app.worker import Worker
from tests.api.test_conventions import assert_problem
from tests.conftest import TEST_SECRET, World
from tests.receiver import running_receiver


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_lists_refuse_what_they_do_not_take(client, world):
    admin = world.user("dana")
    organization = world.organization(admin, name="Maple PTA")
    coalition = world.coalition(organization)
    world.coalition(organization)
    headers = world.headers(admin)

    unknown = assert_problem(
        client.get("/api/v1/coalitions?colour=red&limit=1", headers=headers), 422
    )
    assert unknown["errors"] == [
        {"loc": ["query", "colour"], "msg": "Unknown query parameter.", "type": "unknown"}
    ]
    assert "colour" in unknown["detail"] and "updated_since" in unknown["detail"]
    # A read of one resource takes no list parameters either.
    assert_problem(
        client.get(f"/api/v1/coalitions/{coalition.id}?updated_since=2026-01-01", headers=headers),
        422,
    )
    bogus = assert_problem(client.get("/api/v1/events?type=bogus", headers=headers), 422)
    assert "signon.decision_changed" in bogus["detail"]
    assert_problem(client.get("/api/v1/coalitions?expand=everything", headers=headers), 422)
    assert_problem(client.get("/api/v1/coalitions?updated_since=yesterday", headers=headers), 422)

    # A cursor belongs to the list that gave it out.
    page = client.get("/api/v1/coalitions?limit=1", headers=headers).json()
    assert page["next_cursor"]
    following = client.get(
        f"/api/v1/coalitions?limit=1&cursor={page['next_cursor']}", headers=headers
    )
    assert following.status_code == 200 and following.json()["items"]
    elsewhere = assert_problem(
        client.get(f"/api/v1/organizations?cursor={page['next_cursor']}", headers=headers), 422
    )
    assert elsewhere["errors"][0]["loc"] == ["query", "cursor"]


def test_a_sync_reads_changes_since_and_expands_in_one_call(client, world, clock):
    dana = world.user("dana")
    maple = world.organization(dana, name="Maple PTA")
    oak_admin = world.user("ollie")
    oak = world.organization(oak_admin, name="Oak PTA")
    coalition = world.coalition(maple, name="Read by Third Grade")
    world.join(coalition, oak)
    quiet = world.coalition(maple, name="Safe Routes")
    headers = world.headers(dana)
    letter = client.post(
        f"/api/v1/coalitions/{coalition.id}/activities",
        headers=headers,
        json={"kind": "sign_on_letter", "title": "Fund reading coaches"},
    ).json()
    assert client.get("/api/v1/activities?expand=tally", headers=headers).json()["items"][0][
        "tally"
    ] == {"pending": 0, "in_approval": 0, "signed": 0, "declined": 0, "abstained": 0,
          "withdrawn": 0}  # fmt: skip

    clock.shift(timedelta(hours=1))
    since = iso(datetime.now(UTC) - timedelta(minutes=1))
    opened = client.post(f"/api/v1/activities/{letter['id']}/open", headers=headers)
    assert opened.status_code == 200
    assert opened.json()["updated_at"] > letter["updated_at"]  # opening is a change

    changed = client.get(
        f"/api/v1/activities?status=open&organization_id={oak.id}&updated_since={since}"
        "&expand=decisions,tally",
        headers=world.headers(oak_admin),
    ).json()["items"]
    assert [a["id"] for a in changed] == [letter["id"]]
    assert changed[0]["tally"]["pending"] == 2
    assert {d["organization_id"] for d in changed[0]["decisions"]} == {maple.id, oak.id}
    # Oak's admin may not read Maple's open asks.
    assert_problem(
        client.get(
            f"/api/v1/activities?organization_id={maple.id}", headers=world.headers(oak_admin)
        ),
        404,
    )

    clock.shift(timedelta(hours=1))
    since = iso(datetime.now(UTC) - timedelta(minutes=1))
    decided = client.put(
        f"/api/v1/activities/{letter['id']}/decisions/{oak.id}",
        headers=world.headers(oak_admin),
        json={"status": "signed"},
    )
    assert decided.status_code == 200
    # A decision changes the letter it is on: the letter's list shows it since then.
    again = client.get(
        f"/api/v1/coalitions/{coalition.id}/activities?updated_since={since}&expand=tally",
        headers=headers,
    ).json()["items"]
    assert [(a["id"], a["tally"]["signed"]) for a in again] == [(letter["id"], 1)]
    # The coalitions did not change; a member joining changes the one it joins.
    assert client.get(f"/api/v1/coalitions?updated_since={since}", headers=headers).json() == {
        "items": [],
        "next_cursor": None,
    }
    world.join(quiet, oak)
    coalitions = client.get(
        f"/api/v1/coalitions?updated_since={since}&expand=members", headers=headers
    ).json()["items"]
    assert [c["id"] for c in coalitions] == [quiet.id]
    assert {m["organization_id"] for m in coalitions[0]["members"]} == {maple.id, oak.id}
    read = client.get(f"/api/v1/coalitions/{quiet.id}?expand=members", headers=headers)
    assert [m["organization_id"] for m in read.json()["members"]] == [
        m["organization_id"] for m in coalitions[0]["members"]
    ]
    # Its size changes without its version: a read of it never answers 304.
    again = client.get(
        f"/api/v1/coalitions/{quiet.id}", headers={**headers, "If-None-Match": read.headers["etag"]}
    )
    assert again.status_code == 200 and again.json()["members"] is None


def test_reads_revalidate_and_events_read_one_by_one(client, world):
    dana = world.user("dana")
    maple = world.organization(dana, name="Maple PTA")
    outsider = world.user("olga")
    world.organization(outsider, name="Elsewhere")
    coalition = world.coalition(maple)
    headers = world.headers(dana)

    organization = client.get(f"/api/v1/organizations/{maple.id}", headers=headers)
    etag = organization.headers["etag"]
    unchanged = client.get(
        f"/api/v1/organizations/{maple.id}", headers={**headers, "If-None-Match": etag}
    )
    assert unchanged.status_code == 304 and unchanged.headers["etag"] == etag
    me = client.get("/api/v1/me", headers=headers)
    assert me.headers["etag"]
    assert (
        client.get("/api/v1/me", headers={**headers, "If-None-Match": me.headers["etag"]})
    ).status_code == 304
    client.patch("/api/v1/me", headers=headers, json={"time_zone": "America/Chicago"})
    changed = client.get("/api/v1/me", headers={**headers, "If-None-Match": me.headers["etag"]})
    assert changed.status_code == 200 and changed.json()["time_zone"] == "America/Chicago"

    listed = client.get("/api/v1/events", headers=headers).json()["items"]
    convened = next(event for event in listed if event["coalition_id"] == coalition.id)
    one = client.get(f"/api/v1/events/{convened['id']}", headers=headers)
    assert one.status_code == 200 and one.json() == convened
    assert_problem(
        client.get(f"/api/v1/events/{convened['id']}", headers=world.headers(outsider)), 404
    )
    assert_problem(client.get("/api/v1/events/evt_missing", headers=headers), 404)


def test_a_webhook_disabled_by_410_replays_what_it_missed(committed, clock):
    url, database = committed
    world = World(database)
    dana = world.user("dana")
    maple = world.organization(dana, name="Maple PTA")
    coalition = world.coalition(maple)
    headers = world.headers(dana)
    settings = Settings(environment="test", database_url=url, secret_key=TEST_SECRET)
    worker = Worker(database, get_settings())
    with (
        running_receiver() as receiver,
        TestClient(create_app(settings, database=database)) as client,
    ):
        hook = client.post(
            "/api/v1/webhooks",
            headers=headers,
            json={"url": receiver.url, "organization_id": maple.id,
                  "event_types": ["activity.opened", "proposal.opened"]},
        ).json()  # fmt: skip
        start = datetime.now(UTC)
        receiver.answers.append(410)
        client.post(
            f"/api/v1/coalitions/{coalition.id}/proposals",
            headers=headers,
            json={"title": "Meet monthly", "closes_at": iso(start + timedelta(days=7))},
        )
        clock.shift(timedelta(minutes=5))
        worker.run_once()
        gone = client.get(f"/api/v1/webhooks/{hook['id']}", headers=headers).json()
        assert gone["enabled"] is False and gone["updated_at"] > hook["updated_at"]

        # While it is disabled, a letter opens: nothing is queued for it.
        letter = client.post(
            f"/api/v1/coalitions/{coalition.id}/activities",
            headers=headers,
            json={"kind": "sign_on_letter", "title": "Fund reading coaches"},
        ).json()
        client.post(f"/api/v1/activities/{letter['id']}/open", headers=headers)
        replay = f"/api/v1/webhooks/{hook['id']}/replay"
        window = {"since": iso(start - timedelta(minutes=1)), "until": iso(datetime.now(UTC))}
        assert_problem(client.post(replay, headers=headers, json=window), 409)
        client.patch(f"/api/v1/webhooks/{hook['id']}", headers=headers, json={"enabled": True})

        backwards = {"since": window["until"], "until": window["since"]}
        assert_problem(client.post(replay, headers=headers, json=backwards), 422)
        too_wide = {**window, "since": iso(start - timedelta(days=40))}
        assert (
            "31 days"
            in assert_problem(client.post(replay, headers=headers, json=too_wide), 422)["detail"]
        )
        queued = client.post(replay, headers=headers, json=window)
        assert queued.status_code == 202 and queued.json()["queued"] == 2
        worker.run_once()

        types = [r.json["type"] for r in receiver.received]
        assert types[0] == "proposal.opened"  # answered 410
        assert sorted(types[1:]) == ["activity.opened", "proposal.opened"]  # sent side by side
        log = client.get(f"/api/v1/webhooks/{hook['id']}/deliveries", headers=headers).json()
        assert [(d["event_type"], d["status"]) for d in log["items"]] == [
            ("activity.opened", "succeeded"),
            ("proposal.opened", "succeeded"),
            ("proposal.opened", "failed"),
        ]
        failed = client.get(
            f"/api/v1/webhooks/{hook['id']}/deliveries?status=failed", headers=headers
        ).json()["items"]
        assert [d["event_type"] for d in failed] == ["proposal.opened"]
        opened = client.get(
            f"/api/v1/webhooks/{hook['id']}/deliveries?event_type=activity.opened", headers=headers
        ).json()["items"]
        assert len(opened) == 1
        assert_problem(
            client.get(
                f"/api/v1/webhooks/{hook['id']}/deliveries?event_type=bogus", headers=headers
            ),
            422,
        )
        # Someone else's webhook does not exist for them.
        assert_problem(
            client.post(replay, headers=world.headers(world.user("olga")), json=window), 404
        )
