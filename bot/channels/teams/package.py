"""The Teams app package (the .zip uploaded to Teams): config/teams/ filled in for one bot.

No SDK import: this runs from the command line (`actionbot teams package`).

The template is manifest schema 1.25 with `"supportsChannelFeatures": "tier1"` at its root:
Teams refuses to install an app of schema 1.25 or later that offers the `team` scope without
it, and with it the bot can be added to shared and private channels, not only standard ones
(learn.microsoft.com/microsoftteams/platform/build-apps-for-shared-private-channels, 2025).
"""

from __future__ import annotations

import json
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

TEMPLATE_DIR = Path(__file__).resolve().parents[3] / "config" / "teams"
ICON_SIZES = {"color.png": 192, "outline.png": 32}
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_HTTPS = re.compile(r"https://[^\s/]+\S*")
MANIFEST_VERSION = (1, 25)
CHANNEL_FEATURES = "tier1"  # the only value Teams accepts (2025)


class PackageError(ValueError):
    """A value the package cannot be built with; the message says which and what to type."""


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    if header[:8] != b"\x89PNG\r\n\x1a\n":
        raise PackageError(f"{path} is not a PNG file.")
    width, height = struct.unpack(">II", header[16:24])
    return width, height


def manifest_for(bot_id: str, organisation: str, website: str, privacy: str | None = None,
                 terms: str | None = None, read_channel_messages: bool = False,
                 template_dir: Path = TEMPLATE_DIR) -> dict[str, Any]:
    """The manifest with its placeholders filled. Without `read_channel_messages` the
    resource-specific permission (and the webApplicationInfo it needs) is left out, and the
    bot sees channel messages only when @mentioned."""
    if not _GUID.fullmatch(bot_id.strip()):
        raise PackageError(f"'{bot_id}' is not a Microsoft App ID; it looks like 28c1a9e5-5f0e-4d8a-9d5e-0b5d3c1e2f70 "
                           "(Azure Bot resource > Configuration).")
    for name, url in (("--website", website), ("--privacy", privacy), ("--terms", terms)):
        if url is not None and not _HTTPS.fullmatch(url):
            raise PackageError(f"{name} must be an https:// address, not '{url}'.")
    text = (template_dir / "manifest.json").read_text(encoding="utf-8")
    values = {"BOT_ID": bot_id.strip().lower(), "ORGANISATION": organisation, "WEBSITE_URL": website,
              "PRIVACY_URL": privacy or website, "TERMS_URL": terms or website}
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", json.dumps(value)[1:-1])
    manifest: dict[str, Any] = json.loads(text)
    check_channel_features(manifest)
    if not read_channel_messages:
        manifest.pop("authorization", None)
        manifest.pop("webApplicationInfo", None)
    return manifest


def _version(manifest: dict[str, Any]) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in str(manifest.get("manifestVersion", "")).split("."))
    except ValueError:
        raise PackageError(f"manifestVersion '{manifest.get('manifestVersion')}' is not a version "
                           "such as 1.25.") from None


def check_channel_features(manifest: dict[str, Any]) -> None:
    """Refuse, with a sentence, a manifest Teams would refuse on upload with a less clear one."""
    version = _version(manifest)
    if version < MANIFEST_VERSION:
        raise PackageError(f"The manifest is schema {manifest.get('manifestVersion')}; shared and private "
                           f"channels need {MANIFEST_VERSION[0]}.{MANIFEST_VERSION[1]} or later.")
    in_teams = any("team" in bot.get("scopes", ()) for bot in manifest.get("bots", ()))
    if in_teams and manifest.get("supportsChannelFeatures") != CHANNEL_FEATURES:
        raise PackageError(f'A manifest of schema 1.25 or later whose bot is offered in teams needs '
                           f'"supportsChannelFeatures": "{CHANNEL_FEATURES}" at its top level (not in '
                           f'the bots entry).')


def build_package(out: Path, manifest: dict[str, Any], template_dir: Path = TEMPLATE_DIR) -> Path:
    for name, size in ICON_SIZES.items():
        found = png_size(template_dir / name)
        if found != (size, size):
            raise PackageError(f"{name} must be {size}x{size} pixels; it is {found[0]}x{found[1]}.")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for name in ICON_SIZES:
            package.write(template_dir / name, name)
    return out
