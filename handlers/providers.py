"""Handlers of providers: an entry's provider (`PQ-… provider NAME`), the provider's page
(`provider Brightwell`), its monitoring schedule (`provider Brightwell visit done 12/11/2026 -
report filed`, `… risk high`, `… officer Sam Patel`) and the register (`providers`).

The provider's page shows confidential entries as a count only, whoever asks; their actions by
reference only.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from bot.concern_commands import (
    AddProviderDomain,
    ListProviders,
    RecordVisit,
    SetConcernProvider,
    SetProviderOfficer,
    SetProviderRisk,
    ShowProvider,
)
from bot.context import HandlerContext
from bot.domain.concerns import Provider, may_see
from bot.domain.model import Person, Role
from bot.domain.monitoring import Activity, Risk, VisitRecord, provider_risk, schedule, visit_date_refusal
from bot.domain.progress import UpdateRefused
from bot.domain.providers import FREE_MAIL_DOMAINS, domain_of
from bot.domain.timescales import LogSettings, shares
from bot.messages import Reply
from handlers.formatting import fmt_date
from handlers.log_actions import _action_line, log_settings, resolve_owner
from handlers.log_entries import append_event, load_entry

RECENT = 5
MAX_ENTRY_LINES = 15


def find_provider(uow: Any, name: str) -> Provider:
    """The one provider `name` means, or UpdateRefused naming the candidates (or none)."""
    found: list[Provider] = uow.providers.find(name)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        names = ", ".join(p.name for p in found[:8])
        raise UpdateRefused(f"'{name}' matches {len(found)} providers: {names}. Type the full name. "
                            "Nothing was changed.")
    known = [p.name for p in uow.providers.list()]
    listed = (" Providers on the register: " + ", ".join(known[:10]) + ("…" if len(known) > 10 else "") + "."
              if known else " The register is empty; add one with `actionbot providers add NAME`.")
    raise UpdateRefused(f"There is no provider called '{name}' on the register.{listed}")


def _may_change_register(ctx: HandlerContext) -> None:
    if ctx.person is None:
        raise UpdateRefused("I don't know who you are yet, so I can't change the provider register. Ask an admin "
                            "to add you with `actionbot people add`.")
    if ctx.person.role is Role.VIEWER:
        raise UpdateRefused(f"{ctx.person.name} has the viewer role, which may not change the provider register.")


def linked_sentence(count: int) -> str:
    if not count:
        return "No earlier entries needed linking."
    return f"{count} earlier {'entry' if count == 1 else 'entries'} naming it {'was' if count == 1 else 'were'} linked."


def handle_set_provider(cmd: SetConcernProvider, ctx: HandlerContext) -> Reply:
    """Confirm or correct an entry's provider; one not on the register is added to it, and
    earlier entries that name it are linked."""
    concern = load_entry(ctx, cmd.reference)
    found: list[Provider] = ctx.uow.providers.find(cmd.provider)
    if len(found) > 1:
        find_provider(ctx.uow, cmd.provider)  # raises, listing them
    added = ""
    if found:
        provider = found[0]
    else:
        provider = ctx.uow.providers.add(Provider(" ".join(cmd.provider.split()), registered_on=ctx.today))
        added = " (added to the register)"
    ctx.uow.concerns.set_provider(concern, provider)
    append_event(ctx, concern, "provider", changes=(("provider", concern.provider_label, provider.name),))
    others = ctx.uow.concerns.link_earlier(provider)
    text = f"{concern.reference}: provider {provider.name}{added}. {linked_sentence(others)}"
    domain = domain_of(concern.reporter_email)
    if added and domain and domain not in FREE_MAIL_DOMAINS and not concern.is_confidential:
        text += (f" To know its mail by address from now on: `actionbot providers add \"{provider.name}\" "
                 f"--domain {domain}`.")
    # Which provider a confidential entry concerns is itself confidential: said privately.
    return Reply(text=text, as_of=ctx.today, private=concern.is_confidential)


# --- the provider's page ---------------------------------------------------------------------

def provider_page(uow: Any, provider: Provider, viewer: Person | None, today: date, settings: LogSettings,
                  zone: str) -> str:
    """Everything about one provider on one page. Confidential entries are a count only, and
    their actions a reference only, whoever reads it (the page may be read in a channel)."""
    entries = uow.concerns.list(open_only=False, provider=provider, limit=100_000)
    open_entries = [c for c in entries if c.state.value != "closed"]
    visible = [c for c in open_entries if not c.is_confidential and may_see(viewer, c)]
    confidential = sum(1 for c in open_entries if c.is_confidential)
    risk = provider_risk(provider)
    lines = [f"{provider.name} — risk {risk.value}{'' if provider.risk else ' (not set)'}; officer "
             f"{provider.officer or 'not allocated (`provider ' + provider.name + ' officer NAME`)'}"]
    if provider.aliases or provider.email_domains:
        lines.append(f"Also known as: {', '.join(provider.aliases) or '-'}; mail from: "
                     f"{', '.join(provider.email_domains) or '-'}")
    by_category: dict[str, int] = {}
    for concern in visible:
        by_category[concern.category.value] = by_category.get(concern.category.value, 0) + 1
    counts = [f"{n} {category}" for category, n in sorted(by_category.items())]
    if confidential:
        counts.append(f"{confidential} confidential (seen only with the safeguarding role)")
    lines.append(f"Open entries ({len(open_entries)}): " + ("; ".join(counts) if counts else "none"))
    for concern in visible[:MAX_ENTRY_LINES]:
        lines.append(f"  {concern.reference} [{concern.category.value}] {concern.summary if not concern.body_restricted else '(written while confidential)'} — {concern.state.value}")
    actions = [(c, a) for c, a in uow.concerns.open_actions() if c.id in {e.id for e in open_entries}]
    overdue = [pair for pair in actions if pair[1].overdue(today)]
    lines.append(f"Open actions: {len(actions)}, overdue: {len(overdue)}")
    lines += [f"  {_action_line(c, a, None, today)}" for c, a in actions[:MAX_ENTRY_LINES]]
    records = uow.monitoring.records(provider)
    lines.append("Monitoring schedule:")
    for item in schedule(provider, records, settings.frequencies, today):
        last = f"last {fmt_date(item.last_done)}" if item.last_done else "not yet done"
        late = " — OVERDUE" if item.overdue(today) else ""
        lines.append(f"  {item.activity.value} (every {item.months} month{'s' if item.months != 1 else ''}): "
                     f"{last}; next due {fmt_date(item.due)}{late}")
    share = shares(entries, settings, today, zone, key="provider").get(provider.name)
    lines.append(f"Timescales met: {share.text() if share else 'none due yet'}")
    recent = records[-RECENT:]
    if recent:
        lines.append("Recent monitoring:")
        lines += [f"  {fmt_date(r.done_on)} {r.activity.value} ({r.recorded_by})" + (f": {r.note}" if r.note else "")
                  + (f" [report: {r.report_filename}]" if r.report_filename else "") for r in reversed(recent)]
    latest = [c for c in entries if not c.is_confidential][-RECENT:]
    if latest:
        lines.append("Recent entries:")
        lines += [f"  {c.reference} [{c.category.value}] received {fmt_date(c.received_at.date())} — "
                  f"{c.state.value}" for c in reversed(latest)]
    return "\n".join(lines)


def handle_show_provider(cmd: ShowProvider, ctx: HandlerContext) -> Reply:
    provider = find_provider(ctx.uow, cmd.name)
    text = provider_page(ctx.uow, provider, ctx.person, ctx.today, log_settings(ctx), ctx.timezone)
    return Reply(text=text, title=provider.name, as_of=ctx.today)


def handle_list_providers(cmd: ListProviders, ctx: HandlerContext) -> Reply:
    providers = ctx.uow.providers.list()
    if not providers:
        return Reply(text="No providers are on the register yet. Entries still name the provider their mail shows; "
                          "confirm one with `PQ-… provider NAME`, or import a list with `actionbot providers import "
                          "FILE`.", as_of=ctx.today)
    lines = [f"Providers ({len(providers)}):"]
    lines += [f"  {p.name} — risk {provider_risk(p).value}; officer {p.officer or '-'}" for p in providers]
    return Reply(text="\n".join(lines), title="Providers", as_of=ctx.today)


# --- the schedule ------------------------------------------------------------------------------

def handle_record_visit(cmd: RecordVisit, ctx: HandlerContext) -> Reply:
    """A visit, meeting or review done (by chat, or by email with the report attached); the
    next one is scheduled from it."""
    _may_change_register(ctx)
    provider = find_provider(ctx.uow, cmd.name)
    day = cmd.done_on or ctx.today
    why = visit_date_refusal(day, ctx.today)
    if why:
        raise UpdateRefused(why)
    activity = Activity(cmd.activity)
    report = next(((name, data) for name, _, data in ctx.message.attachments), None)
    ctx.uow.monitoring.record(provider, VisitRecord(provider.name, activity, day, cmd.note, ctx.actor), ctx.now,
                              report)
    records = ctx.uow.monitoring.records(provider)
    settings = log_settings(ctx)
    next_one = next(s for s in schedule(provider, records, settings.frequencies, ctx.today) if s.activity is activity)
    filed = f" Report kept: {report[0]}." if report else ""
    extra = len(ctx.message.attachments) - 1
    if extra > 0:
        filed += f" ({extra} further attachment{'s were' if extra != 1 else ' was'} not kept: one report per visit.)"
    return Reply(text=f"{provider.name}: {activity.value} recorded on {fmt_date(day)}"
                      + (f" — {cmd.note}" if cmd.note else "") + f". Next {activity.value} due "
                      f"{fmt_date(next_one.due)}.{filed}", title=provider.name, as_of=ctx.today)


def handle_set_risk(cmd: SetProviderRisk, ctx: HandlerContext) -> Reply:
    _may_change_register(ctx)
    provider = find_provider(ctx.uow, cmd.name)
    risk = Risk(cmd.risk)
    before = provider_risk(provider)
    saved = ctx.uow.providers.update(replace(provider, risk=risk.value))
    settings = log_settings(ctx)
    focused = next(s for s in schedule(saved, ctx.uow.monitoring.records(saved), settings.frequencies, ctx.today)
                   if s.activity is Activity.FOCUSED)
    return Reply(text=f"{provider.name}: risk {before.value} → {risk.value}. Focused visits every {focused.months} "
                      f"months; the next is due {fmt_date(focused.due)}.", title=provider.name, as_of=ctx.today)


def handle_set_officer(cmd: SetProviderOfficer, ctx: HandlerContext) -> Reply:
    _may_change_register(ctx)
    provider = find_provider(ctx.uow, cmd.name)
    officer = resolve_owner(ctx, cmd.officer)
    ctx.uow.providers.update(replace(provider, officer=officer))
    return Reply(text=f"{provider.name}: officer {provider.officer or 'none'} → {officer}. {officer} owns its "
                      "monitoring schedule.", title=provider.name, as_of=ctx.today)


def handle_add_domain(cmd: AddProviderDomain, ctx: HandlerContext) -> Reply:
    """Mail from the domain names the provider from now on; earlier entries from it are linked."""
    from bot.domain.concerns import provider_for_email

    _may_change_register(ctx)
    provider = find_provider(ctx.uow, cmd.name)
    if cmd.domain in FREE_MAIL_DOMAINS:
        raise UpdateRefused(f"{cmd.domain} is a shared mail service, so its mail says nothing about which provider "
                            "wrote. Nothing was changed.")
    owner = provider_for_email([p for p in ctx.uow.providers.list() if p.id != provider.id], f"x@{cmd.domain}")
    if owner is not None:
        raise UpdateRefused(f"The domain {cmd.domain} already belongs to {owner.name}. Nothing was changed.")
    if cmd.domain in provider.email_domains:
        return Reply(text=f"{provider.name} already has the domain {cmd.domain}.", as_of=ctx.today)
    saved = ctx.uow.providers.update(replace(provider, email_domains=(*provider.email_domains, cmd.domain)))
    linked = ctx.uow.concerns.link_earlier(saved)
    return Reply(text=f"{provider.name}: mail from {cmd.domain} names it from now on. {linked_sentence(linked)}",
                 title=provider.name, as_of=ctx.today)
