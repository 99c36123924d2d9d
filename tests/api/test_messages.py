"""The coalition's list through the API: threads, replies, who may write, who hears of it."""

import pytest
from sqlmodel import func, select

from app.models import Coalition, Message, Notification
from app.schemas.coalitions import MembershipUpdate
from app.services import coalitions
from tests.api.test_conventions import assert_problem
from tests.conftest import SETUP


@pytest.fixture
def table(world, database):
    """Dana's PTA leads a private coalition; Sam's union and Lena's food bank joined;
    Lena's colleague Max is a plain member of the food bank; Olga is outside."""
    people = {k: world.user(k) for k in ("dana", "sam", "lena", "olga")}
    orgs = {k: world.organization(u, name=k.title()) for k, u in people.items()}
    coalition = world.coalition(orgs["dana"], name="Read by Third Grade")
    world.join(coalition, orgs["sam"])
    world.join(coalition, orgs["lena"])
    people["max"] = world.member(orgs["lena"], "member", name="max")
    return {
        "h": {k: world.headers(u) for k, u in people.items()},
        "o": orgs,
        "c": coalition,
        "people": people,
        "database": database,
    }


def post(client, t, who, **body):
    return client.post(f"/api/v1/coalitions/{t['c'].id}/messages", headers=t["h"][who], json=body)


def message_count(t) -> int:
    with t["database"].session() as session:
        return session.exec(select(func.count()).select_from(Message)).one()


def set_who_may_post(t, value: str) -> None:
    # The guidelines change through a proposal (services/coalitions.py); arranged directly here.
    with t["database"].session() as session:
        coalition = session.get(Coalition, t["c"].id)
        coalition.who_may_post = value
        session.add(coalition)


def test_a_thread_and_its_replies_reach_every_member(client, table):
    t = table
    thread = post(client, t, "sam", subject="Testimony on HB 210", body="Who can speak Tuesday?")
    assert thread.status_code == 201, thread.text
    started = thread.json()
    assert started["reply_to"] is None and started["organization_name"] == "Sam"
    assert started["author_name"] == "sam"
    reply = post(client, t, "lena", body="I can.", reply_to=started["id"])
    assert reply.status_code == 201
    assert reply.json()["subject"] == "Re: Testimony on HB 210"
    # A reply to a reply joins the same thread.
    again = post(client, t, "dana", body="Thanks both.", reply_to=reply.json()["id"])
    assert again.json()["reply_to"] == started["id"]

    listed = client.get(f"/api/v1/coalitions/{t['c'].id}/messages?limit=2", headers=t["h"]["max"])
    assert [m["id"] for m in listed.json()["items"]] == [started["id"], reply.json()["id"]]
    rest = client.get(
        f"/api/v1/coalitions/{t['c'].id}/messages?cursor={listed.json()['next_cursor']}",
        headers=t["h"]["max"],
    ).json()
    assert [m["body"] for m in rest["items"]] == ["Thanks both."] and rest["next_cursor"] is None

    # Everyone of every member hears of the thread in the bell, its author aside.
    with t["database"].session() as session:
        heard = {
            n.user_id
            for n in session.exec(select(Notification))
            if n.text == "sam on the Read by Third Grade list: Testimony on HB 210"
        }
    p = t["people"]
    assert heard == {p["dana"].id, p["lena"].id, p["max"].id}
    events = client.get("/api/v1/events?type=message.posted", headers=t["h"]["max"]).json()
    first = events["items"][0]["data"]
    assert first["subject"] == "Testimony on HB 210" and first["coalition_id"] == t["c"].id
    outside = client.get("/api/v1/events?type=message.posted", headers=t["h"]["olga"]).json()
    assert outside["items"] == []


def test_who_may_post_decides_who_starts_a_thread(client, table):
    t = table
    set_who_may_post(t, "leads")
    refused = assert_problem(post(client, t, "sam", subject="Idea", body="Let us march."), 403)
    assert "leads and coordinators" in refused["detail"]
    lead = post(client, t, "dana", subject="Plan", body="Hearing on the 5th.")
    assert lead.status_code == 201
    # A member may still reply, and a coordinator may start threads.
    assert (
        post(client, t, "sam", body="We will be there.", reply_to=lead.json()["id"]).status_code
        == 201
    )
    with t["database"].session() as session:
        coalitions.update_member(
            session, SETUP, coalition_id=t["c"].id, organization_id=t["o"]["sam"].id,
            changes=MembershipUpdate(roles=["coordinator"]),
        )  # fmt: skip
    assert post(client, t, "sam", subject="Idea", body="Let us march.").status_code == 201
    assert message_count(t) == 3


def test_who_may_not_write_is_refused_and_nothing_changes(client, table, world):
    t = table
    thread = post(client, t, "dana", subject="Plan", body="Hearing on the 5th.").json()
    # A plain member of a member organization reads but does not write for it.
    assert_problem(post(client, t, "max", body="Me too", reply_to=thread["id"]), 403)
    # Outside a private coalition there is nothing to write to.
    assert_problem(post(client, t, "olga", subject="Hi", body="Hello"), 404)
    assert_problem(
        client.get(f"/api/v1/coalitions/{t['c'].id}/messages", headers=t["h"]["olga"]), 404
    )
    # A listed coalition is visible, yet only its members write.
    listed = world.coalition(t["o"]["dana"], name="Open Libraries", visibility="listed")
    body = assert_problem(
        client.post(
            f"/api/v1/coalitions/{listed.id}/messages",
            headers=t["h"]["olga"],
            json={"subject": "Hi", "body": "Hello"},
        ),
        403,
    )
    assert "taking part" in body["detail"]
    # A reply to another coalition's thread: no such thread here.
    elsewhere = client.post(
        f"/api/v1/coalitions/{listed.id}/messages",
        headers=t["h"]["dana"],
        json={"subject": "Other", "body": "Elsewhere"},
    ).json()
    assert_problem(post(client, t, "sam", body="Wrong list", reply_to=elsewhere["id"]), 404)
    assert message_count(t) == 2


def test_bad_messages_name_the_field(client, table):
    t = table
    missing = assert_problem(post(client, t, "dana", body="No subject"), 422)
    assert missing["errors"][0]["loc"] == ["body", "subject"]
    blank = assert_problem(post(client, t, "dana", subject="Blank", body="   "), 422)
    assert blank["errors"][0]["loc"] == ["body", "body"]
    unknown = assert_problem(post(client, t, "dana", subject="S", body="B", cc="all"), 422)
    assert unknown["errors"][0]["loc"] == ["body", "cc"]
    assert message_count(t) == 0
