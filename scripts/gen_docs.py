#!/usr/bin/env python3
"""Generate man pages (man/) and shell completions (completions/) from the click command tree.

Run `make docs` after changing any command or option; tests/test_docs_fresh.py fails when the files
in the repository differ from what this script produces.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fxcli import __version__  # noqa: E402
from fxcli.cli.completion_cmd import bash_completion, fish_completion, zsh_completion  # noqa: E402
from fxcli.cli.main import COMMANDS, EPILOG, cli  # noqa: E402
from fxcli.errors import EXIT_CODES  # noqa: E402

HELP_NAMES = cli.context_settings.get("help_option_names")  # -h/--help everywhere, as at run time


def _roff(text: str) -> str:
    out = []
    for line in text.replace("\\", "\\e").splitlines():
        if line.startswith((".", "'")):
            line = "\\&" + line
        out.append(line.replace("-", "\\-"))
    return "\n".join(out)


SECTION_TITLES = {"examples:": "EXAMPLES", "exit status:": "EXIT STATUS", "environment:": "ENVIRONMENT"}

ENVIRONMENT = [
    ("FXE_HOME", "where models are looked for and kept (default ~/.cache/fxe)"),
    ("FXE_DEVICE, FXE_DTYPE, FXE_SEED, FXE_QUIET, FXE_RECIPE", "defaults of the same options"),
    ("FXE_MODEL_<NAME>", "folder of model NAME (see fxe models where NAME)"),
    ("FXE_MAX_INPUT_MB", "size cap of one input file or stdin, in MiB (default 256; 16 for text)"),
    ("FXE_DEBUG=1", "show tracebacks and Python warnings"),
    ("FXE_ALL_TRIANGLES=1", "3D renders draw the whole ICT head in every frame (slower on a CPU; by default the "
                            "triangles that cannot be seen are left out, which can differ by a few pixels)"),
    ("NO_COLOR", "no colours on stderr"),
    ("SOURCE_DATE_EPOCH", "record this time in outputs (outputs are otherwise byte-reproducible)"),
]


def split_sections(text: str) -> tuple[str, dict[str, str]]:
    """(description, {"EXAMPLES": block, "EXIT STATUS": block, "ENVIRONMENT": block}) from a help text.

    Sections are the `\\b` blocks whose first line is "Examples:", "Exit status:" or "Environment:".
    """
    rest, sections = [], {}
    for block in inspect.cleandoc(text or "").split("\n\n"):
        body = block[1:].strip("\n") if block.startswith("\b") else block
        head, _, tail = body.partition("\n")
        title = SECTION_TITLES.get(head.strip().lower())
        if title and block.startswith("\b"):
            sections[title] = inspect.cleandoc(tail)
        else:
            rest.append(block)
    return "\n\n".join(rest), sections


def _verbatim(text: str) -> str:
    return ".PP\n.nf\n" + _roff(text) + "\n.fi"


def _help_paragraphs(text: str) -> str:
    """click help text -> roff; `\\b` blocks stay verbatim (.nf/.fi)."""
    blocks, out = inspect.cleandoc(text or "").split("\n\n"), []
    for block in blocks:
        if block.startswith("\b"):
            out.append(".PP\n.nf\n" + _roff(block[1:].strip("\n")) + "\n.fi")
        else:
            out.append(".PP\n" + _roff(" ".join(block.split())))
    return "\n".join(out)


def _walk(command: click.Command, path: list[str]):
    yield path, command
    if isinstance(command, click.Group):
        ctx = click.Context(command, info_name=path[-1], help_option_names=HELP_NAMES)
        for name in command.list_commands(ctx):
            yield from _walk(command.get_command(ctx, name), path + [name])


GLOBAL = {"device", "dtype", "seed", "verbose", "quiet", "traceback", "recipe", "help"}


def _option_rows(command: click.Command, ctx: click.Context, skip_global: bool = False):
    for param in command.get_params(ctx):
        if isinstance(param, click.Option) and not param.hidden and not (skip_global and param.name in GLOBAL):
            names = ", ".join(param.opts + param.secondary_opts)
            metavar = "" if param.is_flag or param.count else " " + param.make_metavar(ctx)
            extra = []
            if getattr(param, "envvar", None):
                extra.append(f"env: {param.envvar}")
            if param.show_default and param.default is not None and param.default is not False:
                extra.append(f"default: {param.default}")
            text = (param.help or "") + (f" [{'; '.join(extra)}]" if extra else "")
            yield names + metavar, text


def man_page(path: list[str], command: click.Command) -> str:
    name = "-".join(path)
    ctx = click.Context(command, info_name=" ".join(path), help_option_names=HELP_NAMES)
    lines = [f'.TH {name.upper()} 1 "" "fxe {__version__}" "fxe manual"', ".SH NAME",
             f"{_roff(name)} \\- {_roff(command.get_short_help_str(200))}", ".SH SYNOPSIS",
             f".B {_roff(' '.join(path))}", _roff(" ".join(command.collect_usage_pieces(ctx))),
             ".SH DESCRIPTION"]
    help_text = (command.help or "") + ("\n\n" + inspect.cleandoc(EPILOG) if len(path) == 1 else "")
    description, sections = split_sections(help_text)
    lines.append(_help_paragraphs(description))
    rows = list(_option_rows(command, ctx))
    if rows:
        lines.append(".SH OPTIONS")
        for names, text in rows:
            lines += [".TP", f".B {_roff(names)}", _roff(text)]
    if isinstance(command, click.Group):
        lines.append(".SH COMMANDS")
        for sub_path, sub in list(_walk(command, path))[1:]:
            sub_ctx = click.Context(sub, info_name=" ".join(sub_path), help_option_names=HELP_NAMES)
            lines += [".TP", f".B {_roff(' '.join(sub_path[1:]))} {_roff(' '.join(sub.collect_usage_pieces(sub_ctx)))}",
                      _roff(sub.get_short_help_str(200))]
            for names, text in _option_rows(sub, sub_ctx, skip_global=True):
                lines += [".RS", ".TP", f".B {_roff(names)}", _roff(text), ".RE"]
    examples = sections.get("EXAMPLES") or "\n".join(
        line for _, sub in list(_walk(command, path))[1:] for line in split_sections(sub.help or "")[1]
        .get("EXAMPLES", "").splitlines())
    if examples:
        lines += [".SH EXAMPLES", _verbatim(examples)]
    lines.append(".SH ENVIRONMENT")
    for name_, text in ENVIRONMENT:
        lines += [".TP", f".B {_roff(name_)}", _roff(text)]
    lines.append(".SH EXIT STATUS")
    if sections.get("EXIT STATUS") and len(path) > 1:
        lines.append(_verbatim(sections["EXIT STATUS"]))
        lines.append(".PP\nAll codes:")
    for code, text in EXIT_CODES.items():
        lines += [".TP", f".B {code}", _roff(text)]
    lines += [".SH SEE ALSO", _roff(", ".join(f"fxe-{c}(1)" for c in COMMANDS if f"fxe-{c}" != name))]
    return "\n".join(lines) + "\n"


def generate() -> dict[str, str]:
    files = {}
    for path, command in _walk(cli, ["fxe"]):
        if len(path) <= 2:
            files[f"man/{'-'.join(path)}.1"] = man_page(path, command)
    files["completions/fxe.bash"] = bash_completion(cli)
    files["completions/_fxe"] = zsh_completion(cli)
    files["completions/fxe.fish"] = fish_completion(cli)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 if any generated file is stale")
    args = parser.parse_args()
    stale = []
    for rel, text in generate().items():
        target = ROOT / rel
        if target.exists() and target.read_text() == text:
            continue
        stale.append(rel)
        if not args.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
    if args.check and stale:
        print("stale generated docs (run `make docs`): " + ", ".join(stale), file=sys.stderr)
        return 1
    for rel in stale:
        print(f"wrote {rel}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
