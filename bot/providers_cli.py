"""`actionbot providers …`: the care providers the contract-monitoring log names.

A sub-app of bot.cli; like every command it wires a runtime through bot.app and nothing else.
"""

from __future__ import annotations

from typing import Annotated, Any, Optional

import typer

providers_app = typer.Typer(help="Care providers: names, aliases and email domains (a sender's domain names "
                            "the provider of a new log entry).", no_args_is_help=True,
                            rich_markup_mode=None)


def _runtime() -> Any:
    from bot import cli  # loaded already: this module is a sub-app of bot.cli

    return cli._runtime()  # type: ignore[no-untyped-call]


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
