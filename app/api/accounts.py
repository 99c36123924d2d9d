"""Tokens, `/me`, and the links people get by e-mail (password resets, invitations)."""

from fastapi import Request, Response, status

from app.api.deps import CurrentPrincipal, Cursor, Limit, created_at
from app.api.openapi import problems
from app.api.routing import api_router
from app.deps import RouteSessionDep as SessionDep
from app.deps import SettingsDep, client_address
from app.schemas.accounts import (
    InvitationAccept,
    MeRead,
    MeUpdate,
    MyOrganization,
    PasswordChange,
    PasswordResetCreate,
    PasswordResetUse,
    SignupComplete,
    SignupCompleted,
    SignupCreate,
    TokenCreate,
    TokenCreated,
    TokenRead,
)
from app.schemas.base import PageOut
from app.services import account_links, accounts, profiles

router = api_router("accounts")


@router.post(
    "/tokens",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenCreated,
    responses=problems(403, 409),
)
def create_token(
    body: TokenCreate, response: Response, session: SessionDep, principal: CurrentPrincipal
) -> dict:
    """A token for the caller, with `scopes` (default: all four, as before scopes existed;
    made with a token, that token's own) and an optional `expires_at`. A token asking needs
    `admin` and gives no scope it lacks itself (403)."""
    token, plain = accounts.create_token(
        session, principal, name=body.name, scopes=body.scopes, expires_at=body.expires_at
    )
    created_at(response, f"/tokens/{token.id}")
    return {**accounts.token_view(token), "token": plain}


@router.get("/tokens", response_model=PageOut[TokenRead])
def list_tokens(
    session: SessionDep, principal: CurrentPrincipal, limit: Limit = 50, cursor: Cursor = None
) -> object:
    return accounts.list_tokens(session, principal, limit=limit, cursor=cursor)


@router.delete(
    "/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, responses=problems(404)
)
def revoke_token(token_id: str, session: SessionDep, principal: CurrentPrincipal) -> None:
    accounts.revoke_token(session, principal, token_id)


def _me(session: SessionDep, principal: CurrentPrincipal) -> MeRead:
    return MeRead(
        id=principal.user_id,
        email=principal.email,
        is_platform_admin=principal.is_platform_admin,
        organizations=[
            MyOrganization(id=o.id, name=o.name, kind=o.kind, role=role)
            for o, role in accounts.my_organizations(session, principal)
        ],
        **profiles.profile(session, principal),
    )


@router.get("/me", response_model=MeRead)
def get_me(session: SessionDep, principal: CurrentPrincipal) -> MeRead:
    return _me(session, principal)


@router.patch("/me", response_model=MeRead)
def update_me(body: MeUpdate, session: SessionDep, principal: CurrentPrincipal) -> MeRead:
    """Name, time zone (an IANA name) and how often notifications are e-mailed."""
    profiles.update_profile(session, principal, body)
    return _me(session, principal)


@router.post("/me/password", status_code=status.HTTP_204_NO_CONTENT)
def set_my_password(body: PasswordChange, session: SessionDep, principal: CurrentPrincipal) -> None:
    """A new password, given the current one (422 naming `current` when it is wrong).
    Browser sessions end; API tokens keep working."""
    profiles.change_password(session, principal, body)


@router.delete("/me/sessions", status_code=status.HTTP_204_NO_CONTENT)
def delete_my_sessions(session: SessionDep, principal: CurrentPrincipal) -> None:
    """Ends every browser session of the caller, in every web process; API tokens stay."""
    profiles.sign_out_everywhere(session, principal)


@router.post(
    "/password-resets",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problems(503),
)
def create_password_reset(
    body: PasswordResetCreate, request: Request, session: SessionDep, settings: SettingsDep
) -> None:
    """Mails a single-use link (1 hour) if the address has an account. The answer is the
    same either way; too many requests for one address or from one client are a 429."""
    account_links.request_password_reset(
        session, settings, email=body.email, address=client_address(request)
    )


@router.post(
    "/password-resets/use",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(400),
)
def set_password_from_reset(body: PasswordResetUse, session: SessionDep) -> None:
    """Sets the new password from an e-mailed link (400 when the link is unknown, used or
    expired) and ends the person's browser sessions; their API tokens keep working."""
    account_links.reset_password(session, token=body.token, password=body.password)


@router.post(
    "/invitations/accept",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problems(400),
)
def accept_invitation(body: InvitationAccept, session: SessionDep) -> None:
    """Chooses the invited person's password from an e-mailed link (400 when the link is
    unknown, used or expired); they then sign in like anyone else."""
    account_links.accept_invitation(
        session, token=body.token, password=body.password, name=body.name
    )


@router.post(
    "/signups",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problems(404, 503),
)
def create_signup(
    body: SignupCreate, request: Request, session: SessionDep, settings: SettingsDep
) -> None:
    """With COALESCE_SIGNUP=open, mails a link (1 day) to finish signing up; the answer is
    the same for an address that has an account. 404 while sign-up is by invitation."""
    account_links.request_signup(
        session, settings, email=body.email, address=client_address(request)
    )


@router.post(
    "/signups/complete",
    status_code=status.HTTP_201_CREATED,
    response_model=SignupCompleted,
    responses=problems(400, 404),
)
def complete_signup(
    body: SignupComplete, response: Response, session: SessionDep, settings: SettingsDep
) -> dict:
    """Chooses the password and makes the person's organization, which they then admin."""
    used = account_links.complete_signup(session, settings, token=body.token, signup_in=body)
    created_at(response, f"/organizations/{used.organization_id}")
    return {"user_id": used.user.id, "organization_id": used.organization_id}
