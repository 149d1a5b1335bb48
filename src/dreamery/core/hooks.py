"""Announcements one domain makes and another acts on, in the same transaction.

A domain that must not know who depends on it (cases do not know workflows; tasks do not know
the steps that made them) declares a `Hook`; the dependent domain registers a listener when
it is imported. Listeners run in registration order, awaited, inside the caller's unit of
work: what one raises rolls the whole change back, so an announcement and its consequences
land together or not at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Generic, ParamSpec

P = ParamSpec("P")


class Hook(Generic[P]):
    """Something that happened, for whoever listens (`@hook` registers a listener)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._listeners: list[Callable[P, Awaitable[None]]] = []

    def __repr__(self) -> str:
        return f"Hook({self.name!r})"

    def __call__(self, listener: Callable[P, Awaitable[None]]) -> Callable[P, Awaitable[None]]:
        if listener not in self._listeners:
            self._listeners.append(listener)
        return listener

    async def announce(self, *args: P.args, **kwargs: P.kwargs) -> None:
        for listener in self._listeners:
            await listener(*args, **kwargs)
