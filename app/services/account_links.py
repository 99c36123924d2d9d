"""People arrive by e-mail: single-use links that set a password, mailed as invitations
(7 days), password resets (1 hour) and sign-ups (1 day).

A link's token is 256 random bits shown only in the e-mail; the database keeps its hash,
so reading the table opens no account. Mailing a new link of a kind makes the person's
older unused ones of that kind stop working; using any link ends all the others.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, select

from app import clock
from app.concurrency import claimable
from app.delivery import mail
from app.errors import (
    Conflict,
    Forbidden,
    Invalid,
    LinkNotValid,
    MailUnavailable,
    NotFound,
    TooManyRequests,
)
from app.ids import new_id
from app.models import (
    AccountLink,
    Coalition,
    LinkRequest,
    Organization,
    OrganizationUser,
    User,
)
from app.models.organizations import OrganizationKind, OrgRole
from app.principal import Principal
from app.schemas.accounts import SignupComplete
from app.schemas.coalitions import MembershipCreate
from app.schemas.organizations import OrganizationCreate, OrganizationUserCreate
from app.security import hash_password, hash_token
from app.services import access, accounts, coalitions, organizations
from app.settings import Settings

log = logging.getLogger("coalesce.mail")

INVITATION = "invitation"
PASSWORD_RESET = "password_reset"  # noqa: S105 (a kind of link, not a secret)
SIGNUP = "signup"
LIFETIMES = {
    INVITATION: timedelta(days=7),
    PASSWORD_RESET: timedelta(hours=1),
    SIGNUP: timedelta(days=1),
}
# Paths of the pages that take each kind of link; the token follows.
LINK_PATHS = {INVITATION: "/welcome/", PASSWORD_RESET: "/reset-password/", SIGNUP: "/signup/"}


@dataclass(frozen=True)
class LinkUsed:
    """What following a link did: whose password is set, and where they go next."""

    user: User
    next_path: str
    organization_id: str | None = None


# Sending -------------------------------------------------------------------------------


def _require_mail(settings: Settings) -> None:
    """Without an SMTP server a development machine logs each message, so a newcomer can
    follow the link; a production one refuses, since nobody would ever receive it."""
    if not settings.smtp_url and settings.environment in {"staging", "production"}:
        raise MailUnavailable(
            "Coalesce cannot send e-mail here yet, so it cannot send this link. "
            "Ask whoever runs this Coalesce to set COALESCE_SMTP_URL."
        )


def _send(session: Session, settings: Settings, *, to: str, subject: str, body: str) -> None:
    """Queue an e-mail in the outbox, which the worker sends through COALESCE_SMTP_URL."""
    _require_mail(settings)
    if not settings.smtp_url:
        log.warning("no COALESCE_SMTP_URL: e-mail to %s not sent\n%s\n\n%s", to, subject, body)
    mail.queue_email(session, to, subject, body)


def _issue(
    session: Session,
    user: User,
    purpose: str,
    *,
    organization_id: str | None = None,
    coalition_id: str | None = None,
    invited_by: str | None = None,
) -> str:
    """A new link for `user`; returns the plain token, which only the e-mail will carry."""
    session.exec(  # type: ignore[call-overload]
        delete(AccountLink).where(
            AccountLink.user_id == user.id,
            AccountLink.purpose == purpose,
            AccountLink.used_at.is_(None),  # type: ignore[union-attr]
        )
    )
    plain = secrets.token_urlsafe(32)
    lifetime = LIFETIMES[purpose]
    moment = clock.now()
    session.add(
        AccountLink(
            id=new_id("lnk"),
            user_id=user.id,
            purpose=purpose,
            token_hash=hash_token(plain),
            organization_id=organization_id,
            coalition_id=coalition_id,
            invited_by=invited_by,
            created_at=moment,
            expires_at=moment + lifetime,
        )
    )
    session.flush()
    return plain


def link_url(settings: Settings, purpose: str, plain: str) -> str:
    return settings.public_url.rstrip("/") + LINK_PATHS[purpose] + plain


def _inviter(principal: Principal) -> str:
    return principal.name or principal.email


def send_invitation(
    session: Session,
    settings: Settings,
    *,
    user: User,
    organization: Organization,
    invited_by: Principal,
    coalition: Coalition | None = None,
) -> None:
    """Mail `user` a link that sets their password and signs them in (and, for a coalition's
    invitation, opens its joining assessment)."""
    inviter = _inviter(invited_by)
    plain = _issue(
        session,
        user,
        INVITATION,
        organization_id=organization.id,
        coalition_id=coalition.id if coalition else None,
        invited_by=inviter,
    )
    url = link_url(settings, INVITATION, plain)
    if coalition is None:
        subject = f"{inviter} invited you to {organization.name} on Coalesce"
        why = f"{inviter} added you to {organization.name} on Coalesce."
    else:
        subject = f"{inviter} invited {organization.name} to join {coalition.name}"
        why = (
            f"{inviter} invited {organization.name} to join the coalition {coalition.name} "
            "on Coalesce, with you as its first admin."
        )
    body = "\n".join(
        [
            "Hello,",
            "",
            why,
            "",
            "Choose a password to sign in (the link works once, for 7 days):",
            url,
            "",
            "If you did not expect this, you can ignore this e-mail.",
        ]
    )
    _send(session, settings, to=user.email, subject=subject, body=body)


def send_invitation_again(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    organization_id: str,
    user_id: str,
) -> None:
    """An admin mails a fresh invitation to someone who has not set a password yet; the
    earlier link stops working."""
    organization = access.get_organization(session, principal, organization_id, private=True)
    access.require_admin(principal, organization_id)
    user = session.get(User, user_id)
    if user is None or session.get(OrganizationUser, (organization_id, user_id)) is None:
        raise NotFound("No such user in this organization.")
    if user.password_hash is not None:
        raise Conflict(
            f"{user.email} has already chosen a password and can sign in.",
            code="invitation_already_accepted",
        )
    send_invitation(session, settings, user=user, organization=organization, invited_by=principal)


def add_person(
    session: Session,
    principal: Principal,
    settings: Settings,
    organization_id: str,
    user_in: OrganizationUserCreate,
) -> dict[str, Any]:
    """Give a person a role in an organization; someone without a password (a new account
    made without one, or someone invited before who never chose one) is mailed an
    invitation. An address that already has an account is added, never duplicated."""
    row = organizations.add_user(session, principal, organization_id, user_in)
    user = session.get(User, row["user_id"])
    assert user is not None
    if user.password_hash is None:
        organization = access.get_organization(session, principal, organization_id)
        send_invitation(
            session, settings, user=user, organization=organization, invited_by=principal
        )
    return row


def invite_to_coalition(
    session: Session,
    principal: Principal,
    settings: Settings,
    coalition_id: str,
    invite_in: MembershipCreate,
) -> dict[str, Any]:
    """A lead invites an organization: one already on Coalesce by its id, or one that is
    not by an e-mail address and a name."""
    if invite_in.invite_email is None:
        return coalitions.invite(session, principal, coalition_id, invite_in)
    coalition = access.get_coalition(session, principal, coalition_id)
    if not access.coalition_rights(session, principal, coalition_id).may_invite:
        raise Forbidden("Only an admin of a lead organization may invite to this coalition.")
    assert invite_in.organization_name is not None  # the schema asks for both together
    moment = clock.now()
    # Pending until its first admin chooses a password: it exists so the membership can.
    organization = Organization(
        id=new_id("org"),
        name=invite_in.organization_name,
        kind=OrganizationKind.other,
        created_at=moment,
        updated_at=moment,
    )
    session.add(organization)
    session.flush()
    organizations.announce(session, principal, "organization.created", organization)
    user = accounts.find_user(session, invite_in.invite_email) or accounts.create_user(
        session, email=invite_in.invite_email
    )
    session.add(
        OrganizationUser(
            organization_id=organization.id, user_id=user.id, role=OrgRole.admin, created_at=moment
        )
    )
    session.flush()
    membership = coalitions.invite(
        session,
        principal,
        coalition_id,
        invite_in.model_copy(update={"organization_id": organization.id, "invite_email": None}),
    )
    if user.password_hash is None:
        send_invitation(
            session,
            settings,
            user=user,
            organization=organization,
            invited_by=principal,
            coalition=coalition,
        )
    else:
        _tell_existing_admin(session, settings, user, organization, coalition, principal)
    return membership


def _tell_existing_admin(
    session: Session,
    settings: Settings,
    user: User,
    organization: Organization,
    coalition: Coalition,
    principal: Principal,
) -> None:
    """Someone who already signs in needs no password, only the way to the assessment."""
    inviter = _inviter(principal)
    path = f"/coalitions/{coalition.id}/join?organization_id={organization.id}"
    body = "\n".join(
        [
            "Hello,",
            "",
            f"{inviter} invited {organization.name} to join the coalition {coalition.name} "
            "on Coalesce, with you as its admin. See whether it fits and answer here:",
            settings.public_url.rstrip("/") + path,
        ]
    )
    subject = f"{inviter} invited {organization.name} to join {coalition.name}"
    _send(session, settings, to=user.email, subject=subject, body=body)


# Following a link ----------------------------------------------------------------------


def find_link(session: Session, token: str, purpose: str) -> AccountLink:
    """The link a token opens, or LinkNotValid saying plainly why not."""
    link = session.exec(
        select(AccountLink).where(AccountLink.token_hash == hash_token(token))
    ).first()
    if link is None or link.purpose != purpose:
        raise LinkNotValid(
            "Coalesce does not know this link. It may have been copied only in part, "
            "or replaced by a newer one sent to the same address.",
            reason="unknown",
        )
    ask = f" Ask {link.invited_by} to send you a new one." if link.invited_by else ""
    if link.used_at is not None:
        raise LinkNotValid(f"This link has already been used: each works once.{ask}", reason="used")
    if link.expires_at <= clock.now():
        raise LinkNotValid(f"This link has expired.{ask}", reason="expired")
    return link


def link_owner(session: Session, link: AccountLink) -> User:
    user = session.get(User, link.user_id)
    assert user is not None  # the link goes with its user (ON DELETE CASCADE)
    return user


def _spend(session: Session, link: AccountLink) -> None:
    """Use the link up, and with it every other unused link of the person: once a password
    is chosen, an older invitation or reset link in a mailbox must not change it again."""
    session.exec(  # type: ignore[call-overload]
        delete(AccountLink).where(
            AccountLink.user_id == link.user_id,
            AccountLink.id != link.id,
            AccountLink.used_at.is_(None),  # type: ignore[union-attr]
        )
    )
    link.used_at = clock.now()


def _check_password(password: str) -> None:
    if len(password) < accounts.MIN_PASSWORD_LENGTH:
        raise Invalid.field(
            ["body", "password"], f"Use at least {accounts.MIN_PASSWORD_LENGTH} characters."
        )
    if len(password) > 200:
        raise Invalid.field(["body", "password"], "Use at most 200 characters.")


def _landing(session: Session, link: AccountLink) -> str:
    if link.coalition_id and link.organization_id:
        return f"/coalitions/{link.coalition_id}/join?organization_id={link.organization_id}"
    if link.organization_id:
        return f"/organizations/{link.organization_id}"
    return "/"


def accept_invitation(
    session: Session, *, token: str, password: str, name: str | None = None
) -> LinkUsed:
    """Follow an invitation: the person chooses a password (and may give their name)."""
    link = find_link(session, token, INVITATION)
    _check_password(password)
    user = link_owner(session, link)
    user.password_hash = hash_password(password)
    if name and name.strip():
        user.name = name.strip()[:200]
    _spend(session, link)
    session.add_all([user, link])
    session.flush()
    return LinkUsed(user=user, next_path=_landing(session, link))


# Links on request: password resets and sign-ups ----------------------------------------


def _recent_requests(session: Session, settings: Settings, **where: str) -> int:
    since = clock.now() - timedelta(seconds=settings.link_request_window_seconds)
    column = {"email": LinkRequest.email, "address": LinkRequest.address}
    ((name, value),) = where.items()
    return session.exec(
        select(func.count())
        .select_from(LinkRequest)
        .where(column[name] == value, LinkRequest.created_at >= since)
    ).one()


def _record_request(
    session: Session, settings: Settings, *, purpose: str, email: str, address: str
) -> None:
    """Record a request for a link, for the worker to answer, or refuse one too many for
    the address or the client. Every address takes this same path (the same queries, the
    same insert, the same answer), so neither the answer, its timing nor a 429 tells an
    address with an account from one without."""
    _require_mail(settings)
    minutes = settings.link_request_window_seconds // 60
    if _recent_requests(session, settings, email=email) >= settings.link_request_limit_per_email:
        raise TooManyRequests(
            f"Several links were asked for this address already. Try again in {minutes} minutes.",
            retry_after=settings.link_request_window_seconds,
            code="too_many_link_requests",
        )
    if (
        _recent_requests(session, settings, address=address)
        >= settings.link_request_limit_per_client
    ):
        raise TooManyRequests(
            f"Too many links were asked for from here. Try again in {minutes} minutes.",
            retry_after=settings.link_request_window_seconds,
            code="too_many_link_requests",
        )
    session.add(
        LinkRequest(
            id=new_id("lrq"), purpose=purpose, email=email, address=address, created_at=clock.now()
        )
    )
    session.flush()


def request_password_reset(
    session: Session, settings: Settings, *, email: str, address: str
) -> None:
    """Ask for a reset link: the worker mails one if the address has an account."""
    email = accounts.normalize_email(email)
    _record_request(session, settings, purpose=PASSWORD_RESET, email=email, address=address)


def require_open_signup(settings: Settings) -> None:
    """Sign-up exists only when COALESCE_SIGNUP=open; otherwise it is not there at all."""
    if settings.signup != "open":
        raise NotFound("Coalesce is by invitation here: ask an organization on it to add you.")


def request_signup(session: Session, settings: Settings, *, email: str, address: str) -> None:
    """Ask for a link that finishes signing up (COALESCE_SIGNUP=open only); the worker
    mails it, or, to an address that has an account, the way to log in instead."""
    require_open_signup(settings)
    email = accounts.normalize_email(email)
    _record_request(session, settings, purpose=SIGNUP, email=email, address=address)


def send_requested_links(session: Session, *, settings: Settings) -> int:
    """For the worker: answer each recorded request by e-mail, once."""
    pending = session.exec(
        claimable(
            session,
            select(LinkRequest)
            .where(LinkRequest.handled_at.is_(None))  # type: ignore[union-attr]
            .order_by(LinkRequest.id)  # type: ignore[arg-type]
            .limit(100),
        )
    ).all()
    for request in pending:
        if request.purpose == PASSWORD_RESET:
            _mail_reset_link(session, settings, request.email)
        elif settings.signup == "open":  # sign-up may have closed since
            _mail_signup_link(session, settings, request.email)
        request.handled_at = clock.now()
        session.add(request)
    session.flush()
    return len(pending)


def _mail_reset_link(session: Session, settings: Settings, email: str) -> None:
    user = accounts.find_user(session, email)
    if user is None:
        return
    url = link_url(settings, PASSWORD_RESET, _issue(session, user, PASSWORD_RESET))
    body = "\n".join(
        [
            "Hello,",
            "",
            "Someone (we hope you) asked to choose a new password for Coalesce.",
            "The link works once, for 1 hour:",
            url,
            "",
            "Choosing a new password signs you out on every other device; API tokens keep working.",
            "If you did not ask, ignore this e-mail: your password stays as it is.",
        ]
    )
    _send(session, settings, to=user.email, subject="Choose a new Coalesce password", body=body)


def _mail_signup_link(session: Session, settings: Settings, email: str) -> None:
    user = accounts.find_user(session, email)
    if user is not None and user.password_hash is not None:
        login = settings.public_url.rstrip("/")
        body = "\n".join(
            [
                "Hello,",
                "",
                "Someone (we hope you) asked to sign up for Coalesce with this address, which",
                f"already has an account. Log in at {login}/login, or choose a new password",
                f"at {login}/forgot-password.",
            ]
        )
        _send(session, settings, to=email, subject="You already have a Coalesce account", body=body)
        return
    user = user or accounts.create_user(session, email=email)
    url = link_url(settings, SIGNUP, _issue(session, user, SIGNUP))
    body = "\n".join(
        [
            "Hello,",
            "",
            "Finish signing up for Coalesce: choose a password and name your organization.",
            "The link works once, for 1 day:",
            url,
            "",
            "If you did not ask, ignore this e-mail.",
        ]
    )
    _send(session, settings, to=email, subject="Finish signing up for Coalesce", body=body)


def complete_signup(
    session: Session, settings: Settings, *, token: str, signup_in: SignupComplete
) -> LinkUsed:
    """Follow a sign-up link: the person chooses a password and makes their organization,
    of which they become the admin."""
    require_open_signup(settings)
    link = find_link(session, token, SIGNUP)
    user = link_owner(session, link)
    user.password_hash = hash_password(signup_in.password)
    user.name = signup_in.name
    _spend(session, link)
    session.add_all([user, link])
    session.flush()
    organization = organizations.create_organization(
        session,
        accounts.principal_for(session, user),
        OrganizationCreate(name=signup_in.organization_name, kind=signup_in.organization_kind),
    )
    return LinkUsed(
        user=user, next_path=f"/organizations/{organization.id}", organization_id=organization.id
    )


def reset_password(session: Session, *, token: str, password: str) -> User:
    """Set the new password and end the person's other browser sessions (API tokens stay)."""
    link = find_link(session, token, PASSWORD_RESET)
    _check_password(password)
    user = link_owner(session, link)
    user.password_hash = hash_password(password)
    user.session_version += 1
    _spend(session, link)
    session.add_all([user, link])
    session.flush()
    return user


def forget_old_link_requests(session: Session, *, settings: Settings) -> int:
    """Housekeeping for the worker: requests older than the window no longer count."""
    cutoff = clock.now() - timedelta(seconds=settings.link_request_window_seconds)
    result = session.exec(  # type: ignore[call-overload]
        delete(LinkRequest).where(
            LinkRequest.created_at < cutoff,
            LinkRequest.handled_at.is_not(None),  # type: ignore[union-attr]
        )
    )
    return result.rowcount or 0
