"""The digest as an HTML email with a plain-text alternative, the section chart inline and
the CSV of every listed action attached."""

from __future__ import annotations

from functools import partial
from html import escape

from bot.digest.chart import section_progress_png
from bot.digest.content import Digest, DigestItem
from bot.digest.delivery import Attachment, RenderedDigest
from bot.digest.render_text import (
    CONTRACT_LOG_HEADING,
    changes_by_kind,
    contract_log_lines,
    fmt_age,
    fmt_concerns,
    fmt_day,
    fmt_update,
    headline,
    render_csv,
    render_text,
    shared_block,
    tail,
)

CHART_CID = "section-chart"
LIST_LIMIT = 50  # rows a table shows; the rest are counted, and every action is in the CSV
_TABLE = 'style="border-collapse:collapse;font-size:13px" cellpadding="4" border="1"'


def _table(items: list[DigestItem], overdue: bool, with_update: bool = True) -> str:
    head = "<tr><th>Code</th><th>Action</th><th>Owner</th><th>Due</th>" + \
        ("<th>Days overdue</th>" if overdue else "") + "<th>Progress</th><th>Latest update</th></tr>"
    rows = []
    for item in items[:LIST_LIMIT]:
        progress = f"{item.progress}%" if item.progress is not None else "–"
        late = f"<td>{item.days_overdue}</td>" if overdue else ""
        latest = fmt_age(item.update_age_days)
        if with_update and item.latest_update:
            latest += f": {fmt_update(item.latest_update)}"
        rows.append(f"<tr><td>{escape(tail(item.code))}</td><td>{escape(item.title)}</td>"
                    f"<td>{escape(item.owner or 'unassigned')}</td><td>{fmt_day(item.due_date)}</td>{late}"
                    f"<td>{progress}</td><td>{escape(latest)}</td></tr>")
    more = (f"<p>…and {len(items) - LIST_LIMIT} more, every one in the attached CSV.</p>"
            if len(items) > LIST_LIMIT else "")
    return f"<table {_TABLE}>{head}{''.join(rows)}</table>{more}"


def build_html(digest: Digest, has_chart: bool) -> str:
    parts = [f"<h2>{escape(digest.title)}: {escape(digest.filter.plan or 'all plans')}</h2>",
             f"<p>{escape(headline(digest))}</p>"]
    since = f"since {fmt_day(digest.since.date())}" if digest.since else "in the last 7 days"
    parts.append(f"<h3>What changed {since}</h3>")
    grouped = changes_by_kind(digest.changes)
    parts.append("".join(f"<p><b>{escape(h)}</b></p><ul>{''.join(f'<li>{escape(c.text)}</li>' for c in cs)}</ul>"
                         for h, cs in grouped) or "<p>Nothing recorded.</p>")
    parts.append(f"<h3>Overdue ({digest.overdue_count}), most overdue first</h3>")
    shown = 0
    for group in digest.overdue:
        if shown >= LIST_LIMIT:
            parts.append(f"<p>…and {digest.overdue_count - shown} more overdue, every one in the attached CSV.</p>")
            break
        parts.append(f"<h4>{escape(group.label)}</h4>{_table(list(group.items[:LIST_LIMIT - shown]), True)}")
        shown += min(len(group.items), LIST_LIMIT - shown)
    if not digest.overdue:
        parts.append("<p>Nothing is overdue.</p>")
    parts.append(f"<h3>Due in the next {digest.filter.due_soon_days} days ({len(digest.due_soon)})</h3>")
    parts.append(_table(digest.due_soon, False, with_update=False) if digest.due_soon else "<p>Nothing open is due.</p>")
    parts.append(f"<h3>Check progress: no update in {digest.filter.stale_days} days ({len(digest.stale)})</h3>")
    parts.append(_table(digest.stale, False) if digest.stale else "<p>Every open action has a recent update.</p>")
    log = contract_log_lines(digest)
    if log is not None:
        parts.append(f"<h3>{CONTRACT_LOG_HEADING} ({len(log)})</h3>")
        parts.append(f"<ul>{''.join(f'<li>{escape(line)}</li>' for line in log[:LIST_LIMIT])}</ul>" if log
                     else "<p>Nothing in the log is overdue.</p>")
        if len(log) > LIST_LIMIT:
            parts.append(f"<p>…and {len(log) - LIST_LIMIT} more.</p>")
    if digest.rollups:
        rows = shared_block(digest, "email rollups", digest.rollups, lambda: "".join(f"<tr><td>{escape(r.section_code)} {escape(r.section_title)}</td>"
                       f"<td>{r.progress if r.progress is not None else '–'}%</td><td>{r.action_count}</td>"
                       f"<td>{r.overdue}</td></tr>" for r in digest.rollups))
        parts.append(f"<h3>Sections</h3><table {_TABLE}><tr><th>Section</th><th>Progress</th><th>Actions</th>"
                     f"<th>Overdue</th></tr>{rows}</table>")
    if has_chart:
        parts.append(f'<p><img src="cid:{CHART_CID}" alt="Section progress chart"></p>')
    concerns = fmt_concerns(digest)
    if concerns:
        parts.append(f"<p>{escape(concerns)}</p>")
    return f'<html><body style="font-family:sans-serif">{"".join(parts)}</body></html>'


def render_email(digest: Digest, with_chart: bool = True) -> RenderedDigest:
    stamp = digest.as_of.isoformat()
    attachments = [Attachment(f"digest-{stamp}.csv", "text/csv", render_csv(digest), "Digest actions")]
    png = section_progress_png(digest.rollups, f"Section progress, {fmt_day(digest.as_of)}") if with_chart else None
    if png is not None:
        attachments.append(Attachment(f"{CHART_CID}.png", "image/png", png, CHART_CID))
    return RenderedDigest(kind="email", subject=headline(digest), text_of=partial(render_text, digest),
                          payload=build_html(digest, png is not None), attachments=tuple(attachments))
