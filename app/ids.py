"""Opaque, time-ordered ids such as `org_01jd…`: keyset pagination stays cheap.

Ids made in one process are strictly increasing, even within one millisecond, so a
reader following the event log by id never passes over a later event from this process.
"""

import threading

from ulid import ULID

_lock = threading.Lock()
_last = 0


def new_id(prefix: str) -> str:
    global _last
    with _lock:
        value = int(ULID())
        if value <= _last:
            value = _last + 1  # same millisecond: step past the previous id
        _last = value
    return f"{prefix}_{str(ULID.from_int(value)).lower()}"
