"""Help screens of ``hybrid-calendar`` without Python type placeholders.

Typer labels every option with its Python type (``<str>``, ``<int>``, ``<bool>``). Here flags get no
label, options taking a value show an upper-case name (``--port PORT``, or the option's own
``metavar``) or their choices (``[all|none]``), and arguments show only their name. Use
:class:`Typer` instead of ``typer.Typer``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

F = TypeVar("F", bound=Callable[..., Any])


class _Option(TyperOption):
    def display_type_rich(self, ctx: Any) -> str | None:
        if self.is_flag or self.count:
            return None
        if self.metavar is None and self.type_descriptor.is_choice:
            return "[" + str(super().display_type_rich(ctx)).strip("<>") + "]"
        return self.metavar or (self.name or "value").upper()


class _Argument(TyperArgument):
    def display_type_rich(self, ctx: Any) -> str | None:
        return None


def _plain(params: list[Any]) -> list[Any]:
    for param in params:
        if type(param) is TyperOption:
            param.__class__ = _Option
        elif type(param) is TyperArgument:
            param.__class__ = _Argument
    return params


class Command(TyperCommand):
    """A command whose help shows names, not Python types."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, relabelled for the help screen."""
        return _plain(super().get_params(ctx))


class Group(TyperGroup):
    """A command group whose help shows names, not Python types."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The parameters, relabelled for the help screen."""
        return _plain(super().get_params(ctx))


class Typer(typer.Typer):
    """``typer.Typer`` whose groups and commands use :class:`Group` and :class:`Command`."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", Group)
        kwargs.setdefault("add_completion", False)
        super().__init__(**kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Callable[[F], F]:
        """Register a command (of class :class:`Command` unless ``cls`` says otherwise)."""
        kwargs.setdefault("cls", Command)
        return super().command(*args, **kwargs)
