"""Figures for the contract-monitoring log (not a test; pytest does not collect it):
provider detection against a register of 300, and the log's queries over 5,000 entries with
5,000 allocated actions on SQLite. Run from the repository root:

    PYTHONPATH=. .venv/bin/python tests/concerns/measure_log.py
"""
import random, string, tempfile, time
from datetime import date, datetime, timezone, timedelta
from pathlib import Path
from bot.domain.concerns import Provider, Concern, ConcernAction, Category, Source
from bot.domain.providers import detect
from tests.conftest import make_testbot
from bot.domain.model import Person, Role

rnd = random.Random(1)
def word(): return "".join(rnd.choice(string.ascii_lowercase) for _ in range(rnd.randint(5, 9))).capitalize()
providers = [Provider(f"{word()} {rnd.choice(['Homecare','Care','Care Services','Nursing'])} Ltd", (word(),), (f"{word().lower()}.example",)) for _ in range(300)]
mails = []
for i in range(1000):
    p = rnd.choice(providers)
    mails.append(dict(address=f"x@{'gmail.com' if i % 2 else p.email_domains[0]}", display_name="Jane Smith",
                      subject="Missed calls on Tuesday", body="Hello\n" * 30 + f"Kind regards\nJane\n{p.name}\nTel 0123"))
t = time.perf_counter()
hits = sum(1 for m in mails if (d := detect(providers, **m)) and d.provider)
dt = time.perf_counter() - t
print(f"detect: 1000 mails vs 300 providers: {dt*1000:.0f} ms total, {dt:.3f} ms/mail; matched {hits}")

bot = make_testbot(Path(tempfile.mkdtemp()), today=date(2026, 11, 30))
now = datetime(2026, 11, 1, tzinfo=timezone.utc)
with bot.runtime.new_uow() as uow:
    uow.people.add(Person(name="Sam Patel", role=Role.UPDATER))
    for p in providers:
        uow.providers.add(Provider(p.name, p.aliases, p.email_domains, registered_on=date(2025, 11, 1), officer="Sam Patel"))
    for i in range(5000):
        ref, _ = uow.concerns.allocate_reference(2026)
        c = uow.concerns.add(Concern(ref, Category.QUERY, "s", "b", Source.EMAIL, "r", now - timedelta(days=i % 60),
                                     provider="Unregistered Homecare", provider_proposed=True, logged_at=now))
        uow.concerns.add_action(c, ConcernAction("do it", "Sam Patel", date(2026, 11, 1) + timedelta(days=i % 60)))
    uow.commit()
for text in ("concerns overdue", "concerns due this week", "concerns timescales", "mine"):
    t = time.perf_counter(); r = bot.ok(text, as_person="Sam Patel" if text == "mine" else "Console Admin"); dt = time.perf_counter() - t
    print(f"{text!r}: {dt*1000:.0f} ms ({len(r.text.splitlines())} lines)")
with bot.runtime.new_uow() as uow:
    t = time.perf_counter(); items = uow.monitoring.due_items(date(2026, 11, 30), within_days=7); dt = time.perf_counter() - t
    print(f"due_items: {dt*1000:.0f} ms, {len(items)} items (5000 actions, 300 providers)")
    t = time.perf_counter(); n = uow.concerns.link_earlier(uow.providers.add(Provider("Unregistered Homecare", registered_on=date(2026,11,30)))); dt = time.perf_counter() - t
    print(f"link_earlier over 5000 unlinked entries: {dt*1000:.0f} ms, linked {n}")
