"""Reading HTML forms into the API's own input schemas, and answering a post: the fragment,
a redirect, or the form again with the errors next to its fields."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from starlette.responses import Response

from app.errors import Conflict, DomainError, Invalid, PreconditionFailed
from app.pages.templating import is_htmx, render
from app.schemas.base import UNSTORABLE_MESSAGE, unstorable_at
from app.schemas.organizations import ResearchNoteCreate

M = TypeVar("M", bound=BaseModel)
FORM_ONLY_FIELDS = {"csrf_token", "version"}


async def form_values(request: Request, *, lists: tuple[str, ...] = ()) -> dict[str, Any]:
    """The posted fields; blank optional text becomes None. `lists` gather every value
    posted under their name (checkboxes), each split on commas (a text field of tags)."""
    form = await request.form()
    values: dict[str, Any] = {key: [] for key in lists if key in form}
    for key, value in form.multi_items():
        if key in FORM_ONLY_FIELDS or not isinstance(value, str):
            continue
        if key in lists:
            values[key] += [part.strip() for part in value.split(",") if part.strip()]
        else:
            values[key] = value if value.strip() != "" else None
    return values


async def form_version(request: Request) -> int | None:
    value = (await request.form()).get("version")
    return int(value) if isinstance(value, str) and value.isascii() and value.isdigit() else None


def refuse_unstorable(values: dict[str, Any]) -> None:
    """Every posted field, before any action: not every value goes through a schema, and
    one holding a character no backend can store gets its message beside it."""
    refused = [
        {"loc": ["body", name], "msg": UNSTORABLE_MESSAGE}
        for name, value in values.items()
        if unstorable_at(value) is not None
    ]
    if refused:
        raise Invalid(UNSTORABLE_MESSAGE, errors=refused)


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


def research_note_from_form(values: dict[str, Any]) -> ResearchNoteCreate:
    """The research note form says yes / no / not sure where the API takes true / false / null."""
    reputable = {"yes": True, "no": False}.get(values.get("reputable") or "")
    return parse(ResearchNoteCreate, {**values, "reputable": reputable})


# Mistakes a person can fix on the form; anything else (404, 403) is not theirs to fix here.
FIXABLE = (ValidationError, Invalid, Conflict, PreconditionFailed)


@dataclass
class FormOutcome:
    values: dict[str, Any]
    errors: dict[str, str] | None = None


async def run_form(
    request: Request,
    session: Session,
    action: Callable[[dict[str, Any]], Any],
    *,
    lists: tuple[str, ...] = (),
) -> FormOutcome:
    """Run `action` with the posted values in a savepoint, so a refused change leaves
    nothing half-written behind the re-rendered form."""
    values = await form_values(request, lists=lists)
    try:
        refuse_unstorable(values)
        with session.begin_nested():
            action(dict(values))
    except FIXABLE as exc:
        return FormOutcome(values, field_errors(exc))
    return FormOutcome(values)


def section_response(
    request: Request,
    outcome: FormOutcome,
    *,
    section: str,
    partial: str,
    page: str,
    context: Callable[[], dict[str, Any]],
    redirect_to: str,
    notice: str,
    extra: dict[str, Any] | None = None,
) -> Response:
    """htmx gets the section's fragment; a plain post gets a redirect, or the whole page
    again with the errors next to the fields (422)."""
    if outcome.errors is None and not is_htmx(request):
        return RedirectResponse(f"{redirect_to}#{section}", status_code=303)
    values = {**context(), **(extra or {})}
    values["form_errors"] = {section: outcome.errors} if outcome.errors else {}
    values["drafts"] = {section: outcome.values} if outcome.errors else {}
    values["notices"] = {} if outcome.errors else {section: notice}
    template = partial if is_htmx(request) else page
    return render(request, template, values, status_code=422 if outcome.errors else 200)


async def create_from_page(
    request: Request,
    session: Session,
    create: Callable[[dict[str, Any]], str],
    *,
    section: str,
    page: str,
    context: Callable[[], dict[str, Any]],
    times: tuple[str, ...] = (),
    lists: tuple[str, ...] = (),
) -> Response:
    """A form that creates something with a page of its own: on success go there
    (`create(values)` returns its address); on a mistake show `page` again with the
    errors next to the fields of `section` (422)."""
    form = await request.form()
    values = await form_values(request)
    for name in lists:
        values[name] = form.getlist(name)
    for name in times:
        if values.get(name):
            values[name] = f"{values[name]}:00+00:00"  # <input type="datetime-local">: UTC here
    try:
        refuse_unstorable(values)
        with session.begin_nested():
            address = create(values)
    except FIXABLE as exc:
        page_context = context()
        page_context.update(form_errors={section: field_errors(exc)}, drafts={section: values})
        return render(request, page, page_context, status_code=422)
    return RedirectResponse(address, status_code=303)


@contextmanager
def stale_edit_explained(what: str) -> Iterator[None]:
    """A form sent from a version someone else has saved over since: said in the page's
    words. The form comes back with what was typed (run_form keeps it) and the page shows
    the saved version around it, so nothing is lost by reading both and saving again."""
    try:
        yield
    except PreconditionFailed:
        raise PreconditionFailed(
            f"Someone else saved {what} while you were editing. What you typed is still in "
            "the form, not saved yet: compare it with what is saved now, then save again."
        ) from None


def utc_times(values: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """`values` with each <input type="datetime-local"> named read as UTC, as the pages
    show times; blank ones stay None."""
    moments = {
        name: f"{values[name]}{':00' if len(values[name]) == 16 else ''}+00:00"
        for name in names
        if values.get(name)
    }
    return {**values, **moments}
