"""Dates in the reader's time zone: shown, typed and e-mailed in it, in words when near;
the browser's zone is taken at sign-in until the person chooses one."""

from datetime import UTC, date, datetime, timedelta

from app import local_time
from tests.api.test_signon import letter, open_letter  # noqa: F401
from tests.conftest import sign_in
from tests.pages.test_draft_pages import api_view, htmx, version_on
from tests.pages.test_pages import csrf_of

CHICAGO = "America/Chicago"


def set_zone(client, headers: dict[str, str], zone: str) -> None:
    assert client.patch("/api/v1/me", headers=headers, json={"time_zone": zone}).status_code == 200


def test_near_moments_are_in_words_and_far_ones_in_one_format(clock):
    now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the clock fixture's moment
    assert local_time.when(now + timedelta(hours=8), "UTC") == "today at 5 pm"
    assert local_time.when(now + timedelta(days=1, minutes=30), "UTC") == "tomorrow at 9:30 am"
    assert local_time.when(now - timedelta(days=1), "UTC") == "yesterday at 9 am"
    assert local_time.when(now + timedelta(days=3, hours=3), "UTC") == "5 Mar 2026 at noon"
    assert local_time.when(date(2027, 2, 25)) == "25 Feb 2027"
    # 02:00 UTC on the 3rd is still the evening of the 2nd (today) in Chicago.
    assert local_time.when(datetime(2026, 3, 3, 2, 0, tzinfo=UTC), CHICAGO) == "today at 8 pm"
    # One phrase for a vote's or a sign-on's end, wherever it is shown.
    week = now + timedelta(days=7)
    assert local_time.closes(week, "UTC") == "closes 9 Mar 2026 at 9 am (in 7 days)"
    assert local_time.closes(now + timedelta(hours=8), "UTC") == "closes today at 5 pm"
    assert local_time.closes(now - timedelta(days=3), "UTC").endswith("(3 days ago)")
    # A report's period: a whole month by its name, else its first and last days.
    assert local_time.period("2026-02-01", "2026-02-28") == "Feb 2026"
    assert local_time.period("2025-11-28", "2026-11-28") == "28 Nov 2025 to 28 Nov 2026"


def test_a_deadline_is_shown_and_typed_in_the_readers_zone(client, letter):  # noqa: F811
    set_zone(client, letter["h"]["dana"], CHICAGO)
    page_url = f"/activities/{letter['activity']['id']}"
    token = sign_in(client, letter["people"]["dana"])
    opened = client.post(f"{page_url}/open", headers=htmx(token))
    assert "New sign-on deadline <small>(America/Chicago time)</small>" in opened.text
    # The deadline is 9 Mar 09:00 UTC: 4 am in Chicago (daylight saving time from 8 March).
    assert 'value="2026-03-09T04:00"' in opened.text and "9 Mar 2026 at 4 am" in opened.text

    moved = client.post(
        f"{page_url}/deadline",
        headers=htmx(token),
        data={"version": version_on(opened.text), "sign_on_deadline": "2026-03-22T17:00"},
    )
    assert moved.status_code == 200, moved.text
    # 5 pm in Chicago on 22 March (central daylight time, 5 hours behind) is 22:00 UTC.
    assert api_view(client, letter)["sign_on_deadline"] == "2026-03-22T22:00:00Z"
    assert "22 Mar 2026 at 5 pm (due in 20 days)" in moved.text


def test_notifications_name_the_moment_in_each_readers_zone(client, letter):  # noqa: F811
    set_zone(client, letter["h"]["sam"], CHICAGO)
    page_url = f"/activities/{letter['activity']['id']}"
    token = sign_in(client, letter["people"]["dana"])
    opened = client.post(f"{page_url}/open", headers=htmx(token))
    client.post(
        f"{page_url}/deadline",
        headers=htmx(token),
        data={"version": version_on(opened.text), "sign_on_deadline": "2026-03-22T09:00"},
    )
    sign_in(client, letter["people"]["sam"])  # an admin of a member still deciding
    told = client.get("/notifications").text
    # Dana typed 9 am in her zone (UTC); Sam in Chicago reads 4 am.
    assert "moved from 9 Mar 2026 at 4 am to 22 Mar 2026 at 4 am." in told
    # Beside it, the letter's deadline as it is now, in his days.
    assert "Deadline Sun 22 Mar (in " in told


def test_signing_in_takes_the_browsers_zone_until_one_is_chosen(client, world):
    person = world.user("dana", password="a long password")
    organization = world.organization(person)
    assert organization.id  # the person belongs somewhere, as people signing in do

    def log_in(zone: str) -> None:
        token = csrf_of(client.get("/login").text)
        assert 'name="browser_time_zone" data-browser-zone' in client.get("/login").text
        client.post(
            "/login",
            data={"email": person.email, "password": "a long password", "csrf_token": token,
                  "next": "/", "browser_time_zone": zone},
            follow_redirects=False,
        )  # fmt: skip

    log_in("Europe/Paris")
    assert client.get("/api/v1/me", headers=world.headers(person)).json()["time_zone"] == (
        "Europe/Paris"
    )
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/me").text)})
    log_in("Asia/Tokyo")  # chosen before (here, by the first sign-in): it stays
    assert client.get("/api/v1/me", headers=world.headers(person)).json()["time_zone"] == (
        "Europe/Paris"
    )


def test_the_report_fills_from_and_to_with_the_period_it_shows(client, letter):  # noqa: F811
    sign_in(client, letter["people"]["dana"])
    page = client.get(f"/organizations/{letter['orgs']['state_pta'].id}/report").text
    assert 'name="start" value="2025-03-02"' in page and 'name="end" value="2026-03-02"' in page
    assert "2 Mar 2025 to 2 Mar 2026" in page
    chosen = client.get(
        f"/coalitions/{letter['coalition'].id}/report?start=2026-01-01&end=2026-01-31"
    ).text
    assert 'name="start" value="2026-01-01"' in chosen and 'name="end" value="2026-01-31"' in chosen


def test_a_chosen_utc_is_never_taken_over_by_the_browsers_zone(client, world):
    person = world.user("dana", password="a long password")
    world.organization(person)
    headers = world.headers(person)
    me = client.get("/api/v1/me", headers=headers).json()
    assert (me["time_zone"], me["time_zone_chosen"]) == ("UTC", False)

    def log_in(zone: str) -> None:
        token = csrf_of(client.get("/login").text)
        client.post(
            "/login",
            data={"email": person.email, "password": "a long password", "csrf_token": token,
                  "next": "/", "browser_time_zone": zone},
            follow_redirects=False,
        )  # fmt: skip

    log_in("UTC")  # a browser saying UTC is no choice: the zone stays open
    page = client.get("/me").text
    assert "Not chosen yet" in page
    assert "Your browser gave no zone other than UTC when you signed in" in page
    # Saving the name alone leaves the zone unchosen.
    saved = client.post("/me", data={"csrf_token": csrf_of(page), "name": "Dana", "time_zone": ""})
    assert saved.status_code == 200
    assert client.get("/api/v1/me", headers=headers).json()["time_zone_chosen"] is False

    chosen = client.post("/me", data={"csrf_token": csrf_of(page), "time_zone": "UTC"})
    assert chosen.status_code == 200 and "Not chosen yet" not in chosen.text
    client.post("/logout", data={"csrf_token": csrf_of(client.get("/me").text)})
    log_in("Asia/Tokyo")
    me = client.get("/api/v1/me", headers=headers).json()
    assert (me["time_zone"], me["time_zone_chosen"]) == ("UTC", True)
