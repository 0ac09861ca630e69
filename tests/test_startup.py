"""`fxe --help` and every `fxe CMD --help` start without importing torch, diffusers or transformers."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from fxcli.cli.main import COMMANDS

HEAVY = ("torch", "diffusers", "transformers", "cv2", "scipy", "moderngl", "dlib", "ai_edge_litert")

PROBE = """
import json, sys
from fxcli.cli.main import cli
try:
    cli.main(args=sys.argv[1:], prog_name="fxe", standalone_mode=False)
except SystemExit:
    pass
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
print("\\n" + json.dumps(heavy))
"""


def loaded_after(*args: str, modules: tuple[str, ...] = HEAVY) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE.format(heavy=modules), *args], capture_output=True, text=True,
                         check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def subcommand_paths() -> list[list[str]]:
    import click

    from fxcli.cli.main import cli

    paths = []
    ctx = click.Context(cli)
    for name in COMMANDS:
        paths.append([name])
        command = cli.get_command(ctx, name)
        if isinstance(command, click.Group):
            paths.extend([name, sub] for sub in command.list_commands(click.Context(command)))
    return paths


def test_root_help_imports_nothing_heavy():
    assert loaded_after("--help") == []


def test_root_help_does_not_load_numpy():
    """The command list needs no arrays: numpy alone doubled `fxe --help`'s start-up (benchmarks/bench_startup.py)."""
    assert loaded_after("--help", modules=("numpy",)) == []


@pytest.mark.parametrize("path", subcommand_paths(), ids=lambda p: " ".join(p))
def test_command_help_imports_nothing_heavy(path):
    assert loaded_after(*path, "--help") == []
