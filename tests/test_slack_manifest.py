"""config/slack-manifest.yaml creates an app that delivers everything the Slack channel
listens to, with the scopes its Web API calls need, in Socket Mode.

The scopes are not listed here by hand: the test reads bot/'s source, finds every Slack Web
API method it calls (a slack_sdk WebClient method such as `client.chat_postMessage(...)`,
`client.api_call("…")`, Bolt's `say(...)`) and every event the Bolt app listens to, and asks
the manifest for exactly the scopes those need (SCOPES and EVENTS below, from Slack's method
and event pages). A call to a method SCOPES does not know fails the test, so a new call is
added together with its scope; a scope no code needs fails it too.

Not Web API calls from bot/: Bolt's `respond(...)` posts to the slash command's
response_url (no scope); Bolt's App calls `auth.test` itself (no scope); Socket Mode's
`apps.connections.open` uses the app-level token, whose `connections:write` scope is chosen
when the token is generated (README, Slack), not in the manifest.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.channels.slack.slack_settings import SlackSettings

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "config" / "slack-manifest.yaml"
SOURCES = ROOT / "bot"

# Slack Web API method -> the bot-token scopes actionbot needs for it. Each method's page is
# https://api.slack.com/methods/<method> (checked 2025). Where the page lists one scope per
# conversation kind, every kind the bot works in is listed.
SCOPES: dict[str, tuple[str, ...]] = {
    "auth.test": (),
    "chat.postMessage": ("chat:write",),
    "chat.postEphemeral": ("chat:write",),
    "chat.update": ("chat:write",),
    # im:write for a DM with one user (all actionbot opens); mpim:write only with several users.
    "conversations.open": ("im:write",),
    # A digest retry looks for its own earlier post in public and private channels.
    "conversations.history": ("channels:history", "groups:history"),
    "conversations.info": ("channels:read", "groups:read", "im:read", "mpim:read"),
    "views.publish": (),
    "views.open": (),
    # users:read for the user; the profile's email field is only returned with users:read.email.
    "users.info": ("users:read", "users:read.email"),
    "users.lookupByEmail": ("users:read", "users:read.email"),
    # files_upload_v2: files.getUploadURLExternal, a POST to the returned URL, files.completeUploadExternal.
    "files.getUploadURLExternal": ("files:write",),
    "files.completeUploadExternal": ("files:write",),
    "reactions.add": ("reactions:write",),
}

# Bolt `app.event(type)` -> {bot event to subscribe in the manifest: the scope it needs}.
# https://api.slack.com/events/<event>
EVENTS: dict[str, dict[str, str | None]] = {
    "message": {"message.channels": "channels:history", "message.groups": "groups:history",
                "message.im": "im:history", "message.mpim": "mpim:history"},
    "app_mention": {"app_mention": "app_mentions:read"},
    "app_home_opened": {"app_home_opened": None},
}
COMMAND_SCOPE = "commands"  # any app.command(...) listener


@dataclass(frozen=True)
class Call:
    method: str  # the Slack Web API method, e.g. chat.postMessage
    where: str  # file:line in bot/


@cache
def web_client_methods() -> dict[str, tuple[str, ...]]:
    """slack_sdk WebClient method name -> the Web API methods it calls, read from the SDK's
    own source: `self.api_call("chat.postMessage", …)`, and for helpers like files_upload_v2
    the WebClient methods they call in turn."""
    from slack_sdk import WebClient

    tree = ast.parse(inspect.getsource(WebClient))
    (cls,) = [node for node in tree.body if isinstance(node, ast.ClassDef)]
    direct: dict[str, set[str]] = {}
    helpers: dict[str, set[str]] = {}
    for function in cls.body:
        if not isinstance(function, ast.FunctionDef) or function.name.startswith("_"):
            continue
        direct[function.name], helpers[function.name] = set(), set()
        for node in ast.walk(function):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "self"):
                continue
            if node.func.attr == "api_call" and node.args and isinstance(node.args[0], ast.Constant):
                direct[function.name].add(str(node.args[0].value))
            elif not node.func.attr.startswith("_"):
                helpers[function.name].add(node.func.attr)

    def resolve(name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        found = set(direct.get(name, ()))
        for helper in helpers.get(name, ()) - seen:
            found |= resolve(helper, seen | {name})
        return found

    return {name: tuple(sorted(resolve(name))) for name in direct}


def _python_files() -> Iterator[Path]:
    yield from sorted(SOURCES.rglob("*.py"))


def web_api_calls() -> list[Call]:
    """Every Slack Web API call in bot/'s source."""
    methods = web_client_methods()
    calls: list[Call] = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in methods:
                calls += [Call(method, where) for method in methods[func.attr]]
            elif isinstance(func, ast.Attribute) and func.attr == "api_call":
                name = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "api_method"), None)
                assert isinstance(name, ast.Constant), f"{where}: api_call with a method name the test cannot read"
                calls.append(Call(str(name.value), where))
            elif isinstance(func, ast.Name) and func.id == "say":  # Bolt's say() is chat.postMessage
                calls.append(Call("chat.postMessage", where))
    return calls


def bolt_listeners(kind: str) -> list[tuple[str | None, str]]:
    """The `app.<kind>(…)` listener decorators in bot/: (their literal argument, file:line)."""
    found: list[tuple[str | None, str]] = []
    for path in _python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for decorator in node.decorator_list:
                if (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)
                        and decorator.func.attr == kind and isinstance(decorator.func.value, ast.Name)
                        and decorator.func.value.id == "app"):
                    arg = decorator.args[0] if decorator.args else None
                    literal = str(arg.value) if isinstance(arg, ast.Constant) else None
                    found.append((literal, f"{path.relative_to(ROOT)}:{decorator.lineno}"))
    return found


def manifest() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return loaded


def needed_scopes() -> dict[str, list[str]]:
    """scope -> what needs it (a method at file:line, an event, the slash command)."""
    why: dict[str, list[str]] = {}
    for call in web_api_calls():
        for scope in SCOPES.get(call.method, ()):
            why.setdefault(scope, []).append(f"{call.method} ({call.where})")
    for event, where in bolt_listeners("event"):
        for bot_event, scope in EVENTS.get(event or "", {}).items():
            if scope:
                why.setdefault(scope, []).append(f"the {bot_event} event ({where})")
    for _, where in bolt_listeners("command"):
        why.setdefault(COMMAND_SCOPE, []).append(f"the slash command ({where})")
    return why


def test_the_scanner_finds_the_calls_we_know_are_there() -> None:
    """Guards the guard: a scanner that finds nothing would pass everything."""
    methods = {call.method for call in web_api_calls()}
    assert {"chat.postMessage", "chat.update", "users.info", "conversations.open", "auth.test",
            "files.getUploadURLExternal", "files.completeUploadExternal"} <= methods, methods
    assert web_client_methods()["files_upload_v2"] == ("files.completeUploadExternal", "files.getUploadURLExternal")
    assert {event for event, _ in bolt_listeners("event")} == {"message", "app_mention", "app_home_opened"}


def test_every_web_api_method_the_code_calls_has_its_scopes_in_the_table() -> None:
    unknown = sorted({f"{c.method} ({c.where})" for c in web_api_calls() if c.method not in SCOPES})
    assert not unknown, (
        f"bot/ calls Slack Web API methods this test does not know: {', '.join(unknown)}. Add each to SCOPES "
        "in tests/test_slack_manifest.py with the scopes its page (https://api.slack.com/methods/<method>) "
        "lists, and add those scopes to config/slack-manifest.yaml.")


def test_the_manifest_has_every_scope_the_code_needs_and_no_other() -> None:
    asked = set(manifest()["oauth_config"]["scopes"]["bot"])
    needed = needed_scopes()
    missing = [f"{scope} (needed by {', '.join(needed[scope])})" for scope in sorted(set(needed) - asked)]
    assert not missing, f"config/slack-manifest.yaml lacks bot scopes: {'; '.join(missing)}"
    unused = sorted(asked - set(needed))
    assert not unused, (f"config/slack-manifest.yaml asks for scopes no code in bot/ needs: {', '.join(unused)}. "
                        "Remove them, or add the call that needs them to SCOPES.")


def test_every_scope_in_the_manifest_says_why() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    block = text.split("  scopes:\n    bot:\n", 1)[1].split("\nsettings:", 1)[0]
    lines = [line for line in block.splitlines() if line.strip().startswith("- ")]
    assert len(lines) == len(manifest()["oauth_config"]["scopes"]["bot"])
    silent = [line.strip() for line in lines if not re.search(r"#\s*\S", line)]
    assert not silent, f"scopes without a comment saying why: {silent}"


def test_the_manifest_subscribes_to_every_event_the_bolt_app_listens_to() -> None:
    subscribed = set(manifest()["settings"]["event_subscriptions"]["bot_events"])
    listened = bolt_listeners("event")
    unknown = [f"{event} ({where})" for event, where in listened if event not in EVENTS]
    assert not unknown, f"Bolt listens to events this test does not map to bot events: {unknown}; add them to EVENTS"
    wanted = {bot_event for event, _ in listened for bot_event in EVENTS[event or ""]}
    assert subscribed == wanted, (f"subscribe to {sorted(wanted - subscribed)}; "
                                  f"nothing listens to {sorted(subscribed - wanted)}")


def test_the_manifest_asks_for_what_the_channel_uses() -> None:
    loaded = manifest()
    settings = loaded["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["interactivity"]["is_enabled"] is True  # Undo buttons, the update modal
    assert bolt_listeners("action") and bolt_listeners("view")
    assert loaded["features"]["app_home"]["home_tab_enabled"] is True  # app_home_opened -> views.publish
    commands = [c["command"] for c in loaded["features"]["slash_commands"]]
    assert commands == [SlackSettings(bot_token="x", mode="socket").command]
    assert "files:write" in loaded["oauth_config"]["scopes"]["bot"]  # digest CSV and chart uploads
