"""Notifications made from events, and e-mail through a real SMTP server (aiosmtpd)."""

from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from app.models import EmailMessage, Notification, User
from app.principal import Principal
from app.schemas.activities import ActivityCreate, ApprovalProcessPut, ApprovalStepIn
from app.services import activities, approvals, notifications
from app.settings import get_settings
from app.worker import Worker
from tests.conftest import SETUP, World


@pytest.fixture
def campaign(committed):
    """A union with a board approver, in a coalition about to send a letter."""
    _, database = committed
    world = World(database)
    sam = world.user("sam")
    union = world.organization(sam, name="Education Association", kind="union")
    rita = world.member(union, "approver", name="rita")
    coalition = world.coalition(union)
    with database.session() as session:
        approvals.put_process(
            session, SETUP, union.id, None,
            ApprovalProcessPut(steps=[ApprovalStepIn(name="Board", approver_role="approver", expected_days=2)]),
        )  # fmt: skip
    return database, world, sam, rita, coalition


def open_letter(database, coalition_id: str) -> str:
    with database.session() as session:
        activity = activities.create_activity(
            session,
            SETUP,
            coalition_id,
            ActivityCreate(kind="sign_on_letter", title="Fund libraries"),
        )
        activities.open_activity(session, SETUP, activity.id)
        return activity.id


def kinds_for(database, user_id: str) -> list[str]:
    with database.session() as session:
        return [
            n.kind
            for n in session.exec(
                select(Notification)
                .where(Notification.user_id == user_id)
                .order_by(Notification.id)
            )
        ]


def test_asks_and_approval_steps_notify_the_right_people(campaign):
    database, _, sam, rita, coalition = campaign
    open_letter(database, coalition.id)
    assert kinds_for(database, sam.id) == ["ask_waiting", "approval_waiting"]  # admins may act too
    assert kinds_for(database, rita.id) == ["approval_waiting"]
    with database.session() as session:
        principal = Principal(user_id=rita.id, email=rita.email)
        assert notifications.unread_count(session, principal) == 1
        notifications.mark_read(session, principal, None)
        assert notifications.unread_count(session, principal) == 0


def test_immediate_email_reaches_the_smtp_server(campaign, smtp):
    database, _, sam, rita, coalition = campaign
    inbox, _, _ = smtp
    open_letter(database, coalition.id)
    Worker(database, get_settings()).run_once()
    recipients = sorted(r for m in inbox.messages for r in m.rcpt_tos)
    assert recipients == sorted([sam.email, sam.email, rita.email])
    assert any(b"Fund libraries" in m.content for m in inbox.messages)


def test_daily_digest_and_off(campaign, smtp, clock):
    database, _, sam, rita, coalition = campaign
    inbox, _, _ = smtp
    with database.session() as session:
        notifications.set_preference(session, Principal(user_id=sam.id, email=sam.email), "daily")
        notifications.set_preference(session, Principal(user_id=rita.id, email=rita.email), "off")
    open_letter(database, coalition.id)
    worker = Worker(database, get_settings())
    worker.run_once()
    assert [m.rcpt_tos for m in inbox.messages] == [[sam.email]]  # one digest, nothing for Rita
    assert b"2 updates today" in inbox.messages[0].content
    open_letter(database, coalition.id)
    worker.run_once()
    assert len(inbox.messages) == 1  # the next digest waits a day
    clock.shift(timedelta(hours=25))
    worker.run_once()
    assert len(inbox.messages) == 2


def test_email_is_retried_when_the_server_is_down(campaign, smtp, clock):
    database, _, _, _, coalition = campaign
    inbox, controller, port = smtp
    controller.stop()
    open_letter(database, coalition.id)
    worker = Worker(database, get_settings())
    worker.run_once()
    with database.session() as session:
        waiting = session.exec(select(EmailMessage)).all()
    assert {m.status for m in waiting} == {"pending"} and all(m.last_error for m in waiting)
    back = Controller(inbox, hostname="127.0.0.1", port=port)  # the server comes back
    back.start()
    clock.shift(timedelta(seconds=61))
    try:
        worker.run_once()
    finally:
        back.stop()
    with database.session() as session:
        assert {m.status for m in session.exec(select(EmailMessage))} == {"sent"}
    assert len(inbox.messages) == 3


def test_an_ask_is_e_mailed_with_its_deadline_in_the_recipients_zone(campaign, smtp, clock):
    database, _, sam, _, coalition = campaign
    inbox, _, _ = smtp
    with database.session() as session:
        person = session.get(User, sam.id)
        person.time_zone = "America/Chicago"
        session.add(person)
        activity = activities.create_activity(
            session, SETUP, coalition.id,
            ActivityCreate(kind="sign_on_letter", title="Fund libraries",
                           sign_on_deadline=datetime(2026, 12, 1, 23, 0, tzinfo=UTC)),
        )  # fmt: skip
        activities.open_activity(session, SETUP, activity.id)
    Worker(database, get_settings()).run_once()
    sent = "".join(
        message_from_bytes(m.content, policy=default).get_content()
        for m in inbox.messages
        if sam.email in m.rcpt_tos
    )
    # 23:00 UTC on 1 December is 5 pm that day in Chicago: the deadline as the e-mail is
    # written, added to the ask (whose kept text has no date that could go stale).
    assert "asked to sign “Fund libraries”. Sign by 1 Dec 2026 at 5 pm." in sent
