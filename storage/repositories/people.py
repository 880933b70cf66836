"""uow.people: people, their roles, and the chat and mail identities they write from."""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from bot.domain.model import Person, Role
from storage.errors import Duplicate, DuplicateIdentity, NotFound
from storage.repositories.core import core
from storage.repositories.prebuilt import Prebuilt
from storage.tables import IdentityRow, PersonRow


# Built once: the dispatcher identifies the sender of every message with one of these, as a
# prebuilt Core statement read as a plain row (see storage.repositories.core): no ORM
# instance for a lookup that only copies six columns out.
_PEOPLE = PersonRow.__table__
_PERSON_COLUMNS = (_PEOPLE.c.id, _PEOPLE.c.name, _PEOPLE.c.role, _PEOPLE.c.team, _PEOPLE.c.email,
                   _PEOPLE.c.roles_extra)
_BY_IDENTITY = Prebuilt(
    select(*_PERSON_COLUMNS)
    .select_from(_PEOPLE.join(IdentityRow.__table__, IdentityRow.person_id == _PEOPLE.c.id))
    .where(IdentityRow.channel == bindparam("channel"), IdentityRow.external_id == bindparam("external_id"))
)
_BY_EMAIL = (select(*_PERSON_COLUMNS).where(func.lower(_PEOPLE.c.email) == bindparam("email"))
             .order_by(_PEOPLE.c.id).limit(1))
_BY_NAME = select(PersonRow).where(func.lower(PersonRow.name) == bindparam("name")).order_by(PersonRow.id)


def _to_person(row: Any) -> Person:
    """From a PersonRow, or a Core row of the same columns."""
    return Person(
        name=row.name,
        role=Role(row.role),
        team=row.team,
        email=row.email,
        roles_extra=tuple(part for part in row.roles_extra.split(",") if part),
        id=row.id,
    )


def _roles_extra(person: Person) -> str:
    return ",".join(role.strip() for role in person.roles_extra if role.strip())


class PeopleRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, person: Person, identities: dict[str, str] | None = None) -> Person:
        """Store a person (names are unique ignoring case) with their identities
        (channel -> external id, e.g. {"slack": "U024BE7LH"})."""
        if self._row_by_name(person.name) is not None:
            raise Duplicate(f"There is already a person called {person.name}.")
        row = PersonRow(
            name=person.name.strip(),
            role=Role(person.role).value,
            team=person.team,
            email=person.email,
            roles_extra=_roles_extra(person),
        )
        self._session.add(row)
        self._session.flush()
        for channel, external_id in (identities or {}).items():
            self._link_row(row, channel, external_id)
        return _to_person(row)

    def get(self, name: str) -> Person | None:
        row = self._row_by_name(name)
        return _to_person(row) if row is not None else None

    def list(self) -> builtins.list[tuple[Person, dict[str, str]]]:
        """Everyone, by name, with their identities (channel -> external id)."""
        people = self._session.scalars(select(PersonRow).order_by(PersonRow.name)).all()
        identities: dict[int, dict[str, str]] = {row.id: {} for row in people}
        for identity in self._session.scalars(select(IdentityRow).order_by(IdentityRow.id)):
            identities[identity.person_id][identity.channel] = identity.external_id
        return [(_to_person(row), identities[row.id]) for row in people]

    def find_by_identity(self, channel: str, external_id: str) -> Person | None:
        row = core(self._session, _BY_IDENTITY, {"channel": channel, "external_id": external_id}).first()
        return _to_person(row) if row is not None else None

    def find_by_email(self, email: str) -> Person | None:
        """The person with this email address, ignoring case."""
        row = core(self._session, _BY_EMAIL, {"email": email.strip().lower()}).first()
        return _to_person(row) if row is not None else None

    def link(self, person_name: str, channel: str, external_id: str) -> None:
        """Say that `external_id` on `channel` is this person. Linking again is a no-op;
        an identity already linked to someone else raises DuplicateIdentity."""
        row = self._row_by_name(person_name)
        if row is None:
            raise NotFound(f"There is no person called {person_name}.")
        self._link_row(row, channel, external_id)

    def update(self, person: Person) -> Person:
        """Write role, team, email and roles_extra of the person with `person.id`."""
        row = self._session.get(PersonRow, person.id) if person.id is not None else None
        if row is None:
            raise NotFound(f"There is no stored person {person.name} (id {person.id}).")
        row.role = Role(person.role).value
        row.team = person.team
        row.email = person.email
        row.roles_extra = _roles_extra(person)
        self._session.flush()
        return _to_person(row)

    def _row_by_name(self, name: str) -> PersonRow | None:
        return self._session.scalars(_BY_NAME, {"name": name.strip().lower()}).first()

    def _link_row(self, person: PersonRow, channel: str, external_id: str) -> None:
        owner = core(self._session, _BY_IDENTITY, {"channel": channel, "external_id": external_id}).first()
        if owner is not None and owner.id == person.id:
            return
        if owner is not None:
            raise DuplicateIdentity(
                f"{channel} identity {external_id} is already linked to {owner.name}; "
                f"unlink it there before linking it to {person.name}."
            )
        identity = IdentityRow(person_id=person.id, channel=channel, external_id=external_id)
        self._session.add(identity)
        self._session.flush()
