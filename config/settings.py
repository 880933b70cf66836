"""Settings: embedded defaults, then a TOML config file, then the environment, then CLI options.

Secrets (tokens, passwords, client secrets, private keys) come only from the environment, or a
key from a file the environment names. A config file that contains one is refused, so a
secret never ends up in a file in a repository.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import date
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.domain.workdays import WorkingCalendar

DEFAULT_DB_PATH = Path("var") / "actionbot.db"
DEFAULT_DATABASE_URL = f"sqlite:///{DEFAULT_DB_PATH.as_posix()}"
# Package data, so `pip install .` (not only an editable install) has it; examples/ in the
# repository holds the same file for `actionbot import examples/…` (a test keeps them equal).
EXAMPLE_PLAN: Traversable = files("config") / "examples" / "moray-commissioning-2023.csv"

PERMISSION_MODES = ("strict", "open")
_SECRET_WORDS = ("token", "secret", "password", "passwd", "api_key", "apikey", "private_key")


class SettingsError(ValueError):
    """A setting that cannot be used; the message says which and what to do."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    today: date | None = None  # pins "today" for demos and tests
    timezone: str = "Europe/London"
    permission_mode: str = "strict"
    console_user: str = "Console Admin"
    default_plan: str | None = None
    # "slack:C0123" or "teams:19:abc@thread" -> plan name, so short codes resolve in that plan
    channel_plans: dict[str, str] = field(default_factory=dict)
    maildrop: Path = Path("maildrop")
    example_plan: Path | Traversable | None = EXAMPLE_PLAN  # None: an empty database stays empty
    max_message_chars: int = 4000
    # How long a command (`actionbot import`, `say`, …) waits for another actionbot process that
    # holds the SQLite file (an import of a large plan) before it gives up, changing nothing.
    db_wait_s: float = 60.0
    config_file: Path | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # sections other issues read
    # The working-day calendar ([calendar]): the nation whose bank holidays apply and the
    # team's own closure days. Timescales and reminders both count on it.
    nation: str = "england-and-wales"
    closures: tuple[date, ...] = ()

    def working_calendar(self) -> "WorkingCalendar":
        from bot.domain.workdays import WorkingCalendar

        return WorkingCalendar(nation=self.nation, closures=frozenset(self.closures))

    def plan_for_conversation(self, channel: str, conversation_id: str | None) -> str | None:
        if conversation_id:
            plan = self.channel_plans.get(f"{channel}:{conversation_id}")
            if plan:
                return plan
        return self.default_plan


def _parse_today(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise SettingsError(
            f"'{value}' is not a date for --today / ACTIONBOT_TODAY; use the form 2026-03-31."
        ) from None


def _parse_seconds(value: str, name: str) -> float:
    try:
        seconds = float(value.strip())
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise SettingsError(f"{name} is '{value}', not a number of seconds; use e.g. 60 (0: do not wait).")
    return seconds


def _refuse_secrets(data: dict[str, Any], path: Path, prefix: str = "") -> None:
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            _refuse_secrets(value, path, prefix=f"{name}.")
        elif any(word in key.lower() for word in _SECRET_WORDS) or _is_key_material(value):
            raise SettingsError(
                f"{path} sets '{name}', which looks like a secret. Secrets are read only from the "
                "environment (see the README); remove it from the file."
            )


def _is_key_material(value: object) -> bool:
    """A PEM private key (a certificate's key pasted into the file), whatever its key is called."""
    return isinstance(value, str) and "-----BEGIN" in value and "PRIVATE KEY-----" in value


def load_settings(
    config_file: str | Path | None = None,
    database_url: str | None = None,
    today: str | date | None = None,
    environ: dict[str, str] | None = None,
) -> Settings:
    env = dict(os.environ if environ is None else environ)
    settings = Settings()
    path_text = config_file or env.get("ACTIONBOT_CONFIG")
    if path_text:
        path = Path(path_text)
        if not path.is_file():
            raise SettingsError(f"Config file {path} does not exist (from --config or ACTIONBOT_CONFIG).")
        import tomllib  # only with a config file (a cold `say` without one need not import it)

        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise SettingsError(f"Config file {path} is not valid TOML: {exc}") from None
        _refuse_secrets(data, path)
        settings = _apply_file(settings, data, path)
    if env.get("ACTIONBOT_DATABASE_URL"):
        settings = replace(settings, database_url=env["ACTIONBOT_DATABASE_URL"])
    if env.get("ACTIONBOT_TODAY"):
        settings = replace(settings, today=_parse_today(env["ACTIONBOT_TODAY"]))
    if env.get("ACTIONBOT_PERMISSION_MODE"):
        settings = replace(settings, permission_mode=env["ACTIONBOT_PERMISSION_MODE"].strip().lower())
    if env.get("ACTIONBOT_MAILDROP"):
        settings = replace(settings, maildrop=Path(env["ACTIONBOT_MAILDROP"]))
    if env.get("ACTIONBOT_EXAMPLE_PLAN"):
        settings = replace(settings, example_plan=_example_plan(env["ACTIONBOT_EXAMPLE_PLAN"]))
    if env.get("ACTIONBOT_DB_WAIT_S"):
        settings = replace(settings, db_wait_s=_parse_seconds(env["ACTIONBOT_DB_WAIT_S"], "ACTIONBOT_DB_WAIT_S"))
    if env.get("ACTIONBOT_NATION"):
        from bot.domain.workdays import CalendarError, nation_from_text

        try:
            settings = replace(settings, nation=nation_from_text(env["ACTIONBOT_NATION"]))
        except CalendarError as error:
            raise SettingsError(f"ACTIONBOT_NATION: {error}") from None
    if database_url:
        settings = replace(settings, database_url=database_url)
    if today:
        settings = replace(settings, today=today if isinstance(today, date) else _parse_today(today))
    if settings.permission_mode not in PERMISSION_MODES:
        raise SettingsError(
            f"permission_mode '{settings.permission_mode}' is not one of: {', '.join(PERMISSION_MODES)}."
        )
    return settings


def _example_plan(text: str) -> Path | None:
    """ACTIONBOT_EXAMPLE_PLAN: `none` (a deployment starts with no plan) or a plan file to load
    into an empty database instead of the packaged example."""
    if text.strip().lower() in ("none", "off", "no", "false", "0"):
        return None
    path = Path(text.strip())
    if not path.is_file():
        raise SettingsError(f"ACTIONBOT_EXAMPLE_PLAN names {path}, which is not a file; give a plan file (.csv) or "
                            "'none' to start with an empty database.")
    return path


def _apply_file(settings: Settings, data: dict[str, Any], path: Path) -> Settings:
    bot = data.get("bot", {})
    changes: dict[str, Any] = {"config_file": path}
    if "database_url" in bot:
        changes["database_url"] = str(bot["database_url"])
    if "timezone" in bot:
        changes["timezone"] = str(bot["timezone"])
    if "permission_mode" in bot:
        changes["permission_mode"] = str(bot["permission_mode"]).lower()
    if "console_user" in bot:
        changes["console_user"] = str(bot["console_user"])
    if "default_plan" in bot:
        changes["default_plan"] = str(bot["default_plan"])
    if "maildrop" in bot:
        changes["maildrop"] = Path(bot["maildrop"])
    if "db_wait_s" in bot:
        changes["db_wait_s"] = _parse_seconds(str(bot["db_wait_s"]), f"{path}: [bot] db_wait_s")
    if "today" in bot:
        changes["today"] = _parse_today(str(bot["today"]))
    calendar = data.get("calendar", {})
    if not isinstance(calendar, dict):
        raise SettingsError(f"{path}: [calendar] must be a table (nation = \"scotland\", closures = [...]).")
    if "nation" in calendar or "closures" in calendar:
        from bot.domain.workdays import CalendarError, WorkingCalendar

        try:
            working = WorkingCalendar.from_settings(
                str(calendar["nation"]) if "nation" in calendar else None,
                list(calendar.get("closures", [])),
            )
        except CalendarError as error:
            raise SettingsError(f"{path}: [calendar] {error}") from None
        changes["nation"] = working.nation
        changes["closures"] = tuple(sorted(working.closures))
    plans = data.get("channel_plans", {})
    if not isinstance(plans, dict):
        raise SettingsError(f"{path}: [channel_plans] must be a table of \"channel:id\" = \"plan name\".")
    changes["channel_plans"] = {str(k): str(v) for k, v in plans.items()}
    changes["extra"] = {k: v for k, v in data.items() if k not in ("bot", "channel_plans")}
    return replace(settings, **changes)
