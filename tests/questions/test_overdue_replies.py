"""`overdue` at council scale (issue 18) answers byte for byte what reading every action and
deciding in Python answered: on SQLite and PostgreSQL, for the whole plan, a section and a
responsibility, in one plan and across plans. The seed is made to catch an order that is not
Python's: many actions share a due date, codes differ only in case or by an accent (PostgreSQL's
usual collation sorts those differently from Python), one code is in both plans, sections `2.1`,
`2.10` and `2.5`, more overdue actions than a reply shows, and responsibilities by full name, by
team, joint (`A / B`), none, and names that are part of other names."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from itertools import cycle

from sqlalchemy import Engine, text

from bot.context import HandlerContext
from bot.commands import ShowOverdue
from bot.domain import codes
from bot.domain.model import Action, Section, State
from bot.domain.status import days_overdue, derive_status, is_overdue
from bot.messages import ActionLine, InboundMessage, Reply
from handlers.formatting import fmt_action_line, fmt_date
from handlers.queries import handle_overdue
from storage import SqlUnitOfWork
from tests.storage_fixtures import database_url, engine, migrated_engine, new_uow  # noqa: F401

NewUow = Callable[[], SqlUnitOfWork]
TODAY = date(2025, 3, 14)
NOW = datetime(2025, 3, 14, 9, 0, tzinfo=timezone.utc)
SECTIONS = ("2.1", "2.5", "2.10", "3.1")
OWNERS = ("Sam Patel", "Samantha Jones", "Finance Team", "Finance Team / Commissioning Team", "Sam Patel / Finance Team",
          None, "", "  ", "Straße Team", "FINANCE team lead", "100% Team_x", "Dr Sam Patel-Smith")
DUES = (None, TODAY - timedelta(days=30), TODAY - timedelta(days=1), TODAY, TODAY - timedelta(days=400),
        TODAY + timedelta(days=5), TODAY - timedelta(days=1))
# Codes whose order differs between Python (code points) and a language collation: case,
# accents, punctuation, digits in text order (`AP2.1.10` before `AP2.1.9`).
SUFFIXES = ("a", "B", "b", "é", "e", "", "-x", "Z")
SCOPES = (None, "2.5", "2.10", "2.1", "2", "3.1", "9.9", "AP2.5", "Finance Team", "finance", "FINANCE TEAM", "Sam",
          "Sam Patel", "Samantha", "sam patel-smith", "strasse", "Straße", "100%", "_x", "Commissioning Team",
          "Nobody Here", "/")


def seed(new_uow: NewUow) -> None:
    owners, dues, states = cycle(OWNERS), cycle(DUES), cycle((State.IN_PROGRESS, State.NOT_STARTED, State.IN_PROGRESS,
                                                              State.COMPLETED, State.CANCELLED))
    with new_uow() as uow:
        for plan in ("Plan B", "Plan A"):
            uow.plans.upsert(plan, plan)
            for s in SECTIONS:
                uow.plans.upsert_section(Section(plan=plan, code=s, title=f"Section {s}"))
            actions = []
            for n in range(400):
                section = SECTIONS[n % 3]
                code = f"AP{section}.{n // len(SUFFIXES)}{SUFFIXES[n % len(SUFFIXES)]}"  # in both plans
                if plan == "Plan A" and n % 10 == 0:
                    code = f"AP{section}.A{n}"  # in Plan A only
                actions.append(Action(
                    code=code, title=f"Action {n} of {plan}", plan=plan, section_code=section,
                    section_title=f"Section {section}", responsibility=next(owners), due_date=next(dues),
                    progress=n % 101, state=next(states), updated_at=NOW))
            uow.actions.add_many(actions)
        uow.commit()


def collate_as_a_language(engine: Engine) -> None:
    """On PostgreSQL, codes and plan names compared as a database created with a language
    collation (en_US.UTF-8, many installs' default) compares them: not as Python does."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        collation = connection.execute(text(
            "SELECT collname FROM pg_collation WHERE collname IN ('en-US-x-icu', 'en_US.utf8', 'en_US') "
            "ORDER BY collname DESC LIMIT 1")).scalar()
        assert collation, "no language collation to test the order against"
        for table, column, size in (("actions", "code", 100), ("plans", "name", 200)):
            connection.execute(text(f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({size}) COLLATE "{collation}"'))


def old_reply(cmd: ShowOverdue, ctx: HandlerContext) -> Reply:
    """handle_overdue before issue 18's paging (8b77e42), over every action read and decided in Python."""
    actions = ctx.uow.actions.list(plan=ctx.plan)
    scope = (cmd.scope or "").strip()
    label = "Overdue"
    if scope:
        number = codes.section_number(scope)
        is_section = any(ch.isdigit() for ch in scope) and any(
            codes.section_number(s.code) == number for s in ctx.uow.plans.sections(ctx.plan))
        if is_section:
            actions = [a for a in actions if codes.section_number(a.section_code) == number]
            label = f"Overdue in {scope}"
        else:
            folded = scope.casefold()
            actions = [a for a in actions if folded in (a.responsibility or "").casefold()]
            label = f"Overdue for {scope}"
    overdue = sorted((a for a in actions if is_overdue(a, ctx.today)), key=lambda a: (a.due_date, a.code))
    empty = f"Nothing is overdue{' for ' + scope if scope else ''}."
    if not overdue:
        return Reply(text=empty, title=label, as_of=ctx.today)
    shown = overdue[:40]
    more = len(overdue) - len(shown)
    text = [f"{label} ({len(overdue)}, as of {fmt_date(ctx.today)}):"]
    text += [fmt_action_line(a, ctx.today) for a in shown]
    if more:
        text.append(f"…and {more} more. Narrow it down, e.g. `overdue 2.5`, or export the plan.")
    lines = [ActionLine(a, derive_status(a, ctx.today).value, days_overdue(a, ctx.today)) for a in shown]
    return Reply(text="\n".join(text), title=label, lines=lines, more=more, as_of=ctx.today)


def test_overdue_replies_are_what_reading_every_action_gave(new_uow: NewUow, migrated_engine: Engine) -> None:
    seed(new_uow)
    collate_as_a_language(migrated_engine)
    differ, seen_more, seen_empty = [], 0, 0
    for plan in ("Plan A", None, "No Such Plan"):
        for scope in SCOPES:
            cmd = ShowOverdue(scope=scope)
            message = InboundMessage(text=f"overdue {scope or ''}", channel="console", sender_id="tester")
            with new_uow() as uow:
                ctx = HandlerContext(uow=uow, person=None, message=message, today=TODAY, now=NOW, plan=plan)
                expected, got = old_reply(cmd, ctx), handle_overdue(cmd, ctx)
            if got != expected:
                differ.append(f"plan {plan!r}, `overdue {scope or ''}`:\n{got.text}\n--- was ---\n{expected.text}")
            seen_more += expected.more > 0
            seen_empty += not expected.lines
    assert not differ, "\n\n".join(differ)
    assert seen_more >= 8 and seen_empty >= 8  # the cases cover long and empty answers
