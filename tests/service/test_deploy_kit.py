"""The deployment kit says what the code does: the Dockerfile runs `actionbot run` as a non-root
user and probes /healthz on the port the server listens on; compose runs the migration before
two bots on one PostgreSQL; the systemd unit stops the bot with SIGTERM; every variable the
kit sets is one the code reads.

Images cannot be built here (no registry to pull the base image from), so these are checks
of the files themselves; `docker build .` is the proof where a registry is reachable."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = (REPO / "Dockerfile").read_text(encoding="utf-8")
UNIT = (REPO / "docs" / "deploy" / "actionbot.service").read_text(encoding="utf-8")
ENV_EXAMPLE = (REPO / "docs" / "deploy" / "actionbot.env.example").read_text(encoding="utf-8")


def _instructions() -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n\s*", " ", DOCKERFILE)
    lines = [line.strip() for line in joined.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def _env() -> dict[str, str]:
    found: dict[str, str] = {}
    for name, rest in _instructions():
        if name == "ENV":
            for pair in shlex.split(rest):
                key, _, value = pair.partition("=")
                found[key] = value
    return found


def _code_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for folder in ("bot", "config", "storage")
                     for p in (REPO / folder).rglob("*.py"))


def test_the_image_runs_the_bot_as_a_non_root_user() -> None:
    instructions = _instructions()
    base = next(rest for name, rest in instructions if name == "FROM")
    assert base.startswith("python:3.11-slim")
    users = [rest for name, rest in instructions if name == "USER"]
    assert users and users[-1] not in ("root", "0")
    cmd = json.loads(next(rest for name, rest in reversed(instructions) if name == "CMD"))
    assert cmd == ["actionbot", "run"]


def test_the_image_holds_every_package_pyproject_installs() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]}
    copied = {rest.split()[0] for name, rest in _instructions() if name == "COPY"}
    assert packages <= copied, f"not copied into the image: {sorted(packages - copied)}"
    assert {"pyproject.toml", "README.md"} <= set(" ".join(rest for n, rest in _instructions() if n == "COPY").split())


def test_the_healthcheck_probes_healthz_where_the_server_listens() -> None:
    env = _env()
    health = next(rest for name, rest in _instructions() if name == "HEALTHCHECK")
    probe = json.loads(health[health.index("CMD") + 3:].strip())
    assert f"http://127.0.0.1:{env['ACTIONBOT_HTTP_PORT']}/healthz" in probe[-1]
    compile(probe[-1], "HEALTHCHECK", "exec")  # the probe is valid Python
    assert env["ACTIONBOT_HTTP_HOST"] == "0.0.0.0"  # reachable through the published port
    assert f"EXPOSE {env['ACTIONBOT_HTTP_PORT']}" in DOCKERFILE


def test_compose_migrates_then_runs_two_bots_on_postgresql() -> None:
    compose = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert services["db"]["image"].startswith("postgres:")
    assert services["migrate"]["command"] == ["actionbot", "db", "upgrade"]
    bots = [name for name, service in services.items() if name.startswith("bot")]
    assert len(bots) >= 2
    for name in bots:
        service = services[name]
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert service["environment"]["ACTIONBOT_DATABASE_URL"].startswith("postgresql+psycopg://")
        assert service["env_file"] == "actionbot.env"
        assert "command" not in service  # the image's own `actionbot run`
    published = [service["ports"][0] for name, service in services.items() if name in bots]
    assert len(set(published)) == len(published) and all(p.startswith("127.0.0.1:") for p in published)


def test_the_systemd_unit_runs_and_stops_the_bot_cleanly() -> None:
    settings = dict(line.split("=", 1) for line in UNIT.splitlines() if "=" in line and not line.startswith("#"))
    assert settings["ExecStart"].endswith("actionbot run")
    assert settings["KillSignal"] == "SIGTERM" and int(settings["TimeoutStopSec"]) > 10
    assert settings["User"] != "root" and settings["EnvironmentFile"].endswith("actionbot.env")


def test_every_variable_the_kit_sets_is_read_by_the_code() -> None:
    code = _code_text()
    named = set(_env()) | set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE, re.M))
    named -= {"PYTHONDONTWRITEBYTECODE", "PYTHONUNBUFFERED", "PIP_NO_CACHE_DIR", "PIP_DISABLE_PIP_VERSION_CHECK"}
    unknown = sorted(name for name in named if f'"{name}"' not in code and f"'{name}'" not in code)
    assert not unknown, f"the kit sets variables no code reads: {unknown}"


def test_no_secret_is_filled_in_the_env_example() -> None:
    for line in ENV_EXAMPLE.splitlines():
        if re.match(r"^[A-Z_]*(SECRET|TOKEN|PASSWORD)[A-Z_]*=", line):
            raise AssertionError(f"a secret has a value in the example: {line.split('=')[0]}")
