"""`actionbot teams package`: the app package template filled in and zipped."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.channels.teams.package import TEMPLATE_DIR, PackageError, manifest_for, png_size
from bot.cli import app

BOT_ID = "28c1a9e5-5f0e-4d8a-9d5e-0b5d3c1e2f70"


def test_template_icons_have_the_sizes_teams_requires() -> None:
    assert png_size(TEMPLATE_DIR / "color.png") == (192, 192)
    assert png_size(TEMPLATE_DIR / "outline.png") == (32, 32)


def test_package_fills_the_bot_id_and_leaves_rsc_out_unless_asked(tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    result = CliRunner().invoke(app, ["teams", "package", BOT_ID.upper(), "--website", "https://council.example/bot",
                                      "--organisation", "Moray HSCP", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
    assert manifest["id"] == BOT_ID and manifest["bots"][0]["botId"] == BOT_ID
    assert manifest["developer"]["name"] == "Moray HSCP"
    assert manifest["developer"]["privacyUrl"] == "https://council.example/bot"
    assert "{{" not in json.dumps(manifest)
    # Schema 1.25 with channel features at the top level: the bot can be added to shared and
    # private channels too, and Teams accepts the team scope at this schema version.
    assert manifest["manifestVersion"] == "1.25"
    assert manifest["$schema"] == "https://developer.microsoft.com/json-schemas/teams/v1.25/MicrosoftTeams.schema.json"
    assert manifest["supportsChannelFeatures"] == "tier1"
    assert "team" in manifest["bots"][0]["scopes"] and "supportsChannelFeatures" not in manifest["bots"][0]
    assert "authorization" not in manifest and "webApplicationInfo" not in manifest
    titles = [c["title"] for c in manifest["bots"][0]["commandLists"][0]["commands"]]
    assert "summary" in titles and "subscribe this channel" in titles
    assert all(len(t) <= 32 for t in titles) and len(titles) <= 10


def test_package_with_the_resource_specific_permission(tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    result = CliRunner().invoke(app, ["teams", "package", BOT_ID, "--website", "https://council.example/bot",
                                      "--read-channel-messages", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as package:
        manifest = json.loads(package.read("manifest.json"))
    assert manifest["authorization"]["permissions"]["resourceSpecific"] == [
        {"name": "ChannelMessage.Read.Group", "type": "Application"}]
    assert manifest["webApplicationInfo"]["id"] == BOT_ID


def test_package_refuses_a_bad_bot_id_or_address(tmp_path: Path) -> None:
    runner = CliRunner()
    bad_id = runner.invoke(app, ["teams", "package", "my-bot", "--website", "https://x.example", "-o", str(tmp_path / "a.zip")])
    assert bad_id.exit_code == 2 and "is not a Microsoft App ID" in bad_id.output
    bad_url = runner.invoke(app, ["teams", "package", BOT_ID, "--website", "http://x.example", "-o", str(tmp_path / "b.zip")])
    assert bad_url.exit_code == 2 and "must be an https:// address" in bad_url.output
    assert not (tmp_path / "a.zip").exists() and not (tmp_path / "b.zip").exists()


def _template(tmp_path: Path, **changes: object) -> Path:
    manifest = json.loads((TEMPLATE_DIR / "manifest.json").read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            manifest.pop(key)
        else:
            manifest[key] = value
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(("changes", "says"), [
    pytest.param({"supportsChannelFeatures": None}, '"supportsChannelFeatures": "tier1" at its top level',
                 id="channel-features-missing"),
    pytest.param({"manifestVersion": "1.22"}, "shared and private channels need 1.25 or later",
                 id="schema-too-old"),
])
def test_a_template_teams_would_refuse_is_refused_with_a_sentence(
        tmp_path: Path, changes: dict[str, object], says: str) -> None:
    with pytest.raises(PackageError, match=says):
        manifest_for(BOT_ID, "Moray HSCP", "https://council.example/bot", template_dir=_template(tmp_path, **changes))
