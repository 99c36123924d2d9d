"""The journey of a union that joins through its board, on the pages: the admin sets the
steps before joining, answers the invitation with a commitment, the approvers see that
commitment in their inbox and approve, and the union is a member; and an organization that
asks to join a listed coalition states the same commitment."""

import re

from tests.pages.test_pages import PASSWORD, csrf_of, log_in

COALITION_NAME = "Read by Third Grade"


def _add_join_step(client, org_id, token, name, role, days):
    added = client.post(
        f"/organizations/{org_id}/approval-process/steps?kind=join_coalition",
        data={"csrf_token": token, "name": name, "approver_role": role, "expected_days": days},
        headers={"HX-Request": "true"},
    )
    assert added.status_code == 200, added.text
    return added.text


def test_a_union_joins_through_its_board(client, world, clock):
    dana = world.user("dana", password=PASSWORD)
    state_pta = world.organization(dana, name="State PTA")
    coalition = world.coalition(state_pta, name=COALITION_NAME, dues_amount=50)
    omar = world.user("omar", password=PASSWORD)
    olga = world.user("olga", password=PASSWORD)
    union = world.organization(omar, name="Teachers Local 12", kind="union")
    world.add(union, olga, "approver")
    world.invite(coalition, union)

    log_in(client, omar.email)
    token = csrf_of(client.get(f"/organizations/{union.id}").text)
    _add_join_step(client, union.id, token, "Membership committee", "approver", "5")
    section = _add_join_step(client, union.id, token, "Board vote", "admin", "14")
    assert 'id="joining-process"' in section and "Step added." in section
    assert "<strong>Membership committee</strong>" in section
    # The letters' process is untouched: a separate part of the approval process section.
    page = client.get(f"/organizations/{union.id}/approval-process").text
    letters = page.split('id="approval-process"')[1].split("</section>")[0]
    assert "No approval process: your admins sign directly." in letters

    assessment = client.get(f"/coalitions/{coalition.id}/join?organization_id={union.id}")
    assert "Saying yes starts Teachers Local 12's own approval before joining" in (assessment.text)
    assert "Membership committee (about 5 days), then Board vote (about 14 days)" in (
        assessment.text
    )
    answered = client.post(
        f"/coalitions/{coalition.id}/join?organization_id={union.id}",
        data={"csrf_token": csrf_of(assessment.text), "status": "joined", "engagement": "core",
              "commitment_hours_per_month": "6", "roles": "spokesperson",
              "game_plan": "escalate"},
        follow_redirects=True,
    )  # fmt: skip
    assert answered.status_code == 200, answered.text
    assert "Your approvers are deciding" in answered.text
    assert "Step 1 of 2" in answered.text
    assert "<strong>Membership committee</strong> —" in answered.text
    assert "waiting on an approver or an admin of Teachers Local 12, due in 5 days" in answered.text
    assert "engagement <strong>core member</strong>, 6 hours a month, roles: spokesperson" in (
        answered.text
    )

    client.cookies.clear()
    log_in(client, olga.email)
    inbox = client.get("/approvals").text
    assert f"Joining {COALITION_NAME}" in inbox
    assert (
        "What joining commits the organization to: engagement <strong>core member</strong>" in inbox
    )
    assert "dues $50" in inbox
    approval_id = re.search(r'id="approval-(apq[^"]+)"', inbox).group(1)
    approved = client.post(
        f"/approvals/{approval_id}",
        data={"csrf_token": csrf_of(inbox), "action": "approve", "step": "1"},
        headers={"HX-Request": "true"},
    )
    assert approved.status_code == 200 and "Approved: " in approved.text

    client.cookies.clear()
    log_in(client, dana.email)
    members = client.get(f"/coalitions/{coalition.id}/members").text
    row = members.split(f">{union.name}</a>")[1].split("</tr>")[0]
    assert "deciding whether to join" in row and "its own approval: step 2 of 2" in row

    client.cookies.clear()
    log_in(client, omar.email)
    inbox = client.get("/approvals").text
    client.post(
        f"/approvals/{approval_id}",
        data={"csrf_token": csrf_of(inbox), "action": "approve", "step": "2"},
        follow_redirects=False,
    )
    members = client.get(f"/coalitions/{coalition.id}/members").text
    row = members.split(f">{union.name}</a>")[1].split("</tr>")[0]
    assert '"Status">joined</td>' in row and '"Engagement">core member</td>' in row


def test_withdrawing_while_the_approvers_decide(client, world):
    dana = world.user("dana", password=PASSWORD)
    coalition = world.coalition(world.organization(dana, name="State PTA"), name=COALITION_NAME)
    omar = world.user("omar", password=PASSWORD)
    union = world.organization(omar, name="Teachers Local 12", kind="union")
    world.invite(coalition, union)
    log_in(client, omar.email)
    token = csrf_of(client.get(f"/organizations/{union.id}").text)
    _add_join_step(client, union.id, token, "Board vote", "admin", "14")
    url = f"/coalitions/{coalition.id}/join?organization_id={union.id}"
    client.post(url, data={"csrf_token": token, "status": "joined"}, follow_redirects=False)
    assessment = client.get(url).text
    assert "Withdraw: we no longer ask to join" in assessment
    withdrawn = client.post(
        url,
        data={"csrf_token": token, "status": "declined", "confirmed": "yes"},
        follow_redirects=False,
    )
    assert withdrawn.status_code == 303 and withdrawn.headers["location"] == "/coalitions"
    assert "Board vote" not in client.get("/approvals").text


def test_asking_to_join_a_listed_coalition_states_the_commitment(client, world):
    dana = world.user("dana", password=PASSWORD)
    coalition = world.coalition(
        world.organization(dana, name="State PTA"), name=COALITION_NAME, visibility="listed"
    )
    nadia = world.user("nadia", password=PASSWORD)
    parents = world.organization(nadia, name="Parents United", kind="community")
    log_in(client, nadia.email)
    directory = client.get("/coalitions").text
    link = f"/coalitions/{coalition.id}/join?organization_id={parents.id}"
    assert f'href="{link}"' in directory
    assessment = client.get(link).text
    assert "your request, with what you commit to, goes to its leads" in assessment
    bad = client.post(
        link,
        data={"csrf_token": csrf_of(assessment), "ask": "1", "commitment_hours_per_month": "-4"},
    )
    assert bad.status_code == 422
    field = bad.text.split('id="join-hours"')[1].split("</div>")[0]
    assert 'aria-invalid="true"' in field and "Enter the hours as 0 or more." in field
    assert "Your request is with" not in client.get(link).text  # nothing was asked
    asked = client.post(
        link,
        data={"csrf_token": csrf_of(assessment), "ask": "1", "engagement": "supporter",
              "commitment_hours_per_month": "3", "game_plan": "abstain"},
        follow_redirects=True,
    )  # fmt: skip
    assert asked.status_code == 200, asked.text
    assert "Your request is with the coalition's leads" in asked.text
    assert "3 hours a month" in asked.text and "when an ask does not fit: abstain" in asked.text
