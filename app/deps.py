"""Dependencies the API and the pages share: the request's settings."""

from typing import Annotated

from fastapi import Depends, Request

from app.settings import Settings


def get_settings_of(request: Request) -> Settings:
    """The settings the app was built with (tests build apps with their own)."""
    return request.app.state.settings


SettingsDep = Annotated[Settings, Depends(get_settings_of)]
