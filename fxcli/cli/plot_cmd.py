"""`fxe plot`: tracks, sweeps, training logs and score files as pictures."""

from __future__ import annotations

import sys

import click

from fxcli.cli.options import command_options


@click.command()
@click.argument("inputs", nargs=-1, required=True, metavar="FILE...")
@click.option("-o", "--output", metavar="FILE.png|FILE.svg|-", required=True,
              help="Picture to write: .png or .svg (- writes PNG to a pipe).")
@click.option("--kind", type=click.Choice(["auto", "track", "sweep", "train", "scores"]), default="auto",
              show_default=True, help="What the inputs hold (auto: read from the files).")
@click.option("--title", default=None, help="Title drawn on the plot.")
@command_options
def plot(inputs: tuple[str, ...], output: str, kind: str, title: str | None) -> None:
    """Draw tracks, sweeps, training logs or score files as a PNG or SVG.

    \b
    What each input kind gives:
      track    channel curves in panels (brows, eyes, mouth, jaw; head pose in degrees); several
               tracks overlaid (colour = channel, line style = track). Any track format
               fxe track convert reads (.json .jsonl .npz .csv .arkit.json).
      sweep    a score file of an edit sweep (fxe score --index): the judge's probability of the
               swept expression against alpha, one line per expression; identity similarity below.
      train    a train_log.jsonl from fxe train: loss and its terms against the step, learning rate.
      scores   any other fxe score file: one stacked bar of expression probabilities per item.
    The same inputs give the same bytes (no dates or versions in the file).

    \b
    Examples:
      fxe plot story.json -o story.png
      fxe plot captured.json true.json -o compare.svg
      fxe edit face.jpg --expression happy --alpha 0:1.5:0.25 -o sweep/
      fxe score --index sweep/face_happy_sweep.json -o happy.jsonl && fxe plot happy.jsonl -o sweep.png
      fxe plot runs/cteg/train_log.jsonl -o loss.png
      fxe score --images edits/ -o scores.jsonl && fxe plot scores.jsonl -o bars.png

    \b
    Exit status: 0 ok, 2 usage (mixed kinds, unknown picture suffix), 3 unreadable input.
    """
    from fxcli.plot.plots import make_plot

    data = make_plot(list(inputs), output, kind=kind, title=title)
    if output == "-":
        if sys.stdout.isatty():
            from fxcli.errors import UsageError

            raise UsageError("refusing to write a PNG to a terminal", hint="use -o FILE.png or a pipe")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    from fxcli.io.atomic import write_bytes_atomic

    write_bytes_atomic(output, data)
