"""Links people get by e-mail travel through the outbox and a real SMTP server (aiosmtpd),
and the link in the message received is the one that works."""

import re
from datetime import timedelta
from email import message_from_bytes

from fastapi.testclient import TestClient
from sqlmodel import select

from app.main import create_app
from app.models import LinkRequest
from app.schemas.organizations import OrganizationUserCreate
from app.services import account_links, accounts
from app.settings import get_settings
from app.worker import Worker
from tests.conftest import World, basic_auth


def received(inbox, to: str) -> str:
    """The body of the last message the SMTP server received for `to`."""
    bodies = [
        message_from_bytes(envelope.content).get_payload(decode=True).decode()
        for envelope in inbox.messages
        if to in envelope.rcpt_tos
    ]
    assert bodies, f"nothing reached {to}"
    return bodies[-1]


def test_an_invitation_arrives_by_smtp_and_its_link_works(committed, smtp):
    _, database = committed
    inbox, _, _ = smtp
    settings = get_settings().model_copy(update={"public_url": "https://coalesce.example.org"})
    world = World(database)
    dana = world.user("dana", password="dana's password")
    maple = world.organization(dana, name="Maple PTA")
    with database.session() as session:
        account_links.add_person(
            session,
            accounts.principal_for(session, dana),
            settings,
            maple.id,
            OrganizationUserCreate(email="ana@example.org", role="member"),
        )
    Worker(database, settings).run_once()

    body = received(inbox, "ana@example.org")
    [url] = re.findall(r"https://coalesce\.example\.org/welcome/\S+", body)
    with TestClient(create_app(settings, database=database)) as client:
        token = url.rsplit("/", 1)[1]
        response = client.post(
            "/api/v1/invitations/accept", json={"token": token, "password": "ana's password"}
        )
        assert response.status_code == 204
        me = client.get("/api/v1/me", headers=basic_auth("ana@example.org", "ana's password"))
        assert me.json()["organizations"][0]["name"] == "Maple PTA"


def test_old_link_requests_are_forgotten_by_the_worker(committed, clock):
    _, database = committed
    settings = get_settings()
    with database.session() as session:
        account_links.request_password_reset(
            session, settings, email="nobody@example.org", address="10.0.0.1"
        )
    clock.shift(timedelta(seconds=settings.link_request_window_seconds + 1))
    assert Worker(database, settings).run_once()["forget_old_link_requests"] == 1
    with database.session() as session:
        assert session.exec(select(LinkRequest)).all() == []


def test_the_worker_answers_reset_requests_by_smtp_for_known_addresses_only(committed, smtp):
    _, database = committed
    inbox, _, _ = smtp
    settings = get_settings()
    world = World(database)
    dana = world.user("dana", password="dana's password")
    with database.session() as session:
        for email in (dana.email, "nobody@example.org"):
            account_links.request_password_reset(session, settings, email=email, address="10.0.0.1")
    done = Worker(database, settings).run_once()
    assert done["send_requested_links"] == 2
    assert "/reset-password/" in received(inbox, dana.email)
    assert not any("nobody@example.org" in envelope.rcpt_tos for envelope in inbox.messages)
    assert Worker(database, settings).run_once()["send_requested_links"] == 0  # answered once
