"""Domain exceptions: services raise them, one handler per surface renders them.

Each kind of error has one problem `type` (its `slug`, whatever raised it) and a stable
machine `code`; a raise site names a more specific `code` where a client may act on it
(`raise Conflict("…", code="approval_step_not_active")`). The codes are listed in README.md.
"""

from typing import Any


class DomainError(Exception):
    status: int = 400
    title: str = "Bad request"
    slug: str = "bad-request"
    code: str = "bad_request"

    def __init__(
        self,
        detail: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []
        if code is not None:
            self.code = code


class Unauthorized(DomainError):
    status, title, slug = 401, "Unauthorized", "unauthorized"
    code = "unauthorized"


class Forbidden(DomainError):
    status, title, slug = 403, "Forbidden", "forbidden"
    code = "forbidden"


class NotFound(DomainError):
    status, title, slug = 404, "Not found", "not-found"
    code = "not_found"


class InsufficientScope(Forbidden):
    """An API token without the scope a route needs (a `read` token asked to write)."""

    code = "insufficient_scope"

    def __init__(self, detail: str, *, scope: str) -> None:
        super().__init__(detail)
        self.scope = scope


class Conflict(DomainError):
    """The object's state does not allow this now. Every raise names its own `code`."""

    status, title, slug = 409, "Conflict", "conflict"
    code = "conflict"


class PreconditionFailed(DomainError):
    status, title, slug = 412, "Precondition failed", "precondition-failed"
    code = "stale_version"


class Invalid(DomainError):
    """Bad input the schema could not catch; `errors` name the fields."""

    status, title, slug = 422, "Validation failed", "validation"
    code = "validation_failed"

    @classmethod
    def field(cls, loc: list[str | int], msg: str) -> "Invalid":
        return cls(msg, errors=[{"loc": loc, "msg": msg}])


class TooManyRequests(DomainError):
    status, title, slug = 429, "Too many requests", "too-many-requests"
    code = "rate_limited"

    def __init__(self, detail: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(detail, code=code)
        self.retry_after = retry_after


class LinkNotValid(DomainError):
    """A link from an e-mail that cannot be used: unknown (mistyped, tampered with or
    replaced by a newer one), already used, or expired. `reason` says which."""

    status, title, slug = 400, "Link not valid", "link-not-valid"
    code = "link_not_valid"

    def __init__(self, detail: str, *, reason: str) -> None:
        super().__init__(detail)
        self.reason = reason


class MailUnavailable(DomainError):
    """Coalesce has no way to send e-mail, so it cannot send a link that only e-mail carries."""

    status, title, slug = 503, "E-mail is not set up", "mail-unavailable"
    code = "mail_unavailable"
