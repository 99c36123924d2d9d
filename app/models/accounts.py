"""People who sign in, their API tokens and failed sign-ins."""

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
    created_at: datetime = timestamp_field()


class ApiToken(SQLModel, table=True):
    __tablename__ = "api_token"

    id: str = Field(primary_key=True, max_length=40)
    user_id: str = Field(
        foreign_key="user_account.id", max_length=40, index=True, ondelete="CASCADE"
    )
    name: str = Field(max_length=200)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = timestamp_field()


class LoginFailure(SQLModel, table=True):
    """Kept in the database so throttling holds across web processes."""

    __tablename__ = "login_failure"

    id: str = Field(primary_key=True, max_length=40)
    email: str = Field(max_length=254, index=True)
    address: str = Field(max_length=64)
    created_at: datetime = timestamp_field(index=True)
