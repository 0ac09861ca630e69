"""`fxe env`: the facts a bug report needs."""

from __future__ import annotations

import json
import sys

import click

from fxcli.cli.options import global_options


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a report.")
@global_options
def env(as_json: bool) -> None:
    """Versions, devices, EGL and ffmpeg availability, and which registry models resolve.

    Paste its output into bug reports.

    \b
    Examples:
      fxe env
      fxe env --json | jq .versions

    \b
    Exit status:
      0  the report was printed
    """
    from fxcli.environment import collect

    info = collect()
    if as_json or not sys.stdout.isatty():
        click.echo(json.dumps(info, indent=2, ensure_ascii=False))
        return
    for section, values in info.items():
        click.echo(f"{section}:")
        if isinstance(values, dict):
            for key, value in values.items():
                click.echo(f"  {key:<24} {value}")
        else:
            click.echo(f"  {values}")
