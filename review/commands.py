"""Click commands of this package; xunjian/cli.py adds every command listed in ``commands``."""

from __future__ import annotations

import sys

import click


@click.group("review")
def review() -> None:
    """The reviewers' web app (人工复核): serve it, manage its accounts."""


@review.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; keep 127.0.0.1 behind a reverse proxy with HTTPS.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535),
              help="TCP port to listen on.")
@click.option("--session-minutes", default=120, show_default=True, type=click.IntRange(1, 1440),
              help="Idle minutes before a reviewer must sign in again.")
@click.option("--secure-cookies", is_flag=True, help="Send the session cookie over HTTPS only.")
@click.pass_obj
def serve(obj, host: str, port: int, session_minutes: int, secure_cookies: bool) -> None:
    """Start the reviewers' web app on the configured store."""
    from werkzeug.serving import run_simple

    from .app import create_app
    from .users import list_users

    store = obj.store
    app = create_app(store, session_minutes=session_minutes, secure_cookies=secure_cookies,
                     warm_up=True)
    if not list_users(store):
        click.echo("no accounts yet: run `xunjian review add-user NAME --role admin` first",
                   err=True)
    click.echo(f"人工复核 web app: http://{host}:{port}/  (store: {obj.url})")
    run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)


@review.command("add-user")
@click.argument("name")
@click.option("--role", type=click.Choice(["reviewer", "admin"]), default="reviewer",
              show_default=True, help="reviewer: reviews findings; admin: also manages accounts.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.pass_obj
def add_user_command(obj, name: str, role: str, password_stdin: bool) -> None:
    """Create a reviewer account (or reset its role and password)."""
    from .users import UserError, add_user

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        created = add_user(obj.store, name, role, password)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{'created' if created else 'updated'} user {name} ({role})")


commands: list = [review]
