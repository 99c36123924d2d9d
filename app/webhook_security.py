"""Webhook secrets (made, encrypted at rest) and the SSRF guard on webhook addresses."""

import base64
import ipaddress
import secrets
import socket
from functools import lru_cache
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.errors import Invalid

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
CGNAT = ipaddress.ip_network("100.64.0.0/10")
METADATA = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


@lru_cache
def _fernet(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"coalesce", info=b"webhook secrets"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret_key: str, value: str) -> str:
    return _fernet(secret_key).encrypt(value.encode()).decode()


def decrypt(secret_key: str, value: str) -> str:
    return _fernet(secret_key).decrypt(value.encode()).decode()


def is_forbidden_address(address: str) -> bool:
    """Loopback, private, link-local, multicast, reserved, CGNAT or cloud metadata."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT)
        or ip in METADATA
    )


def resolve_and_check(url: str, *, allow_private: bool) -> tuple[str, str]:
    """The (host, address) a delivery must connect to, after checking every address the
    host resolves to. Raises Invalid for refused addresses and schemes."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise Invalid.field(["body", "url"], "Use an https:// address.")
    if parts.scheme == "http" and not allow_private:
        raise Invalid.field(["body", "url"], "Use an https:// address.")
    if parts.username or parts.password:
        raise Invalid.field(["body", "url"], "Leave credentials out of the address.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Invalid.field(["body", "url"], f"{parts.hostname} does not resolve.") from None
    addresses = [str(info[4][0]) for info in infos]
    if not allow_private:
        refused = [a for a in addresses if is_forbidden_address(a)]
        if refused:
            raise Invalid.field(
                ["body", "url"],
                f"{parts.hostname} resolves to {refused[0]}, a private or reserved address.",
            )
    return parts.hostname, addresses[0]
