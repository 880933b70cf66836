"""What a tracker's Status (or RAG, Outcome, Direction) cell says, read into our terms.

Trackers write their status many ways: `Completed`, `Complete`, `Done`, `Closed`, `Achieved`,
`Implemented`; `On track`, `Ongoing`, `Partially implemented`; `Withdrawn`, `Superseded`;
a RAG colour (`Red`, `Amber`, `Green`, `Blue`, or just `R`/`A`/`G`/`B`); `Proposed for
closure`; a direction of travel (`Improving`, `No change`, `Declining`); several of these at
once (`Green - on track`, `Complete (Blue)`); or a sentence saying what happened (a
narrative, which becomes the latest update). A team adds its own words in the config:

    [import.status_words]
    "Signed off" = "completed"
    "Parked" = "not_started"

A word we do not know is kept (Action.file_status) and reported, never dropped. Pure: no
files, no storage.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.domain.model import State

STATE_WORDS: dict[str, State] = {
    **dict.fromkeys(("completed", "complete", "done", "closed", "achieved", "implemented", "delivered", "finished",
                     "fully implemented", "met", "resolved", "actioned"), State.COMPLETED),
    **dict.fromkeys(("in progress", "on track", "ongoing", "on-going", "started", "partially implemented",
                     "partially complete", "partly implemented", "underway", "under way", "in hand", "progressing",
                     "behind schedule", "delayed", "at risk", "off track", "slipped"), State.IN_PROGRESS),
    **dict.fromkeys(("not started", "not yet started", "not due", "not yet due", "planned", "open", "new",
                     "to do", "outstanding", "pending"), State.NOT_STARTED),
    **dict.fromkeys(("cancelled", "canceled", "withdrawn", "superseded", "no longer required",
                     "no longer needed", "not required", "deleted", "dropped"), State.CANCELLED),
}  # fmt: skip
RAG_WORDS: dict[str, str] = {
    "red": "Red", "r": "Red", "amber": "Amber", "a": "Amber", "yellow": "Amber", "green": "Green", "g": "Green",
    "blue": "Blue", "b": "Blue", "red/amber": "Red/Amber", "amber/green": "Amber/Green", "ra": "Red/Amber",
    "ag": "Amber/Green",
}  # fmt: skip
DIRECTION_WORDS: dict[str, str] = {
    "improving": "Improving", "improved": "Improving", "no change": "No change", "unchanged": "No change",
    "static": "No change", "stable": "No change", "declining": "Declining", "deteriorating": "Declining",
    "worsening": "Declining", "declined": "Declining",
}  # fmt: skip
CLOSURE_WORDS = frozenset({"proposed for closure", "propose closure", "recommended for closure",
                           "proposed to close", "for closure", "closure proposed"})
# Statuses a report derives (the seed's legend); they say nothing to store.
DERIVED_WORDS = frozenset({"overdue", "unassigned", "assigned", "check progress"})
CONFIG_STATES = {state.value: state for state in State} | {"done": State.COMPLETED, "in progress": State.IN_PROGRESS,
                                                           "not started": State.NOT_STARTED}

_SPLIT = re.compile(r"\s*(?:[-\u2013\u2014/|;,:()\[\]]|\band\b)\s*")
_KEY = re.compile(r"[^a-z0-9/ -]+")
_NARRATIVE_WORDS = 3  # a cell with more words than this, not all known, is a narrative


@dataclass(frozen=True)
class StatusReading:
    """One cell, read: any of our state, the file's RAG, direction, closure flag; the rest."""

    state: State | None = None
    rag: str | None = None
    direction: str | None = None
    proposed_for_closure: bool = False
    narrative: str | None = None  # a sentence: it becomes the latest update
    unknown: str | None = None  # a short word we do not know: kept as the file's status, reported


def word_key(text: str) -> str:
    return " ".join(_KEY.sub(" ", text.lower().replace("\u2019", "'")).split())


def parse_config_words(raw: object) -> dict[str, State]:
    """`{"Signed off": "completed"}` from `[import.status_words]` -> {"signed off": COMPLETED}.

    Raises ValueError with a sentence naming the word when a state is not one we have."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ValueError('[import.status_words] must be a table of "word" = "completed" (or in_progress, '
                         'not_started, cancelled).')
    words: dict[str, State] = {}
    for word, state in raw.items():
        found = CONFIG_STATES.get(word_key(str(state)).replace(" ", "_")) or CONFIG_STATES.get(word_key(str(state)))
        if found is None:
            raise ValueError(f"[import.status_words] {word!r} = {state!r}: the state must be one of "
                             f"completed, in_progress, not_started, cancelled.")
        words[word_key(str(word))] = found
    return words


def read_status(text: str | None, extra: Mapping[str, State] | None = None, *, rag_column: bool = False) -> StatusReading:
    """Read a status-like cell. `extra` are the team's own words (parse_config_words).

    `rag_column` is set for a column headed RAG, where single letters are colours for sure."""
    if text is None or not text.strip():
        return StatusReading()
    whole = word_key(text)
    known = _known(whole, extra, rag_column=True)
    if known is not None:
        return known
    parts = [p for p in (word_key(piece) for piece in _SPLIT.split(text)) if p]
    readings = [_known(part, extra, rag_column=rag_column) for part in parts]
    if readings and all(r is not None for r in readings):
        return _merge([r for r in readings if r is not None])
    # A narrative: its first words may still say the state ("Completed - policy approved in May").
    lead = _leading(parts, extra, rag_column) if parts else None
    if len(whole.split()) > _NARRATIVE_WORDS or lead is not None:
        base = lead or StatusReading()
        return StatusReading(base.state, base.rag, base.direction, base.proposed_for_closure,
                             narrative=" ".join(text.split()) if len(whole.split()) > 2 or lead is None else None,
                             unknown=None)
    return StatusReading(unknown=" ".join(text.split()))


def _known(key: str, extra: Mapping[str, State] | None, *, rag_column: bool) -> StatusReading | None:
    if extra and key in extra:
        return StatusReading(state=extra[key])
    if key in STATE_WORDS:
        return StatusReading(state=STATE_WORDS[key])
    if key in RAG_WORDS and (len(key) > 2 or rag_column or key in ("r", "a", "g", "b")):
        return StatusReading(rag=RAG_WORDS[key])
    if key in DIRECTION_WORDS:
        return StatusReading(direction=DIRECTION_WORDS[key])
    if key in CLOSURE_WORDS:
        return StatusReading(proposed_for_closure=True)
    if key.endswith(" rag") and key[:-4] in RAG_WORDS:  # "Green RAG"
        return StatusReading(rag=RAG_WORDS[key[:-4]])
    if key in DERIVED_WORDS:
        return StatusReading()  # understood; a report derives it, so there is nothing to keep
    return None


def _leading(parts: list[str], extra: Mapping[str, State] | None, rag_column: bool) -> StatusReading | None:
    """A known word or phrase at the very start of a narrative."""
    whole = _known(parts[0], extra, rag_column=rag_column)
    if whole is not None and len(parts) > 1:  # "Completed - policy approved in May"
        return whole
    words = parts[0].split()
    for size in (3, 2, 1):  # "Completed in May 2024 when ..."; never "New policy drafted ..."
        phrase = " ".join(words[:size])
        if len(words) >= size and phrase in _STRONG:
            return _known(phrase, extra, rag_column=False)
    return None


# Words that say the state even when a sentence follows them.
_STRONG = frozenset({"completed", "complete", "done", "closed", "achieved", "implemented", "delivered", "cancelled",
                     "withdrawn", "superseded", "ongoing", "on track", "in progress", "not started",
                     "partially implemented", "no longer required", "proposed for closure", "red", "amber", "green",
                     "blue"})


def _merge(readings: list[StatusReading]) -> StatusReading:
    state = next((r.state for r in readings if r.state), None)
    rag = next((r.rag for r in readings if r.rag), None)
    direction = next((r.direction for r in readings if r.direction), None)
    return StatusReading(state, rag, direction, any(r.proposed_for_closure for r in readings))


def is_derived_word(text: str) -> bool:
    return word_key(text) in DERIVED_WORDS
