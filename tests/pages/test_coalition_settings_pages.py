"""A coalition's settings page: a lead edits its name and description, and its guidelines
alone while the convener is the only member, or puts them to a vote once others have joined."""

import re

import pytest

from tests.pages.test_pages import PASSWORD, csrf_of, log_in


@pytest.fixture
def lead(world):
    dana = world.user("dana", password=PASSWORD)
    state_pta = world.organization(dana, name="State PTA")
    coalition = world.coalition(
        state_pta,
        name="Read by Third Grade",
        allowed_activity_kinds=["sign_on_letter"],
        decision_rule="consensus",
        quorum=0.5,
    )
    return dana, state_pta, coalition


def form_of(html: str, **changes: object) -> dict[str, object]:
    """The settings form as the page filled it, with `changes` typed over it."""
    version = re.search(r'name="version" value="(\d+)"', html)
    assert version, "no version on the form"
    return {
        "csrf_token": csrf_of(html),
        "version": version.group(1),
        "name": "Read by Third Grade",
        "unifying_issue": "Every child reads by third grade",
        "status": "forming",
        "visibility": "private",
        "decision_rule": "consensus",
        "quorum_percent": "50",
        "dues_amount": "",
        "allowed_activity_kinds": ["sign_on_letter"],
        "activity_approval": "leads",
        "who_may_post": "members",
        **changes,
    }


def api_view(client, world, user, coalition):
    return client.get(f"/api/v1/coalitions/{coalition.id}", headers=world.headers(user)).json()


def test_the_convener_alone_edits_name_description_and_guidelines(client, lead, world):
    dana, _, coalition = lead
    log_in(client, dana.email)
    assert (
        f'href="/coalitions/{coalition.id}/settings"'
        in client.get(f"/coalitions/{coalition.id}").text
    )
    url = f"/coalitions/{coalition.id}/settings"
    page = client.get(url).text
    assert "<h1>Read by Third Grade: settings</h1>" in page
    # The coalition's own menu, as on its other pages, with Settings the page shown; the
    # unifying issue is a box that shows all of it.
    menu = re.search(r'<nav aria-label="Sections of Read by Third Grade".*?</nav>', page, re.S)
    assert menu and f'href="/coalitions/{coalition.id}/members"' in menu.group(0)
    assert f'<a href="{url}" aria-current="page">Settings</a>' in menu.group(0)
    assert re.search(r'<textarea id="s-issue" name="unifying_issue"[^>]*>Every child', page)

    saved = client.post(
        url,
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_of(page)},
        data=form_of(
            page,
            name="Read by Third Grade Alliance",
            description="Parents, teachers and librarians.",
            decision_rule="majority",
        ),
    )
    assert saved.status_code == 200, saved.text
    assert re.search(r'<p class="notice[^"]*" role="status"[^>]*>Settings saved\.</p>', saved.text)
    view = api_view(client, world, dana, coalition)
    assert (view["name"], view["description"], view["decision_rule"]) == (
        "Read by Third Grade Alliance", "Parents, teachers and librarians.", "majority",
    )  # fmt: skip

    # A form from before that save is refused, and keeps what was typed.
    stale = client.post(url, data=form_of(page, name="Stale name"))
    assert stale.status_code == 422 and "Someone else saved the settings" in stale.text
    assert 'value="Stale name"' in stale.text
    assert api_view(client, world, dana, coalition)["name"] == "Read by Third Grade Alliance"

    blank = client.post(url, data=form_of(client.get(url).text, name=""))
    assert blank.status_code == 422 and 'id="name-error"' in blank.text


def test_once_others_joined_a_guideline_change_is_offered_as_a_vote(client, lead, world):
    dana, _, coalition = lead
    world.join(coalition, world.organization(name="Read Together", kind="nonprofit"))
    log_in(client, dana.email)
    url = f"/coalitions/{coalition.id}/settings"
    page = client.get(url).text
    assert "a change to these is put to the coalition's vote" in page

    asked = client.post(
        url,
        data=form_of(page, description="Parents and librarians.", decision_rule="majority"),
    )
    assert asked.status_code == 200, asked.text
    assert "Put to the coalition's vote?" in asked.text
    assert (
        "How we decide: from consensus (no member blocks) to majority (more yes than no)"
        in asked.text
    )
    view = api_view(client, world, dana, coalition)
    # What a lead may change alone is saved; the rule waits for the members.
    assert (view["description"], view["decision_rule"]) == ("Parents and librarians.", "consensus")
    assert '<option value="majority" selected>' in asked.text  # the typed change is kept

    put = client.post(
        url,
        data=form_of(
            asked.text,
            description="Parents and librarians.",
            decision_rule="majority",
            then="propose",
            why="Consensus stalls us on fast letters.",
        ),
        follow_redirects=False,
    )
    assert put.status_code == 303, put.text
    proposal = client.get(put.headers["location"]).text
    assert "Change our guidelines: how we decide" in proposal
    assert "Consensus stalls us on fast letters." in proposal
    assert api_view(client, world, dana, coalition)["decision_rule"] == "consensus"


def test_only_a_lead_sees_the_settings(client, lead, world):
    _, _, coalition = lead
    lena = world.user("lena", password=PASSWORD)
    partner = world.organization(lena, name="Read Together", kind="nonprofit")
    world.join(coalition, partner)
    log_in(client, lena.email)
    assert client.get(f"/coalitions/{coalition.id}/settings").status_code == 403
    assert "/settings" not in client.get(f"/coalitions/{coalition.id}").text


def test_a_lead_gives_the_coalition_a_website_the_overview_links(client, lead, world):
    dana, _, coalition = lead
    log_in(client, dana.email)
    url = f"/coalitions/{coalition.id}/settings"
    page = client.get(url).text
    bad = client.post(url, data=form_of(page, website="readbythird.org", name="Renamed"))
    assert bad.status_code == 422 and 'id="website-error"' in bad.text
    assert "Enter a web address starting with https://" in bad.text
    assert 'value="readbythird.org"' in bad.text
    assert api_view(client, world, dana, coalition)["name"] == "Read by Third Grade"

    saved = client.post(url, data=form_of(page, website="https://readbythird.org"))
    assert saved.status_code == 200 and "Settings saved." in saved.text
    overview = client.get(f"/coalitions/{coalition.id}").text
    assert '<a href="https://readbythird.org" rel="noopener">' in overview


def test_a_lead_changes_issue_areas_and_stances_without_a_vote(client, lead, world):
    dana, _, coalition = lead
    world.join(coalition, world.organization(name="Read Together", kind="nonprofit"))
    literacy, vouchers = world.issue_area("Early literacy"), world.issue_area("Vouchers")
    log_in(client, dana.email)
    url = f"/coalitions/{coalition.id}/settings"
    page = client.get(url).text
    assert f'name="stance:{vouchers.id}"' in page

    wrong = client.post(url, data=form_of(page, **{f"stance:{vouchers.id}": "against"}))
    assert wrong.status_code == 422 and 'id="issue_positions-error"' in wrong.text
    assert api_view(client, world, dana, coalition)["issue_positions"] == []

    stances = {f"stance:{literacy.id}": "support", f"stance:{vouchers.id}": "oppose"}
    saved = client.post(url, data=form_of(page, **stances))
    assert saved.status_code == 200 and "Settings saved." in saved.text
    assert api_view(client, world, dana, coalition)["issue_positions"] == [
        {"issue_area_id": literacy.id, "stance": "support"},
        {"issue_area_id": vouchers.id, "stance": "oppose"},
    ]
    overview = client.get(f"/coalitions/{coalition.id}").text
    assert "<dt>Works against</dt><dd>Vouchers</dd>" in overview

    # "Not taken up" drops the area; the form shows the stance kept.
    page = client.get(url).text
    dropped = client.post(url, data=form_of(page, **{**stances, f"stance:{literacy.id}": ""}))
    assert dropped.status_code == 200
    view = api_view(client, world, dana, coalition)
    assert view["issue_area_ids"] == [vouchers.id]
    assert re.search(r'<option value="oppose" selected>', client.get(url).text)
