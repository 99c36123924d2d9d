"""What people read is plain words, never codes: every page of the demo, as each of its
people, read for snake_case words, arrows between statuses and numbers ending in ".0"."""

import html
import re
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from app import demo, labels
from app.main import create_app
from app.models import User
from app.settings import Settings, get_settings
from app.worker import Worker
from tests.api.test_signon import letter  # noqa: F401
from tests.conftest import TEST_SECRET, World, sign_in

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


# What a field already holds is read too: a saved amount shows as the person typed it.
FILLED = re.compile(r'<input(?![^>]*type="(?:hidden|checkbox|radio)")[^>]*\svalue="([^"]*)"')


def read_aloud(page: str) -> str:
    text = html.unescape(TAGS.sub(" ", page) + " " + " ".join(FILLED.findall(page)))
    return COPIED.sub(" ", text)


def raw_codes(page: str) -> list[str]:
    return sorted(set(RAW_CODES.findall(read_aloud(page))))


def test_raw_codes_are_found_by_the_scan():
    # The scan itself: it must catch what the pages used to show.
    page = "<p>sign_on_letter · new → invited <a href='/x_y'>x</a></p>"
    assert raw_codes(page) == ["sign_on_letter", "→"]
    field = '<input name="dues_amount" value="100.0"><input type="hidden" value="a_b">'
    assert raw_codes(field) == ["100.0"]


def test_no_demo_page_shows_a_raw_code(client, database, settings):
    """Every demo page, as each person: no codes, and one word and one date phrase for one
    thing (read from the same walk, so the demo is seeded once)."""
    with database.session() as session:
        demo.seed(session, settings)
        people = {email: session.exec(_user(email)).one() for email, _ in demo.demo_logins()}
    found: dict[str, list[str]] = {}
    read: dict[str, str] = {}
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
            read[f"{email} {path}"] = page.text
            codes = raw_codes(page.text)
            if codes:
                found[f"{email} {path}"] = codes
            if path in START:
                queue += LINKED.findall(page.text)
            if path.startswith("/coalitions/coa_") and path.count("/") == 2:
                # The guidelines as their fields hold them, and the goals with their bars.
                queue += [f"{path}/settings", f"{path}/goals"]
        client.cookies.clear()
    assert found == {}
    _one_set_of_words(read)


def _one_set_of_words(read: dict[str, str]) -> None:
    everything = "\n".join(read.values())
    dana = "dana@statepta.example.org"
    home = read[f"{dana} /"]
    # A vote closes in one phrase everywhere; a goal bar says how far, as "40%".
    assert re.search(r"closes [^<(]+ \(in \d+ days\)", home), home
    assert re.search(r"\d+ of \d+ objectives? done · \d+%", home)
    proposals = [page for key, page in read.items() if "/proposals/" in key]
    assert proposals and all("closing in" not in page for page in proposals)
    assert any(re.search(r"closes [^<(]+ \(in \d+ days\)", page) for page in proposals)
    assert not re.search(r"\d %", read_aloud(everything))
    # What happened is told with who did it, and links to it.
    recently = home[home.index('id="recent-heading"') :]
    assert "A report is sent" not in recently and "A message is posted" not in recently
    assert re.search(r"sent <a href=\"/organizations/org_\w+/reports/rpt_\w+\">", recently)
    assert re.search(r"posted <a href=\"/coalitions/coa_\w+/messages#msg-msg_\w+\">“", recently)
    assert "replied to <a" in recently and "“Re: " not in recently
    # One name for one thing: the approvals page, the advocacy activities.
    assert "approvals inbox" not in everything and "Approvals waiting on me" not in everything
    assert "New activity<" not in everything and "Back to the activity" not in everything
    # A game plan is named as its select shows it; dues as people write them.
    assert "Set by the game plan “Ask our board”" in everything
    assert "(escalate)" not in everything
    assert 'name="dues_amount" inputmode="decimal" value="100"' in everything
    # The token's end is read in the person's zone, and may be left empty.
    assert re.search(r"Stops working at <small>\([\w/ ]+ time; leave empty", read[f"{dana} /me"])
    # Empty places say what to do next.
    assert "start a coalition</a> and list it" in read[f"{dana} /coalitions"]
    no_goals = [page for key, page in read.items() if key.endswith("/goals") and "No goals" in page]
    adds = [
        '<a href="#goal-title">add your first goal</a>',
        "Admins of the member organizations add",
    ]
    assert no_goals and all(any(words in page for words in adds) for page in no_goals)
    assert any(adds[0] in page for page in no_goals)
    # The platform admin is told what there is to do.
    assert "You run Coalesce for everyone" in read["admin@coalesce.example.org /"]
    # The webhooks page leads with a plain sentence; the headers wait under a fold.
    hooks = read[f"{dana} /webhooks"]
    assert hooks.index("A webhook tells another system") < hooks.index("For developers")
    assert hooks.index("For developers") < hooks.index("webhook-signature")


def _user(email: str):
    from sqlmodel import select

    return select(User).where(User.email == email)


@contextmanager
def receiver_with_an_unknown_certificate(tmp_path: Path) -> Iterator[str]:
    """An https receiver on 127.0.0.1 whose certificate no authority signed."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            try:
                context.wrap_socket(connection, server_side=True).close()
            except (ssl.SSLError, OSError):
                connection.close()  # the sender refused our certificate, as it should

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}/hooks"
    finally:
        stop.set()
        thread.join()
        listener.close()


def test_a_delivery_failure_reads_in_plain_words(committed, tmp_path):
    url, database = committed
    world = World(database)
    admin = world.user("sam")
    organization = world.organization(admin)
    app = create_app(
        Settings(environment="test", database_url=url, secret_key=TEST_SECRET), database=database
    )
    with receiver_with_an_unknown_certificate(tmp_path) as address, TestClient(app) as client:
        token = sign_in(client, admin)
        htmx = {"HX-Request": "true", "X-CSRF-Token": token}
        client.post(
            "/webhooks",
            headers=htmx,
            data={"url": address, "organization_id": organization.id, "description": "CRM sync"},
        )
        webhook_id = re.search(r'id="webhook-(whk_[a-z0-9]+)"', client.get("/webhooks").text)[1]
        client.post(f"/webhooks/{webhook_id}/test", headers=htmx)
        Worker(database, get_settings()).run_once()
        page = client.get("/webhooks").text
        api = client.get(f"/api/v1/webhooks/{webhook_id}/deliveries", headers=world.headers(admin))
    assert "The receiver&#39;s certificate could not be verified." in page
    assert "CERTIFICATE_VERIFY_FAILED" not in page and "_ssl.c" not in page
    assert "Sends: every event · CRM sync" in page and "A test message" in page
    # The technical detail stays for whoever reads the log through the API.
    assert "CERTIFICATE_VERIFY_FAILED" in api.text


def test_recently_names_the_proposal_voted_on_and_links_to_it(client, letter):  # noqa: F811
    coalition, literacy = letter["coalition"], letter["orgs"]["literacy"]
    proposal = client.post(
        f"/api/v1/coalitions/{coalition.id}/proposals",
        headers=letter["h"]["dana"],
        json={"title": "Endorse HB 210"},
    ).json()
    client.post(
        f"/api/v1/proposals/{proposal['id']}/votes",
        headers=letter["h"]["lena"],
        json={"organization_id": literacy.id, "choice": "yes"},
    )
    sign_in(client, letter["people"]["dana"])
    recently = client.get("/").text.split('id="recent-heading"')[1]
    assert (
        f'Read Together voted yes on <a href="/proposals/{proposal["id"]}">Endorse HB 210</a>'
        in (recently)
    )
    assert "→" not in recently


def test_numbers_read_as_people_write_them():
    assert (labels.money(100.0), labels.money(12.5), labels.money(None)) == ("$100", "$12.50", "")
    assert labels.hours_a_month(4.0) == "4 hours a month"
    assert labels.hours_a_month(1) == "1 hour a month"
    assert labels.hours_a_month(0.0) == "0 hours a month"
    assert (labels.days(2.6), labels.days(1), labels.days(0.2)) == (
        "about 3 days", "about 1 day", "less than a day",
    )  # fmt: skip
    assert labels.label("sign_on_letter", "activity_kind") == "sign-on letter"
    assert labels.label("no_quorum") == "not enough members voted"
    assert labels.label("some_new_code") == "some new code"  # never with underscores
