"""Microsoft Teams, on the Microsoft 365 Agents SDK (microsoft-agents-hosting-aiohttp).

- `translate`: Activity -> InboundMessage (mention stripped, conversation key, sender's AAD id);
- `cards`: Reply -> Adaptive Card JSON, with the plain text as fallback;
- `agent`: one turn: dispatch messages, remember conversation references;
- `service`: the aiohttp app on /api/messages (JWT, tenant allow-list) and `actionbot run`'s
  factory `teams_service`;
- `proactive`: `TeamsProactiveSender.send(conversation_key, card, text)` for digests.

Nothing here is imported by `bot.cli`, `bot.dispatcher`, `handlers` or `storage`: the SDK
loads only when `actionbot run` finds Teams configured.
"""
