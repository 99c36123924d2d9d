"""Users, sign-in with throttling, API tokens and the principal behind a request."""

import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, event, func
from sqlmodel import Session, select

from app import clock
from app.errors import (
    Conflict,
    InsufficientScope,
    Invalid,
    NotFound,
    TooManyRequests,
    Unauthorized,
)
from app.ids import new_id
from app.models import ApiToken, LoginFailure, Organization, OrganizationUser, User
from app.models.organizations import OrgRole
from app.pagination import Page, paginate
from app.principal import DEFAULT_SCOPES, SCOPES, Principal
from app.security import hash_password, hash_token, new_api_token, verify_password
from app.settings import Settings

MIN_PASSWORD_LENGTH = 8


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user(session: Session, email: str) -> User | None:
    return session.exec(select(User).where(User.email == normalize_email(email))).first()


def create_user(
    session: Session,
    *,
    email: str,
    password: str | None = None,
    name: str = "",
    is_platform_admin: bool = False,
) -> User:
    email = normalize_email(email)
    if "@" not in email:
        raise Invalid.field(["body", "email"], "Enter an e-mail address such as name@example.org.")
    if find_user(session, email) is not None:
        raise Conflict(f"A user with e-mail {email} already exists.", code="email_taken")
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid.field(["body", "password"], f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    user = User(
        id=new_id("usr"),
        email=email,
        name=name,
        password_hash=hash_password(password) if password else None,
        is_platform_admin=is_platform_admin,
        created_at=clock.now(),
    )
    session.add(user)
    session.flush()
    return user


def principal_for(session: Session, user: User) -> Principal:
    principal = principal_for_user_id(session, user.id)
    assert principal is not None
    return principal


def principal_for_user_id(session: Session, user_id: str) -> Principal | None:
    return _principal(session, _PRINCIPAL_BY_USER, {"user_id": user_id})


def _principal_statement(*, token: bool) -> Any:
    """The user with their roles, in one query: one row per organization they belong to,
    or one row with no role at all; with `token`, the token's scopes and expiry too."""
    roles = (
        select(OrganizationUser.user_id, OrganizationUser.organization_id, OrganizationUser.role)
        .join(Organization, Organization.id == OrganizationUser.organization_id)
        .where(Organization.deleted_at.is_(None))  # type: ignore[union-attr]
        .subquery()
    )
    columns = [
        User.id,
        User.email,
        User.name,
        User.is_platform_admin,
        User.session_version,
        User.time_zone,
        roles.c.organization_id,
        roles.c.role,
    ]
    if token:
        columns += [ApiToken.scopes, ApiToken.expires_at]
    statement = select(*columns).outerjoin(roles, roles.c.user_id == User.id)
    if token:
        statement = statement.join(ApiToken, ApiToken.user_id == User.id)
    return statement


# Built once: every page asks for its reader, and putting this statement together (a
# subquery and a join) cost more than running it.
_PRINCIPAL_BY_USER = _principal_statement(token=False).where(User.id == bindparam("user_id"))
_PRINCIPAL_BY_TOKEN = _principal_statement(token=True).where(
    ApiToken.token_hash == bindparam("token_hash")
)


def _principal(
    session: Session, statement: Any, params: dict[str, str], *, token: bool = False
) -> Principal | None:
    rows = session.execute(statement, params).all()
    if not rows:
        return None
    first = rows[0]
    return Principal(
        user_id=first.id,
        email=first.email,
        name=first.name,
        is_platform_admin=first.is_platform_admin,
        roles={row.organization_id: row.role for row in rows if row.organization_id is not None},
        session_version=first.session_version,
        time_zone=first.time_zone or "UTC",
        scopes=frozenset(first.scopes.split()) if token else None,
        token_expires_at=first.expires_at if token else None,
    )


def _recent_failures(session: Session, email: str, address: str, settings: Settings) -> int:
    since = clock.now() - timedelta(seconds=settings.login_failure_window_seconds)
    return session.exec(
        select(func.count())
        .select_from(LoginFailure)
        .where(
            LoginFailure.email == email,
            LoginFailure.address == address,
            LoginFailure.created_at >= since,
        )
    ).one()


def authenticate(
    session: Session, *, email: str, password: str, address: str, settings: Settings
) -> Principal:
    """Check a password; after too many failures from one address the door stays shut a while.

    A failure is recorded in the caller's transaction, so the caller must commit
    even when this raises (the API and the login page both do).
    """
    email = normalize_email(email)
    if _recent_failures(session, email, address, settings) >= settings.login_failure_limit:
        minutes = settings.login_failure_window_seconds // 60
        raise TooManyRequests(
            f"Too many failed sign-ins for this e-mail. Try again in {minutes} minutes.",
            retry_after=settings.login_failure_window_seconds,
            code="too_many_sign_ins",
        )
    user = find_user(session, email)
    if not verify_password(password, user.password_hash if user else None):
        session.add(
            LoginFailure(id=new_id("lgf"), email=email, address=address, created_at=clock.now())
        )
        session.flush()
        raise Unauthorized("The e-mail or password is not right.")
    assert user is not None
    session.exec(  # type: ignore[call-overload]
        delete(LoginFailure).where(LoginFailure.email == email, LoginFailure.address == address)
    )
    return principal_for(session, user)


def forget_old_login_failures(session: Session, *, settings: Settings) -> int:
    """Housekeeping for the worker: failures older than the window no longer count."""
    cutoff = clock.now() - timedelta(seconds=settings.login_failure_window_seconds)
    result = session.exec(delete(LoginFailure).where(LoginFailure.created_at < cutoff))  # type: ignore[call-overload]
    return result.rowcount or 0


def create_token(
    session: Session,
    principal: Principal,
    *,
    name: str,
    scopes: Iterable[str] | None = None,
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """A new API token; the plain value is returned once and only its hash is kept.

    Without `scopes` it gets DEFAULT_SCOPES, or, made by a token, that token's own. A token
    never makes one with more rights than its own, and an expiry lies in the future."""
    if scopes is None:
        scopes = DEFAULT_SCOPES if principal.scopes is None else principal.scopes
    wanted = sorted(set(scopes), key=SCOPES.index)
    if not wanted:
        raise Invalid.field(["body", "scopes"], "Choose at least one scope.")
    if principal.scopes is not None and not set(wanted) <= principal.scopes:
        beyond = sorted(set(wanted) - principal.scopes, key=SCOPES.index)
        raise InsufficientScope(
            f"A token cannot make a token with more scopes than its own: {', '.join(beyond)}.",
            scope=" ".join(beyond),
        )
    if expires_at is not None and expires_at <= clock.now():
        raise Invalid.field(["body", "expires_at"], "Choose a moment in the future.")
    plain = new_api_token()
    token = ApiToken(
        id=new_id("tok"),
        user_id=principal.user_id,
        name=name,
        token_hash=hash_token(plain),
        scopes=" ".join(wanted),
        created_at=clock.now(),
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    return token, plain


def token_view(token: ApiToken) -> dict[str, Any]:
    """A token as its owner reads it (never its value)."""
    return {
        "id": token.id,
        "name": token.name,
        "scopes": token.scopes.split(),
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "last_used_at": token.last_used_at,
    }


def list_tokens(session: Session, principal: Principal, *, limit: int, cursor: str | None) -> Page:
    statement = select(ApiToken).where(ApiToken.user_id == principal.user_id)
    page = paginate(session, statement, ApiToken.id, limit=limit, cursor=cursor)  # type: ignore[arg-type]
    return Page(items=[token_view(token) for token in page.items], next_cursor=page.next_cursor)


def revoke_token(session: Session, principal: Principal, token_id: str) -> None:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != principal.user_id:
        raise NotFound("No such token.")
    session.delete(token)
    session.flush()


def principal_for_token(
    session: Session, plain: str, *, token_hash: str | None = None
) -> Principal:
    """The principal an API token stands for, from a short per-process cache: a revoked
    token, or a changed role, is honoured everywhere within `principal_cache.ttl`.
    `token_hash`, when the caller already has it, saves hashing the token again."""
    token_hash = token_hash or hash_token(plain)
    principal = principal_cache.get(token_hash)
    if principal is None:
        generation = principal_cache.generation
        principal = _principal(session, _PRINCIPAL_BY_TOKEN, {"token_hash": token_hash}, token=True)
        if principal is None:
            raise Unauthorized("The token is not valid or has been revoked.")
        principal_cache.put(token_hash, principal, generation)
    return principal


def cached_principal(plain: str, *, token_hash: str | None = None) -> Principal | None:
    """The principal behind a token if the cache holds it fresh, without a query."""
    return principal_cache.get(token_hash or hash_token(plain))


class PrincipalCache:
    """Token hash → principal for `ttl` seconds. Any change to the rows a principal is made
    of (tokens, users, roles, organizations) in this process empties it at once; other
    processes see the change when their entry expires."""

    def __init__(
        self, ttl: float = 1.0, size: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.ttl = ttl
        # A monotonic clock, not app.clock: tests move the domain's time, not this one.
        self.clock = clock
        self.size = size
        self.generation = 0
        self._entries: dict[str, tuple[float, int, Principal]] = {}

    def get(self, token_hash: str) -> Principal | None:
        entry = self._entries.get(token_hash)
        if entry is None or entry[0] < self.clock() or entry[1] != self.generation:
            return None
        return entry[2]

    def put(self, token_hash: str, principal: Principal, generation: int) -> None:
        """Keep `principal` if nothing changed since `generation`, when it was read."""
        if generation != self.generation:
            return
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[token_hash] = (self.clock() + self.ttl, generation, principal)

    def forget_all(self) -> None:
        self.generation += 1
        self._entries.clear()


principal_cache = PrincipalCache()
_PRINCIPAL_TABLES = (ApiToken, User, OrganizationUser, Organization)


@event.listens_for(Session, "after_flush")
def _principal_rows_flushed(session: Session, _context: Any) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(isinstance(row, _PRINCIPAL_TABLES) for row in changed):
        principal_cache.forget_all()


@event.listens_for(Session, "do_orm_execute")
def _principal_rows_bulk_changed(state: Any) -> None:
    if (state.is_update or state.is_delete) and any(
        mapper.class_ in _PRINCIPAL_TABLES for mapper in state.all_mappers
    ):
        principal_cache.forget_all()


def my_organizations(session: Session, principal: Principal) -> list[tuple[Organization, str]]:
    """The organizations the principal belongs to, by name, with their role in each."""
    rows = session.exec(_ORGANIZATIONS, params={"ids": list(principal.roles)}).all()
    return [(organization, principal.roles[organization.id]) for organization in rows]


# Built once, as the dashboard lists the reader's organizations on every visit.
_ORGANIZATIONS = (
    select(Organization)
    .where(Organization.id.in_(bindparam("ids", expanding=True)))  # type: ignore[attr-defined]
    .order_by(Organization.name)
)


def my_admin_organizations(session: Session, principal: Principal) -> list[Organization]:
    """The organizations the principal speaks for (its admin role), by name."""
    return [o for o, role in my_organizations(session, principal) if role == OrgRole.admin]
