"""The HTML pages through a real HTTP client: sign-in, CSRF, forms, htmx fragments."""

import re

import pytest

PASSWORD = "correct horse battery"


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def log_in(client, email: str, password: str = PASSWORD, next_path: str = "/"):
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": next_path},
        follow_redirects=False,
    )


@pytest.fixture
def dana(world):
    user = world.user("dana", password=PASSWORD)
    organization = world.organization(user, name="Maple District PTA")
    return user, organization


def test_pages_need_a_signed_in_user(client):
    response = client.get("/organizations", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/organizations"
    htmx = client.post("/organizations", headers={"HX-Request": "true"}, follow_redirects=False)
    # Without a session there is no CSRF token to match: refused before anything else.
    assert htmx.status_code == 403


def test_login_sets_a_hardened_cookie_and_shows_the_dashboard(client, dana):
    user, organization = dana
    response = log_in(client, user.email, next_path="/organizations")
    assert response.status_code == 303 and response.headers["location"] == "/organizations"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie

    home = client.get("/")
    assert "<title>Dashboard · Coalesce</title>" in home.text
    assert home.text.count('id="coalitions-heading"') == 1
    assert "Maple District PTA" in home.text and f"/organizations/{organization.id}" in home.text


def test_cookie_is_secure_over_https(client, dana):
    user, _ = dana
    client.base_url = "https://testserver"
    response = log_in(client, user.email)
    assert "Secure" in response.headers["set-cookie"]


def test_wrong_password_is_said_on_the_form_and_throttled(client, dana):
    user, _ = dana
    wrong = log_in(client, user.email, "not it")
    assert wrong.status_code == 401
    assert "The e-mail or password is not right." in wrong.text
    assert f'value="{user.email}"' in wrong.text
    for _ in range(9):
        log_in(client, user.email, "not it")
    locked = log_in(client, user.email)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.text


def test_login_refuses_a_missing_or_wrong_csrf_token(client, dana):
    user, _ = dana
    client.get("/login")
    for token in (None, "forged"):
        data = {"email": user.email, "password": PASSWORD}
        if token:
            data["csrf_token"] = token
        response = client.post("/login", data=data, follow_redirects=False)
        assert response.status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_never_redirects_off_site(client, dana):
    user, _ = dana
    response = log_in(client, user.email, next_path="//evil.example.org/")
    assert response.headers["location"] == "/"


def test_position_saved_in_place_with_htmx(client, dana, world):
    user, organization = dana
    area = world.issue_area("Early literacy")
    log_in(client, user.email)
    page = client.get(f"/organizations/{organization.id}/positions")
    assert "Early literacy" in page.text
    token = csrf_of(page.text)

    saved = client.post(
        f"/organizations/{organization.id}/positions/{area.id}",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        data={
            "stance": "support",
            "priority": "main",
            "statement": "Read by grade 3",
            "version": "0",
        },
    )
    assert saved.status_code == 200
    assert saved.text.lstrip().startswith(f'<div id="position-{area.id}"')
    assert "Position saved." in saved.text and "Read by grade 3" in saved.text
    assert "<html" not in saved.text

    refreshed = client.get(f"/organizations/{organization.id}/positions")
    assert "Read by grade 3" in refreshed.text
    assert "Early literacy</strong> —\n  supports, a main priority" in refreshed.text


def test_bad_position_shows_the_error_next_to_the_field_and_saves_nothing(client, dana, world):
    user, organization = dana
    area = world.issue_area("Early literacy")
    log_in(client, user.email)
    token = csrf_of(client.get(f"/organizations/{organization.id}").text)

    response = client.post(
        f"/organizations/{organization.id}/positions/{area.id}",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        data={"stance": "support", "priority": "main", "statement": "x" * 4001, "version": "0"},
    )
    assert response.status_code == 422
    assert f'id="position-{area.id}-statement-error"' in response.text
    assert "Keep the statement to 4000 characters or fewer." in response.text
    positions = client.get(
        f"/api/v1/organizations/{organization.id}/positions", headers=world.headers(user)
    )
    assert positions.json()["items"] == []


def test_forms_work_without_javascript(client, dana, world):
    user, organization = dana
    area = world.issue_area("School funding")
    log_in(client, user.email)
    token = csrf_of(client.get(f"/organizations/{organization.id}").text)

    plain = client.post(
        f"/organizations/{organization.id}/positions/{area.id}",
        data={"stance": "oppose", "priority": "secondary", "csrf_token": token},
        follow_redirects=False,
    )
    assert plain.status_code == 303
    assert plain.headers["location"] == (
        f"/organizations/{organization.id}/positions#position-{area.id}"
    )

    bad = client.post(
        f"/organizations/{organization.id}",
        data={"name": "", "kind": "pta", "staff_count": "lots", "csrf_token": token},
    )
    assert bad.status_code == 422
    assert "<html" in bad.text and 'id="staff_count-error"' in bad.text


def test_htmx_request_without_csrf_header_is_refused(client, dana, world):
    user, organization = dana
    log_in(client, user.email)
    response = client.post(
        f"/organizations/{organization.id}",
        headers={"HX-Request": "true", "X-CSRF-Token": "forged"},
        data={"name": "Hijacked", "kind": "pta"},
    )
    assert response.status_code == 403
    assert "Hijacked" not in client.get(f"/organizations/{organization.id}").text


def test_people_section_adds_and_refuses_duplicates(client, dana):
    user, organization = dana
    log_in(client, user.email)
    token = csrf_of(client.get(f"/organizations/{organization.id}").text)
    headers = {"HX-Request": "true", "X-CSRF-Token": token}
    url = f"/organizations/{organization.id}/users"

    added = client.post(
        url, headers=headers, data={"email": "marcus@example.org", "role": "approver"}
    )
    assert added.status_code == 200 and "marcus@example.org" in added.text
    again = client.post(
        url, headers=headers, data={"email": "marcus@example.org", "role": "member"}
    )
    assert again.status_code == 422 and "already belongs" in again.text


def test_private_sections_are_hidden_from_other_organizations(client, dana, world):
    _, organization = dana
    outsider = world.user("oak", password=PASSWORD)
    world.organization(outsider, name="Oak PTA")
    log_in(client, outsider.email)
    page = client.get(f"/organizations/{organization.id}")
    assert page.status_code == 200
    assert "Positions" not in page.text and "Partner research" not in page.text
    assert "Save profile" not in page.text
    token = csrf_of(page.text)
    refused = client.post(
        f"/organizations/{organization.id}",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        data={"name": "Taken over", "kind": "pta"},
    )
    assert refused.status_code == 403
    assert "Only an organization admin" in refused.text
    for section in ("people", "positions", "approval-process", "research"):
        assert client.get(f"/organizations/{organization.id}/{section}").status_code == 404


def test_organization_page_has_a_section_at_each_address(client, dana, world):
    """Profile, people, positions, approval process and research each at an address of
    their own, the menu marking the one shown; a position saved there answers there."""
    user, organization = dana
    area = world.issue_area("Early literacy")
    log_in(client, user.email)
    base = f"/organizations/{organization.id}"
    sections = {
        "": "profile-heading",
        "/people": "people-heading",
        "/positions": "positions-heading",
        "/approval-process": "joining-process-heading",
        "/research": "research-heading",
    }
    for suffix, heading in sections.items():
        page = client.get(base + suffix)
        assert page.status_code == 200 and f'id="{heading}"' in page.text
        menu = page.text.split('class="section-menu"')[1].split("</nav>")[0]
        assert f'<a href="{base}{suffix}" aria-current="page">' in menu
        assert menu.count('aria-current="page"') == 1
        assert f'<a href="{base}/report">Advocacy report</a>' in menu
        others = set(sections.values()) - {heading, "approval-process-heading"}
        assert not any(f'id="{other}"' in page.text for other in others)

    token = csrf_of(client.get(base + "/positions").text)
    form = {"stance": "support", "priority": "main", "limited_activity_kinds": "testimony"}
    plain = client.post(
        f"{base}/positions/{area.id}",
        data={**form, "csrf_token": token, "version": "0"},
        follow_redirects=False,
    )
    assert plain.headers["location"] == f"{base}/positions#position-{area.id}"
    shown = client.get(plain.headers["location"])
    assert "Position saved." in shown.text
    assert "supports, a main priority; limits: testimony" in shown.text
    assert 'aria-current="page">Positions<' in shown.text

    stale = client.post(
        f"{base}/positions/{area.id}", data={**form, "csrf_token": token, "version": "0"}
    )
    assert stale.status_code in (409, 412, 422) and "<html" in stale.text
    assert 'aria-current="page">Positions<' in stale.text


def test_unknown_page_is_a_friendly_404(client, dana):
    user, _ = dana
    log_in(client, user.email)
    response = client.get("/organizations/org_missing")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in response.text


def test_logout_ends_the_session(client, dana):
    user, _ = dana
    log_in(client, user.email)
    token = csrf_of(client.get("/").text)
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/", follow_redirects=False).status_code == 303


def test_create_an_organization_from_the_directory_page(client, dana):
    user, _ = dana
    log_in(client, user.email)
    token = csrf_of(client.get("/organizations").text)
    bad = client.post(
        "/organizations",
        data={
            "name": "Read Together",
            "kind": "nonprofit",
            "website": "readtogether",
            "csrf_token": token,
        },
    )
    assert bad.status_code == 422
    assert 'id="website-error"' in bad.text and 'value="Read Together"' in bad.text

    made = client.post(
        "/organizations",
        data={"name": "Read Together", "kind": "nonprofit", "csrf_token": token},
        follow_redirects=False,
    )
    assert made.status_code == 303
    page = client.get(made.headers["location"])
    assert "<h1>Read Together</h1>" in page.text and "Save profile" in page.text


def test_issue_areas_are_added_by_admins_on_the_page_as_in_the_api(client, dana, world):
    """One rule in the service: an admin of some organization adds issue areas; a member
    who is nobody's admin is refused on the page and in the API alike."""
    user, organization = dana
    member = world.user("pat", password=PASSWORD)
    world.add(organization, member, "member")
    log_in(client, member.email)
    token = csrf_of(client.get(f"/organizations/{organization.id}").text)
    refused = client.post(
        f"/organizations/{organization.id}/issue-areas",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        data={"name": "Library hours"},
    )
    assert refused.status_code == 403
    api = client.post(
        "/api/v1/issue-areas", headers=world.headers(member), json={"name": "Library hours"}
    )
    assert api.status_code == 403

    client.post("/logout", data={"csrf_token": token})
    log_in(client, user.email)
    token = csrf_of(client.get(f"/organizations/{organization.id}").text)
    added = client.post(
        f"/organizations/{organization.id}/issue-areas",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        data={"name": "Library hours"},
    )
    assert added.status_code == 200 and "Library hours" in added.text


def test_a_position_records_the_advocacy_it_cannot_take_on(client, dana, world):
    user, organization = dana
    area = world.issue_area("Early literacy")
    log_in(client, user.email)
    token = csrf_of(client.get(f"/organizations/{organization.id}").text)
    saved = client.post(
        f"/organizations/{organization.id}/positions/{area.id}",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
        data={
            "stance": "support",
            "priority": "main",
            "limited_activity_kinds": ["testimony", "public_event"],
        },
    )
    assert saved.status_code == 200
    assert (
        'value="testimony" checked' in saved.text and 'value="public_event" checked' in saved.text
    )
    positions = client.get(
        f"/api/v1/organizations/{organization.id}/positions", headers=world.headers(user)
    ).json()["items"]
    assert set(positions[0]["limited_activity_kinds"]) == {"testimony", "public_event"}
