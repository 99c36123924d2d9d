"""Password and token hashing, signed session cookies and CSRF tokens."""

import hashlib
import hmac
import secrets
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_password_hash = PasswordHash((Argon2Hasher(),))
# Verified against when the e-mail is unknown, so that case takes as long as a wrong password.
_DUMMY_HASH = _password_hash.hash("coalesce-dummy-password")

TOKEN_PREFIX = "coal_"  # noqa: S105 (a prefix, not a secret)
SESSION_COOKIE = "coalesce_session"


def hash_password(password: str) -> str:
    return _password_hash.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None:
        _password_hash.verify(password, _DUMMY_HASH)
        return False
    return _password_hash.verify(password, password_hash)


def new_api_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


# Where the request's scope keeps the hash of its bearer token, once a middleware made it.
TOKEN_HASH = "coalesce.token_hash"  # noqa: S105 (a scope key, not a secret)


def hash_token(token: str) -> str:
    """API tokens carry 256 random bits, so a fast hash is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str | None, given: str | None) -> bool:
    # compare_digest takes ASCII text only; a token of ours is ASCII, so anything else is wrong.
    return bool(expected and given and given.isascii()) and hmac.compare_digest(expected, given)  # type: ignore[arg-type]


class SessionSigner:
    """Signs the browser session (user id and CSRF token) into a cookie value."""

    def __init__(self, secret_key: str, max_age_seconds: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret_key, salt="coalesce.session")
        self.max_age_seconds = max_age_seconds

    def dumps(self, data: dict[str, Any]) -> str:
        return self._serializer.dumps(data)

    def loads(self, value: str | None) -> dict[str, Any] | None:
        if not value:
            return None
        try:
            data = self._serializer.loads(value, max_age=self.max_age_seconds)
        except BadSignature:
            return None
        return data if isinstance(data, dict) else None


class ListUnsubscribeSigner:
    """Signs a person and a coalition into the unsubscribe link of the coalition's list
    e-mail. It never expires: a link in an old e-mail must still stop the mail, and
    following it twice does no harm."""

    def __init__(self, secret_key: str) -> None:
        self._serializer = URLSafeSerializer(secret_key, salt="coalesce.list-unsubscribe")

    def dumps(self, user_id: str, coalition_id: str) -> str:
        return self._serializer.dumps([user_id, coalition_id])

    def loads(self, token: str) -> tuple[str, str] | None:
        try:
            data = self._serializer.loads(token)
        except BadSignature:
            return None
        if not (
            isinstance(data, list) and len(data) == 2 and all(isinstance(d, str) for d in data)
        ):
            return None
        return data[0], data[1]
