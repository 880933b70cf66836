"""`actionbot teams …`: Teams commands that need no running bot (no SDK import)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

teams_app = typer.Typer(help="Microsoft Teams: build the app package to upload.", no_args_is_help=True)


@teams_app.command("package")
def package(
    bot_id: Annotated[str, typer.Argument(help="The bot's Microsoft App ID (Azure Bot resource > Configuration).")],
    website: Annotated[str, typer.Option(help="https:// page about the bot in your organisation.")],
    organisation: Annotated[str, typer.Option(help="Publisher name shown in Teams.")] = "actionbot",
    privacy: Annotated[Optional[str], typer.Option(help="https:// privacy statement (default: --website).")] = None,
    terms: Annotated[Optional[str], typer.Option(help="https:// terms of use (default: --website).")] = None,
    read_channel_messages: Annotated[bool, typer.Option(
        "--read-channel-messages", help="Ask for the resource-specific permission ChannelMessage.Read.Group, so "
        "the bot reads channel messages without an @mention.")] = False,
    out: Annotated[Path, typer.Option("--out", "-o", help="The .zip to write.")] = Path("actionbot-teams.zip"),
) -> None:
    """Fill config/teams/manifest.json for BOT_ID and zip it with the icons: the file to upload
    in Teams (Apps > Manage your apps > Upload an app) or the Teams admin centre."""
    from bot.channels.teams.package import PackageError, build_package, manifest_for

    try:
        manifest = manifest_for(bot_id, organisation, website, privacy, terms, read_channel_messages)
        build_package(out, manifest)
    except PackageError as exc:
        typer.echo(f"Error: {exc}", err=True)
        raise typer.Exit(2)
    rsc = " with ChannelMessage.Read.Group" if read_channel_messages else ""
    typer.echo(f"Wrote {out} (manifest {manifest['manifestVersion']}{rsc}).")
