"""Loading feature grammars and handlers lazily (start-up) changes nothing a message gets.

A new python parses every text the grammar tests use, each from the state a one-shot
`actionbot say` starts in (nothing loaded but the core grammar: a forked child parses texts until
one loads a module, then a new child carries on), then the same texts with every grammar module
and handler loaded first. Each text must give the same result, the same
handler and, for `help`, the same help text. Run as a script it prints the comparison as JSON.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent.parent
SOURCES = [
    *sorted((TESTS / "grammar").glob("test_*.py")),
    *sorted((TESTS / "questions").glob("test_*.py")),
    *sorted((TESTS / "concerns").glob("test_*.py")),
    *sorted((TESTS / "reminders").glob("test_*.py")),
    TESTS / "test_grammar.py",
    TESTS / "test_grammar_properties.py",
    TESTS / "test_concerns.py",
    TESTS / "test_digest_chat.py",
    TESTS / "test_conversation.py",
    TESTS / "planfiles" / "test_numeric_refs.py",
]
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)
LAZY_GRAMMARS = ("bot.grammar.digest", "bot.grammar.concerns", "bot.grammar.providers", "bot.grammar.reminders")
LAZY_HANDLERS = ("bot.concern_commands", "bot.reminder_commands")
# Imported before the forks, so that each child imports only what registers rules or handlers
# (the test then takes seconds, not minutes): what the lazy modules import, not they themselves.
DEPENDENCIES = ("bot.concern_commands", "bot.reminder_commands", "bot.domain.concerns", "bot.domain.providers",
                "bot.domain.monitoring", "bot.domain.timescales", "bot.domain.reminders", "bot.domain.dates",
                "handlers.concerns", "handlers.confidential", "handlers.log_actions", "handlers.providers")
# Non-ASCII letters that case-insensitive patterns read as ASCII ones, and curly apostrophes.
EXTRA = ["\u017fnooze", "AP2.5.1 \u017fnooze 2 weeks", "I\u2019m away until Friday", "Pq-2026-0042",
         "pq-2026-0042 close", "  - what's overdue?", "CONCERNS", "Weekly Digest", "reminder button 12:1 done",
         "AP2.5.1 not mine", "ooo until 3 Dec", "status AP2.5.1", "\u212aeep going"]


def texts() -> list[str]:
    found: set[str] = set(EXTRA)
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and 0 < len(node.value) <= 300:
                found.add(node.value)
                if len(node.value) <= 40:  # commands are short: the same in capitals
                    found.add(node.value.upper())
    return sorted(found)


def describe(text: str, registry: object) -> dict[str, object]:
    """What a text gets: the parse result, its handler, and for help the text shown."""
    from bot.commands import Help
    from bot.grammar import parse
    from bot.registry import UnknownCommand
    from handlers.help import find_topic, topic_text, topics_text

    result = parse(text, TODAY)
    try:
        handler = registry.lookup(type(result))  # type: ignore[attr-defined]
        handled_by = f"{handler.__module__}.{handler.__qualname__}"
    except UnknownCommand:
        handled_by = None
    shown = None
    if isinstance(result, Help):
        topic = find_topic(result.topic) if result.topic else None
        shown = topic_text(topic, "Europe/London", NOW) if topic else topics_text()
    return {"result": repr(result), "handler": handled_by, "help": shown}


def compare(all_texts: list[str]) -> dict[str, object]:
    import importlib

    import bot.grammar
    from bot.grammar import rules
    from bot.grammar.rules import load_all_grammars
    from handlers import default_registry

    starts = {g.module: g.starts for g in rules._WAITING}

    registry = default_registry()
    for module in DEPENDENCIES:
        importlib.import_module(module)

    def loaded() -> list[str]:
        handled = [m for m in LAZY_HANDLERS if m not in registry._waiting]  # type: ignore[attr-defined]
        return [m for m in LAZY_GRAMMARS if m in sys.modules] + [f"handlers for {m}" for m in handled]

    loaded_at_start = loaded()
    lazily: list[dict[str, object]] = []
    while len(lazily) < len(all_texts):
        # A child parses texts in turn while nothing has loaded, so each is parsed from the
        # start state; it stops after the first text that loads a module, and the next child
        # (forked from the start state again) carries on from the text after it.
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            with os.fdopen(write, "w", encoding="utf-8") as out:
                for text in all_texts[len(lazily):]:
                    found = describe(text, registry)
                    found["loaded"] = loaded()
                    out.write(json.dumps(found) + "\n")
                    if found["loaded"] != loaded_at_start:
                        break
            os._exit(0)
        os.close(write)
        with os.fdopen(read, encoding="utf-8") as got:
            lazily += [json.loads(line) for line in got]
        os.waitpid(pid, 0)
    load_all_grammars()
    registry.command_types()  # every handler module loaded
    eagerly = [describe(text, registry) for text in all_texts]
    assert bot.grammar  # (imported for its declarations)
    outside = [key for key, rule in rules._KEYWORDS.items()
               if rule.__module__ in starts and key.split()[0] not in starts[rule.__module__]]
    return {"loaded_at_start": loaded_at_start, "lazily": lazily, "eagerly": eagerly, "keywords_outside": outside,
            "lazy_keywords": sum(1 for rule in rules._KEYWORDS.values() if rule.__module__ in starts)}


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks a process per text that loads a module")
def test_lazily_loaded_grammars_and_handlers_give_every_text_the_same_result(tmp_path: Path) -> None:
    all_texts = texts()
    assert len(all_texts) > 2500
    listing = tmp_path / "texts.json"
    listing.write_text(json.dumps(all_texts), encoding="utf-8")
    run = subprocess.run([sys.executable, __file__, str(listing)], capture_output=True, text=True, check=False,
                         cwd=TESTS.parent)
    assert run.returncode == 0, run.stderr[-3000:]
    found = json.loads(run.stdout)
    assert found["loaded_at_start"] == []
    assert found["keywords_outside"] == []  # every keyword of a lazy grammar starts with one of its words
    assert found["lazy_keywords"] >= 12
    differ = [(text, lazy, eager) for text, lazy, eager in zip(all_texts, found["lazily"], found["eagerly"])
              if {k: v for k, v in lazy.items() if k != "loaded"} != eager]
    assert differ == []
    by_text = dict(zip(all_texts, found["lazily"]))
    assert by_text["status AP2.5.1"]["loaded"] == []  # a one-shot `say status` builds none of them
    assert "bot.grammar.concerns" in by_text["Pq-2026-0042"]["loaded"]
    assert "handlers for bot.reminder_commands" in by_text["AP2.5.1 not mine"]["loaded"]
    assert sum(1 for f in found["lazily"] if f["help"]) > 20


if __name__ == "__main__":
    print(json.dumps(compare(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))))
