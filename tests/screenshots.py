"""`make screenshots`: the demo seeded into a fresh SQLite database and served, then every
page each demo persona can reach, at a phone's and a desk's width, saved as
var/screenshots/<persona>/<page>-<width>.png to be looked at, and each picture on a page
(a letter's approval timeline, a goal's burn-up, a report's charts) alone beside it as
<page>-chart-<n>-<width>.png.

The pages are found the way a person finds them: from the dashboard, every link on a page
that leads to another page of ours (not a download, the event stream or a one-time link).
tests/browser/test_every_page.py walks the same pages to check their width and axe.

    python -m tests.screenshots [--persona dana] [--width 390] [--out var/screenshots]
"""

import argparse
import logging
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from app import migrate
from app.db import Database, build_engine
from app.demo import DEMO_PASSWORD, demo_logins, seed
from app.main import create_app
from app.settings import PROJECT_ROOT, Settings
from tests.live import serve_in_thread

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
WIDTHS = (390, 1280)
HEIGHT = 900
# Links that are not pages to look at: files to download, the live event stream, the API
# and its documents, links that act when followed (unsubscribe) or are made for one person
# once (an invitation, a password reset, a sign-up), and leaving.
NOT_PAGES = re.compile(
    r"\.(csv|ics|json|png|svg|ico|css|js)$"
    r"|^/(api|docs|redoc|static|events|lists/unsubscribe|welcome|reset-password|signup|logout)\b"
)
# Past this a persona's walk stops: a page linking to ever more pages is a finding, too.
MOST_PAGES = 150


@dataclass(frozen=True)
class Persona:
    name: str  # the folder: the e-mail's local part (dana, marcus, admin, …)
    email: str
    description: str


def personas() -> list[Persona]:
    return [
        Persona(email.split("@")[0], email, description) for email, description in demo_logins()
    ]


@contextmanager
def demo_server(directory: Path) -> Iterator[str]:
    """The demo in a fresh SQLite database under `directory`, served on 127.0.0.1; no
    worker, so nothing moves while the pages are read."""
    url = f"sqlite:///{directory / 'demo.db'}"
    migrate.upgrade(url)
    engine = build_engine(url)
    settings = Settings(environment="development", database_url=url)
    database = Database(engine)
    with database.session() as session:
        seed(session, settings)
    try:
        with serve_in_thread(create_app(settings, database=database)) as base_url:
            yield base_url
    finally:
        engine.dispose()


def log_in(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: urlsplit(url).path != "/login")


_LINKS = """() => [...document.querySelectorAll('a[href]')]
  .map(a => new URL(a.getAttribute('href'), location.href))
  .filter(u => u.origin === location.origin)
  .map(u => u.pathname + u.search)"""


def is_page(address: str) -> bool:
    return not NOT_PAGES.search(urlsplit(address).path)


def reachable_pages(page, broken: list[str]) -> Iterator[str]:
    """Each page reachable from the dashboard by following links, breadth first; `page` is
    left on it when yielded, so the caller can look before the walk moves on. A link that
    answers with an error goes into `broken`, saying where it was found."""
    found_on = {"/": "/login"}
    waiting = ["/"]
    while waiting:
        address = waiting.pop(0)
        response = page.goto(address)
        if response is None or not response.ok:
            status = response.status if response else "nothing"
            broken.append(f"{address}, linked from {found_on[address]}, answered {status}")
            continue
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        yield address
        for link in page.evaluate(_LINKS):
            if link not in found_on and is_page(link) and len(found_on) < MOST_PAGES:
                found_on[link] = address
                waiting.append(link)


def page_name(page, address: str, taken: set[str]) -> str:
    """A file name a person recognises: the page's title, widest part first ("Members ·
    Read by Third Grade" is read-by-third-grade-members, beside its coalition), and what of
    the address is not an id when two pages share a title (an activity and its letter)."""
    parts = page.title().removesuffix(" · Coalesce").split(" · ")
    name = _slug("-".join(reversed(parts))) or "page"
    if name in taken:
        words = [part for part in urlsplit(address).path.split("/") if part and "_" not in part]
        name = f"{name}-{_slug('-'.join(words[1:]))}".rstrip("-")
    base, n = name, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    taken.add(name)
    return name


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:70]


def take(out: Path, chosen: list[Persona], widths: tuple[int, ...]) -> int:
    from playwright.sync_api import sync_playwright

    count = 0
    with (
        tempfile.TemporaryDirectory() as directory,
        demo_server(Path(directory)) as base_url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for persona in chosen:
            folder = out / persona.name
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            context = browser.new_context(base_url=base_url, reduced_motion="reduce")
            page = context.new_page()
            log_in(page, persona.email)
            taken: set[str] = set()
            broken: list[str] = []
            for address in reachable_pages(page, broken):
                name = page_name(page, address, taken)
                for width in widths:
                    page.set_viewport_size({"width": width, "height": HEIGHT})
                    page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
                    count += 1
                    count += _pictures(page, folder / f"{name}-chart", width)
                with (folder / "pages.txt").open("a") as index:
                    index.write(f"{name}\t{address}\n")
            context.close()
            print(f"{persona.name:<8} {len(taken):>3} pages  ({persona.description})")
            for link in broken:
                print(f"         broken link: {link}")
        browser.close()
    return count


def _pictures(page, stem: Path, width: int) -> int:
    """Each picture on the page (the approval timeline, a burn-up, a report's bars) alone,
    as `<page>-chart-<n>-<width>.png`, to look at closely."""
    figures = page.locator("figure.chart")
    for index in range(figures.count()):
        figures.nth(index).screenshot(path=f"{stem}-{index + 1}-{width}.png")
    return figures.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--persona", action="append", help="only these (dana, marcus, …)")
    parser.add_argument("--width", action="append", type=int, help="only these widths")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "var" / "screenshots")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the demo's e-mails, unsent, are not news here
    chosen = [p for p in personas() if not args.persona or p.name in args.persona]
    started = time.monotonic()
    count = take(args.out, chosen, tuple(args.width or WIDTHS))
    print(f"{count} screenshots in {args.out} ({time.monotonic() - started:.0f} s)")


if __name__ == "__main__":
    main()
