"""Commands of the contract-monitoring log (`concern …`, `PQ-2026-0042 …`, `concerns open`).

Kept beside `bot.commands` (same shape: frozen dataclasses, the docstring is the help) so the
log's grammar and handlers can be read on their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class LogConcern:
    """`concern Acme Care: missed calls on Tuesday`, `complaint …`, `safeguarding …`: a new
    entry in the contract-monitoring log (the category is guessed when not given)."""

    text: str
    provider: str | None = None
    category: str | None = None  # a bot.domain.concerns.Category value


@dataclass(frozen=True)
class AllocateConcernAction:
    """`PQ-2026-0042 action chase rota @sam by Friday`: allocate an action with an owner and
    a timescale."""

    reference: str
    description: str
    owner: str
    due: date | None = None
    due_phrase: str | None = None


@dataclass(frozen=True)
class CloseConcern:
    """`PQ-2026-0042 close resolved at liaison meeting`: close the entry with a note."""

    reference: str
    note: str | None = None


@dataclass(frozen=True)
class SetConcernCategory:
    """`PQ-2026-0042 category complaint`: correct the category."""

    reference: str
    category: str


@dataclass(frozen=True)
class LinkConcern:
    """`PQ-2026-0042 link AP2.5.1`: link the entry to an action of the plan."""

    reference: str
    code: str


@dataclass(frozen=True)
class AddConcernNote:
    """`PQ-2026-0042 note spoke to the manager`: add to the entry's history."""

    reference: str
    note: str


@dataclass(frozen=True)
class ShowConcern:
    """`PQ-2026-0042`: one entry in full, with its actions and history."""

    reference: str


@dataclass(frozen=True)
class ListConcerns:
    """`concerns open`, `concerns all`, `concerns Acme Care`: entries of the log."""

    open_only: bool = True
    provider: str | None = None


@dataclass(frozen=True)
class RestrictConcern:
    """`PQ-2026-0042 restrict`: make an entry confidential (or confirm, after review, one that
    is restricted pending review). Anyone who may change the log may restrict."""

    reference: str


@dataclass(frozen=True)
class UnrestrictConcern:
    """`PQ-2026-0042 unrestrict` (or `not safeguarding`): ask to take an entry out of
    safeguarding; a second person with the safeguarding role confirms. `PQ-… category
    complaint` on a safeguarding entry asks the same, with the new category."""

    reference: str
    category: str | None = None  # the category it takes when the downgrade is confirmed


@dataclass(frozen=True)
class ConfirmDowngrade:
    """`PQ-2026-0042 confirm downgrade`: the second safeguarding-role person's confirmation."""

    reference: str


@dataclass(frozen=True)
class ShowConcernAccess:
    """`PQ-2026-0042 access`: who has viewed a confidential entry, when and where (the
    safeguarding role only)."""

    reference: str
