"""Organizations through the API: the flows an integration runs."""

from tests.api.test_conventions import assert_problem


def test_organization_life_cycle(client, world):
    headers = world.headers(world.user("dana"))
    created = client.post(
        "/api/v1/organizations",
        headers=headers,
        json={
            "name": "Maple District PTA",
            "kind": "pta",
            "website": "https://maple.example.org",
            "staff_count": 1,
            "volunteer_count": 45,
            "expertise": ["school volunteers"],
            "communities": ["Maple families"],
        },
    )
    assert created.status_code == 201
    org = created.json()
    assert created.headers["location"] == f"/api/v1/organizations/{org['id']}"
    assert org["id"].startswith("org_") and org["version"] == 1

    me = client.get("/api/v1/me", headers=headers).json()
    assert me["organizations"] == [
        {"id": org["id"], "name": "Maple District PTA", "kind": "pta", "role": "admin"}
    ]

    patched = client.patch(
        f"/api/v1/organizations/{org['id']}", headers=headers, json={"website": None}
    )
    assert patched.json()["website"] is None and patched.json()["expertise"] == [
        "school volunteers"
    ]
    assert client.delete(f"/api/v1/organizations/{org['id']}", headers=headers).status_code == 204
    assert_problem(client.get(f"/api/v1/organizations/{org['id']}", headers=headers), 404)


def test_bad_organization_input(client, world):
    headers = world.headers(world.user())
    cases = [
        {"name": "", "kind": "pta"},
        {"name": "A", "kind": "pta", "website": "javascript:alert(1)"},
        {"name": "A", "kind": "pta", "staff_count": -1},
        {"name": "A", "kind": "pta", "expertise": ["x" * 101]},
        {"name": "A", "kind": "pta", "description": "x" * 4001},
    ]
    for body in cases:
        assert_problem(client.post("/api/v1/organizations", headers=headers, json=body), 422)
    org = client.post("/api/v1/organizations", headers=headers, json={"name": "A", "kind": "pta"})
    assert_problem(
        client.patch(
            f"/api/v1/organizations/{org.json()['id']}", headers=headers, json={"name": None}
        ),
        422,
    )
    assert len(client.get("/api/v1/organizations?mine=true", headers=headers).json()["items"]) == 1


def test_people_and_roles(client, world):
    admin = world.user("dana")
    organization = world.organization(admin)
    headers = world.headers(admin)
    base = f"/api/v1/organizations/{organization.id}/users"

    added = client.post(
        base,
        headers=headers,
        json={
            "email": "Marcus@Example.org",
            "role": "approver",
            "name": "Marcus",
            "password": "board-member-1",
        },
    )
    assert added.status_code == 201
    marcus = added.json()
    assert marcus["email"] == "marcus@example.org" and marcus["role"] == "approver"
    assert_problem(
        client.post(base, headers=headers, json={"email": "marcus@example.org", "role": "member"}),
        409,
    )
    assert_problem(
        client.post(base, headers=headers, json={"email": "nobody", "role": "member"}), 422
    )
    assert_problem(
        client.post(base, headers=headers, json={"email": "a@example.org", "role": "owner"}), 422
    )

    # The new person can sign in with the password the admin set.
    from tests.conftest import basic_auth

    me = client.get("/api/v1/me", headers=basic_auth("marcus@example.org", "board-member-1"))
    assert me.json()["organizations"][0]["role"] == "approver"

    changed = client.patch(f"{base}/{marcus['id']}", headers=headers, json={"role": "member"})
    assert changed.json()["role"] == "member"
    assert_problem(client.delete(f"{base}/{admin.id}", headers=headers), 409)
    assert client.delete(f"{base}/{marcus['id']}", headers=headers).status_code == 204
    listed = client.get(base, headers=headers).json()["items"]
    assert [row["email"] for row in listed] == [admin.email]
    assert_problem(client.delete(f"{base}/{marcus['id']}", headers=headers), 404)


def test_positions_and_issue_areas(client, world):
    admin = world.user("dana")
    organization = world.organization(admin)
    headers = world.headers(admin)
    area = client.post(
        "/api/v1/issue-areas", headers=headers, json={"name": "Early literacy"}
    ).json()
    assert_problem(
        client.post("/api/v1/issue-areas", headers=headers, json={"name": "early LITERACY"}), 409
    )

    url = f"/api/v1/organizations/{organization.id}/positions/{area['id']}"
    put = client.put(
        url,
        headers=headers,
        json={"stance": "support", "priority": "main", "statement": "Every child reads."},
    )
    assert put.status_code == 200 and put.headers["etag"] == '"1"'
    assert_problem(
        client.put(url, headers=headers, json={"stance": "maybe", "priority": "main"}), 422
    )
    assert_problem(
        client.put(
            url,
            headers={**headers, "If-Match": '"7"'},
            json={"stance": "oppose", "priority": "main"},
        ),
        412,
    )
    assert_problem(
        client.put(
            f"/api/v1/organizations/{organization.id}/positions/isa_missing",
            headers=headers,
            json={"stance": "support", "priority": "main"},
        ),
        404,
    )
    listed = client.get(f"/api/v1/organizations/{organization.id}/positions", headers=headers)
    assert [(p["stance"], p["statement"]) for p in listed.json()["items"]] == [
        ("support", "Every child reads.")
    ]


def test_research_notes(client, world):
    admin = world.user("dana")
    organization = world.organization(admin)
    subject = world.organization(name="Read Together", kind="nonprofit")
    headers = world.headers(admin)
    url = f"/api/v1/organizations/{organization.id}/research"
    note = client.post(
        url,
        headers=headers,
        json={
            "subject_organization_id": subject.id,
            "reputable": True,
            "positions_note": "Strong on literacy",
            "community_relations": "Trusted by parents",
            "policymaker_relations": "Testified twice",
            "expertise_note": "Reading specialists",
            "recommendation": "Partner with them",
        },
    )
    assert note.status_code == 201
    assert note.json()["author_organization_id"] == organization.id
    assert_problem(
        client.post(url, headers=headers, json={"subject_organization_id": organization.id}), 422
    )
    listed = client.get(f"{url}?subject_organization_id={subject.id}", headers=headers).json()
    assert [n["recommendation"] for n in listed["items"]] == ["Partner with them"]
