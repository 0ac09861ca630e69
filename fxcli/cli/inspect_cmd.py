"""`fxe inspect FILE`: how an fxe output was made."""

from __future__ import annotations

import json
import math
from typing import Any

import click

from fxcli.cli.console import console
from fxcli.cli.options import global_options


@click.command("inspect")
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@global_options
def inspect_cmd(files: tuple[str, ...]) -> None:
    """Print the provenance fxe recorded in FILE (PNG/JPEG, MP4/GIF, track JSON/JSONL/NPZ).

    One JSON object per record on stdout: the generating command, model ids and hashes, seed,
    fxe version and parameters.

    \b
    Examples:
      fxe inspect story.mp4
      fxe inspect sweep/*.png | jq .params.alpha
    """
    from fxcli.errors import InvalidInputError
    from fxcli.provenance import read_provenance

    found = 0
    for path in files:
        records = read_provenance(path)
        if not records and len(files) > 1:  # one file: the error below says it in one line
            console.warn(f"{path}: no fxe provenance recorded")
        for record in records:
            found += 1
            click.echo(json.dumps(_finite({"file": path, **record}), ensure_ascii=False, sort_keys=True,
                                  allow_nan=False))
    if not found:
        raise InvalidInputError(f"{files[0]}: no fxe provenance recorded" if len(files) == 1
                                else "no fxe provenance found in the given files")


def _finite(value: Any) -> Any:
    """`value` with NaN and infinities (which a file's metadata may hold) as null: the output stays valid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value
