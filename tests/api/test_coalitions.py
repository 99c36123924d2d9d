"""Coalitions through the API: creating, inviting, joining, leaving, alignment."""

import pytest

from tests.api.test_conventions import assert_problem


@pytest.fixture
def chair(world):
    """Dana chairs the State PTA, which convenes a literacy coalition."""
    dana = world.user("dana")
    state_pta = world.organization(dana, name="State PTA", communities=["families"])
    return dana, state_pta, world.headers(dana)


def create(client, headers, convener_id, **fields):
    body = {
        "name": "Read by Third Grade",
        "unifying_issue": "Every child reads by third grade",
        "convener_organization_id": convener_id,
        **fields,
    }
    return client.post("/api/v1/coalitions", headers=headers, json=body)


def test_convener_joins_as_lead_and_detail_has_size_and_composition(client, world, chair):
    _, state_pta, headers = chair
    area = world.issue_area("Early literacy")
    response = create(
        client, headers, state_pta.id, issue_area_ids=[area.id], decision_rule="majority"
    )
    assert response.status_code == 201, response.text
    coalition = response.json()
    assert coalition["visibility"] == "private" and coalition["quorum"] == 0.5
    assert coalition["size"] == 1
    assert coalition["composition"]["by_kind"] == {"pta": 1}
    assert coalition["composition"]["well_rounded"] is False
    assert "Only 1 member:" in coalition["composition"]["reasons"][0]
    assert coalition["size_implications"]["share_of_work"] == 1.0

    members = client.get(f"/api/v1/coalitions/{coalition['id']}/members", headers=headers).json()
    assert [(m["organization_id"], m["status"], m["engagement"]) for m in members["items"]] == [
        (state_pta.id, "joined", "lead")
    ]


def test_bad_coalition_input(client, world, chair):
    _, state_pta, headers = chair
    other = world.organization()
    assert_problem(create(client, headers, other.id), 422)  # not my organization
    assert_problem(create(client, headers, state_pta.id, issue_area_ids=["isa_nope"]), 422)
    assert_problem(create(client, headers, state_pta.id, quorum=1.5), 422)
    assert_problem(create(client, headers, state_pta.id, decision_rule="dictator"), 422)
    assert_problem(create(client, headers, state_pta.id, allowed_activity_kinds=["bake_sale"]), 422)
    assert client.get("/api/v1/coalitions?scope=mine", headers=headers).json()["items"] == []


def test_private_coalitions_are_invisible_to_outsiders(client, world, chair):
    _, state_pta, headers = chair
    coalition = create(client, headers, state_pta.id).json()
    outsider = world.user("outsider")
    world.organization(outsider)
    outsider_headers = world.headers(outsider)
    assert_problem(
        client.get(f"/api/v1/coalitions/{coalition['id']}", headers=outsider_headers), 404
    )
    listed = client.get("/api/v1/coalitions", headers=outsider_headers).json()["items"]
    assert coalition["id"] not in [c["id"] for c in listed]

    client.patch(
        f"/api/v1/coalitions/{coalition['id']}", headers=headers, json={"visibility": "listed"}
    )
    directory = client.get("/api/v1/coalitions?scope=directory", headers=outsider_headers).json()
    assert [c["id"] for c in directory["items"]] == [coalition["id"]]


def test_invite_then_join_with_engagement_and_game_plan(client, world, chair):
    _, state_pta, headers = chair
    coalition = create(client, headers, state_pta.id).json()
    lena = world.user("lena")
    read_together = world.organization(lena, name="Read Together", kind="nonprofit")
    lena_headers = world.headers(lena)
    members = f"/api/v1/coalitions/{coalition['id']}/members"

    invited = client.post(
        members, headers=headers, json={"organization_id": read_together.id, "note": "Join us!"}
    )
    assert invited.status_code == 201 and invited.json()["status"] == "invited"
    assert_problem(
        client.post(members, headers=headers, json={"organization_id": read_together.id}), 409
    )

    waiting = client.get("/api/v1/coalitions?scope=invited", headers=lena_headers).json()["items"]
    assert [c["id"] for c in waiting] == [coalition["id"]]

    # Only Read Together's own admin answers its invitation.
    assert_problem(
        client.patch(f"{members}/{read_together.id}", headers=headers, json={"status": "joined"}),
        403,
    )
    joined = client.patch(
        f"{members}/{read_together.id}",
        headers=lena_headers,
        json={
            "status": "joined",
            "engagement": "core",
            "roles": ["letter drafter"],
            "commitment_hours_per_month": 6,
            "game_plan": "escalate",
            "game_plan_note": "Our board decides on anything about testing.",
        },
    )
    assert joined.status_code == 200, joined.text
    body = joined.json()
    assert (body["status"], body["engagement"], body["roles"], body["game_plan"]) == (
        "joined", "core", ["letter drafter"], "escalate",
    )  # fmt: skip
    assert body["joined_at"] is not None

    history = client.get(f"{members}/{read_together.id}/history", headers=headers).json()["items"]
    assert [h["changes"]["status"] for h in history] == [[None, "invited"], ["invited", "joined"]]
    assert history[1]["actor_user_id"] == lena.id

    events = client.get("/api/v1/events?type=membership.changed", headers=lena_headers).json()
    assert [(e["data"]["from"], e["data"]["to"]) for e in events["items"]] == [
        (None, "invited"), ("invited", "joined"),
    ]  # fmt: skip
    detail = client.get(f"/api/v1/coalitions/{coalition['id']}", headers=lena_headers).json()
    assert detail["size"] == 2 and detail["composition"]["by_kind"] == {"nonprofit": 1, "pta": 1}


@pytest.mark.parametrize("field", ["engagement", "commitment_hours_per_month", "game_plan"])
def test_a_membership_field_that_must_have_a_value_cannot_be_emptied(client, chair, field):
    _, state_pta, headers = chair
    coalition = create(client, headers, state_pta.id).json()
    member = f"/api/v1/coalitions/{coalition['id']}/members/{state_pta.id}"
    before = client.get(member, headers=headers).json()
    problem = assert_problem(client.patch(member, headers=headers, json={field: None}), 422)
    assert problem["errors"][0]["loc"] == ["body", field]
    assert client.get(member, headers=headers).json() == before


def test_only_leads_invite_and_only_own_admins_decide(client, world, chair):
    _, state_pta, headers = chair
    coalition = create(client, headers, state_pta.id).json()
    members = f"/api/v1/coalitions/{coalition['id']}/members"
    sam = world.user("sam")
    union = world.organization(sam, kind="union")
    world.join(_model(world, coalition), union)
    other = world.organization()
    sam_headers = world.headers(sam)

    assert_problem(
        client.post(members, headers=sam_headers, json={"organization_id": other.id}), 403
    )
    # A supporter cannot promote itself to lead, nor change its roles.
    assert_problem(
        client.patch(f"{members}/{union.id}", headers=sam_headers, json={"engagement": "lead"}), 403
    )
    assert_problem(
        client.patch(f"{members}/{union.id}", headers=sam_headers, json={"roles": ["boss"]}), 403
    )
    # A lead cannot write another organization's game plan.
    assert_problem(
        client.patch(f"{members}/{union.id}", headers=headers, json={"game_plan": "abstain"}), 403
    )
    stepped = client.patch(
        f"{members}/{union.id}", headers=sam_headers, json={"engagement": "observer"}
    )
    assert stepped.json()["engagement"] == "observer"
    promoted = client.patch(f"{members}/{union.id}", headers=headers, json={"engagement": "lead"})
    assert promoted.json()["engagement"] == "lead"
    assert_problem(
        client.patch(f"{members}/{union.id}", headers=sam_headers, json={"status": "invited"}), 409
    )


def test_the_last_lead_cannot_leave(client, world, chair):
    _, state_pta, headers = chair
    coalition = create(client, headers, state_pta.id).json()
    members = f"/api/v1/coalitions/{coalition['id']}/members"
    assert_problem(client.delete(f"{members}/{state_pta.id}", headers=headers), 409)
    assert_problem(
        client.patch(f"{members}/{state_pta.id}", headers=headers, json={"engagement": "core"}), 409
    )
    union = world.organization(kind="union")
    world.join(_model(world, coalition), union, engagement="lead")
    left = client.delete(f"{members}/{state_pta.id}", headers=headers)
    assert left.status_code == 200 and left.json()["status"] == "left"
    # Having left a private coalition, Dana's organization no longer sees it.
    assert_problem(client.get(f"/api/v1/coalitions/{coalition['id']}", headers=headers), 404)


def test_listed_coalition_request_accepted_by_a_lead(client, world, chair):
    _, state_pta, headers = chair
    coalition = create(client, headers, state_pta.id, visibility="listed").json()
    members = f"/api/v1/coalitions/{coalition['id']}/members"
    ruth = world.user("ruth")
    faith = world.organization(ruth, kind="faith")
    ruth_headers = world.headers(ruth)

    asked = client.post(members, headers=ruth_headers, json={"organization_id": faith.id})
    assert asked.status_code == 201 and asked.json()["status"] == "requested"
    assert_problem(
        client.patch(f"{members}/{faith.id}", headers=ruth_headers, json={"status": "joined"}), 403
    )
    accepted = client.patch(f"{members}/{faith.id}", headers=headers, json={"status": "joined"})
    assert accepted.json()["status"] == "joined"


def test_alignment_is_for_the_organizations_own_users(client, world, chair):
    _, state_pta, headers = chair
    literacy = world.issue_area("Early literacy")
    vouchers = world.issue_area("Vouchers")
    client.put(
        f"/api/v1/organizations/{state_pta.id}/positions/{literacy.id}",
        headers=headers,
        json={"stance": "support", "priority": "main"},
    )
    coalition = create(
        client, headers, state_pta.id, issue_area_ids=[literacy.id, vouchers.id]
    ).json()
    url = f"/api/v1/coalitions/{coalition['id']}/alignment?organization_id={state_pta.id}"
    result = client.get(url, headers=headers).json()
    assert result["verdict"] == "partial"
    assert [(i["issue_area_name"], i["verdict"]) for i in result["issues"]] == [
        ("Early literacy", "aligned"), ("Vouchers", "unknown"),
    ]  # fmt: skip
    assert result["recommended_engagement"] in {"lead", "core", "supporter", "observer"}
    assert result["reasons"]

    member = world.member(state_pta, "member")
    assert client.get(url, headers=world.headers(member)).status_code == 200
    union_admin = world.user("sam")
    union = world.organization(union_admin)
    world.join(_model(world, coalition), union)
    assert_problem(client.get(url, headers=world.headers(union_admin)), 404)


def _model(world, coalition_json):
    from app.models import Coalition

    with world.database.session() as session:
        return session.get(Coalition, coalition_json["id"])


def test_a_coalition_against_vouchers_fits_a_pta_that_opposes_them(client, world, chair):
    """What was seen: a coalition formed to defeat vouchers told the State PTA, which opposes
    vouchers as a main priority, "conflict … Do not join"."""
    _, state_pta, headers = chair
    vouchers = world.issue_area("Private school vouchers")
    literacy = world.issue_area("Early literacy")
    client.put(
        f"/api/v1/organizations/{state_pta.id}/positions/{vouchers.id}",
        headers=headers,
        json={"stance": "oppose", "priority": "main"},
    )
    created = create(
        client, headers, state_pta.id, name="Public Dollars for Public Schools",
        issue_area_ids=[vouchers.id, literacy.id],
        issue_positions=[{"issue_area_id": vouchers.id, "stance": "oppose"}],
    )  # fmt: skip
    assert created.status_code == 201, created.text
    assert created.json()["issue_positions"] == [
        {"issue_area_id": vouchers.id, "stance": "oppose"},
        {"issue_area_id": literacy.id, "stance": "support"},  # listed only: supported
    ]
    url = f"/api/v1/coalitions/{created.json()['id']}/alignment?organization_id={state_pta.id}"
    check = client.get(url, headers=headers).json()
    by_area = {issue["issue_area_id"]: issue for issue in check["issues"]}
    assert by_area[vouchers.id]["verdict"] == "aligned"
    assert "as this coalition does" in by_area[vouchers.id]["note"]
    assert check["verdict"] == "partial"  # no position on literacy yet
    assert not any("Do not join" in reason for reason in check["reasons"])


def test_issue_positions_are_checked_and_kept_on_update(client, world, chair):
    _, state_pta, headers = chair
    vouchers = world.issue_area("Private school vouchers")
    elsewhere = world.issue_area("Transit")
    outside = create(
        client, headers, state_pta.id, issue_area_ids=[vouchers.id],
        issue_positions=[{"issue_area_id": elsewhere.id, "stance": "oppose"}],
    )  # fmt: skip
    assert assert_problem(outside, 422)["errors"][0]["loc"] == ["body", "issue_positions"]
    unknown = create(
        client, headers, state_pta.id, issue_area_ids=[vouchers.id],
        issue_positions=[{"issue_area_id": vouchers.id, "stance": "against"}],
    )  # fmt: skip
    assert_problem(unknown, 422)
    assert client.get("/api/v1/coalitions", headers=headers).json()["items"] == []

    # Stances alone name the areas; a later change of areas keeps the stances held.
    coalition = create(
        client, headers, state_pta.id,
        issue_positions=[{"issue_area_id": vouchers.id, "stance": "oppose"}],
    ).json()  # fmt: skip
    assert coalition["issue_area_ids"] == [vouchers.id]
    changed = client.patch(
        f"/api/v1/coalitions/{coalition['id']}",
        headers=headers,
        json={"issue_area_ids": [vouchers.id, elsewhere.id]},
    ).json()
    assert changed["issue_positions"] == [
        {"issue_area_id": vouchers.id, "stance": "oppose"},
        {"issue_area_id": elsewhere.id, "stance": "support"},
    ]


def test_a_coalition_has_a_website_checked_as_a_web_address(client, chair):
    _, state_pta, headers = chair
    bad = assert_problem(create(client, headers, state_pta.id, website="readbythird"), 422)
    assert bad["errors"][0]["loc"][-1] == "website"
    assert bad["errors"][0]["msg"].startswith("Enter a web address")
    coalition = create(client, headers, state_pta.id, website="https://readbythird.org").json()
    assert coalition["website"] == "https://readbythird.org"
    url = f"/api/v1/coalitions/{coalition['id']}"
    refused = client.patch(url, headers=headers, json={"website": "ftp://readbythird.org"})
    assert_problem(refused, 422)
    moved = client.patch(url, headers=headers, json={"website": "http://read3.org"}).json()
    assert moved["website"] == "http://read3.org"
    cleared = client.patch(url, headers=headers, json={"website": None}).json()
    assert cleared["website"] is None and client.get(url, headers=headers).json()["website"] is None


def test_one_ask_checked_against_a_limitation(client, world, chair):
    """A charity that may not give testimony: a testimony ask on its issue is partial, a
    letter on the same issue is aligned."""
    _, state_pta, headers = chair
    literacy = world.issue_area("Early literacy")
    coalition = create(client, headers, state_pta.id, issue_area_ids=[literacy.id]).json()
    client.put(
        f"/api/v1/organizations/{state_pta.id}/positions/{literacy.id}",
        headers=headers,
        json={"stance": "support", "priority": "main", "limited_activity_kinds": ["testimony"]},
    )
    verdicts = {}
    for kind in ("testimony", "sign_on_letter"):
        activity = client.post(
            f"/api/v1/coalitions/{coalition['id']}/activities",
            headers=headers,
            json={"kind": kind, "title": f"A {kind}", "issue_area_ids": [literacy.id]},
        ).json()
        assert activity["issue_positions"] == [{"issue_area_id": literacy.id, "stance": "support"}]
        check = client.get(
            f"/api/v1/activities/{activity['id']}/alignment?organization_id={state_pta.id}",
            headers=headers,
        ).json()
        verdicts[kind] = (check["verdict"], check["issues"][0]["note"])
    assert verdicts["testimony"][0] == "partial"
    assert "cannot take on testimony" in verdicts["testimony"][1]
    assert verdicts["sign_on_letter"][0] == "aligned"


def test_the_recommendation_reads_the_room_through_the_api(client, world, chair):
    """The convener, who leads, is advised on staying in the lead; another organization
    weighs its own research on the members and the hours it gives elsewhere."""
    _, state_pta, headers = chair
    literacy = world.issue_area("Early literacy")
    coalition = create(client, headers, state_pta.id, issue_area_ids=[literacy.id]).json()
    client.put(
        f"/api/v1/organizations/{state_pta.id}/positions/{literacy.id}",
        headers=headers,
        json={"stance": "support", "priority": "main", "limitations": "No paid ads"},
    )
    url = f"/api/v1/coalitions/{coalition['id']}/alignment?organization_id={state_pta.id}"
    own = client.get(url, headers=headers).json()
    assert own["recommended_engagement"] == "lead"
    assert own["reasons"][0].startswith("You lead this coalition")
    assert not any("lead is not advised" in reason for reason in own["reasons"])

    lena = world.user("lena")
    reader = world.organization(lena, name="Read Together", staff_count=6, volunteer_count=50)
    lena_headers = world.headers(lena)
    client.put(
        f"/api/v1/organizations/{reader.id}/positions/{literacy.id}",
        headers=lena_headers,
        json={"stance": "support", "priority": "main"},
    )
    client.post(
        f"/api/v1/organizations/{reader.id}/research",
        headers=lena_headers,
        json={"subject_organization_id": state_pta.id, "reputable": False},
    )
    client.post(
        f"/api/v1/coalitions/{coalition['id']}/members",
        headers=headers,
        json={"organization_id": reader.id},
    )
    check = client.get(
        f"/api/v1/coalitions/{coalition['id']}/alignment?organization_id={reader.id}",
        headers=lena_headers,
    )
    assert check.status_code == 200, check.text
    reasons = " ".join(check.json()["reasons"])
    assert "marked State PTA as not reputable" in reasons
    assert check.json()["recommended_engagement"] == "core"


def test_expand_is_checked_as_every_query_parameter_is(client, chair):
    _, state_pta, headers = chair
    coalition = create(client, headers, state_pta.id).json()
    path = f"/api/v1/coalitions/{coalition['id']}"
    expanded = client.get(f"{path}?expand=members", headers=headers)
    assert expanded.status_code == 200, expanded.text
    assert [m["organization_id"] for m in expanded.json()["members"]] == [state_pta.id]
    assert client.get(path, headers=headers).json().get("members") is None
    unknown = assert_problem(client.get(f"{path}?expand=budget", headers=headers), 422)
    assert unknown["detail"] == "Cannot expand budget; this route expands: members."
    # Too long for the parameter, and a limit out of range beside it: both named at once.
    too_long = client.get(f"/api/v1/coalitions?expand={'m' * 201}&limit=0", headers=headers)
    named = {tuple(error["loc"]) for error in assert_problem(too_long, 422)["errors"]}
    assert named == {("query", "expand"), ("query", "limit")}
    # The caller is known before any parameter is looked at.
    assert_problem(client.get(f"{path}?expand=budget"), 401)
