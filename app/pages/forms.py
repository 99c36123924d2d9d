"""Reading HTML forms into the API's own input schemas, errors keyed by field."""

from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from app.errors import DomainError

M = TypeVar("M", bound=BaseModel)
FORM_ONLY_FIELDS = {"csrf_token", "version"}


async def form_values(request: Request, *, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The posted fields; blank optional text becomes None, `lists` split on commas."""
    form = await request.form()
    values: dict[str, Any] = {}
    for key, value in form.multi_items():
        if key in FORM_ONLY_FIELDS or not isinstance(value, str):
            continue
        if key in lists:
            values[key] = [part.strip() for part in value.split(",") if part.strip()]
        else:
            values[key] = value if value.strip() != "" else None
    return values


async def form_version(request: Request) -> int | None:
    value = (await request.form()).get("version")
    return int(value) if isinstance(value, str) and value.isdigit() else None


def parse(schema: type[M], values: dict[str, Any], *, keep_blank: bool = False) -> M:
    """Validate like the API does; raises ValidationError with field locations.

    Blank fields are left out (defaults apply) unless `keep_blank`, where they clear the value.
    """
    cleaned = {k: v for k, v in values.items() if keep_blank or v is not None}
    return schema.model_validate(cleaned)


def field_errors(error: ValidationError | DomainError) -> dict[str, str]:
    """{"field": "message"} for showing next to inputs; "" holds form-wide messages."""
    if isinstance(error, ValidationError):
        found: dict[str, str] = {}
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else ""
            found.setdefault(field, _plain(item["msg"]))
        return found
    if error.errors:
        return {str(item["loc"][-1]): item["msg"] for item in error.errors}
    return {"": error.detail}


def _plain(message: str) -> str:
    # pydantic says "Value error, Enter a web address…"; people only need the second part.
    return message.removeprefix("Value error, ")
