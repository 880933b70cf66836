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
    """`PQ-2026-0042 close resolved at liaison meeting`: close the entry with a note. With open
    allocated actions it asks first: `PQ-2026-0042 close anyway …` closes it all the same."""

    reference: str
    note: str | None = None
    anyway: bool = False


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


# --- allocated actions: `PQ-2026-0042/1 …` ---------------------------------------------------

@dataclass(frozen=True)
class ConcernActionDone:
    """`PQ-2026-0042/1 done [note]` (or `PQ-2026-0042 action 1 done`): an allocated action is done."""

    reference: str
    number: int
    note: str | None = None


@dataclass(frozen=True)
class ReopenConcernAction:
    """`PQ-2026-0042/1 reopen`: an allocated action marked done is open again."""

    reference: str
    number: int


@dataclass(frozen=True)
class SetConcernActionDue:
    """`PQ-2026-0042/1 due 15/12/2026`: a new timescale for an allocated action (not in the past)."""

    reference: str
    number: int
    due: date
    due_phrase: str | None = None


@dataclass(frozen=True)
class SetConcernActionOwner:
    """`PQ-2026-0042/1 owner Sam Patel`: give an allocated action to another person or team."""

    reference: str
    number: int
    owner: str


@dataclass(frozen=True)
class ReopenConcern:
    """`PQ-2026-0042 reopen [why]`: a closed entry is open again."""

    reference: str
    note: str | None = None


@dataclass(frozen=True)
class SetConcernProvider:
    """`PQ-2026-0042 provider Brightwell Homecare`: confirm or correct an entry's provider (one
    not on the register is added to it). Earlier entries that name it are linked too."""

    reference: str
    provider: str


@dataclass(frozen=True)
class RecordConcernMilestone:
    """`PQ-2026-0042 acknowledged` / `PQ-2026-0042 responded [note]`: record that the entry was
    acknowledged or responded to (today), for its timescales."""

    reference: str
    what: str  # "acknowledged" | "responded"
    note: str | None = None


@dataclass(frozen=True)
class SetComplaintStage:
    """`PQ-2026-0042 stage 2`: the complaint moves to stage 2 (respond within 20 working days)."""

    reference: str
    stage: int


@dataclass(frozen=True)
class ListConcernsDue:
    """`concerns overdue`, `concerns due this week`: allocated actions, timescales and
    monitoring visits or meetings that are overdue, or fall due by the end of this week."""

    which: str  # "overdue" | "week"


@dataclass(frozen=True)
class ShowTimescales:
    """`concerns timescales`: the share of timescales met, per provider and per category."""


# --- providers: `provider Brightwell …` -------------------------------------------------------

@dataclass(frozen=True)
class ShowProvider:
    """`provider Brightwell`: the provider's page: open entries by category, open and overdue
    actions, last and next visits and meetings, risk, recent history."""

    name: str


@dataclass(frozen=True)
class RecordVisit:
    """`provider Brightwell visit done 12/11/2026 - report filed`: a monitoring visit (or
    `focused visit`, `liaison meeting`, `forum`, `call monitoring`) done; the next is scheduled."""

    name: str
    activity: str  # a bot.domain.monitoring.Activity value
    done_on: date | None
    note: str | None = None


@dataclass(frozen=True)
class SetProviderRisk:
    """`provider Brightwell risk high`: the risk level (high, medium, low) sets how often
    focused visits fall due."""

    name: str
    risk: str


@dataclass(frozen=True)
class SetProviderOfficer:
    """`provider Brightwell officer Sam Patel`: the Contract Monitoring Officer allocated to the
    provider, who owns its monitoring schedule."""

    name: str
    officer: str


@dataclass(frozen=True)
class AddProviderDomain:
    """`provider Brightwell domain brightwell.co.uk`: mail from that domain names the provider;
    earlier entries from it are linked too."""

    name: str
    domain: str


@dataclass(frozen=True)
class ListProviders:
    """`providers`: the register, with risk and officer."""
