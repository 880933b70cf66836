"""The handler registry: one table from command type to handler, shared by every channel.

A feature whose commands live in their own module (bot.concern_commands, bot.reminder_commands)
registers its handlers with `register_module`: they are imported the first time one of those
commands is looked up, so a one-shot `actionbot say status AP2.5.1` imports only the handlers
it can need (start-up, docs/benchmarks-notes.md section 4). A command object exists only once
its module is imported, and its handler is looked up by its type, so when the handlers load
changes nothing a message gets.
"""

from __future__ import annotations

import threading
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
        self._waiting: dict[str, Callable[[HandlerRegistry], None]] = {}
        self._loading = threading.Lock()

    def register(self, command_type: type, handler: Handler) -> None:
        if command_type in self._handlers:
            raise ValueError(f"{command_type.__name__} already has a handler")
        self._handlers[command_type] = handler

    def register_module(self, command_module: str, register: Callable[[HandlerRegistry], None]) -> None:
        """`register(registry)` registers the handlers of the commands defined in `command_module`
        (a module name); it runs the first time one of them is looked up."""
        if command_module in self._waiting:
            raise ValueError(f"{command_module} already has its handlers")
        self._waiting[command_module] = register

    def handles(self, command_type: type) -> Callable[[H], H]:
        def decorate(handler: H) -> H:
            self.register(command_type, handler)
            return handler

        return decorate

    def lookup(self, command_type: type) -> Handler:
        handler = self._handlers.get(command_type)
        if handler is None and command_type.__module__ in self._waiting:
            self._load(command_type.__module__)
            handler = self._handlers.get(command_type)
        if handler is None:
            raise UnknownCommand(f"no handler for {command_type.__name__}")
        return handler

    def command_types(self) -> list[type]:
        for module in tuple(self._waiting):
            self._load(module)
        return list(self._handlers)

    def _load(self, command_module: str) -> None:
        with self._loading:  # a second thread waits for every handler of the module, not only the first
            register = self._waiting.get(command_module)
            if register is not None:
                register(self)
                del self._waiting[command_module]
