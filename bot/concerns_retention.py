"""Retention of the contract-monitoring log: the `[concerns]` settings and the purge.

A closed entry keeps its content for its category's retention period after it was closed
(`retention_years`, 6 by default, with per-category overrides); after that
`actionbot concerns purge` anonymises it: the reference, category, state, provider and dates
stay, so counts and references still add up, and the text, the reporter, history notes,
action descriptions, attachment data and the mail threads' Message-IDs go.

```toml
[concerns]
retention_years = 6

[concerns.retention_years_by_category]
complaint = 3
"social work concern" = 8
```
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.domain.concerns import ANONYMISED, Concern, category_from_words, category_names, due_for_purge
from config.settings import SettingsError

DEFAULT_RETENTION_YEARS = 6
MAX_RETENTION_YEARS = 100


@dataclass(frozen=True)
class RetentionSettings:
    default_years: int = DEFAULT_RETENTION_YEARS
    by_category: dict[str, int] = field(default_factory=dict)  # Category.value -> years

    def years_for(self, category: str) -> int:
        return self.by_category.get(category, self.default_years)

    @classmethod
    def from_extra(cls, extra: dict[str, Any]) -> RetentionSettings:
        """Read `[concerns]` (it lands in `Settings.extra["concerns"]`); a bad value is a
        SettingsError that names the key and says what would do."""
        section = extra.get("concerns", {})
        if not isinstance(section, dict):
            raise SettingsError("[concerns] in the settings file must be a table, e.g. `[concerns]` then "
                                "`retention_years = 6`.")
        default = _years("[concerns] retention_years", section.get("retention_years", DEFAULT_RETENTION_YEARS))
        overrides = section.get("retention_years_by_category", {})
        if not isinstance(overrides, dict):
            raise SettingsError("[concerns] retention_years_by_category must be a table of category = years, "
                                "e.g. `[concerns.retention_years_by_category]` then `complaint = 3`.")
        by_category: dict[str, int] = {}
        for key, value in overrides.items():
            category = category_from_words(str(key))
            if category is None:
                raise SettingsError(f"[concerns.retention_years_by_category] '{key}' is not a category; the "
                                    f"categories are: {category_names()}.")
            by_category[category.value] = _years(f"[concerns.retention_years_by_category] {key}", value)
        return cls(default, by_category)


def _years(name: str, value: object) -> int:
    # TOML's true is a Python bool, which is an int: refuse it as well as 6.5 and "six".
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_RETENTION_YEARS:
        raise SettingsError(f"{name} = {value!r} is not a number of years; use a whole number from 1 to "
                            f"{MAX_RETENTION_YEARS}, e.g. {DEFAULT_RETENTION_YEARS}.")
    return value


def entries_due(closed: list[Concern], now: datetime, settings: RetentionSettings) -> list[Concern]:
    """The closed entries whose content has outlived their category's retention period."""
    return [c for c in closed if due_for_purge(c, now, settings.by_category, settings.default_years)]


def anonymise_all(uow: Any, due: list[Concern], now: datetime,
                  on_entry: Callable[[int], None] = lambda n: None) -> int:
    """Anonymise `due` in the caller's unit of work (the caller commits once: all or nothing)."""
    for count, concern in enumerate(due, start=1):
        uow.concerns.anonymise(concern, ANONYMISED, now)
        on_entry(count)
    return len(due)
