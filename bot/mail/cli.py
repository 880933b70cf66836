"""`actionbot mail ...`: the shared mailbox from the command line."""

from __future__ import annotations

import os
import time
from typing import Annotated, Optional

import typer

from bot.mail.mailbox import FILED, NEEDS_ATTENTION, PROCESSED
from config.settings import Settings, SettingsError, load_settings


def _settings(ctx: typer.Context) -> Settings:
    """The settings the root command's options name. Read from the context rather than
    bot.cli's STATE: under `python -m bot.cli` that module is __main__, a different object."""
    root = ctx.find_root()
    return load_settings(config_file=root.params.get("config"), database_url=root.params.get("db"),
                         today=root.params.get("today"))


mail_app = typer.Typer(help="The shared mailbox: check the connection, poll for new mail and see what "
                       "happened to each message.",
                       no_args_is_help=True, rich_markup_mode=None)


@mail_app.command("check")
def mail_check(ctx: typer.Context) -> None:
    """Connect with the configured mail backend ([mail] backend, or ACTIONBOT_MAIL_BACKEND:
    maildir, graph or ews) and print the inbox count and the folders, without reading or
    moving any mail. For admins setting the mailbox up. Exit status 1 when the mailbox
    cannot be reached or refuses the credentials, 2 when settings are missing."""
    from bot.mail.backends import MailboxUnavailable, MemoryCursorStore, mail_backend_name, mailbox_from_settings

    try:
        settings = _settings(ctx)
        backend = mail_backend_name(settings, os.environ)
        mailbox = mailbox_from_settings(settings, os.environ, MemoryCursorStore())
    except SettingsError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2)
    if mailbox is None:
        folder = settings.maildrop
        state = "exists" if folder.is_dir() else "does not exist yet"
        typer.echo(f"Mail backend: maildir, folder {folder} ({state}). Nothing to connect to; set [mail] backend "
                   "or ACTIONBOT_MAIL_BACKEND to graph or ews for a shared mailbox.")
        return
    typer.echo(f"Mail backend: {backend}, mailbox {mailbox.config.mailbox}")  # type: ignore[attr-defined]
    try:
        count = mailbox.inbox_count()  # type: ignore[attr-defined]
        folders = mailbox.folder_names()  # type: ignore[attr-defined]
    except MailboxUnavailable as exc:  # already a sentence naming what to check
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(1)
    finally:
        mailbox.close()
    typer.echo(f"Connected. Inbox: {count} message(s).")
    typer.echo(f"Folders: {', '.join(folders) or 'none'}")
    missing = [name for name in (PROCESSED, NEEDS_ATTENTION, FILED)
               if name.lower() not in {f.lower() for f in folders}]
    if missing:
        typer.echo(f"Created on first use: {', '.join(missing)}")


@mail_app.command("poll")
def mail_poll(
    ctx: typer.Context,
    once: Annotated[bool, typer.Option("--once", help="One pass over the inbox, then exit (default: keep polling).")] = False,
    interval: Annotated[Optional[float], typer.Option(help="Seconds between passes; default [mail] poll_seconds.")] = None,
) -> None:
    """Handle every message in the mailbox (by default the ./maildrop Maildir, where .eml files
    may be dropped) and print what became of each: outcome, entry reference, folder,
    Message-ID. A message that cannot be read goes to 'Needs attention', never lost.
    Exit status 0; 1 when the mailbox cannot be reached; 2 when settings are wrong."""
    from bot.app import build_runtime
    from bot.mail.backends import MailboxUnavailable
    from bot.mail.service import build_ingestor

    try:
        runtime = build_runtime(_settings(ctx))
    except SettingsError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2)
    try:
        try:
            ingestor = build_ingestor(runtime)
        except SettingsError as exc:
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(2)
        try:
            while True:
                for result in ingestor.poll_once():
                    typer.echo(f"{result.outcome.value:<16} {result.reference or '-':<13} {result.folder:<16} "
                               f"{result.mail_key}" + (f"  ({result.detail})" if result.detail else ""))
                if once:
                    break
                time.sleep(interval if interval is not None else ingestor.settings.poll_seconds)
        except MailboxUnavailable as exc:  # already a sentence naming what to check
            typer.echo(f"Error: {exc}", err=True)
            raise typer.Exit(1)
        except KeyboardInterrupt:
            pass
        finally:
            ingestor.mailbox.close()
    finally:
        runtime.close()
