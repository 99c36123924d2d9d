"""Tokens and `/me`."""

from fastapi import APIRouter, status

from app.api.deps import CurrentPrincipal, Cursor, Limit
from app.api.openapi import problems
from app.deps import SessionDep
from app.schemas.accounts import MeRead, MyOrganization, TokenCreate, TokenCreated, TokenRead
from app.schemas.base import PageOut
from app.services import accounts

router = APIRouter(tags=["accounts"])


@router.post(
    "/tokens",
    status_code=status.HTTP_201_CREATED,
    response_model=TokenCreated,
    responses=problems(409),
)
def create_token(body: TokenCreate, session: SessionDep, principal: CurrentPrincipal) -> dict:
    token, plain = accounts.create_token(session, principal, name=body.name)
    return {**TokenRead.model_validate(token).model_dump(), "token": plain}


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


@router.get("/me", response_model=MeRead)
def get_me(session: SessionDep, principal: CurrentPrincipal) -> MeRead:
    return MeRead(
        id=principal.user_id,
        email=principal.email,
        name=principal.name,
        is_platform_admin=principal.is_platform_admin,
        organizations=[
            MyOrganization(id=o.id, name=o.name, kind=o.kind, role=role)
            for o, role in accounts.my_organizations(session, principal)
        ],
    )
