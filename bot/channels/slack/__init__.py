"""The Slack channel: a Bolt for Python app that only translates.

Slack events, slash commands, button clicks and App Home visits become `InboundMessage`s for
the one dispatcher; its `Reply`s become Block Kit messages, ephemeral errors and views. Nothing
here imports `handlers/` or `storage/`, and nothing imports slack_bolt until a service starts
(`actionbot say` stays fast): see `service.slack_service`, the factory `actionbot run` calls.
"""
