"""The digest as Slack Block Kit: at most 50 blocks and 3,000 characters a section (Slack's
limits for a message, as of 2025). What does not fit is summarised with counts, and every
listed action is in the attached CSV; the section chart goes up as an image."""

from __future__ import annotations

from functools import partial
from typing import Any

from bot.digest.chart import section_progress_png
from bot.digest.content import Digest, DigestItem
from bot.digest.delivery import Attachment, RenderedDigest
from bot.digest.render_text import (
    CONTRACT_LOG_HEADING,
    changes_by_kind,
    contract_log_lines,
    fmt_concerns,
    fmt_day,
    fmt_rollup_row,
    headline,
    item_line,
    render_csv,
    render_text,
    shared_block,
)
from bot.domain.model import SectionRollup

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_HEADER_CHARS = 150
MAX_LINE_CHARS = 280
RESERVED_BLOCKS = 4  # rollup table, concerns, the "more in the CSV" summary, slack
LIST_LIMITS = {"overdue": 30, "due soon": 15, "check progress": 15, "contract log": 15}


def escape_mrkdwn(text: str) -> str:
    """Slack mrkdwn: &, < and > must be escaped (a title with <b> is not a link, and <!channel>
    typed in a note is not a broadcast)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _line(text: str) -> str:
    text = escape_mrkdwn(text)
    return text if len(text) <= MAX_LINE_CHARS else text[: MAX_LINE_CHARS - 1] + "…"


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:MAX_SECTION_CHARS]}}


class _Blocks:
    """Adds blocks while the budget lasts and counts the list lines left out."""

    def __init__(self, budget: int) -> None:
        self.blocks: list[dict[str, Any]] = []
        self.budget = budget
        self.left_out: dict[str, int] = {}

    def add(self, block: dict[str, Any]) -> bool:
        if len(self.blocks) >= self.budget:
            return False
        self.blocks.append(block)
        return True

    def lines(self, part: str, heading: str, lines: list[str], omitted: int = 0) -> None:
        """`heading` then the lines, packed into sections of at most 3,000 characters. Lines
        starting with a bullet are list items: those that do not fit are counted."""
        chunks: list[tuple[str, int]] = []  # (text, how many items it holds)
        text, count = heading, 0
        for line in lines:
            if text and len(text) + 1 + len(line) > MAX_SECTION_CHARS:
                chunks.append((text, count))
                text, count = "", 0
            text = f"{text}\n{line}" if text else line
            count += line.startswith("•")
        chunks.append((text, count))
        for index, (text, _count) in enumerate(chunks):
            if not self.add(_section(text)):
                omitted += sum(n for _t, n in chunks[index:])
                break
        if omitted:
            self.left_out[part] = self.left_out.get(part, 0) + omitted


def build_blocks(digest: Digest) -> list[dict[str, Any]]:
    out = _Blocks(MAX_BLOCKS - RESERVED_BLOCKS)
    title = f"{digest.title}: {digest.filter.plan or 'all plans'}"
    out.add({"type": "header", "text": {"type": "plain_text", "text": title[:MAX_HEADER_CHARS], "emoji": False}})
    out.add({"type": "context",
             "elements": [{"type": "mrkdwn", "text": escape_mrkdwn(headline(digest))[:MAX_SECTION_CHARS]}]})
    since = f"since {fmt_day(digest.since.date())}" if digest.since else "in the last 7 days"
    change_lines = [f"_{heading}_: " + "; ".join(_line(c.text) for c in changes)
                    for heading, changes in changes_by_kind(digest.changes)]
    out.lines("changes", f"*What changed {since}*", change_lines or ["nothing recorded"])
    out.add({"type": "divider"})
    remaining = LIST_LIMITS["overdue"]
    lines: list[str] = []
    for group in digest.overdue:
        if remaining <= 0:
            break
        lines.append(f"*{escape_mrkdwn(group.label)}*")
        lines += [f"• {_line(item_line(digest, item, 'overdue'))}" for item in group.items[:remaining]]
        remaining -= len(group.items)
    shown = sum(1 for line in lines if line.startswith("•"))
    heading = f"*Overdue ({digest.overdue_count})*, most overdue first" if digest.overdue else "*Overdue*: nothing is overdue"
    out.lines("overdue", heading, lines, omitted=digest.overdue_count - shown)
    _list(out, digest, "due soon", f"*Due in the next {digest.filter.due_soon_days} days ({len(digest.due_soon)})*",
          digest.due_soon, "nothing open is due")
    _list(out, digest, "check progress",
          f"*Check progress*: no update in {digest.filter.stale_days} days ({len(digest.stale)})",
          digest.stale, "every open action has a recent update")
    log = contract_log_lines(digest)
    if log is not None:
        limit = LIST_LIMITS["contract log"]
        out.lines("contract log", f"*{CONTRACT_LOG_HEADING} ({len(log)})*",
                  [f"• {_line(line)}" for line in log[:limit]] or ["nothing in the log is overdue"],
                  omitted=max(0, len(log) - limit))
    blocks = out.blocks
    if digest.rollups:
        blocks.append(shared_block(digest, "slack rollups", digest.rollups, lambda: _sections(digest.rollups)))
    concerns = fmt_concerns(digest)
    if concerns:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": escape_mrkdwn(concerns)}]})
    if out.left_out:
        counts = ", ".join(f"{n} more {part}" for part, n in out.left_out.items())
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"…and {counts}. Every listed action is in the attached CSV."}]})
    return blocks


def _sections(rollups: list[SectionRollup]) -> dict[str, Any]:
    """The section table, as much as one section block holds (the rest is in the text)."""
    text = "*Sections*\n```"
    for rollup in rollups:
        text += escape_mrkdwn(fmt_rollup_row(rollup)) + "\n"
        if len(text) >= MAX_SECTION_CHARS:
            break
    return _section(text.rstrip("\n")[: MAX_SECTION_CHARS - 3] + "```")


def _list(out: _Blocks, digest: Digest, part: str, heading: str, items: list[DigestItem], empty: str) -> None:
    limit = LIST_LIMITS[part]
    lines = [f"• {_line(item_line(digest, item, part))}" for item in items[:limit]]
    out.lines(part, heading, lines or [empty], omitted=max(0, len(items) - limit))


def render_slack(digest: Digest, with_chart: bool = True) -> RenderedDigest:
    stamp = digest.as_of.isoformat()
    attachments = [Attachment(f"digest-{stamp}.csv", "text/csv", render_csv(digest), f"Digest actions {stamp}")]
    if with_chart:
        png = section_progress_png(digest.rollups, f"Section progress, {fmt_day(digest.as_of)}")
        if png is not None:
            attachments.append(Attachment(f"sections-{stamp}.png", "image/png", png, "Section progress"))
    return RenderedDigest(kind="slack", subject=headline(digest), text_of=partial(render_text, digest),
                          payload=build_blocks(digest), attachments=tuple(attachments))
