"""The SSRF guard: every kind of address a webhook must never reach."""

import pytest

from app.errors import Invalid
from app.webhook_security import decrypt, encrypt, is_forbidden_address, resolve_and_check


@pytest.mark.parametrize(
    ("address", "forbidden"),
    [
        ("127.0.0.1", True),  # loopback
        ("::1", True),
        ("10.1.2.3", True),  # private
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("fd12:3456::1", True),  # unique local
        ("169.254.10.10", True),  # link-local
        ("fe80::1", True),
        ("169.254.169.254", True),  # cloud metadata
        ("fd00:ec2::254", True),
        ("100.64.0.1", True),  # carrier-grade NAT
        ("100.127.255.254", True),
        ("224.0.0.251", True),  # multicast
        ("ff02::1", True),
        ("240.0.0.1", True),  # reserved
        ("0.0.0.0", True),  # unspecified
        ("::ffff:127.0.0.1", True),  # IPv4-mapped loopback
        ("::ffff:10.0.0.1", True),
        ("::ffff:169.254.169.254", True),
        ("93.184.216.34", False),  # public
        ("2606:4700:4700::1111", False),
        ("100.128.0.1", False),  # just past CGNAT
    ],
)
def test_forbidden_addresses(address, forbidden):
    assert is_forbidden_address(address) is forbidden


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://[::1]/hook",
        "https://10.0.0.5/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::ffff:127.0.0.1]/hook",
        "https://100.64.1.1/hook",
        "https://localhost/hook",
        "http://93.184.216.34/hook",  # plain http only with private URLs allowed
        "ftp://93.184.216.34/hook",
        "https://user:pass@93.184.216.34/hook",
        "https://no-such-host.invalid/hook",
    ],
)
def test_refused_urls(url):
    with pytest.raises(Invalid):
        resolve_and_check(url, allow_private=False)


def test_public_address_is_accepted_and_pinned():
    assert resolve_and_check("https://93.184.216.34/hook", allow_private=False) == (
        "93.184.216.34",
        "93.184.216.34",
    )


def test_development_may_use_local_http():
    host, address = resolve_and_check("http://127.0.0.1:8080/hook", allow_private=True)
    assert (host, address) == ("127.0.0.1", "127.0.0.1")


def test_secrets_round_trip_only_with_the_same_key():
    sealed = encrypt("key-one", "whsec_abc")
    assert decrypt("key-one", sealed) == "whsec_abc"
    with pytest.raises(Exception):
        decrypt("key-two", sealed)
