"""The digest as plain text (the console preview, the email's text part) and as JSON, plus
the CSV attachment of every listed action. Wording shared by the rich renderers lives here."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from bot.digest.content import Digest, DigestChange, DigestItem
from bot.domain.model import SectionRollup, Status
from bot.export_safety import inert_cell

CHANGE_HEADINGS = {
    "completed": "Completed",
    "overdue": "Newly overdue",
    "progress": "Progress moved",
    "due": "Due dates revised",
}


def fmt_day(value: date | None) -> str:
    return value.strftime("%d %b %Y").lstrip("0") if value else "no date"


def tail(code: str) -> str:
    return code.strip().rsplit(" ", 1)[-1]


def fmt_age(days: int | None) -> str:
    if days is None:
        return "never updated"
    if days == 0:
        return "updated today"
    return f"updated {days} day{'s' if days != 1 else ''} ago"


def fmt_item(item: DigestItem, overdue: bool = False) -> str:
    progress = f"{item.progress}%" if item.progress is not None else "–"
    late = f", {item.days_overdue} days overdue" if overdue else ""
    return (f"{tail(item.code)} {progress} — {item.owner or 'unassigned'}, due {fmt_day(item.due_date)}{late}; "
            f"{fmt_age(item.update_age_days)}: {item.title}")


def fmt_rollup_row(rollup: SectionRollup) -> str:
    progress = f"{rollup.progress}%" if rollup.progress is not None else "–"
    done = rollup.counts.get(Status.COMPLETED, 0)
    noun = "action" if rollup.action_count == 1 else "actions"
    return (f"{rollup.section_code} {rollup.section_title}: {progress}, {rollup.action_count} {noun}, "
            f"{done} completed, {rollup.overdue} overdue")


def fmt_concerns(digest: Digest) -> str:
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
    for group in digest.overdue:
        lines.append(f"  {group.label}")
        lines += [f"    • {fmt_item(item, overdue=True)}" for item in group.items]
    lines += ["", f"Due in the next {digest.filter.due_soon_days} days ({len(digest.due_soon)}):"]
    lines += [f"  • {fmt_item(item)}" for item in digest.due_soon] or ["  nothing open is due"]
    lines += ["", f"Check progress — no update in {digest.filter.stale_days} days ({len(digest.stale)}):"]
    lines += [f"  • {fmt_item(item)}" for item in digest.stale] or ["  every open action has a recent update"]
    lines += ["", "Sections:"]
    lines += [f"  {fmt_rollup_row(r)}" for r in digest.rollups] or ["  no sections"]
    lines += ["", fmt_concerns(digest)]
    return "\n".join(lines)


CSV_COLUMNS = ("part", "code", "plan", "section", "title", "owner", "due_date", "days_overdue", "progress",
               "status", "days_since_update", "latest_update")


def render_csv(digest: Digest) -> bytes:
    """Every listed action; text that starts like a formula is quoted (bot.export_safety)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for part, item in digest.all_items():
        row = [part, item.code, item.plan, item.section_code, item.title, item.owner or "",
               item.due_date.isoformat() if item.due_date else "", item.days_overdue,
               "" if item.progress is None else item.progress, item.status,
               "" if item.update_age_days is None else item.update_age_days, item.latest_update or ""]
        writer.writerow([inert_cell(cell) for cell in row])
    return out.getvalue().encode("utf-8")


def _item_json(item: DigestItem) -> dict[str, Any]:
    return {"code": item.code, "title": item.title, "plan": item.plan, "section": item.section_code,
            "owner": item.owner, "due_date": item.due_date.isoformat() if item.due_date else None,
            "days_overdue": item.days_overdue, "progress": item.progress, "status": item.status,
            "days_since_update": item.update_age_days}


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
    }


def render_json(digest: Digest) -> str:
    return json.dumps(digest_json(digest), indent=2, ensure_ascii=False)
