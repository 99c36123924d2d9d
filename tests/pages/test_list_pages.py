"""The long lists: a search box, an order to choose and "show more" instead of a silent cut."""

import re

import pytest

from tests.pages.test_pages import PASSWORD, log_in

HTMX_MORE = {"HX-Request": "true", "HX-Target": "directory-more"}


def more_link(html: str) -> str:
    """The address behind "Show more" (a plain link, which htmx also follows)."""
    found = re.search(r'<a href="([^"]+)" hx-get="[^"]+" hx-target="#[\w-]+"', html)
    assert found, "no show-more link"
    return found.group(1).replace("&amp;", "&")


@pytest.fixture
def dana(world):
    return world.user("dana", password=PASSWORD)


def test_organizations_search_sort_and_show_more(client, world, dana):
    for n in range(52):
        world.organization(name=f"Parents of School {n:02d}")
    world.organization(name="Zion Food Bank")
    world.organization(name="Aardvark Readers")
    log_in(client, dana.email)

    page = client.get("/organizations").text
    assert '<label for="organizations-q">Search organizations by name</label>' in page
    rows = re.findall(
        r'<tr><th scope="row" data-label="Name"><a href="/organizations/[^"]+">([^<]+)</a>', page
    )
    assert len(rows) == 50 and rows[0] == "Aardvark Readers"  # by name, first page only
    assert "Zion Food Bank" not in page
    following = client.get(more_link(page), headers=HTMX_MORE)
    assert following.status_code == 200 and "<h1>" not in following.text  # the rows alone
    assert "Zion Food Bank" in following.text and "Parents of School 51" in following.text
    assert "Show more" not in following.text  # the list ends here, and says so by ending

    newest = client.get("/organizations?sort=newest").text
    names = re.findall(
        r'<tr><th scope="row" data-label="Name"><a href="/organizations/[^"]+">([^<]+)</a>', newest
    )
    assert names[:2] == ["Aardvark Readers", "Zion Food Bank"]

    found = client.get("/organizations?q=food+BANK").text
    assert re.findall(
        r'<tr><th scope="row" data-label="Name"><a href="/organizations/[^"]+">([^<]+)</a>', found
    ) == ["Zion Food Bank"]
    assert "Show more" not in found
    nothing = client.get("/organizations?q=library").text
    assert "No organization's name holds “library”." in nothing


def test_coalitions_search_sort_and_show_more(client, world, dana):
    mine = world.organization(dana, name="State PTA")
    world.coalition(mine, name="Read by Third Grade", unifying_issue="Every child reads")
    convener = world.organization(name="Convener")
    for n in range(51):
        world.coalition(convener, name=f"Listed {n:02d}", visibility="listed")
    world.coalition(convener, name="Healthy Meals", unifying_issue="No child learns hungry",
                    visibility="listed")  # fmt: skip
    log_in(client, dana.email)

    page = client.get("/coalitions").text
    directory = page.split('id="directory-heading"')[1]
    listed = re.findall(r"<strong>([^<]+)</strong></a>", directory)
    assert len(listed) == 50 and listed[0] == "Healthy Meals"  # by name
    assert "Read by Third Grade" not in directory  # already mine: listed once, under Mine
    following = client.get(
        more_link(directory), headers={"HX-Request": "true", "HX-Target": "directory-more"}
    )
    assert following.status_code == 200 and "<h1>" not in following.text
    assert re.findall(r"<strong>([^<]+)</strong></a>", following.text) == [
        "Listed 49", "Listed 50",
    ]  # fmt: skip

    hungry = client.get("/coalitions?q=hungry").text
    found = re.findall(r"<strong>([^<]+)</strong></a>", hungry.split('id="directory-heading"')[1])
    assert found == ["Healthy Meals"]
    assert "None of yours matches “hungry”." in hungry
    newest = client.get("/coalitions?sort=newest").text.split('id="directory-heading"')[1]
    assert re.findall(r"<strong>([^<]+)</strong></a>", newest)[0] == "Healthy Meals"
    assert re.findall(r"<strong>([^<]+)</strong></a>", newest)[1] == "Listed 50"


def test_a_coalitions_activities_search_sort_and_show_more(client, world, dana):
    from datetime import UTC, datetime, timedelta

    from app.schemas.activities import ActivityCreate
    from app.services import activities

    state_pta = world.organization(dana, name="State PTA")
    coalition = world.coalition(state_pta, allowed_activity_kinds=["sign_on_letter"])
    soon = datetime.now(UTC) + timedelta(days=30)
    with world.database.session() as session:
        principal = world.principal(dana)
        for n in range(50):  # no deadline yet: these come last when sorted by deadline
            activities.create_activity(
                session, principal, coalition.id,
                ActivityCreate(kind="sign_on_letter", title=f"Draft {n:02d}"),
            )  # fmt: skip
        for n, days in enumerate([9, 2, 5]):
            activities.create_activity(
                session, principal, coalition.id,
                ActivityCreate(kind="sign_on_letter", title=f"Fund libraries {n}",
                               target="City Council", sign_on_deadline=soon + timedelta(days)),
            )  # fmt: skip
    log_in(client, dana.email)
    titles = re.compile(
        r'<tr><th scope="row" data-label="Advocacy activity"><a href="/activities/[^"]+">([^<]+)</a>'
    )

    page = client.get(f"/coalitions/{coalition.id}/activities").text
    listed = titles.findall(page)
    assert len(listed) == 50 and listed[:3] == [
        "Fund libraries 2", "Fund libraries 1", "Fund libraries 0",
    ]  # fmt: skip
    assert '<label for="activities-q">Search advocacy activities</label>' in page

    by_deadline = client.get(f"/coalitions/{coalition.id}/activity-list?sort=deadline").text
    assert "<h1>Advocacy of" in by_deadline  # a page of its own without JavaScript
    assert titles.findall(by_deadline)[:4] == [
        "Fund libraries 1", "Fund libraries 2", "Fund libraries 0", "Draft 00",
    ]  # fmt: skip
    rest = client.get(
        more_link(by_deadline), headers={"HX-Request": "true", "HX-Target": "activity-list-more"}
    ).text
    assert "<h1>" not in rest and titles.findall(rest) == ["Draft 47", "Draft 48", "Draft 49"]

    found = client.get(
        f"/coalitions/{coalition.id}/activity-list?q=council&sort=name",
        headers={"HX-Request": "true", "HX-Target": "activity-list"},
    ).text
    assert found.lstrip().startswith('<div id="activity-list">')
    assert titles.findall(found) == ["Fund libraries 0", "Fund libraries 1", "Fund libraries 2"]

    outsider = world.user("oak", password=PASSWORD)
    log_in(client, outsider.email)
    assert client.get(f"/coalitions/{coalition.id}/activity-list").status_code == 404
