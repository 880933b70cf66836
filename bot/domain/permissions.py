"""Who may change what. Plain functions: no Slack, no SQL, no clock."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.domain.model import Action, Person, Role


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""


ALLOW = Decision(True)


def is_responsible(person: Person, action: Action) -> bool:
    """True when the action's responsibility names the person or their team.

    Responsibility is free text ("Commissioning Team and Finance Team", "Service Manager,
    Commissioning"), so a name matches as whole words anywhere in it.
    """
    text = (action.responsibility or "").casefold()
    if not text:
        return False
    for name in (person.name, person.team):
        if name and re.search(r"(?<!\w)" + re.escape(name.casefold()) + r"(?!\w)", text):
            return True
    return False


def can_update(person: Person | None, action: Action, mode: str) -> Decision:
    """May this person change this action?

    - unknown senders may ask questions but never change anything;
    - viewers never change anything;
    - admins change everything;
    - updaters change any action in "open" mode, and in "strict" mode only the actions whose
      responsibility names them or their team.
    """
    if person is None:
        return Decision(
            False,
            "I don't know who you are yet, so I can answer questions but not record changes. "
            "Ask an admin to add you with `actionbot people add`.",
        )
    if person.role is Role.ADMIN:
        return ALLOW
    if person.role is Role.VIEWER:
        return Decision(False, f"{person.name} has the viewer role, which may not change actions.")
    if mode == "open" or is_responsible(person, action):
        return ALLOW
    owner = action.responsibility or "nobody"
    return Decision(
        False,
        f"{action.code} is the responsibility of {owner}; in strict mode only they or an admin "
        "may change it.",
    )
