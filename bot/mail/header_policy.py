"""policy.default, with each header's class made once.

`email.headerregistry.HeaderRegistry` makes a new class (`type(...)`) every time it parses a
header: a fifth of the cost of decoding a Subject, and of writing a header of ours (issue
18). The class depends only on the header's name, so one per name serves every message.
"""

from __future__ import annotations

from email import policy
from email.headerregistry import HeaderRegistry


class ReusedHeaderClasses(HeaderRegistry):
    """The standard header registry, making each name's header class once."""

    def __init__(self) -> None:
        super().__init__()
        self._made: dict[str, type] = {}

    def __getitem__(self, name: str) -> type:
        lowered = name.lower()  # HeaderRegistry chooses the class by the lowered name alone
        made = self._made.get(lowered)
        if made is None:
            made = self._made[lowered] = super().__getitem__(name)
        return made


# policy.default in every respect but the header factory: the same header values, parsed and
# folded the same way.
HEADERS = policy.default.clone(header_factory=ReusedHeaderClasses())
