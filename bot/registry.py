"""The handler registry: one table from command type to handler, shared by every channel."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from bot.context import HandlerContext
from bot.messages import Reply

Handler = Callable[[Any, HandlerContext], "Reply | None"]  # None: nothing to say
H = TypeVar("H", bound=Handler)


class UnknownCommand(LookupError):
    pass


class HandlerRegistry:
    def __init__(self) -> None:
        self._handlers: dict[type, Handler] = {}

    def register(self, command_type: type, handler: Handler) -> None:
        if command_type in self._handlers:
            raise ValueError(f"{command_type.__name__} already has a handler")
        self._handlers[command_type] = handler

    def handles(self, command_type: type) -> Callable[[H], H]:
        def decorate(handler: H) -> H:
            self.register(command_type, handler)
            return handler

        return decorate

    def lookup(self, command_type: type) -> Handler:
        try:
            return self._handlers[command_type]
        except KeyError:
            raise UnknownCommand(f"no handler for {command_type.__name__}") from None

    def command_types(self) -> list[type]:
        return list(self._handlers)
