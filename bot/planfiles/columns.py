"""Which column of a plan file holds what: header names mapped by meaning, with overrides.

Organisations name the same column differently (`Responsibility`, `Agency`, `Lead &
Stakeholders`; `Due Date`, `Timescale for Delivery`, `Revised Implementation Date`). A header
is first looked up among the known names; failing that, it is read by its words (a header
with "timescale" or "date" in it is a due date). `--map "Column=field"` overrides both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# The fields a column can hold, with what `--map` and `--dry-run` call them.
FIELDS: dict[str, str] = {
    "plan": "plan name",
    "section": "section number",
    "section_title": "section title",
    "group": "group of actions (Theme, Objective, Workstream, ...)",
    "code": "action code",
    "title": "action title",
    "recommendation": "recommendation (kept; the title when there is no action column)",
    "responsibility": "who is responsible",
    "due": "due date",
    "original_due": "original due date",
    "raised": "date raised (never a due date; not imported)",
    "update": "latest status update",
    "progress": "progress (%)",
    "state": "status (Completed, On track, Withdrawn, ... or what happened)",
    "rag": "the file's own RAG (Red, Amber, Green, Blue)",
    "direction": "direction of travel (Improving, No change, Declining)",
    "priority": "priority",
    "closure": "proposed for closure (yes/no)",
    "recurring": "recurring timescale (Monthly, Quarterly)",
    "reported_progress": "reported section progress",
}
IGNORE = "ignore"

# Canonical field -> header names it is known by exactly (compared after `header_key`).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "plan": ("plan", "plan name"),
    "section": ("section", "section code", "section no", "section number"),
    "section_title": ("section title", "section name"),
    "group": ("theme", "objective", "priority area", "key feature", "workstream", "work stream", "item",
              "strategic objective", "strategic priority", "area", "area of focus", "outcome area", "category",
              "domain", "aim", "goal", "key area", "focus area", "heading", "topic", "agenda item"),
    "code": ("code", "action code", "action ref", "ref", "ref no", "ref no.", "ref. no", "ref. no.", "reference",
             "action no", "action no.", "action number", "no", "no.", "number", "#", "id", "action id",
             "rec no", "rec no.", "recommendation no", "recommendation number", "item no", "item no.", "ref #",
             "reference number", "log no", "log ref"),
    "title": ("action title", "title", "action", "actions", "tasks/actions", "tasks / actions", "task", "tasks",
              "improvement action", "key actions / tasks", "action / progress", "action/progress",
              "management action agreed", "management action", "agreed management action", "agreed action",
              "agreed actions", "action agreed", "actions agreed", "management response / action",
              "action required", "actions required", "action to be taken", "description", "action description",
              "what we will do", "key actions", "action point", "action points", "deliverable", "deliverables",
              "activity", "activities", "milestone", "milestones"),
    "recommendation": ("recommendation", "recommendations", "audit recommendation", "recommendation made"),
    "responsibility": ("responsibility", "owner", "lead", "responsible", "agency", "accountable officer",
                       "lead & stakeholders", "lead officer", "person responsible", "responsible officer",
                       "responsible executive lead", "executive lead", "action owner", "lead director",
                       "responsible person", "who", "by whom", "lead manager", "accountable lead", "officer"),
    "due": ("due date", "due", "timescale", "timescales", "target date", "date", "revised implementation date",
            "timescale for delivery", "deadline", "completion date", "target completion date", "by when",
            "revised date", "revised due date", "revised target date", "revised deadline", "implementation date",
            "agreed implementation date", "target", "when", "date due", "expected completion date"),
    "original_due": ("original due date", "original due", "original target date",
                     "original agreed implementation date", "original implementation date", "original deadline",
                     "original date", "original timescale"),
    "raised": ("date added", "date raised", "date identified", "date opened", "date logged", "date of meeting",
               "meeting", "meeting date", "date of action", "date created", "raised", "added", "date agreed",
               "date of report", "report date", "date issued", "source"),
    "update": ("latest status update", "status update", "latest update", "update", "notes", "note",
               "progress/notes", "progress / notes", "comment / how we will deliver", "comments", "comment",
               "progress update", "progress to date", "update on progress", "progress / update", "progress/update",
               "current position", "position statement", "latest position", "progress commentary",
               "management response", "commentary", "narrative", "evidence", "update/comments",
               "progress and comments", "progress comments", "action taken", "actions taken"),
    "progress": ("status progress", "progress", "% complete", "percent complete", "complete", "% progress",
                 "% completed", "percentage complete", "% done"),
    "state": ("state", "status", "outcome", "current status", "action status", "implementation status",
              "status of action", "overall status", "completed?", "complete?", "closed?"),
    "rag": ("rag", "rag status", "rag rating", "brag", "brag status", "rating", "status (rag)", "rag status (r/a/g)",
            "r/a/g", "rag score", "rag rating (current)"),
    "direction": ("direction of travel", "direction", "trend", "dot", "direction of travel (dot)"),
    "priority": ("priority", "priority rating", "risk rating", "risk priority", "priority level", "grade",
                 "recommendation priority", "audit priority", "priority (high/medium/low)"),
    "closure": ("proposed for closure", "proposed for closure?", "closure proposed", "for closure",
                "recommended for closure"),
    "recurring": ("recurring", "frequency", "recurring timescale", "how often"),
    "reported_progress": ("reported progress",),
}
# Headers that look like a field by their words but are not one.
NOT_A_FIELD = frozenset({"status icon", "resources", "icon", "issue", "finding", "risk", "risk description",
                         "issue identified", "findings", "background", "evidence required"})

# Read by words when no exact name matched; first rule that matches wins (order matters:
# "Action Code" is a code, "Progress/Notes" an update, "Original Due" not the due date,
# "Date added" never the due date).
_WORD_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("original_due", re.compile(r"\boriginal\b.*\b(due|date|target|timescale|deadline)\b"
                                r"|\b(due|date|target|timescale|deadline)\b.*\boriginal\b")),
    ("done_on", re.compile(r"\b(actual|date (completed|closed|implemented)|(completed|closed|implemented) (on|date))\b")),
    ("raised", re.compile(r"\b(added|raised|identified|opened|logged|created|issued|meeting)\b")),
    ("rag", re.compile(r"\bb?rag\b")),
    ("direction", re.compile(r"\bdirection\b|\btrend\b")),
    ("code", re.compile(r"\b(code|ref|reference|ref\.)\b|^(no|number)\b")),
    ("update", re.compile(r"\b(update|notes?|comments?|commentary|how we will|position|narrative)\b")),
    ("progress", re.compile(r"%|\bpercent|\bprogress\b")),
    ("due", re.compile(r"\b(due|date|timescales?|deadline|target|when)\b")),
    ("state", re.compile(r"\b(status|outcome)\b")),
    ("priority", re.compile(r"\bpriority\b")),
    ("recommendation", re.compile(r"\brecommendations?\b")),
    ("responsibility", re.compile(r"\b(lead|owner|responsib\w*|agency|accountable|officer|manager|director)\b")),
    ("title", re.compile(r"\b(actions?|tasks?|title|proposal|deliverables?|activit\w+)\b")),
    ("group", re.compile(r"\b(theme|objective|workstream|priority area|key feature)\b")),
)

_SPACES = re.compile(r"\s+")
# What an action should achieve is not how it went: "Expected Outcome", "Intended outcomes".
_AIMS = re.compile(r"\b(expected|intended|desired|planned|anticipated)\s+(outcomes?|results?|impact)\b")


def header_key(name: object) -> str:
    """`Due Date`, `due_date`, ` DUE\\n DATE ` -> `due date` (our own export uses snake_case)."""
    text = "" if name is None else str(name)
    return _SPACES.sub(" ", text.replace("\ufeff", "").replace("_", " ").strip().lower()).strip(" :*")


_ALIAS_TO_FIELD = {alias: name for name, aliases in COLUMN_ALIASES.items() for alias in aliases}


def field_for_header(name: object) -> str | None:
    """The field a header names, by its exact name first and then by its words."""
    key = header_key(name)
    if not key or key in NOT_A_FIELD or _AIMS.search(key):
        return None
    if key in _ALIAS_TO_FIELD:
        return _ALIAS_TO_FIELD[key]
    for field_name, pattern in _WORD_RULES:
        if pattern.search(key):
            return None if field_name == "done_on" else field_name  # when it was done is not when it is due
    return None


@dataclass
class ColumnMap:
    """Field -> column index, and how each header was read (for `--dry-run`)."""

    headers: list[str]
    fields: dict[str, int] = field(default_factory=dict)
    how: list[tuple[str, str | None, str]] = field(default_factory=list)  # header, field, why
    # Further update columns ("Progress update" then "Comments"): their text is added to the update.
    more_updates: list[int] = field(default_factory=list)

    def describe(self) -> list[str]:
        lines = []
        for header, name, why in self.how:
            target = f"{name} ({FIELDS[name]})" if name else "not imported"
            lines.append(f"{header!r} -> {target}{f' [{why}]' if why else ''}")
        return lines


def parse_overrides(pairs: Sequence[str]) -> dict[str, str]:
    """`["Agency=responsibility", "Icon=ignore"]` -> {"agency": "responsibility", "icon": "ignore"}.

    Raises ValueError with a sentence saying what to type when a pair is not understood.
    """
    overrides: dict[str, str] = {}
    for pair in pairs:
        column, sep, target = pair.rpartition("=")
        target = target.strip().lower().replace(" ", "_")
        if not sep or not column.strip():
            raise ValueError(f"--map {pair!r} is not COLUMN=FIELD; write it like --map \"Agency=responsibility\".")
        if target not in FIELDS and target != IGNORE:
            raise ValueError(f"--map {pair!r}: {target!r} is not a field. Fields: {', '.join(FIELDS)}, or ignore.")
        overrides[header_key(column)] = target
    return overrides


def map_header(header: Sequence[object], overrides: Mapping[str, str] | None = None) -> ColumnMap:
    """Map a header row. The first column naming a field wins; later ones are reported unused."""
    overrides = overrides or {}
    result = ColumnMap(headers=["" if h is None else str(h).strip() for h in header])
    for index, name in enumerate(result.headers):
        key = header_key(name)
        if not key:
            continue
        if key in overrides:
            target: str | None = None if overrides[key] == IGNORE else overrides[key]
            why = "--map"
        else:
            target = field_for_header(name)
            why = "" if key in _ALIAS_TO_FIELD or target is None else "by its words"
        if target == "due" and "due" in result.fields and "revised" in key and "original_due" not in result.fields:
            # "Target date" then "Revised target date": the first is the original, the revised one is due.
            first = result.fields.pop("due")
            result.fields["original_due"] = first
            result.how = [(h, "original_due" if f == "due" else f, "a revised date follows it" if f == "due" else w)
                          for h, f, w in result.how]
        if target == "update" and "update" in result.fields:
            result.more_updates.append(index)
            result.how.append((name, "update", f"added to the update from column {result.fields['update'] + 1}"))
            continue
        if target is not None and target in result.fields:
            result.how.append((name, None, f"{target} already comes from column {result.fields[target] + 1}"))
            continue
        if target is not None:
            result.fields[target] = index
        result.how.append((name, target, why))
    if "title" not in result.fields and "recommendation" in result.fields:
        # An audit log with no action column: the recommendation is what is to be done.
        result.fields["title"] = result.fields.pop("recommendation")
        result.how = [(h, "title" if f == "recommendation" else f, "no action column" if f == "recommendation" else w)
                      for h, f, w in result.how]
    return result


_DATA_LOOKING = re.compile(r"^\d{1,3}\s*%$|\d[-/.][A-Za-z0-9]{2,9}[-/.]\d|[A-Za-z]+\d+\.\d")
_MAX_HEADER_CHARS = 60


def looks_like_header(header: Sequence[object], overrides: Mapping[str, str] | None = None) -> ColumnMap | None:
    """The mapping if this row is a header row of actions: a title or code column plus one more,
    at least one header known by its exact name, and nothing that looks like data."""
    if any(cell is not None and not isinstance(cell, str) for cell in header):
        return None  # a header row holds only text; a row with dates or numbers is data
    texts = [cell.strip() for cell in header if isinstance(cell, str) and cell.strip()]
    if len(texts) < 2:
        return None
    if any(len(text) > _MAX_HEADER_CHARS or _DATA_LOOKING.search(text) for text in texts):
        return None
    overrides = overrides or {}
    if not any(header_key(text) in _ALIAS_TO_FIELD or header_key(text) in overrides for text in texts):
        return None
    mapped = map_header(header, overrides)
    if ("title" in mapped.fields or "code" in mapped.fields) and len(mapped.fields) >= 2:
        return mapped
    return None
