"""One reminder pass: 10,000 actions and 1,000 people (SQLite), building every person's
message, with the SQL statements the pass costs counted by a SQLAlchemy `before_cursor_execute`
event. The count must not grow with the number of people: shown for 100 and 1,000.

    python bench/reminder_pass.py [--actions 10000] [--people 100 1000] [--repeat 3]

The pass is what `actionbot run` does each poll when the send time has come (bot.reminders.
sender.ReminderSender.claim_due): read every open action, person, identity, setting, team,
leave, snooze and recent send once; build every message with the pure rules; render it; claim
(person, day) rows in one INSERT per 1,500 people. Delivery (Slack, Teams, mail) is not timed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import delete, event  # noqa: E402

sys.path.insert(0, str(REPO / "bench"))
from figures import emit  # noqa: E402

from bot.domain.model import Action, Person, Role, Section, State  # noqa: E402
from bot.reminders.sender import ReminderSender  # noqa: E402
from bot.reminders.settings import ReminderSettings  # noqa: E402
from config.settings import Settings  # noqa: E402
from storage import ensure_schema, make_engine, unit_of_work_factory  # noqa: E402
from storage.reminder_tables import ReminderSendRow  # noqa: E402

MONDAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 9, 5, tzinfo=timezone.utc)  # 09:05 London (GMT)
PLAN = "Bench Plan"
PER_SECTION = 50
PER_TEAM = 10


class Nowhere:
    """Stands in for a channel: the pass is timed, not the sending."""

    kind = "email"

    def deliver(self, record, progress):  # type: ignore[no-untyped-def]
        return None

    def notify(self, address, text):  # type: ignore[no-untyped-def]
        return None


def seed(new_uow, actions: int, people: int) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(actions + people)
    teams = max(people // PER_TEAM, 1)
    with new_uow() as uow:
        for p in range(people):
            name = f"Person {p:04d}"
            added = uow.people.add(Person(name=name, role=Role.ADMIN if p < 3 else Role.UPDATER,
                                          team=f"Team {p % teams:03d}", email=f"p{p}@example.org"),
                                   {"email": f"p{p}@example.org"})
            if p < teams:
                uow.reminders.set_team(f"Team {p:03d}", lead=name)
            if p % 50 == 7:  # some on leave, half of them covered
                uow.reminders.add_leave(added.id, MONDAY - timedelta(days=2), MONDAY + timedelta(days=5),
                                        added.id - 1 if p % 100 == 7 else None, NOW, "bench")
        uow.plans.upsert(PLAN, PLAN)
        for s in range(1, actions // PER_SECTION + 1):
            uow.plans.upsert_section(Section(plan=PLAN, code=f"{s}.1", title=f"Section {s}"))
        batch = []
        for a in range(actions):
            s = a // PER_SECTION + 1
            owner = f"Person {rng.randrange(people):04d}" if rng.random() < 0.6 else f"Team {rng.randrange(teams):03d}"
            batch.append(Action(
                code=f"BENCH AP{s}.1.{a % PER_SECTION + 1}", title=f"Action {a}: review the provider's returns",
                plan=PLAN, section_code=f"{s}.1", section_title=f"Section {s}", responsibility=owner,
                due_date=MONDAY + timedelta(days=rng.randrange(-120, 60)), progress=rng.choice((0, 25, 50, 75)),
                state=State.IN_PROGRESS, latest_update="on track",
                updated_at=NOW - timedelta(days=rng.randrange(60)), updated_by="bench"))
        uow.actions.add_many(batch)
        uow.commit()


def run(actions: int, people: int, repeat: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            ensure_schema(engine)
            new_uow = unit_of_work_factory(engine)
            seed(new_uow, actions, people)
            statements: list[str] = []
            event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
            times, cpu, claimed, counts = [], [], 0, []
            for _ in range(repeat):
                # A new sender each time, as a new process would be (a sender remembers whom it built for).
                sender = ReminderSender(new_uow, {"email": Nowhere()}, "bench", Settings(), ReminderSettings())
                with new_uow() as uow:  # each run claims the same day afresh
                    uow.reminders._session.execute(delete(ReminderSendRow))
                    uow.commit()
                statements.clear()
                started, started_cpu = time.perf_counter(), time.process_time()
                claimed = len(sender.claim_due(NOW))
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
                counts.append(sum(1 for s in statements if not s.lstrip().upper().startswith(("BEGIN", "COMMIT",
                                                                                                "ROLLBACK", "SAVEPOINT",
                                                                                                "RELEASE"))))
        finally:
            engine.dispose()
    return {"seconds": statistics.median(times), "best": min(times), "cpu": statistics.median(cpu),
            "messages": claimed, "queries": max(counts)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--actions", type=int, default=10_000)
    parser.add_argument("--people", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'people':>7} {'actions':>8} {'messages':>9} {'SQL statements':>15} {'pass (median)':>14} {'best':>8} {'CPU (median)':>13}")
    for people in args.people:
        found = run(args.actions, people, args.repeat)
        print(f"{people:>7} {args.actions:>8} {found['messages']:>9.0f} {found['queries']:>15.0f} "
              f"{found['seconds'] * 1000:>12.0f}ms {found['best'] * 1000:>6.0f}ms {found['cpu'] * 1000:>11.0f}ms")
        emit(f"reminder pass, {args.actions:,} actions, {people:,} people (SQLite)", found["seconds"] * 1000, "ms",
             note=f"{found['queries']:.0f} SQL statements, {found['messages']:.0f} messages built and claimed; "
                  f"CPU {found['cpu'] * 1000:,.0f} ms")


if __name__ == "__main__":
    main()
