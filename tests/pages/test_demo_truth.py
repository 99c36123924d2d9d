"""What the demo's people read agrees with itself: the bell counts what the dashboard says
waits, a closed letter is closed (never overdue) and its decisions agree with their
approvals, and a notification never states a deadline the letter no longer has."""

import re

from sqlmodel import select

from app import demo
from app.models import Activity, User
from tests.conftest import sign_in

BELL = {"HX-Request": "true", "HX-Target": "bell"}


def bell(client) -> int:
    found = re.search(
        r'aria-label="(\d+) waiting on you"', client.get("/notifications", headers=BELL).text
    )
    return int(found.group(1)) if found else 0


def dashboard_items(client) -> int:
    page = client.get("/notifications").text
    waiting = page[page.index('id="waiting-on-you"') : page.index("Everything you were told")]
    return waiting.count("<li>")


def test_the_demo_tells_one_truth_about_what_waits_and_its_dates(client, database, settings):
    with database.session() as session:
        demo.seed(session, settings)
        people = {
            u.email.split("@")[0]: u
            for u in session.exec(select(User).where(User.email.contains("example.org")))  # type: ignore[attr-defined]
        }
        letters = {a.title: a for a in session.exec(select(Activity))}
    recess = letters["Keep recess in the school day"]
    literacy = letters["Fund the Early Literacy Act (HB 210)"]

    # The chair: the bell's number is what the dashboard lists, not unread news.
    sign_in(client, people["dana"])
    assert bell(client) == dashboard_items(client) > 0
    notes = client.get("/notifications").text
    # Each ask states the letter's deadline as it is now (the demo moved both after asking);
    # the closed one says it closed.
    assert "Keep recess in the school day" in notes and " by 19 Dec" not in notes
    assert re.search(r"Fund the Early Literacy Act \(HB 210\)”\.</a>\s*<span class=\"deadline\">"
                     r"Deadline \w{3} \d+ \w{3} \(in 6 days\)\.", notes)  # fmt: skip
    assert re.search(r"Keep recess in the school day”\.</a>\s*<span class=\"deadline\">"
                     r"Closed \w{3} \d+ \w{3}", notes)  # fmt: skip

    # The closed letter: closed on a date, who did not decide, and no "overdue".
    page = client.get(f"/activities/{recess.id}").text
    assert "overdue" not in page
    assert re.search(r"Closed \w{3} \d+ \w{3}( \d{4})?\. Did not decide in time: ", page)
    board = page[page.index('id="board"') :]
    assert "in approval" not in board  # Read Together's approval stopped with the letter
    assert "not decided yet" in board

    # An approver: the bell counts the step waiting on her, and drops when it is decided.
    client.cookies.clear()
    sign_in(client, people["grace"])
    assert bell(client) == dashboard_items(client) > 0
    before = bell(client)
    token = sign_in(client, people["grace"])
    approval = re.search(r'action="/approvals/([^"]+)"', client.get("/approvals").text).group(1)
    decided = client.post(
        f"/approvals/{approval}",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        data={"action": "approve", "step": "1", "comment": ""},
    )
    assert decided.status_code == 200, decided.text
    assert bell(client) == dashboard_items(client) == before - 1
    assert literacy.status == "open"


def test_the_demo_board_member_approves_a_letter_and_reads_who_votes(client, database, settings):
    with database.session() as session:
        demo.seed(session, settings)
        marcus = session.exec(select(User).where(User.email == "marcus@statepta.example.org")).one()
    token = sign_in(client, marcus)
    inbox = client.get("/approvals").text
    assert "Keep summer meals open in every county" in inbox
    assert "<strong>Board approver</strong>" in inbox
    assert "Healthy School Meals Alliance · 1 of 3 signed so far" in inbox
    # The letter asked of his organization, and his step in its approval: the bell says 2.
    assert bell(client) == dashboard_items(client) == 2
    dashboard = client.get("/").text
    votes = dashboard[
        dashboard.index('id="votes-heading"') : dashboard.index("invitations-heading")
    ]
    assert "No vote waits on you" not in votes
    assert re.search(r"Dana Whitfield votes for Riverside State PTA \(\d open votes?\)", votes)

    approval = re.search(r'action="/approvals/([^"]+)"', inbox).group(1)
    decided = client.post(
        f"/approvals/{approval}",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        data={"action": "approve", "step": "1", "comment": "", "signer_title": "Board member"},
    )
    assert decided.status_code == 200, decided.text
    assert bell(client) == dashboard_items(client) == 0
