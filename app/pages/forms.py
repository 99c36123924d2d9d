"""Reading HTML forms into the API's own input schemas, and answering a post: the fragment,
a redirect, or the form again with the errors next to its fields."""

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import RedirectResponse
from pydantic import BaseModel, ValidationError
from sqlmodel import Session
from starlette.responses import Response

from app import labels, local_time
from app.errors import Conflict, DomainError, Invalid, PreconditionFailed
from app.pages.templating import is_htmx, reader_time_zone, render
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
            found.setdefault(field, in_a_sentence(field, item))
        return found
    if error.errors:
        return {str(item["loc"][-1]): item["msg"] for item in error.errors}
    return {"": error.detail}


# What each field is called in a sentence, and an example of a value it takes.
FIELD_WORDS: dict[str, tuple[str, str]] = {
    "commitment_hours_per_month": ("the hours", "4"),
    "dues_amount": ("the dues", "100"),
    "quorum": ("the quorum", "50"),
    "budget": ("the budget", "25000"),
    "staff_count": ("the number of staff", "3"),
    "member_count": ("the number of members", "120"),
    "expected_days": ("the days", "5"),
    "target": ("the target", "10"),
    "sign_on_deadline": ("the sign-on deadline", ""),
    "closes_at": ("when voting closes", ""),
    "scheduled_at": ("when it is scheduled", ""),
    "due_date": ("the due date", ""),
}


def in_a_sentence(field: str, item: Any) -> str:
    """A pydantic error as a sentence naming the field ("Enter the hours as a number, like
    4"), whatever words pydantic used; our own validators already speak in sentences."""
    words, example = FIELD_WORDS.get(field, (f"the {field.replace('_', ' ')}", ""))
    like = f", like {example}" if example else ""
    context = item.get("ctx") or {}
    kind = item.get("type", "")
    if kind in ("float_parsing", "int_parsing", "decimal_parsing", "float_type", "int_type"):
        return f"Enter {words} as a number{like}."
    if kind in ("int_from_float",):
        return f"Enter {words} as a whole number{like}."
    if kind in ("greater_than_equal", "greater_than"):
        bound = labels.number(context.get("ge", context.get("gt")))
        return (
            f"Enter {words} as {bound} or more{' (not ' + bound + ')' if 'gt' in context else ''}."
        )
    if kind in ("less_than_equal", "less_than"):
        bound = labels.number(context.get("le", context.get("lt")))
        return (
            f"Enter {words} as {bound} or less{' (not ' + bound + ')' if 'lt' in context else ''}."
        )
    if kind in ("missing", "string_too_short"):
        return f"Enter {words}."
    if kind == "string_too_long":
        return f"Keep {words} to {context.get('max_length')} characters or fewer."
    if kind in ("enum", "literal_error"):
        return f"Choose {words} from the list."
    if kind.startswith("datetime") or kind.startswith("date") or kind.startswith("time"):
        return f"Enter {words} as a date{' and time' if kind.startswith('datetime') else ''}."
    if kind.startswith("url"):
        return "Enter a web address, like https://example.org."
    if kind.startswith("bool"):
        return f"Choose yes or no for {words}."
    return _plain(item["msg"])


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
    refreshed: tuple[str, ...] = (),
) -> Response:
    """htmx gets the section's fragment; a plain post gets a redirect, or the whole page
    again with the errors next to the fields (422).

    `refreshed` names other partials showing the same change elsewhere on the page (a
    header's status, a tally); on success htmx swaps them in too, by their ids, so the
    page shows the new state everywhere without a reload."""
    if outcome.errors is None and not is_htmx(request):
        tell(request, notice)
        return RedirectResponse(f"{redirect_to}#{section}", status_code=303)
    values = {**context(), **(extra or {})}
    values["form_errors"] = {section: outcome.errors} if outcome.errors else {}
    values["drafts"] = {section: outcome.values} if outcome.errors else {}
    values["notices"] = {} if outcome.errors else {section: notice}
    template = partial if is_htmx(request) else page
    if is_htmx(request) and refreshed and outcome.errors is None:
        values.update(main_partial=partial, refreshed_partials=refreshed)
        template = "partials/with_refreshed.html"
    response = render(request, template, values, status_code=422 if outcome.errors else 200)
    if outcome.errors is None:
        announce_change(response)
    return response


def section_address(base: str, section: str) -> str:
    """A page in sections (a coalition's, an organization's): the overview keeps the page's
    own address, every other section has its own under it."""
    return base if section == "overview" else f"{base}/{section}"


def sections_menu(
    base: str, entries: dict[str, str], current: str, *, hidden: Collection[str] = ()
) -> list[tuple[str, str, bool]]:
    """The menu of a page in sections, as the reader may see it: (label, address, is
    current) for each entry not `hidden`, in the order given."""
    return [
        (label, section_address(base, key), key == current)
        for key, label in entries.items()
        if key not in hidden
    ]


@dataclass(frozen=True)
class Section:
    """Where a section's forms answer: its fragment (`partial`, for htmx), the whole `page`
    around it with that page's `context`, and the page's `address` (a plain post's redirect);
    `refreshed` as in section_response."""

    name: str
    partial: str
    page: str
    context: Callable[[], dict[str, Any]]
    address: str
    refreshed: tuple[str, ...] = ()


async def section_action(
    request: Request,
    session: Session,
    section: Section,
    action: Callable[[dict[str, Any]], Any],
    *,
    notice: str,
    lists: tuple[str, ...] = (),
    extra: Callable[[], dict[str, Any]] | None = None,
) -> Response:
    """A section's form, run and answered: `action` in a savepoint (run_form), then the
    section again with the banner or the errors beside the fields (section_response).
    `extra` adds to the section's context what the action made (asked once it has run)."""
    outcome = await run_form(request, session, action, lists=lists)
    return section_response(
        request,
        outcome,
        section=section.name,
        partial=section.partial,
        page=section.page,
        context=section.context,
        redirect_to=section.address,
        notice=notice,
        extra=extra() if extra else None,
        refreshed=section.refreshed,
    )


def tell(request: Request, text: str, kind: str = "success") -> None:
    """Say what an action did on the page a plain post is redirected to: kept in the
    signed session until that page is shown, then shown once as a banner."""
    request.session["banner"] = {"text": text, "kind": kind}


async def unconfirmed(
    request: Request, *, question: str, action: str, back: str
) -> Response | None:
    """A destructive post (decline, reject, leave, disable, delete) not yet confirmed: the
    page asking to confirm it, which posts the same fields again with `confirmed`. The
    pages' dialog (coalesce.js) confirms before posting; this is the page for a browser
    without JavaScript. None once confirmed."""
    form = await request.form()
    if form.get("confirmed") == "yes":
        return None
    fields = [
        (key, value)
        for key, value in form.multi_items()
        if isinstance(value, str) and key not in {"csrf_token", "confirmed"}
    ]
    query = f"?{request.url.query}" if request.url.query else ""
    context = {
        "question": question,
        "action": action,
        "fields": fields,
        "back": back,
        "post_to": request.url.path + query,
    }
    return render(request, "confirm.html", context)


def announce_change(response: Response) -> Response:
    """Tell the page that what waits may have changed: the bell (and any part listening
    for "waiting-changed") refreshes itself at once instead of at the next page load."""
    response.headers["HX-Trigger"] = "waiting-changed"
    return response


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
    typed = dict(values)  # shown again as typed, in the reader's zone, if refused
    values = local_times(values, times, reader_time_zone(request))
    try:
        refuse_unstorable(values)
        with session.begin_nested():
            address = create(values)
    except FIXABLE as exc:
        page_context = context()
        page_context.update(form_errors={section: field_errors(exc)}, drafts={section: typed})
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


def local_times(values: dict[str, Any], names: tuple[str, ...], zone: str) -> dict[str, Any]:
    """`values` with each <input type="datetime-local"> named read in the reader's `zone`,
    as the pages show times; blank ones stay None."""
    moments = {
        name: local_time.from_input(values[name], zone) for name in names if values.get(name)
    }
    return {**values, **moments}
