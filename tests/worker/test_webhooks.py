"""Webhook delivery on real commits, to a real receiver, verified with standardwebhooks."""

import socket
from datetime import timedelta

import pytest
from sqlmodel import select

from app.models import Notification, WebhookAttempt, WebhookDelivery, WebhookSubscription
from app.schemas.webhooks import WebhookCreate
from app.services import webhooks
from app.settings import get_settings
from app.worker import Worker
from tests.conftest import SETUP, World
from tests.receiver import running_receiver


@pytest.fixture
def receiver():
    with running_receiver() as receiver:
        yield receiver


@pytest.fixture
def setting(committed, receiver):
    """Two organizations in one coalition; the member subscribes to everything."""
    _, database = committed
    world = World(database)
    lead_admin = world.user("dana")
    lead = world.organization(lead_admin, name="State PTA")
    member_admin = world.user("lena")
    member = world.organization(member_admin, name="Read Together")
    with database.session() as session:
        subscription, secret = webhooks.create_subscription(
            session,
            SETUP,
            WebhookCreate(url=receiver.url, event_types=["*"], organization_id=member.id),
            settings=get_settings(),
        )
    return {"database": database, "world": world, "lead": lead, "member": member,
            "subscription_id": subscription.id, "secret": secret, "member_admin": member_admin}  # fmt: skip


def run_worker(database, times: int = 1, **settings) -> None:
    worker = Worker(database, get_settings().model_copy(update=settings))
    for _ in range(times):
        worker.run_once()


def test_an_event_reaches_the_listener_signed(setting, receiver):
    world = setting["world"]
    coalition = world.coalition(setting["lead"])
    world.join(coalition, setting["member"])
    run_worker(setting["database"])

    types = [r.json["type"] for r in receiver.received]
    assert types == ["membership.changed", "membership.changed"]
    first = receiver.received[0]
    assert first.verify(setting["secret"])["data"]["organization_id"] == setting["member"].id
    assert set(first.json) == {"type", "timestamp", "data"}
    assert first.headers["webhook-signature"].startswith("v1,")
    with setting["database"].session() as session:
        deliveries = session.exec(select(WebhookDelivery)).all()
    assert {d.status for d in deliveries} == {"succeeded"}


def test_only_events_the_organization_may_see(setting, receiver):
    world = setting["world"]
    other = world.organization(name="Elsewhere")
    world.coalition(other)  # the convener's own membership event: not ours to see
    world.coalition(setting["lead"])
    run_worker(setting["database"])
    assert receiver.received == []


def test_down_then_up_retries_and_logs_every_attempt(setting, receiver, clock):
    schedule = {"webhook_retry_schedule": "0,5,300"}
    receiver.answers.extend([503, 500])
    with setting["database"].session() as session:
        webhooks.send_test(session, SETUP, setting["subscription_id"])
    run_worker(setting["database"], **schedule)
    clock.shift(timedelta(seconds=6))
    run_worker(setting["database"], **schedule)
    clock.shift(timedelta(seconds=301))
    run_worker(setting["database"], **schedule)

    assert len(receiver.received) == 3
    assert len(set(receiver.ids)) == 1  # the same webhook-id on every attempt
    with setting["database"].session() as session:
        delivery = session.exec(select(WebhookDelivery)).one()
        attempts = session.exec(select(WebhookAttempt).order_by(WebhookAttempt.id)).all()
    assert delivery.status == "succeeded"
    assert [a.status_code for a in attempts] == [503, 500, 200]


def test_gone_disables_the_subscription_and_tells_the_admins(setting, receiver):
    receiver.answers.append(410)
    database = setting["database"]
    with database.session() as session:
        webhooks.send_test(session, SETUP, setting["subscription_id"])
    run_worker(database)
    # Later events find the subscription disabled: nothing is queued or sent.
    world = setting["world"]
    world.join(world.coalition(setting["lead"]), setting["member"])
    run_worker(database, times=2)
    assert len(receiver.received) == 1
    with database.session() as session:
        assert len(session.exec(select(WebhookDelivery)).all()) == 1
        subscription = session.get(WebhookSubscription, setting["subscription_id"])
        notes = session.exec(
            select(Notification).where(Notification.user_id == setting["member_admin"].id)
        ).all()
    assert subscription.enabled is False and "410" in subscription.disabled_reason
    assert "webhook_disabled" in [n.kind for n in notes]


def test_rotation_signs_with_both_secrets_for_a_day(setting, receiver, clock):
    database = setting["database"]
    with database.session() as session:
        _, new_secret = webhooks.rotate_secret(
            session, SETUP, setting["subscription_id"], settings=get_settings()
        )
        webhooks.send_test(session, SETUP, setting["subscription_id"])
    run_worker(database)
    signed = receiver.received[-1]
    assert len(signed.headers["webhook-signature"].split(" ")) == 2
    signed.verify(setting["secret"])
    signed.verify(new_secret)

    clock.shift(timedelta(hours=25))
    with database.session() as session:
        webhooks.send_test(session, SETUP, setting["subscription_id"])
    run_worker(database)
    assert len(receiver.received[-1].headers["webhook-signature"].split(" ")) == 1
    receiver.received[-1].verify(new_secret)


def test_private_addresses_are_refused_again_at_delivery(setting, receiver):
    """Subscribed while private addresses were allowed; by delivery time they are not
    (as when a name starts resolving somewhere else): nothing leaves, the attempt says why."""
    database = setting["database"]
    with database.session() as session:
        webhooks.send_test(session, SETUP, setting["subscription_id"])
    run_worker(database, webhook_allow_private_urls=False)
    assert receiver.received == []
    with database.session() as session:
        attempt = session.exec(select(WebhookAttempt)).one()
    assert attempt.status_code is None and "address" in attempt.error


def test_an_endpoint_that_keeps_connections_open_gets_each_delivery_once(setting):
    database = setting["database"]
    with running_receiver(keep_alive=True) as keeping:
        with database.session() as session:
            subscription = session.get(WebhookSubscription, setting["subscription_id"])
            subscription.url = keeping.url
            session.add(subscription)
            for _ in range(40):
                webhooks.send_test(session, SETUP, subscription.id)
        run_worker(database, webhook_concurrency=4)

    assert len(keeping.ids) == len(set(keeping.ids)) == 40
    for received in keeping.received:
        received.verify(setting["secret"])
    # Four senders, each on one connection it kept for its next delivery.
    assert len(keeping.connections) <= 4
    with database.session() as session:
        assert {d.status for d in session.exec(select(WebhookDelivery))} == {"succeeded"}


def test_secret_is_encrypted_at_rest(setting):
    with setting["database"].session() as session:
        subscription = session.get(WebhookSubscription, setting["subscription_id"])
    assert setting["secret"] not in subscription.secret_encrypted
    assert setting["secret"].removeprefix("whsec_") not in subscription.secret_encrypted


def test_five_days_without_success_disable_the_endpoint(setting, receiver, clock):
    receiver.answers.extend([500] * 20)
    database = setting["database"]
    with database.session() as session:
        webhooks.send_test(session, SETUP, setting["subscription_id"])
    run_worker(database)
    clock.shift(timedelta(days=4, hours=23))
    with database.session() as session:
        webhooks.send_test(session, SETUP, setting["subscription_id"])
    run_worker(database)
    with database.session() as session:
        assert session.get(WebhookSubscription, setting["subscription_id"]).enabled is True
    clock.shift(timedelta(hours=2))
    with database.session() as session:
        webhooks.send_test(session, SETUP, setting["subscription_id"])
    run_worker(database)
    with database.session() as session:
        subscription = session.get(WebhookSubscription, setting["subscription_id"])
    assert subscription.enabled is False
    assert subscription.disabled_reason == "No successful delivery for 5 days."


def test_a_round_starts_no_send_its_lease_could_not_cover(setting):
    """Against an endpoint that never answers, a round stops starting sends while one
    could still be under way when its lease runs out: another worker may claim them then."""
    database, world = setting["database"], setting["world"]
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)  # connections are taken by the kernel, never answered
        with database.session() as session:
            subscription = session.get(WebhookSubscription, setting["subscription_id"])
            subscription.url = f"http://127.0.0.1:{silent.getsockname()[1]}/hook"
            session.add(subscription)
        coalition = world.coalition(setting["lead"])
        world.join(coalition, setting["member"])
        with database.session() as session:
            queued = session.exec(select(WebhookDelivery)).all()
        assert len(queued) == 2
        # One sender, a 0.6 s timeout and a 1 s lease: sends may start until 0.4 s, and the
        # first one waits 0.6 s for its answer.
        run_worker(
            database, webhook_concurrency=1, webhook_timeout_seconds=0.6, webhook_lease_seconds=1
        )
        with database.session() as session:
            attempts = session.exec(select(WebhookAttempt)).all()
            left = [d for d in session.exec(select(WebhookDelivery)) if d.attempt_count == 0]
    assert len(attempts) == 1
    assert "TimeoutError" in (attempts[0].error or "")
    assert len(left) == 1  # leased still, for a later round
