"""Options every subcommand shares: the global ones, --recipe, --jobs, and stdin/stdout helpers.

Global options are accepted both before and after the subcommand (`fxe --seed 1 text2flame ...` and
`fxe text2flame ... --seed 1`); a flag given after the subcommand wins.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import click
from click.core import ParameterSource

from fxcli.cli.console import console
from fxcli.cli.option_types import SEED
from fxcli.errors import UsageError
from fxcli.settings import Settings


def settings_of(ctx: click.Context) -> Settings:
    root = ctx.find_root()
    if not isinstance(root.obj, Settings):
        root.obj = Settings()
    return root.obj


def quiet_warnings() -> None:
    """No Python warning reaches stderr by default (an error is one line); -v, --traceback or FXE_DEBUG show them."""
    import os
    import warnings

    if os.environ.get("FXE_DEBUG", "") in ("", "0", "false") and not sys.warnoptions:
        warnings.simplefilter("ignore")


def _show_warnings() -> None:
    import warnings

    warnings.resetwarnings()
    warnings.simplefilter("default")


def _store(ctx: click.Context, param: click.Parameter, value):
    settings = settings_of(ctx)
    from_cli = ctx.get_parameter_source(param.name) == ParameterSource.COMMANDLINE
    if param.name in settings.explicit and not from_cli:
        return value  # given as a flag before the subcommand; env/recipe/default must not override it
    if param.name == "device" and value is not None:
        from fxcli.devices import check_device_name

        try:
            check_device_name(value)
        except UsageError as exc:
            raise click.BadParameter(exc.message, ctx, param) from None
    setattr(settings, param.name, value)
    if param.name in ("verbose", "traceback") and value:
        _show_warnings()
    if from_cli:
        settings.explicit.add(param.name)
    console.verbosity = settings.verbosity
    return value


GLOBAL_OPTIONS = [
    click.option("--device", envvar="FXE_DEVICE", show_envvar=True, default="auto", show_default=True,
                 expose_value=False, callback=_store, metavar="auto|cpu|cuda[:N]|mps",
                 help="Device for full (torch) backends."),
    click.option("--dtype", envvar="FXE_DTYPE", show_envvar=True, default="auto", show_default=True,
                 type=click.Choice(["auto", "float32", "float16", "bfloat16"]), expose_value=False,
                 callback=_store, help="Weight dtype for full backends (auto: bf16/fp16 on CUDA, fp32 on CPU)."),
    click.option("--seed", envvar="FXE_SEED", show_envvar=True, default=0, show_default=True, type=SEED,
                 expose_value=False, callback=_store,
                 help="Random seed; the same seed and inputs give byte-identical outputs."),
    click.option("-v", "--verbose", count=True, expose_value=False, callback=_store, help="More messages."),
    click.option("-q", "--quiet", is_flag=True, envvar="FXE_QUIET", show_envvar=True, expose_value=False,
                 callback=_store, help="Only errors on stderr."),
    click.option("--traceback", is_flag=True, envvar="FXE_DEBUG", show_envvar=True, expose_value=False,
                 callback=_store, help="Show the Python traceback of errors."),
    click.option("--force", is_flag=True, envvar="FXE_FORCE", show_envvar=True, expose_value=False,
                 callback=_store, help="Make every output again: no output of an earlier run is kept (resume off)."),
]


def global_options(f: Callable) -> Callable:
    for option in reversed(GLOBAL_OPTIONS):
        f = option(f)
    return f


def _apply_recipe(ctx: click.Context, param: click.Parameter, value):
    if value is None:
        return None
    from fxcli.recipes import load_recipe

    allowed = [p.name for p in ctx.command.params if p.name not in ("recipe", "jobs") and p.name]
    try:
        values = load_recipe(value, ctx.info_name, allowed)
    except UsageError as exc:
        raise click.BadParameter(exc.message, ctx, param) from None
    params = {p.name: p for p in ctx.command.params}
    for name, raw in values.items():  # the same types as the flags (fxcli/cli/option_types.py)
        if raw is None:
            continue
        try:
            params[name].type_cast_value(ctx, raw)
        except click.BadParameter as exc:
            raise click.BadParameter(f"{value}: {name.replace('_', '-')}: {exc.message}", ctx, param) from None
        except (TypeError, ValueError, OverflowError):
            raise click.BadParameter(f"{value}: {name.replace('_', '-')}: {_short(raw)} has the wrong type", ctx,
                                     param) from None
    ctx.default_map = {**(ctx.default_map or {}), **values}
    return value


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


recipe_option = click.option(
    "--recipe", type=click.Path(dir_okay=False), is_eager=True, expose_value=False, callback=_apply_recipe,
    envvar="FXE_RECIPE", show_envvar=True, metavar="FILE.yaml",
    help="Strict YAML file of option values for this command (flags and FXE_* variables override it).")

jobs_option = click.option(
    "--jobs", "jobs", metavar="FILE|-", default=None,
    help="Run many jobs from a JSON Lines file (one object per line, keys = this command's option names); "
         "models load once; a job whose outputs a rerun finds made the same way is skipped (see --force).")


def command_options(f: Callable) -> Callable:
    """Global options plus --recipe: put on every subcommand."""
    return recipe_option(global_options(f))


def text_argument_or_stdin(value: str | None, what: str = "text") -> str:
    """A text argument, or stdin when it is '-' or absent and stdin is piped."""
    from fxcli.io.inputs import check_utf8_argument, read_text

    if value is not None and value != "-":
        return check_utf8_argument(value, what)
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError(f"no {what} given", hint=f"pass the {what} as an argument or pipe it on stdin")
    return read_text("-")


def refuse_binary_to_terminal(output: str) -> None:
    if output == "-" and sys.stdout.isatty():
        raise UsageError("refusing to write binary data to a terminal", hint="use -o FILE or pipe the output")
