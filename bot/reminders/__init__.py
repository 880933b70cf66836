"""Reminders and update requests (issue 19): who gets what each working day, sent once.

- `bot.domain.reminders`: the rules (pure).
- `bot.reminders.sources`: what can be reminded of (plan actions; the log's actions and visits
  plug in as further sources).
- `bot.reminders.passes`: reads everything once and builds every person's message.
- `bot.reminders.sender`: claims each (person, day) once, delivers, retries with back-off.
- `bot.reminders.delivery`, `slack_delivery`, `teams_delivery`, `email_delivery`: per channel.
- `bot.reminders.service`: `actionbot run`'s background thread; `bot.reminders.cli`: the CLI.
"""
