"""One Jinja2 environment and one way to render a page or an htmx fragment."""

from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from app import charts, clock, labels, local_time
from app.services import pictures
from app.services.guidelines import value_in_words

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"
# The names a plain dict answers as attributes (`d.items`, `d.get`): they win over its keys.
_DICT_ATTRIBUTES = frozenset(dir(dict))


class PageEnvironment(jinja2.Environment):
    """Jinja's environment, reading `row.status` of a plain dict by its key at once.

    Jinja tries the attribute first and the key only after an AttributeError; the pages
    read most of their rows as dicts, thousands of cells a page on a large coalition, and
    raising and catching that error per cell was the largest cost of rendering them. The
    answer is the same: a plain dict has no attribute but its class's."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                return self.undefined(obj=obj, name=attribute)
        return super().getattr(obj, attribute)


templates = Jinja2Templates(
    env=PageEnvironment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=jinja2.select_autoescape(),
        # The templates ship with the code: a change to one takes a restart, as a change to
        # the code does. Checking each file's time on disk, for every template, include and
        # import of every page, is work for nothing.
        auto_reload=False,
    )
)


# Lane C (plain words): every code people see goes through one table of labels, and every
# date is written in the reader's zone.
labels.install_filters(templates.env)
templates.env.filters["guideline_value"] = value_in_words


# The pictures are drawn while the page renders, so their dates fall in the reader's zone.
def approval_timeline(activity: dict[str, Any]) -> charts.Figure:
    return charts.approval_timeline(pictures.approval_timeline(activity, clock.now()))


def request_timeline(approval: dict[str, Any]) -> charts.Figure:
    return charts.approval_timeline(
        pictures.request_timeline(approval, clock.now()),
        f"approval-{approval['id']}-timeline",
        row_heading="Step",
    )


def draft_timeline(activity: dict[str, Any]) -> charts.Figure:
    return charts.approval_timeline(
        pictures.draft_timeline(activity, clock.now()), "draft-timeline"
    )


def goal_burn_up(goal: dict[str, Any], figure_id: str) -> charts.Figure:
    return charts.goal_burn_up(pictures.goal_burn_up(goal, clock.now()), figure_id)


templates.env.globals.update(
    approval_timeline=approval_timeline,
    request_timeline=request_timeline,
    draft_timeline=draft_timeline,
    goal_burn_up=goal_burn_up,
    decisions_by_activity=lambda rows: charts.bars(
        pictures.decisions_by_activity(rows), "decisions-chart"
    ),
    proposals_by_outcome=lambda rows: charts.bars(
        pictures.proposals_by_outcome(rows), "proposals-chart"
    ),
    step_medians=lambda rows, name: charts.bars(pictures.step_medians(rows, name), "steps-chart"),
)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def htmx_target(request: Request) -> str | None:
    """The id of the element htmx is refreshing, for a page route to answer with that part
    alone; None for a plain visit, which gets the whole page."""
    return request.headers.get("hx-target") if is_htmx(request) else None


def reader_time_zone(request: Request) -> str:
    """The signed-in reader's time zone; UTC before anyone signed in."""
    return getattr(request.state, "time_zone", None) or "UTC"


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    context = dict(context or {})
    session = request.scope.get("session") or {}
    context.setdefault("csrf_token", session.get("csrf", ""))
    context.setdefault("signed_in", bool(session.get("uid")))
    kept = getattr(request.state, "kept_form", None)
    if kept and not is_htmx(request):
        # coalesce.js puts these fields back into the form posting to kept["action"].
        context.setdefault("kept_form", kept)
        context.setdefault(
            "landing_banner",
            {"kind": "warning", "text": "Welcome back. What you typed before your session "
             "ended is back in the form below: check it, then send it again."},
        )  # fmt: skip
    if not is_htmx(request) and session.get("banner"):
        # What the last action did, said once on the page it landed on (see forms.tell).
        context.setdefault("landing_banner", session.pop("banner"))
    # The page is written in the reader's zone (PagePrincipal put it on request.state);
    # TemplateResponse renders at once, so the zone holds for exactly this render.
    context.setdefault("time_zone", reader_time_zone(request))
    token = local_time.reader_zone.set(context["time_zone"])
    try:
        response = templates.TemplateResponse(request, name, context, status_code=status_code)
    finally:
        local_time.reader_zone.reset(token)
    # One URL answers a visit with the page and htmx with a part of it: a cache (the back
    # button's included) must not hand out one for the other.
    response.headers.add_vary_header("HX-Request, HX-Target")
    return response


def render_error_page(request: Request, status: int, title: str, detail: str) -> Response:
    if is_htmx(request):
        return render(
            request, "partials/error.html", {"title": title, "detail": detail}, status_code=status
        )
    return render(
        request, "errors/error.html", {"title": title, "detail": detail}, status_code=status
    )
