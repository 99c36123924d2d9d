"""Base classes for input (unknown fields refused) and output shapes, and shared types."""

import re
from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

T = TypeVar("T")

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=4000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Tags = Annotated[list[Tag], Field(max_length=50)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]

# PostgreSQL's text cannot hold NUL, and a lone surrogate (which JSON can carry as a \u
# escape) has no UTF-8 form, so neither can be stored by every backend: refused on the way in.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
UNSTORABLE_MESSAGE = (
    "Text cannot contain the NUL character (U+0000) or unpaired surrogates (U+D800 to U+DFFF)."
)


def unstorable_at(value: Any) -> tuple[str | int, ...] | None:
    """Where in `value` (text, or lists and mappings holding text) the first character no
    backend can store sits: () for the value itself, None when there is none. A loop, not
    recursion: JSON may nest as deep as the parser allows."""
    pending: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            if UNSTORABLE.search(item):
                return path
        elif isinstance(item, dict):
            if any(isinstance(key, str) and UNSTORABLE.search(key) for key in item):
                return path
            pending.extend(reversed([((*path, key), inner) for key, inner in item.items()]))
        elif isinstance(item, list | tuple | set | frozenset):
            pending.extend(reversed([((*path, i), inner) for i, inner in enumerate(item)]))
    return None


def _where(path: tuple[str | int, ...]) -> str:
    return ", ".join(f"item {part + 1}" if isinstance(part, int) else part for part in path)


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    @field_validator("*", mode="before")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        """Every field of every input, before anything else reads it (lists and nested
        shapes included): the error names the field, and the item within it."""
        path = unstorable_at(value)
        if path is None:
            return value
        where = f" Found in {_where(path)}." if path else ""
        raise PydanticCustomError("unstorable_text", UNSTORABLE_MESSAGE + where)


class Output(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class PageOut(BaseModel, Generic[T]):
    model_config = ConfigDict(from_attributes=True)

    items: list[T]
    next_cursor: str | None
