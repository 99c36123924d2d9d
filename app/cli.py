"""The `coalesce` command: serve, worker, migrate, seed-demo, create-user, create-token."""

import os
from typing import Annotated

import typer
import uvicorn
from sqlmodel import Session

from app import migrate as migrations
from app.db import Database, engine_for
from app.errors import DomainError
from app.observability import configure_logging
from app.settings import get_settings

cli = typer.Typer(help="Coalesce: the working space of advocacy coalitions.", no_args_is_help=True)


def _database() -> Database:
    return Database(engine_for(get_settings()))


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Web processes to serve with. More than one runs no worker in-process: "
            "run `coalesce worker` beside them.",
        ),
    ] = 1,
    worker: Annotated[bool, typer.Option(help="Run the background worker in this process.")] = True,
) -> None:
    """Migrate, then serve the web app (with an in-process worker unless told otherwise)."""
    from app.main import create_app

    settings = get_settings()
    configure_logging(settings.log_level)
    migrations.upgrade(settings.database_url)
    if workers > 1:
        # Each process builds its own app; sessions are signed cookies, so any serves anyone.
        from app.serving import run_processes

        # The processes start afresh and read their settings from the environment: each
        # sizes its database pool as its share of the connection budget (app/db.py).
        os.environ["COALESCE_DATABASE_PROCESSES"] = str(max(settings.database_processes, workers))
        config = uvicorn.Config(
            "app.main:serve_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
            proxy_headers=True,
            # A process still importing on a busy machine is not a dead one.
            timeout_worker_healthcheck=30,
        )
        run_processes(config)
        return
    from app.serving import settle_heap

    app = create_app(settings, run_worker=worker)
    settle_heap()
    uvicorn.run(app, host=host, port=port, log_config=None, proxy_headers=True)


@cli.command()
def worker() -> None:
    """Run the background worker alone (for scale-out)."""
    from app.worker import Worker

    settings = get_settings()
    configure_logging(settings.log_level)
    Worker(_database(), settings).run_forever()


@cli.command()
def migrate() -> None:
    """Apply every pending database migration."""
    migrations.upgrade(get_settings().database_url)
    typer.echo("Database is up to date.")


@cli.command("seed-demo")
def seed_demo(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when the database has users.")
    ] = False,
) -> None:
    """Fill the database with a believable demo and print its logins (and, in development,
    the invitations waiting in the e-mail outbox, so a newcomer's first link can be followed)."""
    from app.demo import DEMO_PASSWORD, demo_logins, invitations_waiting, seed

    settings = get_settings()
    with _database().session() as session:
        seeded = seed(session, settings, only_if_empty=if_empty)
        demo_present = accounts_exist(session, demo_logins()[0][0])
        waiting = invitations_waiting(session) if settings.environment == "development" else []
    if not seeded:
        typer.echo("The database already has users; demo not seeded again.")
    if not demo_present:
        return
    typer.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, description in demo_logins():
        typer.echo(f"  {email:<34} {description}")
    if waiting:
        typer.echo("Invitations in the e-mail outbox (open a link to arrive as the invitee):")
    for message in waiting:
        typer.echo(f"  To {message.to_address}: {message.subject}")
        typer.echo("".join(f"    {line}\n" for line in message.body.splitlines() if "://" in line))


def accounts_exist(session: Session, email: str) -> bool:
    from app.services import accounts

    return accounts.find_user(session, email) is not None


@cli.command("create-user")
def create_user(
    email: str,
    admin: Annotated[bool, typer.Option("--admin", help="Make a platform admin.")] = False,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
) -> None:
    """Create a user; the password comes from COALESCE_PASSWORD or a prompt."""
    from app.services import accounts

    password = os.environ.get("COALESCE_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    try:
        with _database().session() as session:
            user = accounts.create_user(
                session, email=email, password=password, name=name, is_platform_admin=admin
            )
    except DomainError as exc:
        typer.echo(f"Error: {exc.detail}", err=True)
        raise typer.Exit(code=1) from None
    kind = "platform admin" if admin else "user"
    typer.echo(f"Created {kind} {user.email} ({user.id}).")


@cli.command("create-token")
def create_token(
    email: str,
    name: Annotated[str, typer.Option(help="What the token is for.")],
    scope: Annotated[
        list[str] | None,
        typer.Option(
            help="read, write, webhooks or admin; repeat for several (default: all four)."
        ),
    ] = None,
) -> None:
    """Create an API token for a user and print it (it is shown only once)."""
    from app.principal import SCOPES
    from app.services import accounts

    unknown = sorted(set(scope or ()) - set(SCOPES))
    if unknown:
        typer.echo(f"Error: unknown scope {', '.join(unknown)}; use {', '.join(SCOPES)}.", err=True)
        raise typer.Exit(code=1)
    with _database().session() as session:
        user = accounts.find_user(session, email)
        if user is None:
            typer.echo(f"Error: no user with e-mail {email}.", err=True)
            raise typer.Exit(code=1)
        principal = accounts.principal_for(session, user)
        _, plain = accounts.create_token(session, principal, name=name, scopes=scope or None)
    typer.echo(plain)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
