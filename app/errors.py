"""Domain exceptions: services raise them, one handler per surface renders them."""

from typing import Any


class DomainError(Exception):
    status: int = 400
    title: str = "Bad request"
    slug: str = "bad-request"

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class Unauthorized(DomainError):
    status, title, slug = 401, "Unauthorized", "unauthorized"


class Forbidden(DomainError):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(DomainError):
    status, title, slug = 404, "Not found", "not-found"


class Conflict(DomainError):
    status, title, slug = 409, "Conflict", "conflict"


class PreconditionFailed(DomainError):
    status, title, slug = 412, "Precondition failed", "precondition-failed"


class Invalid(DomainError):
    """Bad input the schema could not catch; `errors` name the fields."""

    status, title, slug = 422, "Validation failed", "validation"

    @classmethod
    def field(cls, loc: list[str | int], msg: str) -> "Invalid":
        return cls(msg, errors=[{"loc": loc, "msg": msg}])


class TooManyRequests(DomainError):
    status, title, slug = 429, "Too many requests", "too-many-requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after


class LinkNotValid(DomainError):
    """A link from an e-mail that cannot be used: unknown (mistyped, tampered with or
    replaced by a newer one), already used, or expired. `reason` says which."""

    status, title, slug = 400, "Link not valid", "link-not-valid"

    def __init__(self, detail: str, *, reason: str) -> None:
        super().__init__(detail)
        self.reason = reason


class MailUnavailable(DomainError):
    """Coalesce has no way to send e-mail, so it cannot send a link that only e-mail carries."""

    status, title, slug = 503, "E-mail is not set up", "mail-unavailable"
