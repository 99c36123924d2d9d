"""Governance on the pages: the convener sets the guidelines alone; afterwards a change is
proposed from the coalition page, discussed and voted on the proposal page, and shown as
agreed; a letter under the coalition's vote says where it stands; roles are explained."""

import re

import pytest

from app.models.coalitions import ActivityKind
from tests.pages.test_pages import PASSWORD, csrf_of, log_in


@pytest.fixture
def people(world):
    dana = world.user("dana", password=PASSWORD)
    sam = world.user("sam", password=PASSWORD)
    pta = world.organization(dana, name="State PTA")
    union = world.organization(sam, name="Teachers Union", kind="union")
    coalition = world.coalition(pta, name="Read by Third Grade", decision_rule="majority")
    return {"dana": dana, "sam": sam, "pta": pta, "union": union, "coalition": coalition}


def _guideline_form(**changes):
    form = {"decision_rule": "majority", "quorum_percent": "50", "dues_amount": "0",
            "activity_approval": "leads", "who_may_post": "members",
            "how_members_are_informed": "",
            "allowed_activity_kinds": [kind.value for kind in ActivityKind]}  # fmt: skip
    form.update(changes)
    return form


def test_the_convener_alone_saves_the_guidelines_in_place(client, people):
    c = people["coalition"]
    log_in(client, people["dana"].email)
    page = client.get(f"/coalitions/{c.id}/guidelines").text
    assert "Change the guidelines" in page and "You are the only member so far" in page
    saved = client.post(
        f"/coalitions/{c.id}/guidelines",
        data={"csrf_token": csrf_of(page),
              **_guideline_form(quorum_percent="60", how_members_are_informed="A call on Tuesdays.")},
        follow_redirects=True,
    )  # fmt: skip
    assert saved.status_code == 200, saved.text
    section = saved.text.split('id="guidelines"')[1].split("</section>")[0]
    assert "at least 60% of members vote" in section
    assert "A call on Tuesdays." in section and "(set by the convener)" in section

    bad = client.post(
        f"/coalitions/{c.id}/guidelines",
        data={"csrf_token": csrf_of(page), **_guideline_form(quorum_percent="lots")},
    )
    assert bad.status_code == 422
    field = bad.text.split('id="g-quorum"')[1].split("</div>")[0]
    assert "Enter the share of members as a number from 0 to 100, like 50." in field
    assert "at least 60% of members vote" in bad.text  # nothing changed


def test_a_change_is_proposed_voted_and_shown_as_agreed(client, people, world):
    c = people["coalition"]
    world.join(c, people["union"])
    log_in(client, people["dana"].email)
    page = client.get(f"/coalitions/{c.id}/guidelines").text
    assert "Propose a change to the guidelines" in page
    direct = client.post(
        f"/coalitions/{c.id}/guidelines",
        data={"csrf_token": csrf_of(page), **_guideline_form(decision_rule="consensus")},
    )
    assert direct.status_code == 422 and "proposal of kind guidelines" in direct.text

    proposed = client.post(
        f"/coalitions/{c.id}/guidelines/proposals",
        data={"csrf_token": csrf_of(page), "body": "Consensus keeps everyone on board.",
              **_guideline_form(decision_rule="consensus", who_may_post="leads")},
        follow_redirects=False,
    )  # fmt: skip
    assert proposed.status_code == 303, proposed.text
    proposal_page = proposed.headers["location"]
    shown = client.get(proposal_page).text
    assert "Change our guidelines: how we decide, who starts threads on our list" in shown
    changes = shown.split('id="decides"')[1].split("</section>")[0]
    assert (
        '"Now">majority (more yes than no)</td><td data-label="Proposed">consensus (no member blocks)</td>'
        in changes
    )
    assert 'value="block"' not in shown  # the current rule is majority: no block
    token = csrf_of(shown)
    commented = client.post(
        f"{proposal_page}/comments", data={"csrf_token": token, "body": "Fine by us."},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert commented.status_code == 200 and "Comment added." in commented.text
    assert "Fine by us." in commented.text and "State PTA" in commented.text
    assert "Not voted yet: State PTA, Teachers Union." in client.get(proposal_page).text
    reminded = client.post(
        f"{proposal_page}/reminders", data={"csrf_token": token}, headers={"HX-Request": "true"}
    )
    # The lead's own organization is not reminded of its own vote.
    assert "Reminded Teachers Union." in reminded.text
    proposal_id = proposal_page.rsplit("/", 1)[1]
    for person, org in (("dana", "pta"), ("sam", "union")):
        client.cookies.clear()
        log_in(client, people[person].email)
        voted = client.post(
            f"{proposal_page}/votes",
            data={"csrf_token": csrf_of(client.get(proposal_page).text),
                  "organization_id": people[org].id, "choice": "yes"},
        )  # fmt: skip
        assert voted.status_code == 200
    coalition_page = client.get(f"/coalitions/{c.id}/guidelines").text
    section = coalition_page.split('id="guidelines"')[1].split("</section>")[0]
    assert "consensus (no member blocks)" in section
    assert "leads and coordinators" in section
    assert re.search(r"by State PTA, Teachers Union, through", section)
    assert f'href="/proposals/{proposal_id}"' in section


def test_a_letter_under_the_coalitions_vote_says_where_it_stands(client, people, world):
    c = people["coalition"]
    with world.database.session() as session:
        from app.models import Coalition

        row = session.get(Coalition, c.id)
        row.activity_approval = "coalition_vote"
        session.add(row)
        session.commit()
    world.join(c, people["union"])
    log_in(client, people["dana"].email)
    token = csrf_of(client.get(f"/coalitions/{c.id}").text)
    drafted = client.post(
        f"/coalitions/{c.id}/activities",
        data={"csrf_token": token, "kind": "sign_on_letter", "title": "Fund tutors"},
        follow_redirects=False,
    )
    letter = drafted.headers["location"]
    draft = client.get(letter).text
    assert (
        "Put it to the coalition&#39;s vote" in draft or "Put it to the coalition's vote" in draft
    )
    proposed = client.post(f"{letter}/open", data={"csrf_token": token}, follow_redirects=True)
    assert "Before the coalition:" in proposed.text
    assert "put to the coalition&#39;s vote" in proposed.text


def test_roles_are_explained_and_the_spokesperson_is_on_the_letter(client, people, world):
    c = people["coalition"]
    world.join(c, people["union"])
    from app.schemas.coalitions import MembershipUpdate
    from app.services import coalitions
    from tests.conftest import SETUP

    with world.database.session() as session:
        coalitions.update_member(
            session, SETUP, coalition_id=c.id, organization_id=people["union"].id,
            changes=MembershipUpdate(roles=["spokesperson"]),
        )  # fmt: skip
        session.commit()
    log_in(client, people["dana"].email)
    page = client.get(f"/coalitions/{c.id}/members").text
    assert "<strong>drafter</strong> drafts and edits" in page
    token = csrf_of(page)
    drafted = client.post(
        f"/coalitions/{c.id}/activities",
        data={"csrf_token": token, "kind": "sign_on_letter", "title": "Fund tutors"},
        follow_redirects=False,
    )
    printable = client.get(f"{drafted.headers['location']}/letter").text
    assert re.search(r"Spokesperson for [^:<]+: Teachers Union", printable)
