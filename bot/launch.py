"""`actionbot`'s entry point. `actionbot say TEXT` goes straight to its work; every other
command goes through the Typer app in bot.cli.

Why: `say` is what scripts and people run once per process, so its start-up is its speed.
Typer builds every command's parameters (and imports pydantic for them) before it runs one,
about a third of a cold `say` (bench/update_latency.py, docs/benchmarks.md). Only the plain
forms are taken here — global options `--db`, `--config`, `--today`, `-v`, then `say TEXT`
with `--as`/`--channel` — and they do exactly what bot.cli's `say` does (they share
`run_say`). Anything else (`--help`, an unknown option, a missing or extra argument) is left
to Typer, which answers it as before.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

GLOBAL_OPTIONS = {"--db": "db", "--config": "config", "--today": "today"}
SAY_OPTIONS = {"--as": "as_person", "--channel": "channel"}
EXIT_BUSY = 75  # the database was held by another process for the whole wait (EX_TEMPFAIL)


class CommandFailed(Exception):
    """A sentence for the person, and the exit status."""

    def __init__(self, message: str, code: int = 2) -> None:
        super().__init__(message)
        self.code = code


def parse_say(args: Sequence[str]) -> dict[str, Any] | None:
    """The options and text of a plain `say` command line; None for anything else."""
    found: dict[str, Any] = {"verbose": False}
    index = 0
    while index < len(args) and args[index] != "say":
        name, eq, inline = args[index].partition("=")
        if args[index] in ("-v", "--verbose"):
            found["verbose"] = True
            index += 1
        elif name in GLOBAL_OPTIONS and (eq or index + 1 < len(args)):
            found[GLOBAL_OPTIONS[name]] = inline if eq else args[index + 1]
            index += 1 if eq else 2
        else:
            return None
    index += 1
    text = None
    while index < len(args):
        arg = args[index]
        name, eq, inline = arg.partition("=")
        if name in SAY_OPTIONS and (eq or index + 1 < len(args)):
            found[SAY_OPTIONS[name]] = inline if eq else args[index + 1]
            index += 1 if eq else 2
        elif arg.startswith("-") or text is not None:
            return None  # --help, an option Typer knows better, or a second argument
        else:
            text = arg
            index += 1
    if text is None or index > len(args):
        return None
    found["text"] = text
    return found


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return url


def busy_sentence(exc: BaseException) -> str:
    from storage.errors import DatabaseBusy

    current: BaseException | None = exc
    for _ in range(20):  # a chain of causes is short; a cycle must not hang the exit
        if current is None:
            break
        if isinstance(current, DatabaseBusy):
            return str(current)
        current = current.__cause__ or current.__context__
    return ("the database is busy: another actionbot process is writing to it; nothing was changed. "
            "Try again when it has finished.")


def tell_waiting_once(echo: Callable[[str], None]) -> Callable[[str], None]:
    """Says on the terminal that the command is waiting, the first time it waits only (it
    may wait twice: to read the schema version, then for its unit of work)."""
    told: list[str] = []

    def tell(name: str) -> None:
        if not told:
            told.append(name)
            echo(f"Waiting for another actionbot process to finish with {name}…")

    return tell


def command_runtime(settings: Any, metrics: Any = None, *, wait: bool = True,
                    echo_err: Callable[[str], None] = lambda line: print(line, file=sys.stderr)) -> Any:
    """The runtime a command works in. `wait`: its units of work wait up to db_wait_s for
    another process that holds the SQLite file (`run` answers its senders sooner instead)."""
    from bot.app import build_runtime
    from bot.metrics import NO_METRICS
    from storage.errors import DatabaseBusy
    from storage.writer_wait import WriterWait

    writer_wait = WriterWait(settings.db_wait_s, tell_waiting_once(echo_err) if sys.stderr.isatty() else None) \
        if wait else None
    try:
        return build_runtime(settings, writer_wait=writer_wait, metrics=metrics or NO_METRICS)
    except DatabaseBusy:
        raise  # the entry point says so in one line
    except Exception as exc:  # a bad URL or an unreachable database: say which, no traceback
        raise CommandFailed(f"cannot open the database {safe_url(settings.database_url)}: {exc}") from exc


def run_say(runtime: Any, text: str, as_person: str | None, channel: str | None) -> tuple[str | None, int]:
    """One message through the pipeline every chat channel uses: (reply text, exit status)."""
    from bot.channels.console import ConsoleChannel

    console = ConsoleChannel(runtime.dispatcher.handle, as_person or runtime.settings.console_user, channel)
    reply = console.send(text)
    if reply is None:
        return None, 0
    return reply.text, 1 if reply.is_error else 0


def quick_say(parsed: dict[str, Any]) -> int:
    from bot.logs import LoggingSettingsError, configure_logging
    from config.settings import SettingsError, load_settings

    try:
        configure_logging(parsed["verbose"], os.environ)
        config = parsed.get("config")
        settings = load_settings(config_file=Path(config) if config else None, database_url=parsed.get("db"),
                                 today=parsed.get("today"))
        runtime = command_runtime(settings)
        started()
        try:
            text, code = run_say(runtime, parsed["text"], parsed.get("as_person"), parsed.get("channel"))
        finally:
            runtime.close()
    except (LoggingSettingsError, SettingsError, CommandFailed) as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return exc.code if isinstance(exc, CommandFailed) else 2
    except Exception as exc:
        from storage.errors import is_database_busy

        if not is_database_busy(exc):
            raise
        print(f"Error: {busy_sentence(exc)}", file=sys.stderr)
        return EXIT_BUSY
    if text is not None:
        print(text)
    return code


def started() -> None:
    """The command's modules are imported: collect garbage from here on, but never walk what
    start-up built (it lives as long as the process) — see main()."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def main() -> None:
    # Start-up creates a few hundred thousand objects that live as long as the process
    # (SQLAlchemy's classes and ours, compiled patterns). The cyclic collector walked them while
    # they were created and, above all, once more in the full collection at exit: 80-120 ms of a
    # cold `say` (docs/benchmarks-notes.md section 4). So it is off until the command's modules
    # are imported; started() then freezes what exists (no later collection walks it, the one at
    # exit included; as a pre-forking server does) and turns the collector back on.
    gc.disable()
    parsed = parse_say(sys.argv[1:])
    if parsed is None:
        from bot.cli import main as typer_main

        started()
        typer_main()
        return
    sys.exit(quick_say(parsed))


if __name__ == "__main__":
    main()
