"""Work typed into a form whose session ended meanwhile: kept until its author signs in
again and comes back to the page, then handed back once. Kept for a day at most."""

import secrets
from datetime import timedelta

from sqlmodel import Session, col, delete, select

from app import clock
from app.models import KeptForm

KEPT_FOR = timedelta(days=1)


def keep(session: Session, *, post_path: str, return_path: str, fields: list[list[str]]) -> str:
    """Keep the posted fields; returns the secret that gets them back."""
    session.exec(delete(KeptForm).where(col(KeptForm.created_at) < clock.now() - KEPT_FOR))  # type: ignore[call-overload]
    kept = KeptForm(
        id=secrets.token_urlsafe(32),
        post_path=post_path[:500],
        return_path=return_path[:500],
        fields=fields,
        created_at=clock.now(),
    )
    session.add(kept)
    session.flush()
    return kept.id


def return_path(session: Session, secret: str) -> str | None:
    kept = session.get(KeptForm, secret)
    return kept.return_path if kept is not None else None


def take(session: Session, secret: str, path: str) -> KeptForm | None:
    """The kept form, if it belongs on this page and is fresh; handed back once."""
    kept = session.exec(select(KeptForm).where(KeptForm.id == secret)).first()
    if kept is None or kept.return_path.split("#")[0] != path:
        return None
    session.delete(kept)
    session.flush()
    if kept.created_at < clock.now() - KEPT_FOR:
        return None
    return kept
