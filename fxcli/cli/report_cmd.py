"""`fxe report`: a folder of outputs as one self-contained HTML page."""

from __future__ import annotations

import click

from fxcli.cli.options import command_options


@click.command()
@click.argument("folder", metavar="FOLDER")
@click.option("-o", "--output", metavar="FILE.html", required=True, help="The HTML page to write.")
@click.option("--title", default=None, help="Page title (default: the folder's name).")
@command_options
def report(folder: str, output: str, title: str | None) -> None:
    """Write one self-contained HTML page for a sweep, a gen-avatar set or a batch folder.

    An index in the folder (fxe edit sweeps, fxe gen-avatar sets) becomes a grid: one row per
    expression (and identity), one column per alpha, with the judge's verdict under each image when
    a score file (fxe score ... -o scores.jsonl) lies in the folder; contact sheets, score plots,
    training curves, track curves and other pictures follow. Pictures are downscaled and inlined, so
    the page can be mailed or archived alone; each file's provenance is a click away.

    \b
    Examples:
      fxe edit face.jpg --expression happy --alpha 0:1.5:0.25 -o sweep/
      fxe score --index sweep/face_happy_sweep.json -o sweep/scores.jsonl
      fxe report sweep/ -o sweep.html
      fxe report avatars/ -o avatars.html --title "Avatar set 3"

    \b
    Exit status: 0 ok, 2 usage, 3 not a folder / empty / unreadable files.
    """
    from fxcli.io.atomic import write_text_atomic
    from fxcli.report import build_report

    write_text_atomic(output, build_report(folder, title=title, output=output))
    click.echo(output)
