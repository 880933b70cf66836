"""Readable text from mail bodies: HTML to text, and a reply without its quote and signature."""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCK_TAGS = frozenset({"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table",
                         "blockquote", "section", "article", "header", "footer", "ul", "ol", "hr"})
_SKIP_TAGS = frozenset({"script", "style", "head", "title"})


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skipping += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skipping = max(0, self._skipping - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The words of an HTML body, one block per line; never raises."""
    extractor = _TextExtractor()
    try:
        extractor.feed(html)
        extractor.close()
    except Exception:  # html.parser is lenient; keep whatever was read
        pass
    lines = [" ".join(line.split()) for line in "".join(extractor.parts).splitlines()]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# Where the quoted original starts in a reply.
_QUOTE_HEADERS = (
    re.compile(r"^\s*On\b.{0,300}\bwrote:\s*$", re.IGNORECASE),  # Gmail, Apple Mail
    re.compile(r"^\s*-{2,}\s*Original Message\s*-{2,}", re.IGNORECASE),  # Outlook (older)
    re.compile(r"^\s*-{2,}\s*Forwarded message\s*-{2,}", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule above the quoted headers
    re.compile(r"^\s*\*?From:\*?\s.+", re.IGNORECASE),  # Outlook: From: … Sent: … (maybe in bold)
)
_SENT_LINE = re.compile(r"^\s*\*?(Sent|Date):\*?\s", re.IGNORECASE)
# Where a signature starts.
_SIGNATURES = (
    re.compile(r"^--\s*$"),
    re.compile(r"^\s*Sent from my \w+", re.IGNORECASE),
    re.compile(r"^\s*Get Outlook for \w+", re.IGNORECASE),
)


def strip_reply(text: str) -> str:
    """The new text of a reply: stops at the quoted original (`On … wrote:`, Outlook's
    `From:`/`Sent:` block, `-----Original Message-----`, `>` lines) and at a signature.
    Returns the whole text when stripping would leave nothing."""
    lines = text.replace("\r\n", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _starts_quote(lines, index) or any(p.match(line) for p in _SIGNATURES):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    stripped = "\n".join(kept).strip()
    return stripped or text.strip()


def _starts_quote(lines: list[str], index: int) -> bool:
    line = lines[index]
    for pattern in _QUOTE_HEADERS[:4]:
        if pattern.match(line):
            return True
    if _QUOTE_HEADERS[4].match(line):
        # An Outlook header block: a From: line with a Sent:/Date: line just after it.
        following = [candidate for candidate in lines[index + 1 : index + 4] if candidate.strip()]
        return bool(following) and _SENT_LINE.match(following[0]) is not None
    # "On Nov 26, 2012, at 10:27 AM, "Watson, Dan" <user@host2.com> wrote:" may wrap.
    if re.match(r"^\s*On\b", line, re.IGNORECASE) and index + 1 < len(lines):
        return re.search(r"\bwrote:\s*$", lines[index + 1]) is not None and len(line) < 200
    return False
