"""The digest as plain text (the console preview, the email's text part) and as JSON, plus
the CSV attachment of every listed action. Wording shared by the rich renderers lives here."""

from __future__ import annotations

import csv
import functools
import io
import json
from datetime import date
from collections.abc import Callable, Iterable
from typing import Any

from bot.digest.content import ContractLogItem, Digest, DigestChange, DigestItem
from bot.domain.model import SectionRollup, Status
from bot.export_safety import inert_cell

CHANGE_HEADINGS = {
    "completed": "Completed",
    "overdue": "Newly overdue",
    "progress": "Progress moved",
    "due": "Due dates revised",
}


def fmt_day(value: date | None) -> str:
    return _fmt_date(value) if value else "no date"


@functools.lru_cache(maxsize=4096)
def _fmt_date(value: date) -> str:
    """`5 Mar 2026`; cached: a digest's lines share a few hundred due dates."""
    return value.strftime("%d %b %Y").lstrip("0")


def tail(code: str) -> str:
    return code.strip().rsplit(" ", 1)[-1]


def fmt_age(days: int | None) -> str:
    if days is None:
        return "never updated"
    if days == 0:
        return "updated today"
    return f"updated {days} day{'s' if days != 1 else ''} ago"


MAX_UPDATE_CHARS = 200  # the latest update quoted on a line; the CSV has it whole


def fmt_update(text: str | None) -> str:
    """The latest update, on one line and cut to MAX_UPDATE_CHARS."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= MAX_UPDATE_CHARS else flat[: MAX_UPDATE_CHARS - 1] + "…"


def fmt_item(item: DigestItem, overdue: bool = False, with_update: bool = False) -> str:
    """One action's line. Overdue and check-progress lines (`with_update`) quote the latest
    update, so the reader sees what was last said, not only how long ago."""
    progress = f"{item.progress}%" if item.progress is not None else "–"
    late = f", {item.days_overdue} days overdue" if overdue else ""
    line = (f"{tail(item.code)} {progress} — {item.owner or 'unassigned'}, due {fmt_day(item.due_date)}{late}; "
            f"{fmt_age(item.update_age_days)}: {item.title}")
    if with_update:
        latest = fmt_update(item.latest_update)
        line += f" — latest update: {latest}" if latest else " — no update text yet"
    return line


def item_line(digest: Digest, item: DigestItem, part: str) -> str:
    """`fmt_item` for the part of the digest the item is in ("overdue", "due soon", "check
    progress"), formatted once per item for every digest that shares it (digest.memo)."""
    return item_lines(digest, part, (item,))[0]


def _part_memo(digest: Digest, name: str, part: str) -> dict[int, tuple[DigestItem, Any]]:
    """What `name` made of each item of a part, by the item's identity (each entry keeps its
    item alive, so an identity is never reused while its entry lasts)."""
    key = (name, part)
    made: dict[int, tuple[DigestItem, Any]] | None = digest.memo.get(key)
    if made is None:
        made = digest.memo[key] = {}
    return made


def item_lines(digest: Digest, part: str, items: Iterable[DigestItem]) -> list[str]:
    """`item_line` of each item."""
    memo = _part_memo(digest, "line", part)
    overdue, with_update = part == "overdue", part != "due soon"
    lines: list[str] = []
    for item in items:
        made = memo.get(id(item))
        if made is None or made[0] is not item:
            made = memo[id(item)] = (item, fmt_item(item, overdue=overdue, with_update=with_update))
        lines.append(made[1])
    return lines


def shared_block(digest: Digest, name: str, part: Any, make: Callable[[], Any]) -> Any:
    """What `make` builds from one part of a digest (a list DigestBasis shares between the
    digests that have it), built once: keyed by the part's identity in digest.memo."""
    key = ("block", name, id(part))
    made = digest.memo.get(key)
    if made is None or made[0] is not part:
        made = digest.memo[key] = (part, make())
    return made[1]


CONTRACT_LOG_HEADING = "Contract log: overdue actions, visits due"


def fmt_contract_log_item(entry: ContractLogItem, today: date) -> str:
    """A log action or visit; a restricted (safeguarding) one by its reference only."""
    if entry.restricted:
        return f"{entry.reference} (confidential: details for the safeguarding lead only)"
    late = ""
    if entry.due_date is not None and entry.due_date < today:
        late = f", {(today - entry.due_date).days} days overdue"
    return (f"{entry.reference} — {entry.provider}: {entry.title}; {entry.owner or 'unassigned'}, "
            f"due {fmt_day(entry.due_date)}{late}")


def contract_log_lines(digest: Digest) -> list[str] | None:
    """The contract log section's lines; None when the digest has no such section."""
    if digest.contract_log is None:
        return None
    return [fmt_contract_log_item(entry, digest.as_of) for entry in digest.contract_log]


def fmt_rollup_row(rollup: SectionRollup) -> str:
    progress = f"{rollup.progress}%" if rollup.progress is not None else "–"
    done = rollup.counts.get(Status.COMPLETED, 0)
    noun = "action" if rollup.action_count == 1 else "actions"
    return (f"{rollup.section_code} {rollup.section_title}: {progress}, {rollup.action_count} {noun}, "
            f"{done} completed, {rollup.overdue} overdue")


def fmt_concerns(digest: Digest) -> str:
    """The concern counts line; "" for a digest filtered to sections or an owner (concerns
    belong to providers, outside such a filter)."""
    if digest.filter.narrowed:
        return ""
    if digest.concerns is None:
        return "Provider concerns: the concern log is not connected yet."
    if not digest.concerns:
        return "Provider concerns: none open."
    parts = ", ".join(f"{category} {count}" for category, count in sorted(digest.concerns.items()))
    return f"Open provider concerns: {parts}."


def headline(digest: Digest) -> str:
    scope = digest.filter.plan or "all plans"
    return (f"{digest.title} — {scope}, as of {fmt_day(digest.as_of)}: {digest.overdue_count} overdue, "
            f"{len(digest.due_soon)} due in the next {digest.filter.due_soon_days} days, "
            f"{len(digest.stale)} with no update in {digest.filter.stale_days} days")


def changes_by_kind(changes: list[DigestChange]) -> list[tuple[str, list[DigestChange]]]:
    return [(CHANGE_HEADINGS[kind], [c for c in changes if c.kind == kind])
            for kind in CHANGE_HEADINGS if any(c.kind == kind for c in changes)]


def render_text(digest: Digest) -> str:
    """The whole digest as text; made once per digest however many renderers ask."""
    key = ("text", id(digest))
    made = digest.memo.get(key)
    if made is None or made[0] is not digest:
        made = digest.memo[key] = (digest, _render_text(digest))
    return str(made[1])


def _bullets(lines: list[str], bullet: str = "  • ") -> str:
    """Each line after `bullet`, one a line; "" for none."""
    return bullet + f"\n{bullet}".join(lines) if lines else ""


def _render_text(digest: Digest) -> str:
    lines = [headline(digest), ""]
    since = f"since {fmt_day(digest.since.date())}" if digest.since else "in the last 7 days"
    lines.append(f"What changed {since}:")
    if not digest.changes:
        lines.append("  nothing recorded")
    for heading, changes in changes_by_kind(digest.changes):
        lines.append(f"  {heading}:")
        lines += [f"    • {c.text}" for c in changes]
    lines += ["", f"Overdue ({digest.overdue_count}), most overdue first:"]
    if not digest.overdue:
        lines.append("  nothing is overdue")
    if digest.overdue:
        lines.append(shared_block(digest, "text overdue", digest.overdue, lambda: "\n".join(
            f"  {group.label}\n" + _bullets(item_lines(digest, "overdue", group.items), "    • ")
            for group in digest.overdue)))
    lines += ["", f"Due in the next {digest.filter.due_soon_days} days ({len(digest.due_soon)}):"]
    lines.append(shared_block(digest, "text due soon", digest.due_soon, lambda: _bullets(
        item_lines(digest, "due soon", digest.due_soon))) or "  nothing open is due")
    lines += ["", f"Check progress — no update in {digest.filter.stale_days} days ({len(digest.stale)}):"]
    lines.append(shared_block(digest, "text stale", digest.stale, lambda: _bullets(
        item_lines(digest, "check progress", digest.stale))) or "  every open action has a recent update")
    log = contract_log_lines(digest)
    if log is not None:
        lines += ["", f"{CONTRACT_LOG_HEADING} ({len(log)}):"]
        lines += [f"  • {line}" for line in log] or ["  nothing in the log is overdue"]
    lines += ["", "Sections:"]
    lines.append(shared_block(digest, "text rollups", digest.rollups, lambda: "\n".join(
        f"  {fmt_rollup_row(r)}" for r in digest.rollups)) or "  no sections")
    concerns = fmt_concerns(digest)
    if concerns:
        lines += ["", concerns]
    return "\n".join(lines)


CSV_COLUMNS = ("part", "code", "plan", "section", "title", "owner", "due_date", "days_overdue", "progress",
               "status", "days_since_update", "latest_update")


def render_csv(digest: Digest) -> bytes:
    """Every listed action; text that starts like a formula is quoted (bot.export_safety).
    Each row is written once per item, and each part's rows encoded once, for every digest
    that shares them (digest.memo)."""
    key = ("csv", id(digest))
    made = digest.memo.get(key)
    if made is None or made[0] is not digest:
        made = digest.memo[key] = (digest, _render_csv(digest))
    return bytes(made[1])


def _csv_row(item: DigestItem, part: str) -> list[Any]:
    return [inert_cell(cell) for cell in (
        part, item.code, item.plan, item.section_code, item.title, item.owner or "",
        item.due_date.isoformat() if item.due_date else "", item.days_overdue,
        "" if item.progress is None else item.progress, item.status,
        "" if item.update_age_days is None else item.update_age_days, item.latest_update or "")]


class _Lines:
    """A csv.writer target that keeps each row it is given (the writer writes a row at once)."""

    def __init__(self) -> None:
        self.rows: list[str] = []
        self.write = self.rows.append


def _csv_rows(digest: Digest, part: str, items: Iterable[DigestItem]) -> bytes:
    """The rows of one part, UTF-8: each item's row made once (digest.memo)."""
    memo = _part_memo(digest, "csv row", part)
    sink = _Lines()
    writer = csv.writer(sink)
    rows: list[str] = []
    for item in items:
        made = memo.get(id(item))
        if made is None or made[0] is not item:
            writer.writerow(_csv_row(item, part))
            made = memo[id(item)] = (item, sink.rows.pop())
        rows.append(made[1])
    return "".join(rows).encode("utf-8")


def _csv_header() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow(CSV_COLUMNS)
    return out.getvalue().encode("utf-8")


_CSV_HEADER = _csv_header()


def _render_csv(digest: Digest) -> bytes:
    return b"".join((
        _CSV_HEADER,
        shared_block(digest, "csv overdue", digest.overdue,
                     lambda: _csv_rows(digest, "overdue", (item for group in digest.overdue for item in group.items))),
        shared_block(digest, "csv due soon", digest.due_soon, lambda: _csv_rows(digest, "due soon", digest.due_soon)),
        shared_block(digest, "csv stale", digest.stale, lambda: _csv_rows(digest, "check progress", digest.stale))))


def _item_json(item: DigestItem) -> dict[str, Any]:
    return {"code": item.code, "title": item.title, "plan": item.plan, "section": item.section_code,
            "owner": item.owner, "due_date": item.due_date.isoformat() if item.due_date else None,
            "days_overdue": item.days_overdue, "progress": item.progress, "status": item.status,
            "days_since_update": item.update_age_days, "latest_update": item.latest_update}


def digest_json(digest: Digest) -> dict[str, Any]:
    return {
        "title": digest.title,
        "as_of": digest.as_of.isoformat(),
        "since": digest.since.isoformat() if digest.since else None,
        "plan": digest.filter.plan,
        "overdue": [{"group": g.label, "actions": [_item_json(i) for i in g.items]} for g in digest.overdue],
        "due_soon": [_item_json(i) for i in digest.due_soon],
        "check_progress": [_item_json(i) for i in digest.stale],
        "changes": [{"code": c.code, "kind": c.kind, "text": c.text, "slippage_days": c.slippage_days}
                    for c in digest.changes],
        "sections": [{"plan": r.plan, "section": r.section_code, "title": r.section_title, "progress": r.progress,
                      "actions": r.action_count, "overdue": r.overdue} for r in digest.rollups],
        "concerns": dict(digest.concerns) if digest.concerns is not None else None,
        "contract_log": None if digest.contract_log is None else [
            {"reference": e.reference, "restricted": True} if e.restricted else
            {"reference": e.reference, "title": e.title, "provider": e.provider, "owner": e.owner,
             "due_date": e.due_date.isoformat() if e.due_date else None, "restricted": False}
            for e in digest.contract_log],
    }


def render_json(digest: Digest) -> str:
    return json.dumps(digest_json(digest), indent=2, ensure_ascii=False)
