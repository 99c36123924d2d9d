"""People who sign in, their API tokens, failed sign-ins and the single-use links mailed to
them (invitations, password resets and sign-ups)."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import timestamp_field


class User(SQLModel, table=True):
    __tablename__ = "user_account"

    id: str = Field(primary_key=True, max_length=40)
    email: str = Field(max_length=254, unique=True)
    name: str = Field(default="", max_length=200)
    password_hash: str | None = Field(default=None, max_length=255)
    is_platform_admin: bool = False
    # IANA name; pages show and take dates and times in it. None until the person chooses
    # one (or the browser tells it at sign-in): they read UTC meanwhile.
    time_zone: str | None = Field(default=None, max_length=64)
    # Part of every browser session; raising it signs the person out everywhere, in every
    # web process, since each request compares the two.
    session_version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    created_at: datetime = timestamp_field()


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: str = Field(primary_key=True, max_length=40)
    user_id: str = Field(
        foreign_key="user_account.id", max_length=40, index=True, ondelete="CASCADE"
    )
    name: str = Field(max_length=200)
    token_hash: str = Field(max_length=64, unique=True)
    # Space-separated, as OAuth writes them: "read write webhooks admin".
    scopes: str = Field(
        default="read write webhooks admin",
        max_length=100,
        sa_column_kwargs={"server_default": "read write webhooks admin"},
    )
    created_at: datetime = timestamp_field()
    expires_at: datetime | None = timestamp_field(default=None)
    # Written at most once a minute per token (see app/api/rate_limits.py), never per request.
    last_used_at: datetime | None = timestamp_field(default=None)


class RateLimitCount(SQLModel, table=True):
    """Requests per caller per window, summed over every web process: each process counts
    in memory and adds its counts here now and then, so limits hold across processes
    without a write per request."""

    __tablename__ = "rate_limit_count"

    key: str = Field(primary_key=True, max_length=100)
    window_start: datetime = timestamp_field(primary_key=True)
    count: int = 0


class LoginFailure(SQLModel, table=True):
    """Kept in the database so throttling holds across web processes."""

    __tablename__ = "login_failure"

    id: str = Field(primary_key=True, max_length=40)
    email: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64)
    created_at: datetime = timestamp_field(index=True)


class AccountLink(SQLModel, table=True):
    """A single-use link mailed to a person: an invitation or a password reset.

    Only the hash of its random token is kept, so the table alone opens no account.
    """

    __tablename__ = "account_link"

    id: str = Field(primary_key=True, max_length=40)
    user_id: str = Field(
        foreign_key="user_account.id", max_length=40, index=True, ondelete="CASCADE"
    )
    purpose: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    # Who sent an invitation and for which organization or coalition: the page names them,
    # and a coalition's invitation lands on its joining assessment.
    organization_id: str | None = Field(
        default=None, foreign_key="organization.id", max_length=40, ondelete="CASCADE"
    )
    coalition_id: str | None = Field(
        default=None, foreign_key="coalition.id", max_length=40, ondelete="CASCADE"
    )
    invited_by: str | None = Field(default=None, max_length=200)
    created_at: datetime = timestamp_field()
    expires_at: datetime = timestamp_field()
    used_at: datetime | None = timestamp_field(default=None)


class LinkRequest(SQLModel, table=True):
    """Every request for a link by e-mail (a password reset, a sign-up), for known and
    unknown addresses alike, so throttling neither tells them apart nor forgets across
    web processes."""

    __tablename__ = "link_request"

    id: str = Field(primary_key=True, max_length=40)
    purpose: str = Field(max_length=20)
    email: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64, index=True)
    created_at: datetime = timestamp_field(index=True)
    # Answered by the worker, not the request: the request then does the same work for an
    # address with an account as for one without.
    handled_at: datetime | None = timestamp_field(default=None)
