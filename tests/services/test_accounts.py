"""Sign-in, throttling and tokens, through the service."""

from datetime import timedelta

import pytest

from app.errors import Conflict, Invalid, TooManyRequests, Unauthorized
from app.principal import Principal
from app.services import accounts, organizations
from tests.conftest import SETUP


def test_authenticate_returns_the_principal_with_roles(session, world, settings):
    user = world.user("dana", password="correct horse")
    organization = world.organization(user)

    principal = accounts.authenticate(
        session,
        email=user.email.upper(),
        password="correct horse",
        address="10.0.0.1",
        settings=settings,
    )

    assert principal.user_id == user.id
    assert principal.roles == {organization.id: "admin"}


def test_wrong_password_and_unknown_email_both_fail_alike(session, world, settings):
    user = world.user("dana", password="correct horse")
    with pytest.raises(Unauthorized) as wrong:
        accounts.authenticate(
            session, email=user.email, password="nope", address="a", settings=settings
        )
    with pytest.raises(Unauthorized) as unknown:
        accounts.authenticate(
            session, email="ghost@example.org", password="nope", address="a", settings=settings
        )
    assert wrong.value.detail == unknown.value.detail


def test_ten_failures_lock_the_door_for_fifteen_minutes(session, world, clock, settings):
    user = world.user("dana", password="correct horse")
    for _ in range(10):
        with pytest.raises(Unauthorized):
            accounts.authenticate(
                session, email=user.email, password="bad", address="1.2.3.4", settings=settings
            )

    with pytest.raises(TooManyRequests):
        accounts.authenticate(
            session,
            email=user.email,
            password="correct horse",
            address="1.2.3.4",
            settings=settings,
        )
    # Another address is not locked out by someone else's guessing.
    assert accounts.authenticate(
        session,
        email=user.email,
        password="correct horse",
        address="5.6.7.8",
        settings=settings,
    )

    clock.shift(timedelta(minutes=15, seconds=1))
    assert accounts.authenticate(
        session,
        email=user.email,
        password="correct horse",
        address="1.2.3.4",
        settings=settings,
    )


def test_success_clears_earlier_failures(session, world, settings):
    user = world.user("dana", password="correct horse")
    for _ in range(9):
        with pytest.raises(Unauthorized):
            accounts.authenticate(
                session, email=user.email, password="bad", address="ip", settings=settings
            )
    accounts.authenticate(
        session, email=user.email, password="correct horse", address="ip", settings=settings
    )
    for _ in range(9):
        with pytest.raises(Unauthorized):
            accounts.authenticate(
                session, email=user.email, password="bad", address="ip", settings=settings
            )
    assert accounts.authenticate(
        session, email=user.email, password="correct horse", address="ip", settings=settings
    )


def test_old_failures_are_forgotten_by_housekeeping(session, world, clock, settings):
    user = world.user("dana", password="correct horse")
    with pytest.raises(Unauthorized):
        accounts.authenticate(
            session, email=user.email, password="bad", address="ip", settings=settings
        )
    assert accounts.forget_old_login_failures(session, settings=settings) == 0
    clock.shift(timedelta(minutes=16))
    assert accounts.forget_old_login_failures(session, settings=settings) == 1


def test_user_rules(session, world):
    user = world.user("dana")
    with pytest.raises(Conflict):
        accounts.create_user(session, email=user.email.upper())
    with pytest.raises(Invalid):
        accounts.create_user(session, email="not-an-address")
    with pytest.raises(Invalid):
        accounts.create_user(session, email="short@example.org", password="1234567")


def test_tokens_are_stored_hashed_and_die_when_revoked(session, world):
    user = world.user("dana")
    principal = world.principal(user)
    token, plain = accounts.create_token(session, principal, name="crm")

    assert plain not in token.token_hash
    assert accounts.principal_for_token(session, plain).user_id == user.id

    accounts.revoke_token(session, principal, token.id)
    with pytest.raises(Unauthorized):
        accounts.principal_for_token(session, plain)


def test_a_revoked_or_changed_principal_is_not_served_from_the_cache(session, world):
    user = world.user("dana")
    organization = world.organization(world.user("lead"))
    world.add(organization, user, "member")
    principal = world.principal(user)
    token, plain = accounts.create_token(session, principal, name="crm")
    assert accounts.principal_for_token(session, plain).roles == {organization.id: "member"}
    assert accounts.cached_principal(plain) is not None  # the next request needs no query

    organizations.remove_user(session, SETUP, organization_id=organization.id, user_id=user.id)
    assert accounts.cached_principal(plain) is None
    assert accounts.principal_for_token(session, plain).roles == {}

    accounts.revoke_token(session, principal, token.id)
    with pytest.raises(Unauthorized):
        accounts.principal_for_token(session, plain)


def test_the_principal_cache_forgets_after_its_time_to_live():
    # Another process's revocation reaches this one only through the entry's expiry.
    now = [100.0]
    cache = accounts.PrincipalCache(ttl=1.0, clock=lambda: now[0])
    dana = Principal(user_id="usr_1", email="dana@example.org")
    cache.put("hash", dana, cache.generation)
    now[0] += 0.9
    assert cache.get("hash") == dana
    now[0] += 0.2
    assert cache.get("hash") is None


def test_the_principal_cache_keeps_nothing_read_before_a_change():
    cache = accounts.PrincipalCache()
    read_at = cache.generation
    cache.forget_all()  # a role changed while the principal was being read
    cache.put("hash", Principal(user_id="usr_1", email="dana@example.org"), read_at)
    assert cache.get("hash") is None
