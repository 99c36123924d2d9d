"""A session that ends under a form loses nothing: the login says the session ended, and
after logging in the page comes back with what was typed, for plain and htmx posts."""

import json
import re
from datetime import timedelta

from tests.pages.test_pages import PASSWORD, csrf_of

LETTER = {
    "kind": "sign_on_letter",
    "title": "Fund the Early Literacy Act",
    "body": "Dear Chair Alvarez,\nWe write as parents & teachers <together>.",
}


def kept_fields(html: str) -> dict[str, str]:
    found = re.search(r'<script type="application/json" id="kept-form">(.*?)</script>', html, re.S)
    assert found, "nothing was handed back"
    return dict(json.loads(found.group(1))["fields"])


def test_a_letter_posted_after_the_session_ended_comes_back_after_login(
    client, world, settings, clock
):
    dana = world.user("dana", password=PASSWORD)
    coalition = world.coalition(world.organization(dana, name="State PTA"))
    page = f"/coalitions/{coalition.id}"
    login = client.get("/login")
    client.post(
        "/login",
        data={"email": dana.email, "password": PASSWORD, "csrf_token": csrf_of(login.text)},
    )
    token = csrf_of(client.get(page).text)
    clock.shift(timedelta(seconds=settings.session_max_age_seconds + 60))  # it runs out

    posted = client.post(
        f"{page}/activities",
        data={"csrf_token": token, **LETTER},
        headers={"Referer": f"http://testserver{page}"},
        follow_redirects=False,
    )
    assert posted.status_code == 303
    assert posted.headers["location"] == f"/login?next={page}&ended=1"
    asked = client.get(posted.headers["location"])
    assert "Your session ended." in asked.text and "what you typed is kept" in asked.text
    back = client.post(
        "/login",
        data={"email": dana.email, "password": PASSWORD, "csrf_token": csrf_of(asked.text),
              "next": page},
        follow_redirects=False,
    )  # fmt: skip
    assert (back.status_code, back.headers["location"]) == (303, page)
    returned = client.get(page)
    assert "What you typed before your session ended is back" in returned.text
    fields = kept_fields(returned.text)
    assert fields["title"] == LETTER["title"] and fields["body"] == LETTER["body"]
    assert "csrf_token" not in fields
    assert 'id="kept-form"' not in client.get(page).text  # handed back once


def test_an_htmx_post_after_the_session_ended_goes_to_login_and_back(client, world):
    dana = world.user("dana", password=PASSWORD)
    coalition = world.coalition(world.organization(dana, name="State PTA"))
    page = f"/coalitions/{coalition.id}"
    posted = client.post(
        f"{page}/goals",
        data={"title": "Every school library open after hours"},
        headers={"HX-Request": "true", "X-CSRF-Token": "from-a-session-long-gone",
                 "HX-Current-URL": f"http://testserver{page}#goals"},
    )  # fmt: skip
    assert posted.status_code == 204
    assert posted.headers["hx-redirect"] == f"/login?next={page}&ended=1"


def test_a_stale_login_form_is_not_kept(client, world):
    answered = client.post(
        "/login",
        data={"email": "x@example.org", "password": "secret", "csrf_token": "stale"},
        follow_redirects=False,
    )
    assert answered.status_code == 403
