"""`actionbot mail …` and `actionbot providers …`: the shared mailbox and the provider records.

Sub-apps of bot.cli (which calls `use_cli`); like every command they wire a runtime through
bot.app and nothing else.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated, Any, Optional

import typer

mail_app = typer.Typer(help="The shared mailbox: poll it, see what happened to each message.", no_args_is_help=True)
providers_app = typer.Typer(help="Care providers: names, aliases and email domains (a sender's domain names "
                            "the provider of a new log entry).", no_args_is_help=True)


class _Hooks:
    """bot.cli's runtime builder and error helper, handed over by bot.cli itself (importing
    bot.cli from here would load a second copy of it under `python -m bot.cli`)."""

    runtime: Callable[[], Any]
    fail: Callable[[str], typer.Exit]


def use_cli(runtime: Callable[[], Any], fail: Callable[[str], typer.Exit]) -> None:
    _Hooks.runtime = staticmethod(runtime)  # type: ignore[assignment]
    _Hooks.fail = staticmethod(fail)  # type: ignore[assignment]


def _runtime() -> Any:
    return _Hooks.runtime()


def _fail(message: str) -> typer.Exit:
    return _Hooks.fail(message)


@mail_app.command("poll")
def mail_poll(
    once: Annotated[bool, typer.Option("--once", help="One pass over the inbox, then exit (default: keep polling).")] = False,
    interval: Annotated[Optional[float], typer.Option(help="Seconds between passes; default [mail] poll_seconds.")] = None,
) -> None:
    """Handle every message in the mailbox (default: the ./maildrop Maildir, where .eml files may
    be dropped) and print what became of each: outcome, entry reference, folder, Message-ID.

    Exit status 0; a message that cannot be read is moved to 'Needs attention', never lost.
    """
    from bot.mail.service import build_ingestor

    runtime = _runtime()
    try:
        try:
            ingestor = build_ingestor(runtime)
        except Exception as exc:
            raise _fail(f"cannot open the mailbox: {exc}")
        try:
            while True:
                for result in ingestor.poll_once():
                    typer.echo(f"{result.outcome.value:<16} {result.reference or '-':<13} {result.folder:<16} "
                               f"{result.mail_key}" + (f"  ({result.detail})" if result.detail else ""))
                if once:
                    break
                time.sleep(interval if interval is not None else ingestor.settings.poll_seconds)
        except KeyboardInterrupt:
            pass
        finally:
            ingestor.mailbox.close()
    finally:
        runtime.close()


@providers_app.command("add")
def providers_add(
    name: Annotated[str, typer.Argument(help="The provider's name, e.g. 'Acme Care'.")],
    alias: Annotated[Optional[list[str]], typer.Option("--alias", help="Another name people use (repeatable).")] = None,
    domain: Annotated[Optional[list[str]], typer.Option("--domain", help="An email domain, e.g. acmecare.co.uk "
                                                        "(repeatable; subdomains count).")] = None,
) -> None:
    """Add a provider, or add aliases and domains to an existing one."""
    from bot.domain.concerns import Provider

    runtime = _runtime()
    try:
        with runtime.new_uow() as uow:
            existing = uow.providers.get(name)
            if existing is None:
                saved = uow.providers.add(Provider(name.strip(), tuple(alias or ()), tuple(domain or ())))
                verb = "Added"
            else:
                saved = uow.providers.update(Provider(
                    existing.name, tuple(dict.fromkeys((*existing.aliases, *(alias or ())))),
                    tuple(dict.fromkeys((*existing.email_domains, *(d.lower() for d in domain or ())))),
                ))
                verb = "Updated"
            uow.commit()
    finally:
        runtime.close()
    typer.echo(f"{verb} {saved.name}: aliases {', '.join(saved.aliases) or '-'}; domains "
               f"{', '.join(saved.email_domains) or '-'}.")


@providers_app.command("list")
def providers_list() -> None:
    """List providers with their aliases and email domains."""
    runtime = _runtime()
    try:
        with runtime.new_uow() as uow:
            providers = uow.providers.list()
    finally:
        runtime.close()
    if not providers:
        typer.echo("No providers yet. Add one with `actionbot providers add 'Acme Care' --domain acmecare.co.uk`.")
    for provider in providers:
        typer.echo(f"{provider.name}\t{', '.join(provider.aliases) or '-'}\t{', '.join(provider.email_domains) or '-'}")
