"""Opaque, time-ordered ids such as `org_01jd…`: keyset pagination stays cheap."""

from ulid import ULID


def new_id(prefix: str) -> str:
    return f"{prefix}_{str(ULID()).lower()}"
