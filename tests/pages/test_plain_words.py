"""What people read is plain words, never codes: every page of the demo, as each of its
people, read for snake_case words, arrows between statuses and numbers ending in ".0"."""

import html
import re

from app import demo
from app.models import User
from tests.conftest import sign_in

# Text a person reads: tags, scripts and attribute values (ids, hrefs) are not read aloud.
TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S)
RAW_CODES = re.compile(r"\b[a-z]+_[a-z_]+\b|→|\b\d+\.0\b(?!\.)")
# Addresses people copy are shown as they are; so are e-mail addresses.
COPIED = re.compile(r"\S+@\S+|https?://\S+|/api/v1/\S+")
# Pages reached from the start pages by following links, one step deep.
LINKED = re.compile(
    r'href="(/(?:organizations|coalitions|activities|proposals)/[a-z]{3}_[^"#/?]+)"'
)
START = ["/", "/organizations", "/coalitions", "/approvals", "/notifications", "/me", "/webhooks"]


def read_aloud(page: str) -> str:
    text = html.unescape(TAGS.sub(" ", page))
    return COPIED.sub(" ", text)


def raw_codes(page: str) -> list[str]:
    return sorted(set(RAW_CODES.findall(read_aloud(page))))


def test_raw_codes_are_found_by_the_scan():
    # The scan itself: it must catch what the pages used to show.
    page = "<p>sign_on_letter · Dues 100.0 · new → invited <a href='/x_y'>x</a></p>"
    assert raw_codes(page) == ["100.0", "sign_on_letter", "→"]


def test_no_demo_page_shows_a_raw_code(client, database, settings):
    with database.session() as session:
        demo.seed(session, settings)
        people = {email: session.exec(_user(email)).one() for email, _ in demo.demo_logins()}
    found: dict[str, list[str]] = {}
    for email, person in people.items():
        sign_in(client, person)
        seen: set[str] = set()
        queue = list(START)
        while queue:
            path = queue.pop(0)
            if path in seen or len(seen) > 40:
                continue
            seen.add(path)
            page = client.get(path)
            if page.status_code != 200 or "text/html" not in page.headers["content-type"]:
                continue
            codes = raw_codes(page.text)
            if codes:
                found[f"{email} {path}"] = codes
            if path in START:
                queue += LINKED.findall(page.text)
        client.cookies.clear()
    assert found == {}


def _user(email: str):
    from sqlmodel import select

    return select(User).where(User.email == email)
