"""Coalition pages through a real HTTP client."""

import re

import pytest

from tests.pages.test_pages import PASSWORD, csrf_of, log_in


@pytest.fixture
def lead(world):
    dana = world.user("dana", password=PASSWORD)
    state_pta = world.organization(dana, name="State PTA")
    coalition = world.coalition(state_pta, name="Read by Third Grade")
    return dana, state_pta, coalition


def test_start_a_coalition_with_errors_then_for_real(client, lead, world):
    dana, state_pta, _ = lead
    area = world.issue_area("Early literacy")
    log_in(client, dana.email)
    form = client.get("/coalitions/new")
    assert "State PTA" in form.text and "Early literacy" in form.text
    token = csrf_of(form.text)
    data = {
        "csrf_token": token,
        "name": "Healthy Meals",
        "unifying_issue": "No child learns hungry",
        "convener_organization_id": state_pta.id,
        "issue_area_ids": [area.id],
        "allowed_activity_kinds": ["sign_on_letter", "testimony"],
        "decision_rule": "consensus",
        "quorum_percent": "200",
        "visibility": "listed",
    }
    bad = client.post("/coalitions", data=data)
    assert bad.status_code == 422 and 'id="quorum-error"' in bad.text
    assert "Enter the share of members as a number from 0 to 100, like 50." in bad.text
    assert 'value="Healthy Meals"' in bad.text

    made = client.post("/coalitions", data={**data, "quorum_percent": "60"}, follow_redirects=False)
    assert made.status_code == 303
    page = client.get(made.headers["location"])
    assert "<h1>Healthy Meals</h1>" in page.text
    guidelines = client.get(f"{made.headers['location']}/guidelines").text
    assert "consensus (no member blocks); at least 60% of members vote" in guidelines
    assert "sign-on letter, testimony" in guidelines


def test_a_coalition_formed_against_something_says_so(client, lead, world):
    dana, state_pta, _ = lead
    vouchers = world.issue_area("Private school vouchers")
    literacy = world.issue_area("Early literacy")
    log_in(client, dana.email)
    token = csrf_of(client.get("/coalitions/new").text)
    made = client.post(
        "/coalitions",
        data={
            "csrf_token": token,
            "name": "Public Dollars for Public Schools",
            "unifying_issue": "Public money stays in public schools",
            "convener_organization_id": state_pta.id,
            f"stance:{vouchers.id}": "oppose",
            f"stance:{literacy.id}": "support",
            "allowed_activity_kinds": ["sign_on_letter"],
            "decision_rule": "consensus",
            "quorum_percent": "50",
            "visibility": "private",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    page = client.get(made.headers["location"]).text
    assert "<dt>Works against</dt><dd>Private school vouchers</dd>" in page
    assert "<dt>Works for</dt><dd>Early literacy</dd>" in page


def test_private_coalition_page_is_404_for_outsiders(client, lead, world):
    _, _, coalition = lead
    outsider = world.user("oak", password=PASSWORD)
    world.organization(outsider)
    log_in(client, outsider.email)
    assert client.get(f"/coalitions/{coalition.id}").status_code == 404
    assert "Read by Third Grade" not in client.get("/coalitions").text


def test_lead_invites_and_a_second_invitation_is_refused_on_the_page(client, lead, world):
    dana, _, coalition = lead
    partner = world.organization(name="Read Together", kind="nonprofit")
    log_in(client, dana.email)
    token = csrf_of(client.get(f"/coalitions/{coalition.id}").text)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    url = f"/coalitions/{coalition.id}/members"
    invited = client.post(url, headers=headers, data={"organization_id": partner.id})
    assert invited.status_code == 200 and "Read Together" in invited.text
    again = client.post(url, headers=headers, data={"organization_id": partner.id})
    assert again.status_code == 422 and "already listed in this coalition (invited)" in again.text


def test_joining_assessment_refuses_bad_hours_and_keeps_the_invitation(client, lead, world):
    _, _, coalition = lead
    lena = world.user("lena", password=PASSWORD)
    partner = world.organization(lena, name="Read Together", kind="nonprofit")
    world.invite(coalition, partner)
    log_in(client, lena.email)
    page = client.get(f"/coalitions/{coalition.id}/join?organization_id={partner.id}")
    assert "Joining Read by Third Grade?" in page.text
    bad = client.post(
        f"/coalitions/{coalition.id}/join?organization_id={partner.id}",
        data={
            "csrf_token": csrf_of(page.text),
            "status": "joined",
            "engagement": "core",
            "commitment_hours_per_month": "-3",
        },
    )
    assert bad.status_code == 422 and 'id="commitment_hours_per_month-error"' in bad.text
    members = client.get(
        f"/api/v1/coalitions/{coalition.id}/members/{partner.id}", headers=world.headers(lena)
    )
    assert members.json()["status"] == "invited"


def test_objective_toggle_returns_the_goal_card(client, lead, world):
    dana, _, coalition = lead
    log_in(client, dana.email)
    headers = world.headers(dana)
    goal = client.post(
        f"/api/v1/coalitions/{coalition.id}/goals",
        headers=headers,
        json={"title": "Pass the bill", "due_date": "2030-01-01"},
    ).json()
    objective = client.post(
        f"/api/v1/goals/{goal['id']}/objectives", headers=headers, json={"title": "Draft"}
    ).json()
    token = csrf_of(client.get(f"/coalitions/{coalition.id}").text)
    card = client.post(
        f"/objectives/{objective['id']}",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        data={"done": "true"},
    )
    assert card.status_code == 200
    assert card.text.lstrip().startswith(f'<article id="goal-{goal["id"]}"')
    assert 'value="1.0"' in card.text and "1 of 1 objective done · 100%" in card.text


def test_goal_edited_in_place(client, lead, world):
    dana, _, coalition = lead
    log_in(client, dana.email)
    goal = client.post(
        f"/api/v1/coalitions/{coalition.id}/goals",
        headers=world.headers(dana),
        json={"title": "Pass the bill", "due_date": "2030-01-01"},
    ).json()
    token = csrf_of(client.get(f"/coalitions/{coalition.id}").text)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    saved = client.post(
        f"/goals/{goal['id']}",
        headers=headers,
        data={"title": "Pass HB 210", "due_date": "2030-06-30"},
    )
    assert (
        saved.status_code == 200 and "Goal saved." in saved.text and "due 30 Jun 2030" in saved.text
    )
    bad = client.post(
        f"/goals/{goal['id']}", headers=headers, data={"title": "Pass HB 210", "due_date": "soon"}
    )
    assert bad.status_code == 422 and 'id="due_date-error"' in bad.text


def test_leaving_a_private_coalition_lands_on_the_dashboard(client, lead, world):
    _, _, coalition = lead
    lena = world.user("lena", password=PASSWORD)
    partner = world.organization(lena, name="Read Together", kind="nonprofit")
    world.join(coalition, partner)
    log_in(client, lena.email)
    token = csrf_of(client.get(f"/coalitions/{coalition.id}").text)
    left = client.post(
        f"/coalitions/{coalition.id}/members/{partner.id}",
        data={"csrf_token": token, "status": "left", "confirmed": "yes"},
        follow_redirects=False,
    )
    # Its page is gone for a former member; the dashboard is where it lands, and it left.
    assert (left.status_code, left.headers["location"]) == (303, "/")
    assert client.get(f"/coalitions/{coalition.id}").status_code == 404
    membership = client.get(
        f"/api/v1/coalitions/{coalition.id}/members/{partner.id}",
        headers=world.headers(world.user("dana", platform_admin=True)),
    )
    assert membership.json()["status"] == "left"


def test_an_invitation_carries_a_note_the_invited_organization_reads(client, lead, world):
    dana, _, coalition = lead
    lena = world.user("lena", password=PASSWORD)
    partner = world.organization(lena, name="Read Together", kind="nonprofit")
    log_in(client, dana.email)
    page = client.get(f"/coalitions/{coalition.id}/members").text
    # The select has a label a sighted person sees, not only one for screen readers.
    assert '<label for="invite-org">Organization to invite</label>' in page
    assert 'name="note"' in page.split('id="invite-org"')[1].split("</form>")[0]
    token = csrf_of(page)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    note = "We would love your reading volunteers on our spring letter."
    invited = client.post(
        f"/coalitions/{coalition.id}/members",
        headers=headers,
        data={"organization_id": partner.id, "note": note},
    )
    assert invited.status_code == 200, invited.text

    log_in(client, lena.email)
    assessment = client.get(f"/coalitions/{coalition.id}/join?organization_id={partner.id}")
    assert f"<blockquote>{note}</blockquote>" in assessment.text


SECTIONS = {
    "": "Overview",
    "/members": "Members",
    "/goals": "Goals",
    "/activities": "Advocacy",
    "/proposals": "Proposals",
    "/guidelines": "Guidelines",
}


def test_each_section_has_its_own_address_and_the_menu_marks_it(client, lead, world):
    dana, _, coalition = lead
    log_in(client, dana.email)
    for path, heading in SECTIONS.items():
        page = client.get(f"/coalitions/{coalition.id}{path}")
        assert page.status_code == 200, path
        assert "<h1>Read by Third Grade</h1>" in page.text
        assert f'<h2 id="{(path or "/overview")[1:]}-heading">{heading}</h2>' in page.text
        menu = page.text.split('class="section-menu"')[1].split("</nav>")[0]
        current = f'<a href="/coalitions/{coalition.id}{path}" aria-current="page">{heading}</a>'
        assert current in menu and menu.count('aria-current="page"') == 1
        title = heading if path else ""
        assert f"<title>{title + ' · ' if title else ''}Read by Third Grade · Coalesce</title>" in (
            page.text
        )
    # Each section shows itself alone: the members are not on the goals page, and so on.
    goals = client.get(f"/coalitions/{coalition.id}/goals").text
    assert 'id="members"' not in goals and 'id="guidelines"' not in goals


def test_an_outsider_sees_a_listed_coalition_without_its_working_space(client, lead, world):
    _, state_pta, _ = lead
    listed = world.coalition(state_pta, name="Healthy Meals", visibility="listed")
    outsider = world.user("oak", password=PASSWORD)
    world.organization(outsider, name="Oak PTA")
    log_in(client, outsider.email)
    overview = client.get(f"/coalitions/{listed.id}").text
    menu = overview.split('class="section-menu"')[1].split("</nav>")[0]
    assert "Members" in menu and "Advocacy" not in menu and "The list" not in menu
    for path in ("/activities", "/proposals"):
        assert client.get(f"/coalitions/{listed.id}{path}").status_code == 404
    assert client.get(f"/coalitions/{listed.id}/members").status_code == 200


def test_the_overview_offers_an_outsiders_admin_to_ask_to_join(client, lead, world):
    dana, state_pta, _ = lead
    listed = world.coalition(state_pta, name="Healthy Meals", visibility="listed")
    outsider = world.user("oak", password=PASSWORD)
    oak = world.organization(outsider, name="Oak PTA")
    reader = world.user("reader", password=PASSWORD)
    world.add(oak, reader, "member")
    log_in(client, outsider.email)
    overview = client.get(f"/coalitions/{listed.id}").text
    assessment = f"/coalitions/{listed.id}/join?organization_id={oak.id}"
    assert f'href="{assessment}"' in overview and "Ask to join as Oak PTA" in overview
    assert 'name="ask"' in client.get(assessment).text

    # An invited organization's admin is sent to answer the invitation the same way.
    invited_admin = world.user("elm", password=PASSWORD)
    elm = world.organization(invited_admin, name="Elm PTA")
    world.invite(listed, elm)
    client.cookies.clear()
    log_in(client, invited_admin.email)
    overview = client.get(f"/coalitions/{listed.id}").text
    assert "Assess and answer the invitation for Elm PTA" in overview

    # Neither a member's lead nor a reader without the right to decide is offered it.
    for person in (dana, reader):
        client.cookies.clear()
        log_in(client, person.email)
        assert "Ask to join" not in client.get(f"/coalitions/{listed.id}").text


def test_members_are_shown_once_and_only_a_lead_finds_the_edit_form(client, lead, world):
    dana, _, coalition = lead
    lena = world.user("lena", password=PASSWORD)
    partner = world.organization(lena, name="Read Together", kind="nonprofit")
    world.join(coalition, partner, engagement="core")
    log_in(client, dana.email)
    page = client.get(f"/coalitions/{coalition.id}/members").text
    row = page.split(">Read Together</a>")[1].split("</tr>")[0]
    assert '<td data-label="Engagement">core member</td>' in row
    assert '<details class="row-edit">' in row and "<summary>Edit" in row
    # The value shown once, and chosen again only in the form behind "Edit".
    assert row.count("core member<") == 1 and 'value="core" selected' in row
    client.cookies.clear()
    log_in(client, lena.email)
    row = client.get(f"/coalitions/{coalition.id}/members").text.split(">Read Together</a>")[1]
    row = row.split("</tr>")[0]
    assert "row-edit" not in row and "Leave" in row  # her own: she may leave, not edit


def test_a_refused_invitation_without_htmx_shows_the_members_page_again(client, lead, world):
    dana, _, coalition = lead
    partner = world.organization(name="Read Together", kind="nonprofit")
    world.invite(coalition, partner)
    log_in(client, dana.email)
    token = csrf_of(client.get(f"/coalitions/{coalition.id}/members").text)
    again = client.post(
        f"/coalitions/{coalition.id}/members",
        data={"csrf_token": token, "organization_id": partner.id},
    )
    assert (
        again.status_code == 422 and "is already listed in this coalition (invited)" in again.text
    )
    assert "<title>Members · Read by Third Grade · Coalesce</title>" in again.text
    invited = client.post(
        f"/coalitions/{coalition.id}/members",
        data={"csrf_token": token, "organization_id": world.organization(name="Oak PTA").id},
        follow_redirects=False,
    )
    assert invited.headers["location"] == f"/coalitions/{coalition.id}/members#members"


def test_adding_an_objective_keeps_the_form_open_for_the_next(client, lead, world):
    dana, _, coalition = lead
    log_in(client, dana.email)
    goal = client.post(
        f"/api/v1/coalitions/{coalition.id}/goals",
        headers=world.headers(dana),
        json={"title": "Pass the bill", "due_date": "2030-01-01"},
    ).json()
    page = client.get(f"/coalitions/{coalition.id}/goals").text
    assert re.search(r"<details\s*>\s*<summary>Add an objective", page)  # folded until asked
    card = client.post(
        f"/goals/{goal['id']}/objectives",
        headers={"HX-Request": "true", "X-CSRF-Token": csrf_of(page)},
        data={"title": "Draft the letter"},
    )
    assert card.status_code == 200 and "Draft the letter" in card.text
    assert re.search(r"<details open>\s*<summary>Add an objective", card.text)


def test_every_page_names_our_favicon(client, lead):
    dana, _, coalition = lead
    log_in(client, dana.email)
    page = client.get(f"/coalitions/{coalition.id}").text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")


def test_the_list_and_the_report_keep_the_coalitions_menu(client, lead):
    dana, _, coalition = lead
    log_in(client, dana.email)
    for path, label in (("/messages", "The list"), ("/report", "Report")):
        page = client.get(f"/coalitions/{coalition.id}{path}").text
        menu = page.split('class="section-menu"')[1].split("</nav>")[0]
        assert f'href="/coalitions/{coalition.id}{path}" aria-current="page">{label}</a>' in menu
        assert f'href="/coalitions/{coalition.id}/members">Members</a>' in menu


def test_the_composition_counts_in_plural_words(client, lead, world):
    dana, _, coalition = lead
    world.join(coalition, world.organization(kind="nonprofit", name="Food Bank"))
    world.join(coalition, world.organization(kind="nonprofit", name="Literacy Now"))
    world.join(coalition, world.organization(kind="business", name="Bookshop"))
    log_in(client, dana.email)
    page = client.get(f"/coalitions/{coalition.id}").text
    assert "1 business, 2 nonprofits, 1 PTA." in page
