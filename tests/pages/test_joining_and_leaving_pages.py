"""Joining while a letter is open puts the ask on the dashboard; leaving takes the
organization's asks off its dashboard, bell and calendar at once, and leaves no dead link."""

import re

from tests.api.test_signon import letter, open_letter  # noqa: F401
from tests.conftest import sign_in
from tests.pages.test_pages import PASSWORD, csrf_of, log_in


def test_joining_while_a_letter_is_open_puts_the_ask_on_the_dashboard(client, world, clock):
    dana = world.user("dana", password=PASSWORD)
    state_pta = world.organization(dana, name="State PTA")
    coalition = world.coalition(state_pta, name="Read by Third Grade")
    maya = world.user("maya", password=PASSWORD)
    library = world.organization(maya, name="Library Friends", kind="nonprofit")

    log_in(client, dana.email)
    token = csrf_of(client.get(f"/coalitions/{coalition.id}").text)
    drafted = client.post(
        f"/coalitions/{coalition.id}/activities",
        data={"csrf_token": token, "kind": "sign_on_letter", "title": "Fund the Early Literacy Act",
              "sign_on_deadline": "2026-03-09T17:00"},
        follow_redirects=False,
    )  # fmt: skip
    assert drafted.status_code == 303, drafted.text
    letter_page = drafted.headers["location"]
    opened = client.post(f"{letter_page}/open", data={"csrf_token": token}, follow_redirects=False)
    assert opened.status_code == 303
    invited = client.post(
        f"/coalitions/{coalition.id}/members",
        data={"csrf_token": token, "organization_id": library.id},
        follow_redirects=False,
    )
    assert invited.status_code == 303

    client.cookies.clear()
    log_in(client, maya.email)
    assessment = client.get(f"/coalitions/{coalition.id}/join?organization_id={library.id}")
    joined = client.post(
        f"/coalitions/{coalition.id}/join?organization_id={library.id}",
        data={"csrf_token": csrf_of(assessment.text), "status": "joined",
              "engagement": "supporter", "commitment_hours_per_month": "2"},
        follow_redirects=False,
    )  # fmt: skip
    assert joined.status_code == 303, joined.text

    dashboard = client.get("/")
    asks = section(dashboard.text, "asks-heading")
    assert f'href="{letter_page}"' in asks and "Fund the Early Literacy Act" in asks
    assert "Library Friends: not decided yet" in asks
    bell = client.get("/notifications", headers={"HX-Request": "true", "HX-Target": "bell"})
    assert 'aria-label="1 waiting on you"' in bell.text  # the ask; the invitation is answered
    ask = client.get(letter_page)
    assert ask.status_code == 200 and "Fund the Early Literacy Act" in ask.text


def test_leaving_takes_the_asks_off_the_dashboard_bell_and_calendar(client, letter):  # noqa: F811
    open_letter(client, letter)
    coalition, union = letter["coalition"], letter["orgs"]["union"]
    proposal = client.post(
        f"/api/v1/coalitions/{coalition.id}/proposals",
        headers=letter["h"]["dana"],
        json={"title": "Endorse HB 210"},
    ).json()
    letter_page, proposal_page = (
        f"/activities/{letter['activity']['id']}",
        f"/proposals/{proposal['id']}",
    )
    literacy, lena = letter["orgs"]["literacy"], letter["h"]["lena"]
    client.post(f"/api/v1/proposals/{proposal['id']}/votes", headers=lena,
                json={"organization_id": literacy.id, "choice": "yes"})  # fmt: skip
    client.delete(f"/api/v1/coalitions/{coalition.id}/members/{literacy.id}", headers=lena)
    token = sign_in(client, letter["people"]["sam"])
    feed = calendar_path(client, token)
    before = client.get("/").text
    assert "Read Together's vote on <a href=" in before and "</a> no longer counts" in before
    for link in (letter_page, "/approvals", proposal_page):
        assert f'href="{link}"' in before
    assert "Vote closes: Endorse HB 210" in client.get(feed).text

    # The Leave button on the coalition's page (htmx); a private coalition's page is gone
    # for the leaver afterwards, so it lands on the dashboard.
    left = client.post(
        f"/coalitions/{coalition.id}/members/{union.id}",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        data={"status": "left", "confirmed": "yes"},
    )
    assert (left.status_code, left.headers.get("hx-redirect")) == (204, "/")

    dashboard = client.get("/").text
    assert "Nothing waits on your organization" in dashboard
    assert "No step waits on you" in dashboard and "No vote waits on you" in dashboard
    assert letter_page not in dashboard and proposal_page not in dashboard
    for link in sorted(set(re.findall(r'href="(/[^"#]*)', dashboard))):
        assert client.get(link).status_code == 200, link
    bell = client.get("/notifications", headers={"HX-Request": "true", "HX-Target": "bell"})
    assert "waiting on you" not in bell.text
    calendar = client.get(feed).text
    assert "BEGIN:VEVENT" not in calendar  # nothing waits on sam any more


def section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start : html.index("</section>", start)]


def calendar_path(client, token: str) -> str:
    made = client.post("/calendar", data={"csrf_token": token})
    address = re.search(r'value="(http[^"]+\.ics)"', made.text).group(1)
    return address.split("testserver", 1)[1]
