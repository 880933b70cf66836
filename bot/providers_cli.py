"""`actionbot providers …`: the care providers the contract-monitoring log names, and their
monitoring schedule.

`add`, `list`, `show NAME`, `import FILE` (CSV or xlsx) and `schedule [--due-within 30]`.
Registering a provider, or a domain of one, links the earlier entries that name it and says
how many. A sub-app of bot.cli; like every command it wires a runtime through bot.app and
nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

providers_app = typer.Typer(help="Care providers: names, aliases and email domains (a sender's domain names "
                            "the provider of a new log entry), officer, risk and monitoring schedule.",
                            no_args_is_help=True, rich_markup_mode=None)


def _cli() -> Any:
    from bot import cli  # loaded already: this module is a sub-app of bot.cli

    return cli


def _runtime() -> Any:
    return _cli()._runtime()


class RegisterError(ValueError):
    """A provider that cannot be registered as asked; the message says why."""


def register_provider(uow: Any, name: str, aliases: tuple[str, ...], domains: tuple[str, ...], officer: str | None,
                      risk: str | None, today: Any) -> tuple[Any, str, int]:
    """Add the provider, or add aliases and domains to the one of that name (setting officer
    and risk when given); then link earlier entries that name it. (provider, verb, linked)."""
    from dataclasses import replace

    from bot.domain.concerns import Provider, provider_for_email

    clean_domains = tuple(dict.fromkeys(d.lower().lstrip("@") for d in domains))
    existing = uow.providers.get(name)
    others = [p for p in uow.providers.list() if existing is None or p.id != existing.id]
    for domain in clean_domains:
        owner = provider_for_email(others, f"x@{domain}")
        if owner is not None:
            raise RegisterError(f"the domain {domain} already belongs to {owner.name}")
    if existing is None:
        saved = uow.providers.add(Provider(" ".join(name.split()), tuple(aliases), clean_domains, officer=officer,
                                           risk=risk, registered_on=today))
        verb = "Added"
    else:
        saved = uow.providers.update(replace(
            existing, aliases=tuple(dict.fromkeys((*existing.aliases, *aliases))),
            email_domains=tuple(dict.fromkeys((*existing.email_domains, *clean_domains))),
            officer=officer or existing.officer, risk=risk or existing.risk))
        verb = "Updated"
    return saved, verb, uow.concerns.link_earlier(saved)


def _linked(count: int) -> str:
    if not count:
        return ""
    return f" {count} earlier {'entry' if count == 1 else 'entries'} naming it {'was' if count == 1 else 'were'} linked."


@providers_app.command("add")
def providers_add(
    name: Annotated[str, typer.Argument(help="The provider's name, e.g. 'Acme Care'.")],
    alias: Annotated[Optional[list[str]], typer.Option("--alias", help="Another name people use (repeatable).")] = None,
    domain: Annotated[Optional[list[str]], typer.Option("--domain", help="An email domain, e.g. acmecare.co.uk "
                                                        "(repeatable; subdomains count).")] = None,
    officer: Annotated[Optional[str], typer.Option("--officer", help="The Contract Monitoring Officer allocated "
                                                   "(a person from `actionbot people list`).")] = None,
    risk: Annotated[Optional[str], typer.Option("--risk", help="high, medium or low (sets how often focused "
                                                "visits fall due).")] = None,
) -> None:
    """Add a provider, or add aliases and domains to an existing one; earlier entries that name
    it are linked to it."""
    from bot.domain.monitoring import risk_from_words
    from bot.domain.providers import domain_from_text

    cli = _cli()
    if risk is not None and risk_from_words(risk) is None:
        raise cli.fail(f"risk '{risk}' is not one of high, medium, low; nothing was changed.")
    domains = []
    for text in domain or ():
        found = domain_from_text(text)
        if found is None:
            raise cli.fail(f"'{text}' is not an email domain (e.g. brightwell.co.uk); nothing was changed.")
        domains.append(found)
    if not name.strip():
        raise cli.fail("a provider needs a name; nothing was changed.")
    runtime = _runtime()
    try:
        with runtime.new_uow() as uow:
            if officer is not None and uow.people.get(officer) is None:
                raise cli.fail(f"there is no person called '{officer}' (see `actionbot people list`); nothing was "
                               "changed.")
            person = uow.people.get(officer) if officer else None
            try:
                saved, verb, linked = register_provider(uow, name, tuple(alias or ()), tuple(domains),
                                                        person.name if person else None,
                                                        risk.lower() if risk else None, runtime.clock.today())
            except RegisterError as exc:
                raise cli.fail(f"{exc}; nothing was changed.")
            uow.commit()
    finally:
        runtime.close()
    typer.echo(f"{verb} {saved.name}: aliases {', '.join(saved.aliases) or '-'}; domains "
               f"{', '.join(saved.email_domains) or '-'}; officer {saved.officer or '-'}; risk "
               f"{saved.risk or 'medium (default)'}.{_linked(linked)}")


@providers_app.command("list")
def providers_list() -> None:
    """List providers: name, aliases, email domains, officer, risk (tab-separated)."""
    runtime = _runtime()
    try:
        with runtime.new_uow() as uow:
            providers = uow.providers.list()
    finally:
        runtime.close()
    if not providers:
        typer.echo("No providers yet. Add one with `actionbot providers add 'Acme Care' --domain acmecare.co.uk`, "
                   "or a list with `actionbot providers import providers.csv`.")
    for provider in providers:
        typer.echo(f"{provider.name}\t{', '.join(provider.aliases) or '-'}\t{', '.join(provider.email_domains) or '-'}"
                   f"\t{provider.officer or '-'}\t{provider.risk or '-'}")


@providers_app.command("show")
def providers_show(name: Annotated[str, typer.Argument(help="The provider (a name, an alias, or its first words).")]
                   ) -> None:
    """The provider's page: open entries by category (confidential ones as a count), open and
    overdue actions, last and next visits and meetings, risk, timescales met, recent history."""
    from bot.app import log_settings
    from bot.domain.progress import UpdateRefused
    from handlers.providers import find_provider, provider_page

    cli = _cli()
    runtime = _runtime()
    try:
        with runtime.new_uow() as uow:
            try:
                provider = find_provider(uow, name)
            except UpdateRefused as exc:
                raise cli.fail(str(exc))
            text = provider_page(uow, provider, None, runtime.clock.today(), log_settings(runtime.settings),
                                 runtime.settings.timezone)
    finally:
        runtime.close()
    typer.echo(text)


@providers_app.command("import")
def providers_import(file: Annotated[Path, typer.Argument(help="A CSV or xlsx list with a header row: name, "
                                                          "aliases, domains, allocated officer, risk.")]) -> None:
    """Add or update providers from a list. A bad row is named by its line and left out; the
    rest is imported in one go. Earlier entries that name an imported provider are linked."""
    from bot.providers_import import BadLine, ProviderFileError, read_provider_file

    cli = _cli()
    try:
        lines, bad = read_provider_file(file)
    except ProviderFileError as exc:
        raise cli.fail(f"{exc} Nothing was imported.")
    runtime = _runtime()
    added = updated = linked = 0
    warnings: list[str] = []
    try:
        with runtime.new_uow() as uow:
            today = runtime.clock.today()
            for line in lines:
                person = uow.people.get(line.officer) if line.officer else None
                if line.officer and person is None:
                    warnings.append(f"line {line.line}: officer '{line.officer}' is not a known person; add them with "
                                    "`actionbot people add` and set it with `provider NAME officer NAME`")
                try:
                    _, verb, count = register_provider(uow, line.name, line.aliases, line.domains,
                                                       person.name if person else None, line.risk, today)
                except RegisterError as exc:
                    bad.append(BadLine(line.line, str(exc)))
                    continue
                added += verb == "Added"
                updated += verb == "Updated"
                linked += count
            uow.commit()
    finally:
        runtime.close()
    relinked = (f" {linked} earlier {'entry was' if linked == 1 else 'entries were'} linked to {'its' if linked == 1 else 'their'} "
                "provider." if linked else "")
    typer.echo(f"Imported {file.name}: {added} added, {updated} updated.{relinked}")
    for problem in sorted(bad, key=lambda b: b.line):
        typer.echo(f"Not imported, {problem}.", err=True)
    for warning in warnings:
        typer.echo(f"Note, {warning}.", err=True)


@providers_app.command("schedule")
def providers_schedule(
    due_within: Annotated[Optional[int], typer.Option("--due-within", metavar="DAYS", help="Only activities due "
                                                      "within this many days (overdue ones always show).")] = None,
) -> None:
    """Every provider's monitoring activities (yearly visit, focused visits by risk, liaison
    meeting, provider forum, call-monitoring review): owner, last done, next due, soonest first."""
    from datetime import timedelta

    from bot.app import log_settings

    cli = _cli()
    if due_within is not None and not 0 <= due_within <= 3660:
        raise cli.fail("--due-within is a number of days from 0 to 3660.")
    runtime = _runtime()
    try:
        today = runtime.clock.today()
        with runtime.new_uow() as uow:
            items = uow.monitoring.schedule(today, log_settings(runtime.settings).frequencies)
    finally:
        runtime.close()
    if due_within is not None:
        items = [i for i in items if i.due <= today + timedelta(days=due_within)]
    if not items:
        typer.echo("Nothing is scheduled" + (f" within {due_within} days." if due_within is not None else
                                             ": no providers are registered."))
        return
    typer.echo("due\tprovider\tactivity\towner\tlast done\tstatus")
    for item in items:
        status = "overdue" if item.overdue(today) else "due"
        typer.echo(f"{item.due:%Y-%m-%d}\t{item.provider.name}\t{item.activity.value}\t{item.owner or '-'}\t"
                   f"{item.last_done.isoformat() if item.last_done else '-'}\t{status}")
