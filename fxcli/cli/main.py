"""The `fxe` root command and the one error boundary of the program."""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys
import traceback

import click

from fxcli import __version__
from fxcli.cli.console import console
from fxcli.cli.lazy_group import LazyGroup
from fxcli.cli.options import global_options, quiet_warnings
from fxcli.errors import EXIT_CODES, EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, FxeError
from fxcli.settings import Settings

# name -> ("module:attribute", one-line summary shown by `fxe --help` without importing the module)
COMMANDS: dict[str, tuple[str, str]] = {
    "text2flame": ("fxcli.cli.text2flame_cmd:text2flame", "Text to a 3D expression track (CTEG)."),
    "render": ("fxcli.cli.render_cmd:render", "Expression tracks to video or images on a 3D head."),
    "edit": ("fxcli.cli.edit_cmd:edit", "Change a portrait's expression, at one intensity or a sweep (PixelSmile)."),
    "faces": ("fxcli.cli.faces_cmd:faces", "List the faces in a photo (index, box, score) with a preview sheet."),
    "blend": ("fxcli.cli.blend_cmd:blend", "Blend several expressions on a portrait (PixelSmile)."),
    "score": ("fxcli.cli.score_cmd:score", "The papers' metrics on images, pairs or tracks."),
    "gen-avatar": ("fxcli.cli.gen_avatar_cmd:gen_avatar", "Avatars: identities x expressions, index and sheet (GenEAva)."),
    "stylize": ("fxcli.cli.stylize_cmd:stylize", "A portrait as a cartoon: 2D styles or the fitted avatar (GenEAva)."),
    "train": ("fxcli.cli.train_cmd:train", "Train a learned model (CTEG, PixelSmile, ...)."),
    "expressions": ("fxcli.cli.expressions_cmd:expressions", "The expression vocabulary: list, show, resolve."),
    "track": ("fxcli.cli.track_cmd:track", "Validate and convert expression track files."),
    "models": ("fxcli.cli.models_cmd:models", "Model weights: list, where, verify, pull."),
    "env": ("fxcli.cli.env_cmd:env", "Versions, devices and what is installed (for bug reports)."),
    "inspect": ("fxcli.cli.inspect_cmd:inspect_cmd", "Show how an fxe output file was made."),
    "plugins": ("fxcli.cli.plugins_cmd:plugins", "Installed plugins: where from and what they add."),
    "talk": ("fxcli.cli.talk_cmd:talk", "A portrait or avatar speaks audio or text, following an instruction."),
    "completion": ("fxcli.cli.completion_cmd:completion", "Print a bash, zsh or fish completion script to install."),
    "plot": ("fxcli.cli.plot_cmd:plot", "Tracks, sweeps, training logs and scores as PNG or SVG plots."),
    "report": ("fxcli.cli.report_cmd:report", "One self-contained HTML page for a sweep, avatar or batch folder."),
}

EPILOG = """\b
Examples:
  fxe text2flame "What a beautiful story." | fxe render -o story.mp4
  fxe text2flame "I am so dead." --seed 2 -o dead.json
  fxe models list
  fxe inspect story.mp4

\b
Exit status:
""" + "\n".join(f"  {code:<4} {text}" for code, text in EXIT_CODES.items()) + """

\b
Environment:
  FXE_HOME      where models are looked for and kept (default ~/.cache/fxe)
  FXE_DEVICE, FXE_DTYPE, FXE_SEED, FXE_QUIET, FXE_RECIPE: defaults of the same options
  FXE_DEBUG=1   show tracebacks
  NO_COLOR      no colours on stderr
  SOURCE_DATE_EPOCH  record this time in outputs (outputs are otherwise byte-reproducible)
"""


@click.group(cls=LazyGroup, lazy_commands=COMMANDS, epilog=EPILOG,
             context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, "--version", prog_name="fxe")
@global_options
def cli() -> None:
    """fxe: fine-grained facial expressions for avatars and portraits.

    Composable subcommands that read and write files, or JSON on stdin/stdout. Every command works
    on a CPU with no download (embedded backends); --model picks a paper's full backend when its
    weights are present (see `fxe models list`).
    """


# write failures of a device or file system: a full disk, a quota, an I/O error
WRITE_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO)


def _is_stdout_write_error(exc: BaseException) -> bool:
    """An OSError from writing stdout (`> /dev/full`). Output files are written through fxcli.io.atomic, which
    turns its failures into OutputError; a write error with no file name left over is the standard output."""
    return isinstance(exc, OSError) and exc.errno in WRITE_ERRNOS and exc.filename is None


def _error_line(prefix: str, message: str) -> str:
    return f"{prefix}: error: {' '.join(message.split())}"


def _run(argv: list[str] | None, settings: Settings) -> int:
    """Parse and run the command line; click's own handlers stay out of the way (see main)."""
    args = sys.argv[1:] if argv is None else list(argv)
    cli._main_shell_completion({"obj": settings}, "fxe", None)  # exits when a shell asks for completions
    with cli.make_context("fxe", args, obj=settings) as ctx:
        from fxcli.provenance import source_date_epoch

        source_date_epoch()  # a bad value is a usage error before any library reads it
        cli.invoke(ctx)
    return 0


def main(argv: list[str] | None = None) -> None:
    """The error boundary: one stderr line and the documented exit status for every way a run ends.

    Signals (fxcli.io.signals): SIGINT 130, SIGTERM 143, SIGHUP 129, no partial output left. A reader
    that goes away (`| head`) ends the run silently with 141, also when click meets the broken pipe first.
    A standard output that cannot be written (a full disk, `> /dev/full`) is one line and status 1.
    """
    from fxcli.io import signals

    previous = signals.install()
    settings = Settings()
    quiet_warnings()  # no Python warning on stderr unless -v, --traceback or FXE_DEBUG
    show_tb = os.environ.get("FXE_DEBUG", "") not in ("", "0", "false")
    try:
        code = _run(argv, settings)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.UsageError as exc:
        prog = exc.ctx.command_path if exc.ctx else "fxe"
        console.error(_error_line(prog, exc.format_message()) + f" (see `{prog} --help`)")
        code = EXIT_USAGE
    except click.ClickException as exc:
        console.error(_error_line("fxe", exc.format_message()))
        code = exc.exit_code
    except (KeyboardInterrupt, click.Abort) as exc:
        code = signals.exit_code_of(exc) if isinstance(exc, KeyboardInterrupt) else EXIT_INTERRUPTED
        what = f" ({exc.args[0]})" if isinstance(exc, signals.Interrupted) and exc.signum != signal.SIGINT else ""
        with contextlib.suppress(OSError, ValueError):
            console.error(f"fxe: interrupted{what}; no partial output was left")
        signals.reported = True
    except FxeError as exc:
        if settings.traceback or show_tb:
            traceback.print_exc()
        console.error(_error_line("fxe", str(exc)))
        code = exc.exit_code
    except Exception as exc:  # noqa: BLE001 - the error boundary
        if signals.is_broken_pipe(exc):  # the reader went away (e.g. `| head`): stop quietly
            signals.silence_stdout()
            code = signals.EXIT_BROKEN_PIPE
        elif _is_stdout_write_error(exc):
            signals.silence_stdout()  # what is left in the buffer cannot be written either
            console.error(_error_line("fxe", f"cannot write to standard output: {exc.strerror}"))
            code = EXIT_FAILURE
        elif sys.stdout is None and isinstance(exc, AttributeError):  # started with stdout closed (`>&-`)
            console.error(_error_line("fxe", "cannot write to standard output: it is closed"))
            code = EXIT_FAILURE
        else:
            if settings.traceback or show_tb:
                traceback.print_exc()
            console.error(_error_line("fxe", f"internal error: {type(exc).__name__}: {exc}")
                          + " (rerun with --traceback and report it)")
            code = 1
    code = code if isinstance(code, int) else 0
    if code == 0 and signals.stdout_reader_left():
        signals.silence_stdout()
        code = signals.EXIT_BROKEN_PIPE
    signals.restore(previous)
    sys.exit(code)
