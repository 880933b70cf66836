"""A rich progress bar for large imports, on stderr, only where someone can see it.

Shown when stderr is a terminal or the file is large (over LARGE_FILE_BYTES); otherwise
the callbacks do nothing, so scripts and tests get clean output. rich is imported only when
a bar is shown.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

LARGE_FILE_BYTES = 5_000_000


def wants_bar(path: Path, stream: Any = None) -> bool:
    stream = stream or sys.stderr
    is_terminal = bool(getattr(stream, "isatty", lambda: False)())
    return is_terminal or path.stat().st_size > LARGE_FILE_BYTES


Stage = Callable[[str, int | None], Callable[[int], None]]


@contextmanager
def import_progress(path: Path, enabled: bool) -> Iterator[Stage]:
    """Yields `stage(description, total) -> on_row(n)`; each stage gets its own bar."""
    with stage_progress(enabled) as stage:
        yield stage


@contextmanager
def stage_progress(enabled: bool) -> Iterator[Stage]:
    """The bars without a file: `actionbot concerns purge` counts entries, not rows."""
    if not enabled:
        yield lambda description, total: (lambda n: None)
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=False) as progress:
        def stage(description: str, total: int | None) -> Callable[[int], None]:
            task = progress.add_task(description, total=total)

            def on_row(count: int) -> None:
                if count % 200 == 0 or count == total:
                    progress.update(task, completed=count)

            return on_row

        yield stage
