"""Reading the event log as a member of several organizations: each event once, in log
order, whole where any of the member's organizations sees it whole."""

from app.principal import Principal
from app.services import events


def _follow(session, principal, limit):
    seen, cursor = [], None
    while True:
        page = events.list_events(session, principal, limit=limit, cursor=cursor)
        if not page.items:
            return seen
        seen += page.items
        cursor = page.next_cursor


def test_a_member_of_two_organizations_reads_each_event_once_in_log_order(session):
    emitted = [
        events.emit(session, "webhook.test", {"n": 0}, visible_to=["org_a"]),
        events.emit(session, "webhook.test", {"n": 1}, visible_to=["org_b"]),
        events.emit(
            session,
            "webhook.test",
            {"n": 2, "comment": "inside"},
            shared_data={"n": 2},
            visible_to=["org_a"],
            private_to=["org_b"],
        ),
        events.emit(session, "webhook.test", {"n": 3}, visible_to=["org_c"]),
        events.emit(session, "webhook.test", {"n": 4}, visible_to=["org_a", "org_b"]),
    ]
    both = Principal(
        user_id="u", email="u@example.org", roles={"org_a": "member", "org_b": "member"}
    )
    only_a = Principal(user_id="v", email="v@example.org", roles={"org_a": "member"})
    expected = [e.id for e in emitted if e.data["n"] != 3]

    for limit in (1, 2, 50):
        seen = _follow(session, both, limit)
        assert [item["id"] for item in seen] == expected
        assert seen[2]["data"]["comment"] == "inside"  # org_b sees it whole
    followed = _follow(session, only_a, 2)
    # Every copy carries its envelope, the shared one too; then what the writer gave.
    envelope = ("event_id", "type", "timestamp", "coalition_id")
    assert all(item["data"]["event_id"] == item["id"] for item in followed)
    assert [{k: v for k, v in item["data"].items() if k not in envelope} for item in followed] == [
        {"n": 0, "actor_user_id": None},
        {"n": 2},
        {"n": 4, "actor_user_id": None},
    ]


def test_the_dashboard_shows_the_newest_events_first(session):
    for n in range(5):
        events.emit(session, "webhook.test", {"n": n}, visible_to=["org_a" if n % 2 else "org_b"])
    both = Principal(
        user_id="u", email="u@example.org", roles={"org_a": "member", "org_b": "member"}
    )
    assert [item["data"]["n"] for item in events.recent(session, both, limit=3)] == [4, 3, 2]
