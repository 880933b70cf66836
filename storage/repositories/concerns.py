"""uow.concerns and uow.providers: the contract-monitoring log and the providers it names."""

from __future__ import annotations

import builtins
import functools
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, case, delete, func, insert, or_, select, update
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Session, aliased

from bot.domain.concerns import (
    AttachmentInfo,
    Category,
    Concern,
    ConcernAction,
    ConcernEvent,
    ConcernAccess,
    EntryState,
    Provider,
    Restriction,
    Source,
    format_reference,
)
from storage.concerns_tables import (
    ConcernAccessRow,
    ConcernActionRow,
    ConcernAttachmentRow,
    ConcernEventRow,
    ConcernRow,
    ConcernThreadRow,
    ProviderRow,
    ReferenceCounterRow,
)
from storage.errors import Duplicate, NotFound
from storage.repositories.core import core, dialect_insert
from storage.repositories.prebuilt import Prebuilt

# The statements a new entry from mail runs (list the providers, number the entry, write its
# history and thread), prebuilt Core statements run on the session's connection (see
# storage.repositories.core): the ORM's per-statement set-up was most of their cost.
_PROVIDERS = cast(Table, ProviderRow.__table__)
_COUNTERS = cast(Table, ReferenceCounterRow.__table__)
_EVENTS = cast(Table, ConcernEventRow.__table__)
_THREADS = cast(Table, ConcernThreadRow.__table__)
_LIST_PROVIDERS = Prebuilt(select(_PROVIDERS).order_by(_PROVIDERS.c.name))
_BUMP = Prebuilt(update(_COUNTERS).where(_COUNTERS.c.year == bindparam("b_year"))
         .values(last=_COUNTERS.c.last + 1).returning(_COUNTERS.c.last))
_APPEND_EVENT = Prebuilt(insert(_EVENTS))
_CONCERNS = cast(Table, ConcernRow.__table__)
# Through SQLAlchemy, not Prebuilt: with SQL echo on, the entry's INSERT is still logged (its
# parameters hidden), which tests/storage/test_storable_text.py relies on.
_ADD_CONCERN = insert(_CONCERNS).returning(_CONCERNS.c.id)
_ATTACHMENTS = cast(Table, ConcernAttachmentRow.__table__)
_ADD_ATTACHMENT = Prebuilt(insert(_ATTACHMENTS).returning(_ATTACHMENTS.c.id))
# INSERT … ON CONFLICT DO NOTHING, per dialect, built the first time that dialect runs it.
_LINKS: dict[str, Any] = {}


def _link_statement(session: Session) -> Any:
    name = session.get_bind().dialect.name
    if name not in _LINKS:
        _LINKS[name] = Prebuilt(dialect_insert(session)(_THREADS).on_conflict_do_nothing())
    return _LINKS[name]


def _lines(values: Iterable[str]) -> str:
    return "\n".join(v.strip() for v in values if v.strip())


def _to_provider(row: Any) -> Provider:  # a ProviderRow, or a Core row of its table
    return Provider(
        name=row.name,
        aliases=tuple(a for a in row.aliases.split("\n") if a),
        email_domains=tuple(d for d in row.email_domains.split("\n") if d),
        id=row.id,
        officer=row.officer,
        risk=row.risk,
        registered_on=row.registered_on,
    )


@functools.cache
def _open_actions_query(by_owner: bool) -> Select[Any]:
    """`open_actions`' statement, built on first use and kept: building it (an aliased,
    numbered subquery) cost more than running it, and every `mine` runs it (issue 18)."""
    number = func.row_number().over(partition_by=ConcernActionRow.concern_id,
                                    order_by=ConcernActionRow.id).label("number")
    numbered = select(ConcernActionRow, number).subquery()
    action = aliased(ConcernActionRow, numbered)
    query = (select(action, numbered.c.number, ConcernRow, ProviderRow.name)
             .join(ConcernRow, ConcernRow.id == action.concern_id)
             .outerjoin(ProviderRow, ConcernRow.provider_id == ProviderRow.id)
             .where(action.done == sa_false(), ConcernRow.state != EntryState.CLOSED.value))
    if by_owner:  # names, any case (stripped and lowered by the caller)
        query = query.where(func.lower(action.owner).in_(bindparam("owners", expanding=True)))
    return query.order_by(action.due_date, ConcernRow.id, action.id)


def _to_action(row: ConcernActionRow, number: int) -> ConcernAction:
    return ConcernAction(row.description, row.owner, row.due_date, row.due_text, row.done, row.id, number,
                         row.done_at, row.done_note)


def _restriction(concern: Concern) -> Restriction:
    """Safeguarding is always restricted, whatever the row said before."""
    return Restriction.RESTRICTED if concern.category is Category.SAFEGUARDING else concern.restriction


def _insert(session: Session):  # type: ignore[no-untyped-def]
    return dialect_insert(session)


class ProviderRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, provider: Provider) -> Provider:
        if self._row_by_name(provider.name) is not None:
            raise Duplicate(f"There is already a provider called {provider.name}.")
        row = ProviderRow(name=provider.name.strip(), aliases=_lines(provider.aliases),
                          email_domains=_lines(d.lower().lstrip("@") for d in provider.email_domains),
                          officer=provider.officer, risk=provider.risk, registered_on=provider.registered_on)
        self._session.add(row)
        self._session.flush()
        return _to_provider(row)

    def update(self, provider: Provider) -> Provider:
        row = self._row_by_name(provider.name)
        if row is None:
            raise NotFound(f"There is no provider called {provider.name}.")
        row.aliases = _lines(provider.aliases)
        row.email_domains = _lines(d.lower().lstrip("@") for d in provider.email_domains)
        row.officer = provider.officer
        row.risk = provider.risk
        if provider.registered_on is not None:
            row.registered_on = provider.registered_on
        self._session.flush()
        return _to_provider(row)

    def find(self, text: str) -> builtins.list[Provider]:
        """Providers `text` names: exactly (with Ltd/Limited/Care/Homecare variants), else by
        the first words of a name or alias. More than one: the caller lists them."""
        from bot.domain.providers import matching

        exact = self.get(text)
        return [exact] if exact is not None else matching(self.list(), text)

    def get(self, name: str) -> Provider | None:
        row = self._row_by_name(name)
        return _to_provider(row) if row is not None else None

    def list(self) -> builtins.list[Provider]:
        return [_to_provider(r) for r in core(self._session, _LIST_PROVIDERS)]

    def _row_by_name(self, name: str) -> ProviderRow | None:
        return self._session.scalars(
            select(ProviderRow).where(func.lower(ProviderRow.name) == name.strip().lower())
        ).first()


class ConcernRepository:
    def __init__(self, session: Session) -> None:
        self._session = session
        # The rows this unit of work has read, held so `_row` finds them in the session's
        # identity map (it holds rows weakly: without this, every event or thread link
        # written for an entry read its row back from the database).
        self._held: dict[int, ConcernRow] = {}
        # The ids of the entries this unit of work wrote (Core INSERT, no ORM row) or read:
        # the statements that only need an entry's id (history, thread, attachments) take
        # it from here without reading the row.
        self._known: set[int] = set()

    def allocate_reference(self, year: int) -> tuple[str, int]:
        """The next reference of `year`, e.g. ("PQ-2026-0042", 42).

        One counter row per year, incremented with UPDATE … RETURNING: on PostgreSQL the row
        lock makes a second transaction wait for the first; on SQLite every unit of work holds
        the write lock (BEGIN IMMEDIATE). Either way two entries never get the same number,
        and a rolled-back transaction gives its number back.
        """
        bumped = core(self._session, _BUMP, {"b_year": year}).first()
        sequence = bumped[0] if bumped is not None else None
        if sequence is None:
            seed = _insert(self._session)(ReferenceCounterRow).values(year=year, last=0).on_conflict_do_nothing()
            self._session.execute(seed)
            sequence = core(self._session, _BUMP, {"b_year": year}).first()[0]
        return format_reference(year, sequence), sequence

    def add(self, concern: Concern, provider_id: int | None = None) -> Concern:
        year, sequence = (int(part) for part in concern.reference.split("-")[1:3])
        new_id = core(self._session, _ADD_CONCERN, dict(
            reference=concern.reference, year=year, sequence=sequence, provider_id=provider_id,
            provider_text=None if provider_id else concern.provider, category=concern.category.value,
            summary=concern.summary, body=concern.body, source=concern.source.value,
            reporter=concern.reporter, reporter_email=concern.reporter_email,
            received_at=concern.received_at, action_code=concern.action_code, state=concern.state.value,
            message_id=concern.message_id, restriction=_restriction(concern).value,
            body_restricted=concern.body_restricted or concern.is_confidential,
            logged_at=concern.logged_at or concern.received_at,
            provider_proposed=bool(concern.provider_proposed and not provider_id and concern.provider),
            acknowledged_at=concern.acknowledged_at, responded_at=concern.responded_at,
            complaint_stage=concern.complaint_stage,
        )).first()[0]
        self._known.add(new_id)
        return replace(concern, id=new_id)

    def get(self, reference: str) -> Concern | None:
        found = self._session.execute(
            select(ConcernRow, ProviderRow.name)
            .outerjoin(ProviderRow, ConcernRow.provider_id == ProviderRow.id)
            .where(ConcernRow.reference == reference)
        ).first()
        if found is None:
            return None
        self._held[found[0].id] = found[0]  # a reply's history and thread links follow
        self._known.add(found[0].id)
        return self._to_concern(found[0], found[1], details=True)

    def list(self, open_only: bool = True, provider: Provider | None = None,
             provider_text: str | None = None, limit: int = 200) -> builtins.list[Concern]:
        query = select(ConcernRow, ProviderRow.name).outerjoin(ProviderRow, ConcernRow.provider_id == ProviderRow.id)
        if open_only:
            query = query.where(ConcernRow.state != EntryState.CLOSED.value)
        if provider is not None:
            query = query.where(ConcernRow.provider_id == provider.id)
        elif provider_text is not None:
            query = query.where(func.lower(ConcernRow.provider_text) == provider_text.strip().lower())
        query = query.order_by(ConcernRow.year, ConcernRow.sequence).limit(limit)
        return [self._to_concern(row, name, details=False) for row, name in self._session.execute(query)]

    def open_counts_by_category(self) -> dict[str, int]:
        """How many entries are open (or in progress) in each category: one GROUP BY, for
        digests. Counts only, so confidential entries show as a number and nothing else."""
        # Confidential entries (safeguarding, restricted, pending review) are one number under
        # "confidential": their own categories would say more than a total count.
        bucket = case((or_(ConcernRow.restriction != Restriction.NONE.value,
                           ConcernRow.category == Category.SAFEGUARDING.value), "confidential"),
                      else_=ConcernRow.category)
        query = (
            select(bucket, func.count(ConcernRow.id))
            .where(ConcernRow.state != EntryState.CLOSED.value)
            .group_by(bucket)
        )
        return {str(category): int(count) for category, count in self._session.execute(query)}

    def update(self, concern: Concern) -> None:
        """Write the fields commands change: state, category, linked action code, restriction
        and a pending downgrade, and the dates of closing and anonymising."""
        row = self._row(concern)
        row.state = concern.state.value
        row.category = concern.category.value
        row.action_code = concern.action_code
        row.restriction = _restriction(concern).value
        row.downgrade_requested_by = concern.downgrade_requested_by
        row.downgrade_to = concern.downgrade_to.value if concern.downgrade_to else None
        row.closed_at = concern.closed_at
        row.anonymised_at = concern.anonymised_at
        row.acknowledged_at = concern.acknowledged_at
        row.responded_at = concern.responded_at
        row.complaint_stage = concern.complaint_stage
        self._session.flush()

    def set_provider(self, concern: Concern, provider: Provider | None, proposed_name: str | None = None) -> None:
        """Link the entry to a registered provider, or leave it with a proposed name."""
        row = self._row(concern)
        row.provider_id = provider.id if provider is not None else None
        row.provider_text = None if provider is not None else proposed_name
        row.provider_proposed = provider is None and bool(proposed_name)
        self._session.flush()

    def unlinked(self, limit: int = 100_000) -> builtins.list[Concern]:
        """Entries with no registered provider (a proposed name, or none), for relinking."""
        query = (select(ConcernRow).where(ConcernRow.provider_id.is_(None)).order_by(ConcernRow.id).limit(limit))
        return [self._to_concern(row, None, details=False) for row in self._session.scalars(query)]

    def link_unlinked(self, provider: Provider, matches: Callable[[Concern], bool]) -> int:
        """Link every entry without a registered provider that `matches` says is this
        provider's; how many were linked."""
        ids = [c.id for c in self.unlinked() if matches(c)]
        for start in range(0, len(ids), 500):  # one UPDATE per 500, not one per entry
            self._session.execute(update(ConcernRow).where(ConcernRow.id.in_(ids[start:start + 500]))
                                  .values(provider_id=provider.id, provider_text=None, provider_proposed=False))
        self._session.flush()
        return len(ids)

    def link_earlier(self, provider: Provider) -> int:
        """Link the entries logged before `provider` was registered (or given a domain) that
        name it: by sender domain, proposed name, display name, signature or subject. How many."""
        from bot.domain.providers import concern_names

        return self.link_unlinked(provider, lambda concern: concern_names(provider, concern))

    def update_action(self, concern: Concern, action: ConcernAction) -> None:
        row = self._session.get(ConcernActionRow, action.id) if action.id is not None else None
        if row is None or row.concern_id != self._row(concern).id:
            raise NotFound(f"There is no stored action {action.reference(concern.reference)}.")
        row.owner, row.due_date, row.due_text = action.owner, action.due_date, action.due_text
        row.done, row.done_at, row.done_note = action.done, action.done_at, action.done_note
        self._session.flush()

    def open_actions(self, owners: Iterable[str] | None = None) -> builtins.list[tuple[Concern, ConcernAction]]:
        """Every open allocated action of an entry that is not closed, with its entry (no
        details) and its number within the entry; only `owners`' (names, any case) if given."""
        params = {} if owners is None else {"owners": [o.strip().lower() for o in owners if o.strip()]}
        rows = self._session.execute(_open_actions_query(owners is not None), params)
        return [(self._to_concern(entry, name, details=False), _to_action(a, int(n))) for a, n, entry, name in rows]

    def list_between(self, start: datetime | None, end: datetime | None, provider: Provider | None = None,
                     limit: int = 1_000_000) -> builtins.list[Concern]:
        """Entries received in [start, end), with their actions, oldest first (for reports)."""
        query = select(ConcernRow, ProviderRow.name).outerjoin(ProviderRow, ConcernRow.provider_id == ProviderRow.id)
        if start is not None:
            query = query.where(ConcernRow.received_at >= start)
        if end is not None:
            query = query.where(ConcernRow.received_at < end)
        if provider is not None:
            query = query.where(ConcernRow.provider_id == provider.id)
        query = query.order_by(ConcernRow.received_at, ConcernRow.id).limit(limit)
        return [self._to_concern(row, name, details=True) for row, name in self._session.execute(query)]

    def restricted_count(self, open_only: bool = True) -> int:
        """How many confidential entries there are: all a person without the role may learn."""
        query = select(func.count(ConcernRow.id)).where(ConcernRow.restriction != Restriction.NONE.value)
        if open_only:
            query = query.where(ConcernRow.state != EntryState.CLOSED.value)
        return int(self._session.scalar(query) or 0)

    def record_access(self, concern: Concern, access: ConcernAccess) -> None:
        self._session.add(ConcernAccessRow(
            concern_id=self._row(concern).id, reference=concern.reference, person=access.person[:320], at=access.at,
            channel=access.channel, place=(access.place or None) and access.place[:500], what=access.what,
            allowed=access.allowed,
        ))
        self._session.flush()

    def access_log(self, concern: Concern | None = None, since: datetime | None = None,
                   limit: int = 10_000) -> builtins.list[ConcernAccess]:
        """Views of confidential entries, oldest first (one entry's, or all since a time)."""
        query = select(ConcernAccessRow)
        if concern is not None:
            query = query.where(ConcernAccessRow.concern_id == self._row(concern).id)
        if since is not None:
            query = query.where(ConcernAccessRow.at >= since)
        query = query.order_by(ConcernAccessRow.at, ConcernAccessRow.id).limit(limit)
        return [ConcernAccess(reference=r.reference, person=r.person, at=r.at, channel=r.channel, place=r.place,
                              what=r.what, allowed=r.allowed) for r in self._session.scalars(query)]

    def closed_entries(self, limit: int = 100_000) -> builtins.list[Concern]:
        """Closed entries not yet anonymised, for the retention purge."""
        query = (select(ConcernRow, ProviderRow.name).outerjoin(ProviderRow, ConcernRow.provider_id == ProviderRow.id)
                 .where(ConcernRow.state == EntryState.CLOSED.value, ConcernRow.anonymised_at.is_(None))
                 .order_by(ConcernRow.id).limit(limit))
        return [self._to_concern(row, name, details=False) for row, name in self._session.execute(query)]

    def anonymise(self, concern: Concern, text: str, at: datetime) -> None:
        """Retention: the entry's content goes, its reference, dates, category and state stay."""
        row = self._row(concern)
        row.summary, row.body, row.reporter, row.reporter_email, row.message_id = text, "", text, None, None
        row.anonymised_at = at
        self._session.execute(update(ConcernEventRow).where(ConcernEventRow.concern_id == row.id)
                              .values(note=None, source_ref=None, actor=text))
        self._session.execute(update(ConcernActionRow).where(ConcernActionRow.concern_id == row.id)
                              .values(description=text))
        self._session.execute(update(ConcernAttachmentRow).where(ConcernAttachmentRow.concern_id == row.id)
                              .values(filename=text, data=None, note=None))
        self._session.execute(delete(ConcernThreadRow).where(ConcernThreadRow.concern_id == row.id))
        self._session.flush()

    def add_action(self, concern: Concern, action: ConcernAction) -> ConcernAction:
        row = ConcernActionRow(concern_id=self._row(concern).id, description=action.description,
                               owner=action.owner, due_date=action.due_date, due_text=action.due_text,
                               done=action.done)
        self._session.add(row)
        self._session.flush()
        number = self._session.scalar(select(func.count(ConcernActionRow.id)).where(
            ConcernActionRow.concern_id == row.concern_id, ConcernActionRow.id <= row.id)) or 0
        return replace(action, id=row.id, number=int(number))

    def append_event(self, concern: Concern, event: ConcernEvent) -> None:
        core(self._session, _APPEND_EVENT, dict(
            concern_id=self._id(concern), at=event.at, actor=event.actor, channel=event.channel,
            kind=event.kind, changes=[list(c) for c in event.changes], note=event.note,
            source_ref=event.source_ref, restricted=event.restricted or concern.is_confidential,
        ))

    def events(self, concern: Concern, limit: int = 50) -> builtins.list[ConcernEvent]:
        """The entry's history, oldest first."""
        rows = self._session.scalars(
            select(ConcernEventRow).where(ConcernEventRow.concern_id == self._row(concern).id)
            .order_by(ConcernEventRow.at, ConcernEventRow.id).limit(limit)
        )
        return [ConcernEvent(reference=concern.reference, at=r.at, actor=r.actor, channel=r.channel, kind=r.kind,
                             changes=tuple((c[0], c[1], c[2]) for c in r.changes), note=r.note,
                             source_ref=r.source_ref, id=r.id, restricted=r.restricted) for r in rows]

    def add_attachment(self, concern: Concern, info: AttachmentInfo, data: bytes | None) -> AttachmentInfo:
        new_id = core(self._session, _ADD_ATTACHMENT, dict(
            concern_id=self._id(concern), filename=info.filename, content_type=info.content_type, size=info.size,
            data=data if info.stored else None, note=info.note, restricted=info.restricted or concern.is_confidential,
        )).first()[0]
        return replace(info, id=new_id)

    def attachment_data(self, attachment_id: int) -> bytes | None:
        row = self._session.get(ConcernAttachmentRow, attachment_id)
        return row.data if row is not None else None

    def link_message(self, concern: Concern, message_id: str) -> None:
        """Remember that `message_id` belongs to this entry's thread (no-op if known)."""
        core(self._session, _link_statement(self._session),
             {"message_id": message_id[:500], "concern_id": self._id(concern)})

    def find_by_messages(self, message_ids: Iterable[str]) -> Concern | None:
        ids = [m[:500] for m in message_ids if m]
        if not ids:
            return None
        reference = self._session.scalars(
            select(ConcernRow.reference).join(ConcernThreadRow, ConcernThreadRow.concern_id == ConcernRow.id)
            .where(ConcernThreadRow.message_id.in_(ids)).order_by(ConcernRow.id).limit(1)
        ).first()
        return self.get(reference) if reference else None

    def count_by_message(self, message_id: str) -> int:
        return self._session.scalar(
            select(func.count()).select_from(ConcernRow).where(ConcernRow.message_id == message_id)
        ) or 0

    def search_provider_text(self, text: str) -> builtins.list[str]:
        """Provider names typed on entries that match no record (for `concerns NAME`)."""
        return list(self._session.scalars(
            select(ConcernRow.provider_text).where(or_(func.lower(ConcernRow.provider_text) == text.lower()))
            .distinct()
        ))

    def _row(self, concern: Concern) -> ConcernRow:
        row = self._session.get(ConcernRow, concern.id) if concern.id is not None else None
        if row is None:
            raise NotFound(f"There is no stored entry {concern.reference}.")
        self._held[row.id] = row
        self._known.add(row.id)
        return row

    def _id(self, concern: Concern) -> int:
        """The entry's id, read (and checked) only when this unit of work has not seen it."""
        if concern.id is not None and concern.id in self._known:
            return concern.id
        return self._row(concern).id

    def _to_concern(self, row: ConcernRow, provider_name: str | None, details: bool) -> Concern:
        concern = Concern(
            reference=row.reference, category=Category(row.category), summary=row.summary, body=row.body,
            source=Source(row.source), reporter=row.reporter, received_at=row.received_at,
            provider=provider_name or row.provider_text, reporter_email=row.reporter_email,
            action_code=row.action_code, state=EntryState(row.state), message_id=row.message_id, id=row.id,
            restriction=Restriction(row.restriction), body_restricted=row.body_restricted,
            downgrade_requested_by=row.downgrade_requested_by,
            downgrade_to=Category(row.downgrade_to) if row.downgrade_to else None,
            closed_at=row.closed_at, anonymised_at=row.anonymised_at,
            logged_at=row.logged_at or row.received_at, provider_proposed=row.provider_proposed,
            acknowledged_at=row.acknowledged_at, responded_at=row.responded_at, complaint_stage=row.complaint_stage,
        )
        if details:
            concern.actions = [
                _to_action(a, n)
                for n, a in enumerate(self._session.scalars(
                    select(ConcernActionRow).where(ConcernActionRow.concern_id == row.id)
                    .order_by(ConcernActionRow.id)), start=1)
            ]
            concern.attachments = [
                AttachmentInfo(a.filename, a.content_type, a.size, a.data is not None, a.note, a.id, a.restricted)
                for a in self._session.scalars(
                    select(ConcernAttachmentRow).where(ConcernAttachmentRow.concern_id == row.id)
                    .order_by(ConcernAttachmentRow.id))
            ]
        return concern
