"""The words people read for every code Coalesce stores: one table for the pages (the `label`
Jinja filter), the e-mails and the reports. The API keeps its codes; people get these.

A code can mean different things in different places ("open" letter, "open" proposal;
"other" organization, "other" activity), so the table is grouped by what the code is.
"""

import re
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

from app import local_time

LABELS: dict[str, dict[str, str]] = {
    "activity_kind": {
        "sign_on_letter": "sign-on letter",
        "public_statement": "public statement",
        "policymaker_meeting": "meeting with a policymaker",
        "public_event": "public event",
        "testimony": "testimony",
        "other": "other activity",
    },
    "activity_status": {
        "draft": "draft",
        "proposed": "put to the coalition's vote",
        "open": "open for signatures",
        "closed": "closed",
    },
    "decision": {
        "pending": "not decided yet",
        "in_approval": "in approval",
        "signed": "signed",
        "declined": "declined",
        "abstained": "abstained",
        "withdrawn": "withdrawn",
    },
    "approval": {
        "in_progress": "in progress",
        "approved": "approved",
        "rejected": "rejected",
        "withdrawn": "withdrawn",
    },
    "step": {
        "waiting": "waiting its turn",
        "active": "waiting on a decision",
        "approved": "approved",
        "rejected": "rejected",
    },
    "coalition_status": {
        "forming": "forming",
        "active": "active",
        "dormant": "resting",
        "closed": "closed",
    },
    "visibility": {
        "private": "private (by invitation)",
        "listed": "listed (organizations can ask to join)",
    },
    "membership": {
        "invited": "invited",
        "requested": "asked to join",
        "joining": "deciding whether to join",
        "joined": "joined",
        "declined": "declined",
        "left": "left",
    },
    "engagement": {
        "lead": "lead",
        "core": "core member",
        "supporter": "supporter",
        "observer": "observer",
    },
    "game_plan": {
        "abstain": "abstain",
        "decline": "decline",
        "escalate": "ask our board",
        "case_by_case": "decide case by case",
    },
    "role": {
        "admin": "an admin",
        "approver": "an approver",
        "member": "a member",
    },
    "organization_kind": {
        "pta": "PTA",
        "nonprofit": "nonprofit",
        "union": "union",
        "faith": "faith group",
        "community": "community group",
        "business": "business",
        "government": "government body",
        "other": "organization",
    },
    "verdict": {
        "aligned": "fits",
        "partial": "fits in part",
        "conflict": "conflicts",
        "unknown": "not known yet",
    },
    "stance": {"support": "support", "oppose": "oppose", "neutral": "neutral"},
    "priority": {
        "main": "a main priority",
        "secondary": "a secondary priority",
        "none": "not a priority",
    },
    "proposal_kind": {
        "general": "general question",
        "guidelines": "change of guidelines",
        "activity": "opening an activity",
    },
    "proposal_status": {"open": "open", "closed": "closed"},
    "outcome": {
        "passed": "passed",
        "failed": "did not pass",
        "blocked": "blocked",
        "no_quorum": "not enough members voted",
    },
    "vote": {"yes": "yes", "no": "no", "abstain": "abstain", "block": "block"},
    "goal_health": {
        "done": "done",
        "overdue": "overdue",
        "at_risk": "at risk",
        "on_track": "on track",
    },
    "delivery": {
        "pending": "waiting to be sent",
        "succeeded": "delivered",
        "failed": "could not be delivered",
    },
    "email_status": {
        "pending": "waiting to go",
        "sending": "sending",
        "sent": "sent",
        "failed": "could not be sent",
    },
    "event_type": {
        "*": "every event",
        "activity.opened": "a letter or statement opens",
        "activity.updated": "a draft or deadline changes",
        "activity.closed": "a letter or statement closes",
        "approval.completed": "an approval finishes",
        "approval.step_completed": "an approval step is decided",
        "approval.step_overdue": "an approval step is overdue",
        "coalition.guidelines_changed": "a coalition's guidelines change",
        "goal.progress_changed": "a goal's progress changes",
        "membership.changed": "an organization joins, leaves or is invited",
        "message.posted": "a message is posted to a list",
        "proposal.opened": "a proposal opens",
        "proposal.commented": "a proposal gets a comment",
        "proposal.vote_cast": "a vote is cast",
        "proposal.closed": "a proposal closes",
        "report.sent": "a report is sent",
        "signon.decision_changed": "an organization decides on a letter",
        "webhook.test": "a test message",
        "organization.created": "an organization is created",
        "organization.updated": "an organization's profile changes",
        "organization.deleted": "an organization is deleted",
        "coalition.created": "a coalition is formed",
        "coalition.updated": "a coalition's description changes",
        "activity.created": "a letter, statement or event is drafted",
        "goal.created": "a goal is set",
        "goal.updated": "a goal or its objectives change",
        "goal.deleted": "a goal is removed",
        "webhook.created": "a webhook is added",
        "webhook.updated": "a webhook changes or is switched off",
        "webhook.deleted": "a webhook is removed",
    },
}


# The plural of each label a count can come before ("2 nonprofits, 3 PTAs"), grouped like
# LABELS; "word" holds the plain nouns sentences count ("3 members", "1 update").
PLURALS: dict[str, dict[str, str]] = {
    "organization_kind": {
        "pta": "PTAs",
        "nonprofit": "nonprofits",
        "union": "unions",
        "faith": "faith groups",
        "community": "community groups",
        "business": "businesses",
        "government": "government bodies",
        "other": "organizations",
    },
    "activity_kind": {
        "sign_on_letter": "sign-on letters",
        "public_statement": "public statements",
        "policymaker_meeting": "meetings with a policymaker",
        "public_event": "public events",
        "testimony": "testimonies",
        "other": "other activities",
    },
    "word": {
        "member": "members",
        "organization": "organizations",
        "lead role": "lead roles",
        "update": "updates",
        "hour": "hours",
        "day": "days",
    },
}


def label(code: Any, group: str | None = None) -> str:
    """The words for `code`, looked up in `group` (or in the first group that knows it);
    an unknown code reads as its words with spaces, never with underscores."""
    if code is None:
        return ""
    text = str(code)
    if group is not None and text in LABELS.get(group, {}):
        return LABELS[group][text]
    if group is None:
        for words in LABELS.values():
            if text in words:
                return words[text]
    return text.replace("_", " ")


def plural(code: Any, group: str = "word") -> str:
    """The words for several of `code` ("nonprofits", "PTAs"); a code without a plural in
    the table takes an "s" after its label."""
    text = str(code)
    return PLURALS.get(group, {}).get(text) or f"{label(text, group)}s"


def counted(count: Any, code: Any, group: str = "word") -> str:
    """ "1 nonprofit", "2 nonprofits", "3 members": a count and the words that go with it."""
    figure = number(count)
    words = (label(code, group) if group != "word" else str(code)) if figure == "1" else None
    return f"{figure} {words or plural(code, group)}"


def money(amount: Any) -> str:
    """$100, $12.50: an amount as people write it."""
    if amount in (None, ""):
        return ""
    value = float(amount)
    return f"${value:,.0f}" if value == int(value) else f"${value:,.2f}"


def number(value: Any) -> str:
    """4, 2.5: no trailing ".0" on a whole number."""
    if value in (None, ""):
        return ""
    figure = round(float(value), 1)
    return f"{figure:.0f}" if figure == int(figure) else f"{figure}"


def hours_a_month(value: Any) -> str:
    """ "4 hours a month", "1 hour a month", "0 hours a month"."""
    if value in (None, ""):
        return ""
    return f"{counted(value, 'hour')} a month"


def days(value: Any) -> str:
    """ "about 3 days", "less than a day": a duration measured in days, rounded."""
    if value is None:
        return ""
    figure = float(value)
    if figure < 1:
        return "less than a day"
    return f"about {counted(round(figure), 'day')}"


def percent(share: Any) -> str:
    """0.5 → "50%": written as people write it, with no space."""
    if share is None:
        return ""
    return f"{round(float(share) * 100)}%"


def goal_progress(goal: dict[str, Any]) -> str:
    """ "2 of 5 objectives done · 40%": a goal's progress bar in words, the same on the
    dashboard and the goals tab."""
    objectives = goal.get("objectives") or []
    if not objectives:
        return f"no objectives yet · {percent(goal.get('progress') or 0)}"
    done = sum(1 for objective in objectives if objective.get("done"))
    noun = "objective" if len(objectives) == 1 else "objectives"
    return f"{done} of {len(objectives)} {noun} done · {percent(goal.get('progress') or 0)}"


# Technical failures a receiver's admin can act on, in plain words; the full text stays in
# the delivery log of the API and the server log.
DELIVERY_PROBLEMS = (
    ("CERTIFICATE_VERIFY_FAILED", "The receiver's certificate could not be verified."),
    ("certificate", "The receiver's certificate could not be verified."),
    ("SSL", "A secure connection to the receiver could not be made."),
    ("timed out", "The receiver took too long to answer."),
    ("Timeout", "The receiver took too long to answer."),
    ("refused", "The receiver refused the connection: is it running?"),
    ("Name or service not known", "The receiver's address could not be found."),
    ("nodename nor servname", "The receiver's address could not be found."),
    ("getaddrinfo", "The receiver's address could not be found."),
    ("redirect", "The receiver answered with a redirect, which is not followed."),
)


def delivery_problem(error: str | None) -> str:
    """A delivery's technical error as one plain sentence."""
    if not error:
        return ""
    for clue, words in DELIVERY_PROBLEMS:
        if clue.lower() in error.lower():
            return words
    if re.match(r"^[A-Za-z_.]+: ", error):  # an exception's name: not for people
        return "The receiver could not be reached."
    return error  # our own refusals ("a private address") are sentences already


def address(text: str | None) -> Markup:
    """An e-mail address or a web address that may wrap on a phone only after "@", "." or
    "/" ("dana@statepta.<wbr>example.org"), never in the middle of a word."""
    if not text:
        return Markup("")
    # Escaping first, so the only markup added is ours; "@", "." and "/" survive escaping.
    return Markup(re.sub(r"([@./])(?=.)", r"\1<wbr>", str(escape(text))))  # noqa: S704


def headline(text: str) -> tuple[str, str]:
    """A notification's first sentence, to be its link, and the rest, as plain words after
    it: "Decided: “Dues” passed." / "Passed: 3 yes, 0 no." A full stop inside quotes does
    not end the sentence."""
    quoted = 0
    for index, char in enumerate(text):
        quoted += {"“": 1, "”": -1}.get(char, 0)
        if char == "." and not quoted and text[index + 1 : index + 2] == " ":
            return text[: index + 1], text[index + 2 :]
    return text, ""


def sentence(text: str) -> str:
    """The first letter up, the rest as it is ("PTA" stays "PTA", unlike Jinja's capitalize)."""
    return text[:1].upper() + text[1:]


def install_filters(environment: Environment) -> None:
    """The same words and dates in every Jinja environment: the pages' and the e-mails'."""
    environment.filters.update(
        label=label,
        address=address,
        headline=headline,
        plural=plural,
        counted=counted,
        sentence=sentence,
        money=money,
        number=number,
        hours_a_month=hours_a_month,
        days=days,
        percent=percent,
        goal_progress=goal_progress,
        delivery_problem=delivery_problem,
        when=local_time.when,
        due_in_words=local_time.due_in_words,
        period=local_time.period,
        closes=local_time.closes,
        short_day=local_time.short_day,
        in_days=local_time.in_days,
        datetime_input=local_time.input_value,
    )
