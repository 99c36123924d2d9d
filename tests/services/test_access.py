"""Rights in several coalitions read at once are the rights read one coalition at a time."""

from app.services import access


def test_rights_in_several_coalitions_are_each_coalitions_own(database, world):
    admin = world.user("admin")
    ours = world.organization(admin)
    other = world.organization()
    led = world.coalition(ours)  # the convener leads
    joined = world.coalition(other)
    world.join(joined, ours)
    invited = world.coalition(other)
    world.invite(invited, ours)
    stranger = world.coalition(other)
    principal = world.principal(admin)
    ids = [led.id, joined.id, invited.id, stranger.id]

    with database.session(read_only=True) as session:
        together = access.rights_in_coalitions(session, principal, [*ids, joined.id])
        alone = {cid: access.coalition_rights(session, principal, cid) for cid in ids}

    assert set(together) == set(ids)
    for cid in ids:
        assert together[cid].memberships == alone[cid].memberships
        assert together[cid].admin_of == alone[cid].admin_of
    seen = {cid: (r.takes_part, r.is_lead) for cid, r in together.items()}
    assert seen == {
        led.id: (True, True),
        joined.id: (True, False),
        invited.id: (False, False),
        stranger.id: (False, False),
    }
    assert set(together[invited.id].memberships) == {ours.id}
    assert together[stranger.id].memberships == {}
