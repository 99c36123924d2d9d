"""Settings that refuse what cannot work: the development secret outside development, a
webhook lease shorter than one send."""

import pytest
from pydantic import ValidationError

from app.settings import DEVELOPMENT_SECRET, Settings


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_the_development_secret_is_refused_outside_development(environment):
    with pytest.raises(ValidationError, match="COALESCE_SECRET_KEY must be set"):
        Settings(environment=environment, secret_key=DEVELOPMENT_SECRET)
    assert Settings(environment=environment, secret_key="a real secret").secret_key


@pytest.mark.parametrize("environment", ["development", "test"])
def test_development_and_tests_may_use_it(environment):
    assert (
        Settings(environment=environment, secret_key=DEVELOPMENT_SECRET).environment == environment
    )


def test_a_webhook_lease_must_outlast_one_send():
    with pytest.raises(ValidationError, match="LEASE_SECONDS must be longer"):
        Settings(webhook_lease_seconds=10, webhook_timeout_seconds=10)
    assert (
        Settings(webhook_lease_seconds=11, webhook_timeout_seconds=10).webhook_lease_seconds == 11
    )
