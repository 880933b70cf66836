"""The digest as a Microsoft Teams Adaptive Card (schema 1.5, which Teams renders, including
its Table element). Cards have a size limit (about 28 KB in Teams), so lists are capped and
the rest counted; Teams shows no chart here (a card image needs a hosted URL). User text goes
through `card_text`, so it never becomes a link (see bot.channels.teams.cards)."""

from __future__ import annotations

from functools import partial
from typing import Any

from bot.channels.teams.cards import card_text
from bot.digest.content import Digest, DigestItem
from bot.digest.delivery import RenderedDigest
from bot.digest.render_text import (
    CONTRACT_LOG_HEADING,
    changes_by_kind,
    contract_log_lines,
    fmt_concerns,
    fmt_day,
    headline,
    item_line,
    render_text,
    shared_block,
)
from bot.domain.model import SectionRollup

SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
LIST_LIMIT = 15


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": card_text(text), "wrap": True, **style}


def _heading(text: str) -> dict[str, Any]:
    return _text(text, weight="Bolder", size="Medium", spacing="Medium", separator=True)


def _items(digest: Digest, items: list[DigestItem], part: str, limit: int) -> list[dict[str, Any]]:
    body = [_text(f"- {item_line(digest, item, part)}", spacing="None") for item in items[:limit]]
    if len(items) > limit:
        body.append(_text(f"…and {len(items) - limit} more.", isSubtle=True, spacing="None"))
    return body


SECTION_ROWS = 40  # a card has a size limit: the sections beyond these are counted, and in the text


def _sections_table(rollups: list[SectionRollup]) -> list[dict[str, Any]]:
    header = ["Section", "Progress", "Actions", "Overdue"]
    rows = [[f"{r.section_code} {r.section_title}", f"{r.progress}%" if r.progress is not None else "–",
             str(r.action_count), str(r.overdue)] for r in rollups[:SECTION_ROWS]]
    table: list[dict[str, Any]] = [{
        "type": "Table",
        "firstRowAsHeader": True,
        "columns": [{"width": 4}, {"width": 1}, {"width": 1}, {"width": 1}],
        "rows": [{"type": "TableRow", "cells": [{"type": "TableCell", "items": [_text(cell)]} for cell in row]}
                 for row in [header, *rows]],
    }]
    if len(rollups) > SECTION_ROWS:
        table.append(_text(f"…and {len(rollups) - SECTION_ROWS} more sections.", isSubtle=True, spacing="None"))
    return table


def build_card(digest: Digest) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        _text(f"{digest.title}: {digest.filter.plan or 'all plans'}", weight="Bolder", size="Large"),
        _text(headline(digest), isSubtle=True),
    ]
    since = f"since {fmt_day(digest.since.date())}" if digest.since else "in the last 7 days"
    body.append(_heading(f"What changed {since}"))
    facts = [{"title": heading, "value": card_text("; ".join(c.text for c in changes[:LIST_LIMIT]))}
             for heading, changes in changes_by_kind(digest.changes)]
    body.append({"type": "FactSet", "facts": facts} if facts else _text("Nothing recorded."))
    body.append(_heading(f"Overdue ({digest.overdue_count}), most overdue first"))
    if not digest.overdue:
        body.append(_text("Nothing is overdue."))
    shown = 0
    for group in digest.overdue:
        if shown >= LIST_LIMIT * 2:
            rest = sum(len(g.items) for g in digest.overdue) - shown
            body.append(_text(f"…and {rest} more overdue.", isSubtle=True))
            break
        body.append(_text(group.label, weight="Bolder"))
        body += _items(digest, list(group.items), "overdue", LIST_LIMIT * 2 - shown)
        shown += min(len(group.items), LIST_LIMIT * 2 - shown)
    body.append(_heading(f"Due in the next {digest.filter.due_soon_days} days ({len(digest.due_soon)})"))
    body += _items(digest, digest.due_soon, "due soon", LIST_LIMIT) or [_text("Nothing open is due.")]
    body.append(_heading(f"Check progress: no update in {digest.filter.stale_days} days ({len(digest.stale)})"))
    body += _items(digest, digest.stale, "check progress", LIST_LIMIT) or [_text("Every open action has a recent update.")]
    log = contract_log_lines(digest)
    if log is not None:
        body.append(_heading(f"{CONTRACT_LOG_HEADING} ({len(log)})"))
        body += [_text(f"- {line}", spacing="None") for line in log[:LIST_LIMIT]] or [_text("Nothing in the log is overdue.")]
        if len(log) > LIST_LIMIT:
            body.append(_text(f"…and {len(log) - LIST_LIMIT} more.", isSubtle=True, spacing="None"))
    if digest.rollups:
        body.append(_heading("Sections"))
        body += shared_block(digest, "teams rollups", digest.rollups, lambda: _sections_table(digest.rollups))
    concerns = fmt_concerns(digest)
    if concerns:
        body.append(_text(concerns, isSubtle=True, spacing="Medium"))
    return {"type": "AdaptiveCard", "$schema": SCHEMA, "version": "1.5", "body": body}


def render_adaptive_card(digest: Digest, with_chart: bool = True) -> RenderedDigest:
    return RenderedDigest(kind="teams", subject=headline(digest), text_of=partial(render_text, digest), payload=build_card(digest))
