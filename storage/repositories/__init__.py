"""Repositories: each maps one group of tables to `bot.domain.model` objects and back."""

from storage.repositories.actions import ActionRepository
from storage.repositories.concerns import ConcernRepository, ProviderRepository
from storage.repositories.digests import DigestRepository
from storage.repositories.history import HistoryRepository
from storage.repositories.inbound import InboundRepository
from storage.repositories.mail import MailRepository
from storage.repositories.people import PeopleRepository
from storage.repositories.plans import PlanRepository

__all__ = [
    "ActionRepository",
    "ConcernRepository",
    "DigestRepository",
    "HistoryRepository",
    "InboundRepository",
    "MailRepository",
    "PeopleRepository",
    "PlanRepository",
    "ProviderRepository",
]
