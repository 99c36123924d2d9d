"""Activity, approvals inbox and approval-process pages through a real HTTP client."""

import csv
import io

from tests.api.test_signon import decisions_by_org, letter, open_letter  # noqa: F401
from tests.conftest import sign_in


def htmx(token: str) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRF-Token": token}


def test_activity_page_shows_signatories_forecasts_and_readiness(client, letter):  # noqa: F811
    open_letter(client, letter)
    sign_in(client, letter["people"]["dana"])
    page = client.get(f"/activities/{letter['activity']['id']}")
    assert page.status_code == 200
    assert "Fund the Early Literacy Act" in page.text and "House Education Committee" in page.text
    assert "step 1 of 2" in page.text and "at risk" in page.text
    assert "Readiness:" in page.text and "16 Mar 2026" in page.text
    assert "Set by the game plan “Decline”: You have no recorded position" in page.text
    assert "State PTA's decision" in page.text  # Dana decides for her own organization only
    assert "Education Association's decision" not in page.text


def test_deciding_in_place_updates_the_tally(client, letter):  # noqa: F811
    open_letter(client, letter)
    token = sign_in(client, letter["people"]["lena"])
    literacy = letter["orgs"]["literacy"].id
    answer = client.post(
        f"/activities/{letter['activity']['id']}/decisions/{literacy}",
        headers=htmx(token),
        data={"status": "signed", "comment": "Gladly"},
    )
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<section id="signatories"')
    assert "1 signed" in answer.text
    page_url = f"/activities/{letter['activity']['id']}"
    board = client.get(page_url, headers={"HX-Request": "true", "HX-Target": "board"})
    assert board.text.lstrip().startswith('<div id="board"') and "1 signed" in board.text
    assert "<h1" not in board.text
    assert "<h1" in client.get(page_url).text
    blocked = client.post(
        f"/activities/{letter['activity']['id']}/decisions/{letter['orgs']['union'].id}",
        headers=htmx(token),
        data={"status": "signed"},
    )
    assert blocked.status_code == 403


def test_signing_before_approval_is_explained_on_the_page(client, letter):  # noqa: F811
    open_letter(client, letter)
    token = sign_in(client, letter["people"]["sam"])
    union = letter["orgs"]["union"].id
    answer = client.post(
        f"/activities/{letter['activity']['id']}/decisions/{union}",
        headers=htmx(token),
        data={"status": "signed"},
    )
    assert answer.status_code == 422
    assert "approval is not finished" in answer.text


def test_inbox_approves_in_place_and_keeps_comments_inside(client, letter):  # noqa: F811
    open_letter(client, letter)
    token = sign_in(client, letter["people"]["sam_approver"])
    inbox = client.get("/approvals")
    assert "Policy committee" in inbox.text and "due in 3 days" in inbox.text
    approval_id = decisions_by_org(client, letter)[letter["orgs"]["union"].id]["approval"]["id"]
    card = client.post(
        f"/approvals/{approval_id}",
        headers=htmx(token),
        data={"action": "approve", "comment": "Committee says yes, quietly", "step": "1"},
    )
    assert card.status_code == 200 and "step 2 of 2" in card.text
    assert "Approved: Policy committee (step 1 of 2)" in card.text
    again = client.post(
        f"/approvals/{approval_id}", headers=htmx(token), data={"action": "approve", "step": "1"}
    )
    assert again.status_code == 422 and "is not waiting" in again.text
    waiting = client.get("/approvals", headers={"HX-Request": "true", "HX-Target": "waiting"})
    assert waiting.text.lstrip().startswith('<div id="waiting"') and "<h1" not in waiting.text
    assert "<h1" in client.get("/approvals").text

    sign_in(client, letter["people"]["dana"])
    other = client.get(f"/activities/{letter['activity']['id']}")
    assert "Committee says yes" not in other.text and "Executive board vote" not in other.text


def test_overdue_steps_are_highlighted_in_the_inbox(client, letter, clock):  # noqa: F811
    from datetime import timedelta

    open_letter(client, letter)
    clock.shift(timedelta(days=5))
    sign_in(client, letter["people"]["sam_approver"])
    inbox = client.get("/approvals")
    assert "overdue by 2 days" in inbox.text and 'class="approval overdue"' in inbox.text


def test_letter_and_csv(client, letter):  # noqa: F811
    open_letter(client, letter)
    token = sign_in(client, letter["people"]["lena"])
    client.post(
        f"/activities/{letter['activity']['id']}/decisions/{letter['orgs']['literacy'].id}",
        headers=htmx(token),
        data={"status": "signed"},
    )
    printable = client.get(f"/activities/{letter['activity']['id']}/letter")
    assert "<li><strong>Read Together</strong><br>lena</li>" in printable.text
    assert "@media print" not in printable.text
    exported = client.get(f"/activities/{letter['activity']['id']}/decisions.csv")
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    by_org = {row["organization"]: row for row in rows}
    assert by_org["Read Together"]["status"] == "signed"
    assert by_org["Education Association"]["approval_step"] == "1"


def test_approval_process_editor(client, letter):  # noqa: F811
    token = sign_in(client, letter["people"]["sam"])
    union = letter["orgs"]["union"].id
    base = f"/organizations/{union}/approval-process/steps"
    added = client.post(
        base,
        headers=htmx(token),
        data={"name": "Members' vote", "approver_role": "admin", "expected_days": "14"},
    )
    assert added.status_code == 200 and "Members&#39; vote" in added.text
    bad = client.post(
        base,
        headers=htmx(token),
        data={"name": "Oops", "approver_role": "admin", "expected_days": "0"},
    )
    assert bad.status_code == 422 and 'id="expected_days-error"' in bad.text
    moved = client.post(f"{base}/3/up", headers=htmx(token))
    names = [
        s["name"]
        for s in client.get(
            f"/api/v1/organizations/{union}/approval-process", headers=letter["h"]["sam"]
        ).json()["steps"]
    ]
    assert moved.status_code == 200 and names == [
        "Policy committee",
        "Members' vote",
        "Executive board vote",
    ]
    client.post(f"{base}/1/remove", headers=htmx(token))
    names = [
        s["name"]
        for s in client.get(
            f"/api/v1/organizations/{union}/approval-process", headers=letter["h"]["sam"]
        ).json()["steps"]
    ]
    assert names == ["Members' vote", "Executive board vote"]
    approver_token = sign_in(client, letter["people"]["sam_approver"])
    assert client.post(f"{base}/1/remove", headers=htmx(approver_token)).status_code == 403


def test_pipeline_board_for_leads(client, letter):  # noqa: F811
    open_letter(client, letter)
    sign_in(client, letter["people"]["dana"])
    advocacy = f"/coalitions/{letter['coalition'].id}/activities"
    page = client.get(advocacy)
    assert 'id="pipeline-heading"' in page.text
    assert "step 1/2" in page.text
    sign_in(client, letter["people"]["lena"])
    assert 'id="pipeline-heading"' not in client.get(advocacy).text


def test_new_activity_and_proposal_forms_show_errors_next_to_the_field(client, letter):  # noqa: F811
    token = sign_in(client, letter["people"]["dana"])
    coalition = letter["coalition"].id
    late = client.post(
        f"/coalitions/{coalition}/activities",
        data={
            "csrf_token": token,
            "kind": "sign_on_letter",
            "title": "Late",
            "sign_on_deadline": "2020-01-01T10:00",
        },
    )
    assert late.status_code == 422 and 'id="sign_on_deadline-error"' in late.text
    made = client.post(
        f"/coalitions/{coalition}/activities",
        data={
            "csrf_token": token,
            "kind": "testimony",
            "title": "Hearing on HB 210",
            "sign_on_deadline": "2026-04-01T10:00",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303 and made.headers["location"].startswith("/activities/act_")
    past_vote = client.post(
        f"/coalitions/{coalition}/proposals",
        data={"csrf_token": token, "title": "Too late", "closes_at": "2020-01-01T10:00"},
    )
    assert past_vote.status_code == 422 and 'id="closes_at-error"' in past_vote.text
