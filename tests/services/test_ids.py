"""Ids are opaque, prefixed and strictly increasing within a process."""

from app.ids import new_id


def test_ids_increase_even_within_one_millisecond():
    ids = [new_id("evt") for _ in range(5000)]
    assert all(i.startswith("evt_") and len(i) == 30 for i in ids)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
