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
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Requests served at once (waitress worker threads).")
@click.option("--session-minutes", default=120, show_default=True, type=click.IntRange(1, 1440),
              help="Idle minutes before a reviewer must sign in again.")
@click.option("--secure-cookies", is_flag=True, help="Send the session cookie over HTTPS only.")
@click.option("--behind-proxy", is_flag=True,
              help="Trust one reverse proxy's X-Forwarded-For/-Proto/-Host/-Prefix headers "
                   "(only when the app is reachable through that proxy alone).")
@click.pass_obj
def serve(obj, host: str, port: int, threads: int, session_minutes: int, secure_cookies: bool,
          behind_proxy: bool) -> None:
    """Serve the reviewers' web app (waitress) on the configured store until stopped."""
    from .app import SecretError, create_app
    from .serve import make_server
    from .users import list_users

    store = obj.store
    try:
        app = create_app(store, session_minutes=session_minutes, secure_cookies=secure_cookies,
                         warm_up=True)
    except SecretError as exc:
        raise click.ClickException(str(exc)) from None
    if not list_users(store):
        click.echo("no accounts yet: run `xunjian review add-user NAME --role admin` first",
                   err=True)
    try:
        server = make_server(app, host, port, threads=threads, behind_proxy=behind_proxy)
    except OSError as exc:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    click.echo(f"人工复核 web app: http://{host}:{port}/  (waitress, {threads} threads; "
               f"store: {obj.label})")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


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
        created = add_user(obj.open(create=True), name, role, password)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{'created' if created else 'updated'} user {name} ({role})")


commands: list = [review]
