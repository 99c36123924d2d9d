"""One truth for what waits on a person: the bell, the dashboard's panels, the "waiting on
you" part of the notifications page and the calendar feed agree, and an item leaves all of
them the moment it is resolved."""

import re

from tests.api.test_signon import letter, open_letter  # noqa: F401
from tests.conftest import sign_in
from tests.pages.test_joining_and_leaving_pages import calendar_path, section

BELL = {"HX-Request": "true", "HX-Target": "bell"}


def bell(client) -> int:
    found = re.search(
        r'aria-label="(\d+) waiting on you"', client.get("/notifications", headers=BELL).text
    )
    return int(found.group(1)) if found else 0


def waiting_part(client) -> str:
    page = client.get("/notifications").text
    return page[page.index('id="waiting-on-you"') : page.index("Everything you were told")]


def propose(client, letter):  # noqa: F811
    return client.post(
        f"/api/v1/coalitions/{letter['coalition'].id}/proposals",
        headers=letter["h"]["dana"],
        json={"title": "Endorse HB 210"},
    ).json()


def test_signing_and_voting_take_the_items_off_bell_dashboard_notifications_and_calendar(
    client,
    letter,  # noqa: F811
):
    open_letter(client, letter)
    proposal = propose(client, letter)
    literacy = letter["orgs"]["literacy"].id
    token = sign_in(client, letter["people"]["lena"])
    feed = calendar_path(client, token)

    assert bell(client) == 2  # asked to sign, asked to vote
    dashboard = client.get("/").text
    assert "Fund the Early Literacy Act" in section(dashboard, "asks-heading")
    assert "Endorse HB 210" in section(dashboard, "votes-heading")
    waiting = waiting_part(client)
    assert "Fund the Early Literacy Act" in waiting and "Endorse HB 210" in waiting
    calendar = client.get(feed).text
    assert "Sign-on deadline: Fund the Early Literacy Act" in calendar
    assert "Vote closes: Endorse HB 210" in calendar

    voted = client.post(
        f"/api/v1/proposals/{proposal['id']}/votes",
        headers=letter["h"]["lena"],
        json={"organization_id": literacy, "choice": "yes"},
    )
    assert voted.status_code == 200
    assert bell(client) == 1
    assert "No vote waits on you" in client.get("/").text
    assert "Endorse HB 210" not in waiting_part(client)
    assert "Vote closes: Endorse HB 210" not in client.get(feed).text
    notes = client.get("/notifications").text
    assert "A proposal is open for your vote: Endorse HB 210" in notes  # kept as history, done

    signed = client.put(
        f"/api/v1/activities/{letter['activity']['id']}/decisions/{literacy}",
        headers=letter["h"]["lena"],
        json={"status": "signed"},
    )
    assert signed.status_code == 200
    assert bell(client) == 0
    assert "Nothing waits on your organization" in client.get("/").text
    assert "Nothing waits on you now" in waiting_part(client)
    assert "BEGIN:VEVENT" not in client.get(feed).text


def test_a_closed_proposal_no_longer_asks_for_a_vote(client, letter):  # noqa: F811
    proposal = propose(client, letter)
    sign_in(client, letter["people"]["ruth"])
    assert bell(client) == 1
    closed = client.post(f"/api/v1/proposals/{proposal['id']}/close", headers=letter["h"]["dana"])
    assert closed.status_code == 200
    assert bell(client) == 0  # "Decided: …" is news, shown unread on its page, not a thing to do
    page = client.get("/notifications").text
    assert "Mark read: A proposal is open" not in page
    assert "Mark read: Decided" in page


def test_joining_takes_the_invitation_off_the_bell(client, letter, world):  # noqa: F811
    newcomer = world.user("maya")
    library = world.organization(newcomer, name="Library Friends", kind="nonprofit")
    world.invite(letter["coalition"], library)
    sign_in(client, newcomer)
    assert bell(client) == 1
    assert "Answer the invitation to join" in waiting_part(client)
    joined = client.patch(
        f"/api/v1/coalitions/{letter['coalition'].id}/members/{library.id}",
        headers=world.headers(newcomer),
        json={"status": "joined", "engagement": "supporter"},
    )
    assert joined.status_code == 200, joined.text
    assert bell(client) == 0
    assert "No invitation waits" in client.get("/").text
    assert "Nothing waits on you now" in waiting_part(client)


def test_mark_read_drops_the_unread_count_and_tells_the_bell(client, letter):  # noqa: F811
    open_letter(client, letter)
    token = sign_in(client, letter["people"]["lena"])
    assert bell(client) == 1
    assert "(1 unread)" in client.get("/notifications").text
    note = re.search(r'name="notification_id" value="([^"]+)"', client.get("/notifications").text)
    marked = client.post(
        "/notifications/read",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        data={"notification_id": note.group(1)},
    )
    assert marked.status_code == 200 and "Marked read." in marked.text
    assert marked.headers["hx-trigger"] == "waiting-changed"  # the bell refreshes itself
    assert "unread)" not in marked.text
    assert bell(client) == 1  # read or not, the letter still waits on her signature
    # The refreshed bell keeps listening for the next change.
    assert (
        'hx-trigger="waiting-changed from:body"' in client.get("/notifications", headers=BELL).text
    )


def test_the_chair_sees_the_deadlines_of_what_she_leads(client, letter):  # noqa: F811
    open_letter(client, letter)
    proposal = propose(client, letter)
    state_pta = letter["orgs"]["state_pta"].id
    h = letter["h"]["dana"]
    client.put(
        f"/api/v1/activities/{letter['activity']['id']}/decisions/{state_pta}",
        headers=h,
        json={"status": "signed"},
    )
    client.post(
        f"/api/v1/proposals/{proposal['id']}/votes",
        headers=h,
        json={"organization_id": state_pta, "choice": "yes"},
    )
    token = sign_in(client, letter["people"]["dana"])
    calendar = client.get(calendar_path(client, token)).text
    assert "Sign-on closes (you lead it): Fund the Early Literacy Act" in calendar
    assert "Vote closes (you lead it): Endorse HB 210" in calendar


def test_a_decided_step_leaves_the_bell_while_the_next_one_counts(client, letter):  # noqa: F811
    from tests.api.test_signon import decisions_by_org

    open_letter(client, letter)
    sign_in(client, letter["people"]["sam"])
    assert bell(client) == 2  # asked to sign; the policy committee's step
    approval_id = decisions_by_org(client, letter)[letter["orgs"]["union"].id]["approval"]["id"]
    decided = client.post(
        f"/api/v1/approvals/{approval_id}/decision",
        headers=letter["h"]["sam_approver"],
        json={"action": "approve", "step": 1},
    )
    assert decided.status_code == 200, decided.text
    assert bell(client) == 2  # still asked to sign; now the board vote's step, not the first
    page = client.get("/notifications").text
    assert "Mark read: Waiting on you: Policy committee" not in page
    assert "Mark read: Waiting on you: Executive board vote" in page
