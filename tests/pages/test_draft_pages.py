"""A draft's page: its readiness and its edit form; an open letter's page: moving the deadline."""

import re

from tests.api.test_signon import letter, open_letter  # noqa: F401
from tests.conftest import sign_in


def htmx(token: str) -> dict[str, str]:
    return {"HX-Request": "true", "X-CSRF-Token": token}


def api_view(client, letter):  # noqa: F811
    url = f"/api/v1/activities/{letter['activity']['id']}"
    return client.get(url, headers=letter["h"]["dana"]).json()


def version_on(html: str) -> str:
    match = re.search(r'name="version" value="(\d+)"', html)
    assert match, "no version on the form"
    return match.group(1)


def test_a_draft_page_shows_readiness_and_saves_edits_in_place(client, letter):  # noqa: F811
    page_url = f"/activities/{letter['activity']['id']}"
    sign_in(client, letter["people"]["lena"])
    member_view = client.get(page_url).text
    assert "Before you open it" in member_view and "Save the draft" not in member_view

    token = sign_in(client, letter["people"]["dana"])
    page = client.get(page_url).text
    assert (
        "Opened now, the earliest deadline every member's approval can meet is "
        "<strong>16 Mar 2026 at 9 am</strong> (due in 14 days)." in page
    )
    assert "1 member would not finish its approval in time." in page
    assert (
        "Education Association: 2 approval steps, expected to finish 15 Mar 2026 at 9 am "
        '<strong class="risk">at risk</strong>' in page
    )
    assert "Food Bank: 1 approval step, expected to finish 9 Mar 2026 at 9 am</li>" in page
    assert 'value="2026-03-09T09:00"' in page  # the deadline as the date input takes it
    version = version_on(page)

    form = {
        "version": version,
        "title": "Fund the Early Literacy Act this session",
        "target": "House Education Committee",
        "body": "Dear Chair Alvarez, …",
        "sign_on_deadline": "2026-03-20T09:00",
        "issue_area_ids": letter["activity"]["issue_area_ids"],
    }
    saved = client.post(page_url, headers=htmx(token), data=form)
    assert saved.status_code == 200, saved.text
    assert saved.text.lstrip().startswith('<div id="activity"')
    assert 'role="status" tabindex="-1" data-banner>Draft saved.</p>' in saved.text
    assert "<h1>Fund the Early Literacy Act this session</h1>" in saved.text
    assert "Every member's approval fits the deadline as it is." in saved.text
    assert "20 Mar 2026 at 9 am (due in 18 days)" in saved.text  # the header moved too
    saved_view = api_view(client, letter)
    assert (saved_view["title"], saved_view["sign_on_deadline"]) == (
        "Fund the Early Literacy Act this session", "2026-03-20T09:00:00Z",
    )  # fmt: skip

    past = client.post(
        page_url,
        headers=htmx(token),
        data={**form, "version": version_on(saved.text), "title": "Too late",
              "sign_on_deadline": "2026-03-01T09:00"},
    )  # fmt: skip
    assert past.status_code == 422
    assert 'id="sign_on_deadline-error">Choose a moment in the future.' in past.text
    assert 'value="Too late"' in past.text and 'value="2026-03-01T09:00"' in past.text
    stale = client.post(page_url, headers=htmx(token), data={**form, "title": "Stale"})
    assert stale.status_code == 422 and "Someone else saved this draft" in stale.text
    assert 'value="Stale"' in stale.text  # what was typed stays on the form
    blank = client.post(
        page_url, headers=htmx(token), data={**form, "version": version_on(saved.text), "title": ""}
    )
    assert blank.status_code == 422 and 'id="title-error"' in blank.text
    assert api_view(client, letter)["title"] == "Fund the Early Literacy Act this session"

    # Without JavaScript the form posts and lands back on the draft.
    plain = client.post(
        page_url,
        data={**form, "csrf_token": token, "version": version_on(saved.text), "target": "Senate"},
        follow_redirects=False,
    )
    assert plain.status_code == 303 and plain.headers["location"] == f"{page_url}#draft"
    assert api_view(client, letter)["target"] == "Senate"


def test_an_open_letters_deadline_moves_in_place_and_members_are_told(client, letter):  # noqa: F811
    page_url = f"/activities/{letter['activity']['id']}"
    token = sign_in(client, letter["people"]["dana"])
    opened = client.post(f"{page_url}/open", headers=htmx(token))
    assert opened.status_code == 200 and opened.text.lstrip().startswith('<div id="activity"')
    assert "Before you open it" not in opened.text and "Move the deadline" in opened.text
    assert "Opened: every member has been asked." in opened.text
    version = version_on(opened.text)

    past = client.post(
        f"{page_url}/deadline",
        headers=htmx(token),
        data={"version": version, "sign_on_deadline": "2026-03-01T09:00"},
    )
    assert past.status_code == 422
    assert 'id="sign_on_deadline-error">Choose a moment in the future.' in past.text
    assert api_view(client, letter)["sign_on_deadline"] == "2026-03-09T09:00:00Z"

    moved = client.post(
        f"{page_url}/deadline",
        headers=htmx(token),
        data={"version": version, "sign_on_deadline": "2026-03-22T09:00"},
    )
    assert moved.status_code == 200, moved.text
    assert (
        'role="status" tabindex="-1" data-banner>Deadline moved. The members still deciding have been '
        "told the new date.</p>" in moved.text
    )
    assert "22 Mar 2026 at 9 am (due in 20 days)" in moved.text
    assert "At risk of missing the current deadline" not in moved.text
    assert api_view(client, letter)["sign_on_deadline"] == "2026-03-22T09:00:00Z"

    # The text stays as the members were asked: a late edit is refused, and says why.
    late_edit = client.post(
        page_url,
        headers=htmx(token),
        data={"version": version_on(moved.text), "title": "Fund the Early Literacy Act",
              "body": "Something else", "sign_on_deadline": "2026-03-22T09:00"},
    )  # fmt: skip
    assert late_edit.status_code == 422
    assert "members have been asked to sign it as it stands" in late_edit.text

    sign_in(client, letter["people"]["sam"])
    told = "moved from 9 Mar 2026 at 9 am to 22 Mar 2026 at 9 am."
    assert told in client.get("/notifications").text
    assert (
        f'The sign-on deadline of <a href="{page_url}">Fund the Early Literacy Act</a> moved'
        in (client.get("/").text)
    )
    assert "Move the deadline" not in client.get(page_url).text  # a lead's action only


def test_a_meeting_drafts_edit_form_asks_what_a_meeting_needs(client, letter):  # noqa: F811
    token = sign_in(client, letter["people"]["dana"])
    coalition_id = letter["coalition"].id
    made = client.post(
        f"/api/v1/coalitions/{coalition_id}/activities",
        headers=letter["h"]["dana"],
        json={"kind": "policymaker_meeting", "title": "Meet Senator Ruiz"},
    )
    assert made.status_code == 201, made.text
    page_url = f"/activities/{made.json()['id']}"
    page = client.get(page_url).text
    assert '<label for="draft-target">Meeting with</label>' in page
    assert '<label for="draft-scheduled">Meeting on <small>(UTC time)</small></label>' in page
    assert "Sign-on deadline" not in page  # a meeting collects no signatures

    saved = client.post(
        page_url,
        headers=htmx(token),
        data={"version": version_on(page), "title": "Meet Senator Ruiz",
              "target": "Senator Ruiz and her education aide", "scheduled_at": "2026-03-12T15:00"},
    )  # fmt: skip
    assert saved.status_code == 200, saved.text
    assert "Senator Ruiz and her education aide" in saved.text
