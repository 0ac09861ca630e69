"""A click group that imports a subcommand's module only when that subcommand runs.

`fxe --help` lists commands from the table's one-line summaries, so it imports none of them.
"""

from __future__ import annotations

import importlib

import click


def _check_utf8(args: list[str]) -> None:
    """Every argument must be valid UTF-8 (texts, names and paths are recorded in UTF-8 provenance)."""
    from fxcli.io.inputs import check_utf8_argument

    for i, arg in enumerate(args, 1):
        check_utf8_argument(arg, f"command-line argument {i} ({arg.encode('utf-8', 'backslashreplace').decode()[:40]!r})")


class HelpGroup(click.Group):
    """A group that, given no subcommand, prints its help on stdout and exits 0 (not a usage error)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if ctx.parent is None:
            _check_utf8(args)
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        return super().parse_args(ctx, args)


def _note_plugins_in_help(name: str, command: click.Command) -> None:
    """Name the plugins' backends in the command's --model help when that help is shown: collecting the
    installed plugins reads every distribution's entry points (~65 ms), which a run that shows no help skips."""
    if getattr(command, "_fxe_help_noted", False):
        return
    plain = command.format_help

    def format_help(ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from fxcli.plugins import annotate_command

        annotate_command(name, command)
        plain(ctx, formatter)

    command.format_help = format_help
    command._fxe_help_noted = True


class LazyGroup(HelpGroup):
    def __init__(self, *args, lazy_commands: dict[str, tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_commands = lazy_commands or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.lazy_commands) + sorted(super().list_commands(ctx))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.lazy_commands:
            return super().get_command(ctx, name)
        module_name, attr = self.lazy_commands[name][0].split(":")
        command = getattr(importlib.import_module(module_name), attr)
        if not isinstance(command, click.Command):
            raise TypeError(f"{module_name}:{attr} is not a click command")
        _note_plugins_in_help(name, command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, summary) for name, (_, summary) in self.lazy_commands.items()]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
