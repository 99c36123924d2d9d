"""A person's own profile: name, time zone, how often we e-mail, password, and signing out
everywhere."""

from functools import cache
from typing import Any
from zoneinfo import available_timezones

from sqlmodel import Session

from app.errors import Invalid, NotFound
from app.models import User
from app.principal import Principal
from app.schemas.accounts import MeUpdate, PasswordChange
from app.security import hash_password, verify_password
from app.services import notifications

# The zone of a person who has not chosen one, nor signed in from a browser that said its own.
DEFAULT_ZONE = "UTC"


@cache
def time_zones() -> list[str]:
    """The IANA names a person may choose, sorted; read once from the system's database."""
    return sorted(available_timezones() | {"UTC"})


def _me(session: Session, principal: Principal) -> User:
    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def profile(session: Session, principal: Principal) -> dict[str, Any]:
    user = _me(session, principal)
    return {
        "name": user.name,
        "time_zone": user.time_zone or DEFAULT_ZONE,
        "time_zone_chosen": user.time_zone is not None,
        "notification_email": notifications.preference(session, user.id),
    }


def update_profile(session: Session, principal: Principal, changes: MeUpdate) -> dict[str, Any]:
    user = _me(session, principal)
    if changes.time_zone is not None:
        if changes.time_zone not in time_zones():
            raise Invalid.field(
                ["body", "time_zone"], "Choose a time zone from the list, such as America/Chicago."
            )
        user.time_zone = changes.time_zone
    if changes.name is not None:
        user.name = changes.name
    session.add(user)
    if changes.notification_email is not None:
        notifications.set_preference(session, principal, changes.notification_email)
    session.flush()
    return profile(session, principal)


def adopt_browser_zone(session: Session, user_id: str, browser_zone: object) -> None:
    """A person who never chose a time zone reads times in the one their browser reports at
    sign-in; a zone they chose on their profile (UTC too) stays theirs."""
    user = session.get(User, user_id)
    # A browser saying UTC is most often one nobody set up: it is no choice either.
    if user is None or user.time_zone is not None or browser_zone == DEFAULT_ZONE:
        return
    if isinstance(browser_zone, str) and browser_zone in time_zones():
        user.time_zone = browser_zone
        session.add(user)
        session.flush()


def change_password(session: Session, principal: Principal, change: PasswordChange) -> User:
    """A new password, given the current one; other browser sessions end (API tokens stay)."""
    user = _me(session, principal)
    if not verify_password(change.current, user.password_hash):
        raise Invalid.field(["body", "current"], "That is not your current password.")
    user.password_hash = hash_password(change.new)
    user.session_version += 1
    session.add(user)
    session.flush()
    return user


def sign_out_everywhere(session: Session, principal: Principal) -> User:
    """End every browser session of the person, in every web process; API tokens stay."""
    user = _me(session, principal)
    user.session_version += 1
    session.add(user)
    session.flush()
    return user
