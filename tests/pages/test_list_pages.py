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
    rows = re.findall(r'<tr><td><a href="/organizations/[^"]+">([^<]+)</a>', page)
    assert len(rows) == 50 and rows[0] == "Aardvark Readers"  # by name, first page only
    assert "Zion Food Bank" not in page
    following = client.get(more_link(page), headers=HTMX_MORE)
    assert following.status_code == 200 and "<h1>" not in following.text  # the rows alone
    assert "Zion Food Bank" in following.text and "Parents of School 51" in following.text
    assert "Show more" not in following.text  # the list ends here, and says so by ending

    newest = client.get("/organizations?sort=newest").text
    names = re.findall(r'<tr><td><a href="/organizations/[^"]+">([^<]+)</a>', newest)
    assert names[:2] == ["Aardvark Readers", "Zion Food Bank"]

    found = client.get("/organizations?q=food+BANK").text
    assert re.findall(r'<tr><td><a href="/organizations/[^"]+">([^<]+)</a>', found) == [
        "Zion Food Bank"
    ]
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
