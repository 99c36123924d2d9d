"""The coalition's list by e-mail through a real SMTP server: each person as they chose,
and the unsubscribe link of a real e-mail followed."""

import re
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from app.main import create_app
from app.models import Notification
from app.principal import Principal
from app.schemas.messages import MessageCreate
from app.services import messages, notifications
from app.settings import get_settings
from app.worker import Worker
from tests.conftest import World


@pytest.fixture
def listserv(committed):
    """Dana's PTA leads the coalition; Lena's food bank joined, with Max as a plain member."""
    _, database = committed
    world = World(database)
    dana, lena = world.user("dana"), world.user("lena")
    pta = world.organization(dana, name="Maple PTA")
    bank = world.organization(lena, name="Food Bank")
    coalition = world.coalition(pta, name="Read by Third Grade")
    world.join(coalition, bank)
    max_ = world.member(bank, "member", name="max")
    with database.session() as session:  # the invitation's news went out before the test
        for note in session.exec(select(Notification)):
            note.emailed = True
            session.add(note)
    return database, world, coalition, {"dana": dana, "lena": lena, "max": max_}


def post(database, world: World, user, coalition_id: str, **body) -> dict:
    with database.session() as session:
        return messages.post_message(
            session, world.principal(user), coalition_id, MessageCreate(**body)
        )


def letters(inbox) -> dict[str, list]:
    """Each recipient's e-mails, decoded."""
    found: dict[str, list] = {}
    for envelope in inbox.messages:
        for to in envelope.rcpt_tos:
            found.setdefault(to, []).append(
                message_from_bytes(envelope.content, policy=policy.default)
            )
    return found


def test_list_mail_and_its_unsubscribe_link(listserv, smtp, clock):
    database, world, coalition, p = listserv
    inbox, _, _ = smtp
    with database.session() as session:
        principal = Principal(user_id=p["max"].id, email=p["max"].email)
        notifications.set_preference(session, principal, "daily")
    post(database, world, p["dana"], coalition.id, subject="Hearing Tuesday", body="Room 4, 9am.")
    worker = Worker(database, get_settings())
    worker.run_once()

    got = letters(inbox)
    assert set(got) == {p["lena"].email, p["max"].email}  # the author gets no copy
    mail = got[p["lena"].email][0]
    assert mail["Subject"] == "[Read by Third Grade] Hearing Tuesday"
    text = mail.get_content()
    assert "dana (Maple PTA) wrote on the Read by Third Grade list:" in text
    assert "Room 4, 9am." in text and f"/coalitions/{coalition.id}/messages#msg-" in text
    digest = got[p["max"].email][0].get_content()  # Max's daily digest brings it whole
    assert "Room 4, 9am." in digest and "/lists/unsubscribe/" in digest

    # Lena follows the link in her own e-mail: a page says the list's e-mail stopped.
    link = re.search(r"Stop e-mail from this list: (\S+)", text).group(1)
    assert link.startswith(get_settings().public_url)
    app = create_app(get_settings(), database=database)
    with TestClient(app) as client:
        page = client.get(link.removeprefix(get_settings().public_url))
        assert page.status_code == 200
        assert "no more e-mail from the Read by Third Grade list" in page.text
        assert p["lena"].email in page.text
        assert client.get(link.removeprefix(get_settings().public_url)).status_code == 200
        assert client.get("/lists/unsubscribe/forged-token").status_code == 404

    post(database, world, p["dana"], coalition.id, subject="Moved", body="Room 7 now.")
    clock.shift(timedelta(hours=25))
    worker.run_once()
    got = letters(inbox)
    assert len(got[p["lena"].email]) == 1  # nothing more for Lena by e-mail...
    assert "Room 7 now." in got[p["max"].email][1].get_content()  # ...Max's link is his own
    with database.session() as session:
        bell = session.exec(
            select(Notification.text).where(Notification.user_id == p["lena"].id)
        ).all()
    assert any("Moved" in line for line in bell)  # ...yet the bell still tells her


def test_one_persons_link_does_not_stop_anothers_mail(listserv, smtp):
    database, world, coalition, p = listserv
    inbox, _, _ = smtp
    post(database, world, p["dana"], coalition.id, subject="First", body="One")
    Worker(database, get_settings()).run_once()
    text = letters(inbox)[p["max"].email][0].get_content()
    link = re.search(r"Stop e-mail from this list: (\S+)", text).group(1)
    with TestClient(create_app(get_settings(), database=database)) as client:
        assert p["max"].email in client.get(link.removeprefix(get_settings().public_url)).text
    post(database, world, p["lena"], coalition.id, subject="Second", body="Two")
    Worker(database, get_settings()).run_once()
    got = letters(inbox)
    assert [m["Subject"] for m in got[p["dana"].email]] == ["[Read by Third Grade] Second"]
    assert len(got[p["max"].email]) == 1
