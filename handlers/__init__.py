"""Command handlers: plain functions `handle_x(command, ctx) -> Reply`, one table for all.

The contract-monitoring log's and the reminders' handlers are registered with their command
modules (`HandlerRegistry.register_module`): imported when one of their commands is first handled.
"""

from __future__ import annotations

from bot.commands import (
    Help,
    MessageDeleted,
    MessageEditedAway,
    PreviewDigest,
    ShowChanges,
    ShowDue,
    ShowHistory,
    ShowMine,
    ShowOverdue,
    ShowOwner,
    ShowStatus,
    SubscribeDigest,
    Summary,
    Undo,
    UnsubscribeDigest,
    UpdateBatch,
)
from bot.registry import HandlerRegistry
from handlers import amend, digest, help, progress, queries


def default_registry() -> HandlerRegistry:
    """Every command the bot understands, mapped to its handler."""
    registry = HandlerRegistry()
    registry.register(UpdateBatch, progress.handle_updates)
    registry.register(Undo, progress.handle_undo)
    registry.register(Summary, queries.handle_summary)
    registry.register(ShowStatus, queries.handle_status)
    registry.register(ShowHistory, queries.handle_history)
    registry.register(ShowOwner, queries.handle_owner)
    registry.register(ShowChanges, queries.handle_changes)
    registry.register(ShowOverdue, queries.handle_overdue)
    registry.register(ShowDue, queries.handle_due)
    registry.register(ShowMine, queries.handle_mine)
    registry.register(Help, help.handle_help)
    registry.register(MessageDeleted, amend.handle_message_deleted)
    registry.register(MessageEditedAway, amend.handle_message_edited_away)
    registry.register(SubscribeDigest, digest.handle_subscribe)
    registry.register(UnsubscribeDigest, digest.handle_unsubscribe)
    registry.register(PreviewDigest, digest.handle_preview)
    registry.register_module("bot.concern_commands", register_log_handlers)
    registry.register_module("bot.reminder_commands", register_reminder_handlers)
    return registry


def register_log_handlers(registry: HandlerRegistry) -> None:
    """The contract-monitoring log: concerns, complaints, safeguarding, providers."""
    from bot import concern_commands as log
    from handlers import concerns, confidential, log_actions, providers

    registry.register(log.LogConcern, concerns.handle_log_concern)
    registry.register(log.AllocateConcernAction, concerns.handle_allocate)
    registry.register(log.CloseConcern, concerns.handle_close)
    registry.register(log.SetConcernCategory, concerns.handle_set_category)
    registry.register(log.LinkConcern, concerns.handle_link)
    registry.register(log.AddConcernNote, concerns.handle_note)
    registry.register(log.ShowConcern, concerns.handle_show)
    registry.register(log.ListConcerns, concerns.handle_list)
    registry.register(log.RestrictConcern, confidential.handle_restrict)
    registry.register(log.UnrestrictConcern, confidential.handle_unrestrict)
    registry.register(log.ConfirmDowngrade, confidential.handle_confirm_downgrade)
    registry.register(log.ShowConcernAccess, confidential.handle_access)
    registry.register(log.ConcernActionDone, log_actions.handle_action_done)
    registry.register(log.ReopenConcernAction, log_actions.handle_action_reopen)
    registry.register(log.SetConcernActionDue, log_actions.handle_action_due)
    registry.register(log.SetConcernActionOwner, log_actions.handle_action_owner)
    registry.register(log.RecordConcernMilestone, log_actions.handle_milestone)
    registry.register(log.SetComplaintStage, log_actions.handle_stage)
    registry.register(log.ListConcernsDue, log_actions.handle_list_due)
    registry.register(log.ShowTimescales, log_actions.handle_timescales)
    registry.register(log.ReopenConcern, concerns.handle_reopen)
    registry.register(log.SetConcernProvider, providers.handle_set_provider)
    registry.register(log.ShowProvider, providers.handle_show_provider)
    registry.register(log.ListProviders, providers.handle_list_providers)
    registry.register(log.RecordVisit, providers.handle_record_visit)
    registry.register(log.SetProviderRisk, providers.handle_set_risk)
    registry.register(log.SetProviderOfficer, providers.handle_set_officer)
    registry.register(log.AddProviderDomain, providers.handle_add_domain)


def register_reminder_handlers(registry: HandlerRegistry) -> None:
    """Leave, snoozes, `not mine`, and answers to a reminder."""
    from bot.reminder_commands import BackFromLeave, GoOnLeave, NotMine, ReminderButton, ReminderReply, SnoozeReminder
    from handlers import reminders

    registry.register(GoOnLeave, reminders.handle_leave)
    registry.register(BackFromLeave, reminders.handle_back)
    registry.register(SnoozeReminder, reminders.handle_snooze)
    registry.register(NotMine, reminders.handle_not_mine)
    registry.register(ReminderReply, reminders.handle_reminder_reply)
    registry.register(ReminderButton, reminders.handle_reminder_button)
