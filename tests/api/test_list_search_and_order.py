"""The list endpoints' `q` and `sort`: searched, ordered, and paged on with the same cursors."""


def names(page: dict) -> list[str]:
    return [item["name"] for item in page["items"]]


def test_organizations_searched_and_sorted_by_name_across_pages(client, world):
    dana = world.user("dana")
    for name in ("Riverside PTA", "Aardvark Readers", "Riverside Food Bank", "Maple PTA"):
        world.organization(dana, name=name)
    headers = world.headers(dana)

    first = client.get("/api/v1/organizations?sort=name&limit=2", headers=headers).json()
    assert names(first) == ["Aardvark Readers", "Maple PTA"]
    rest = client.get(
        f"/api/v1/organizations?sort=name&limit=2&cursor={first['next_cursor']}", headers=headers
    ).json()
    assert names(rest) == ["Riverside Food Bank", "Riverside PTA"]
    assert rest["next_cursor"] is None

    found = client.get("/api/v1/organizations?q=RIVERSIDE&sort=newest", headers=headers).json()
    assert names(found) == ["Riverside Food Bank", "Riverside PTA"]
    assert client.get("/api/v1/organizations?sort=size", headers=headers).status_code == 422


def test_names_sort_whatever_their_case_on_every_page(client, world):
    dana = world.user("dana")
    for name in ("Zebra Union", "apple growers", "Apple Growers", "banana PTA"):
        world.organization(dana, name=name)
    headers = world.headers(dana)
    seen, cursor = [], ""
    while True:
        page = client.get(
            f"/api/v1/organizations?sort=name&limit=1{cursor}", headers=headers
        ).json()
        seen += names(page)
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    # The two spellings of one name keep the order they were made in (the id breaks the tie).
    assert seen == ["apple growers", "Apple Growers", "banana PTA", "Zebra Union"]


def test_activities_by_deadline_put_those_without_one_last(client, world):
    dana = world.user("dana")
    coalition = world.coalition(world.organization(dana), allowed_activity_kinds=["sign_on_letter"])
    headers = world.headers(dana)
    url = f"/api/v1/coalitions/{coalition.id}/activities"
    for title, deadline in (("No date", None), ("Late", "2030-05-01T09:00:00Z"),
                            ("Soon", "2030-01-01T09:00:00Z")):  # fmt: skip
        made = client.post(
            url,
            headers=headers,
            json={"kind": "sign_on_letter", "title": title, "sign_on_deadline": deadline},
        )
        assert made.status_code == 201, made.text
    seen, cursor = [], ""
    while True:
        page = client.get(f"{url}?sort=deadline&limit=1{cursor}", headers=headers).json()
        seen += [item["title"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = f"&cursor={page['next_cursor']}"
    assert seen == ["Soon", "Late", "No date"]
