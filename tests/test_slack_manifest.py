"""config/slack-manifest.yaml creates an app that delivers everything the Slack channel
listens to, with the scopes its Web API calls need, in Socket Mode."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.channels.slack.slack_settings import SlackSettings

MANIFEST = Path(__file__).resolve().parent.parent / "config" / "slack-manifest.yaml"


def test_the_manifest_asks_for_what_the_channel_uses() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True  # Undo buttons, the update modal
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert commands == [SlackSettings(bot_token="x", mode="socket").command]
    assert set(settings["event_subscriptions"]["bot_events"]) >= {
        "app_home_opened", "app_mention", "message.channels", "message.groups", "message.im"}
    assert set(manifest["oauth_config"]["scopes"]["bot"]) >= {
        "app_mentions:read", "channels:history", "groups:history", "im:history", "im:write", "chat:write", "commands",
        "users:read", "users:read.email"}
