"""Explanations that fit the reader: an organization weighing up joining is told what it
would bring, who its partners are, what its choices do and where to record what is missing;
a mistake on a form is a sentence naming the field."""

from tests.conftest import sign_in
from tests.pages.test_pages import csrf_of


def assessing(client, world):
    """A faith group invited to a coalition of a PTA, with no positions recorded yet."""
    dana, ruth = world.user("dana"), world.user("ruth")
    pta = world.organization(
        dana, name="Riverside PTA", kind="pta", staff_count=2, volunteer_count=40,
        communities=["Eastside families"],
    )  # fmt: skip
    faith = world.organization(ruth, name="Interfaith Council", kind="faith")
    area = world.issue_area("Early literacy")
    coalition = world.coalition(pta, name="Read by Third Grade", issue_area_ids=[area.id])
    world.invite(coalition, faith)
    sign_in(client, ruth)
    page = client.get(f"/coalitions/{coalition.id}/join?organization_id={faith.id}")
    assert page.status_code == 200
    return page.text, {"pta": pta, "faith": faith, "coalition": coalition}


def test_a_faith_group_is_told_it_would_be_the_first_not_that_there_are_none(client, world):
    page, _ = assessing(client, world)
    assert "No community or faith groups." not in page
    assert "No community or faith group has joined yet: Interfaith Council would be the first." in (
        page
    )


def test_partner_cards_say_what_a_partner_is_and_link_to_it(client, world):
    page, orgs = assessing(client, world)
    card = page.split(f'id="research-{orgs["pta"].id}"')[1].split("</header>")[0]
    assert f'<a href="/organizations/{orgs["pta"].id}">Riverside PTA</a>' in card
    assert "PTA · 2 staff, 40 volunteers · serves Eastside families" in card


def test_the_game_plan_choices_are_explained(client, world):
    page, _ = assessing(client, world)
    assert 'aria-describedby="join-plan-help"' in page
    help_text = page.split('id="join-plan-help"')[1].split("</small>")[0]
    for choice in ("decide case by case", "ask our board", "abstain", "decline"):
        assert f"<strong>{choice}</strong>" in help_text
    assert ">Decide case by case</option>" in page and "case_by_case</option>" not in page


def test_missing_positions_link_to_where_they_are_recorded(client, world):
    page, orgs = assessing(client, world)
    assert "record them before choosing a role" in page
    assert f'<a href="/organizations/{orgs["faith"].id}/positions">Record Interfaith Council' in (
        page
    )


def test_a_mistyped_number_is_a_sentence_naming_the_field(client, world):
    page, orgs = assessing(client, world)
    link = f"/coalitions/{orgs['coalition'].id}/join?organization_id={orgs['faith'].id}"
    bad = client.post(
        link,
        data={"csrf_token": csrf_of(page), "status": "joined", "engagement": "supporter",
              "commitment_hours_per_month": "lots", "game_plan": "abstain"},
    )  # fmt: skip
    assert bad.status_code == 422
    field = bad.text.split('id="join-hours"')[1].split("</div>")[0]
    assert "Enter the hours as a number, like 4." in field
    assert "Input should be" not in bad.text and "unable to parse" not in bad.text


def test_my_organizations_say_what_i_am_in_words(client, world):
    dana = world.user("dana")
    world.organization(dana, name="Riverside PTA", kind="pta")
    sign_in(client, dana)
    listed = client.get("/organizations").text
    assert "(PTA, you are an admin)" in listed
    assert "(PTA, you are an admin)" in client.get("/").text


def test_the_coalition_page_speaks_to_the_invited_faith_group_too(client, world):
    _, orgs = assessing(client, world)
    page = client.get(f"/coalitions/{orgs['coalition'].id}").text
    assert "No community or faith groups." not in page
    assert "Interfaith Council would be the first." in page
    members = client.get(f"/coalitions/{orgs['coalition'].id}/members").text
    assert "Riverside PTA</a> <small>(PTA)</small>" in members.split('id="members"')[1]
    assert "1 PTA" in page.split('id="composition"')[1]
