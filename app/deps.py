"""Typed dependencies every route needs from a request, API or page: the database session,
the settings and the caller's address."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.db import Database
from app.settings import Settings


def get_database(request: Request) -> Database:
    return request.app.state.database


def get_settings_of(request: Request) -> Settings:
    """The settings `create_app` was given, which tests choose, not the cached global ones."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_of)]

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _session(request: Request) -> Iterator[Session]:
    # scope="function": the transaction commits before the response leaves.
    read_only = request.method in SAFE_METHODS
    with get_database(request).session(read_only=read_only) as session:
        yield session


SessionDep = Annotated[Session, Depends(_session, scope="function")]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"
