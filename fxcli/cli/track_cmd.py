"""`fxe track`: validate, summarise and convert expression track files."""

from __future__ import annotations

import json
import sys

import click

from fxcli.cli.options import command_options, jobs_option, settings_of


@click.group()
@command_options
def track() -> None:
    """Validate and convert `fxe.track/v1` files (JSON, JSON Lines, NPZ).

    \b
    Examples:
      fxe text2flame "Hello there." | fxe track validate
      fxe track convert story.json -o story.npz
      fxe track convert --jobs conversions.jsonl
    """


@track.command()
@click.argument("source", default="-", metavar="[TRACK|-]")
@command_options
def validate(source: str) -> None:
    """Check a track file and print one JSON summary per track (frames, fps, duration, ranges).

    Exits 3 with the first problem found (shape, non-finite values, fps, space, channel names).
    """
    from fxcli.tracks import read_tracks

    for t in read_tracks(source):
        click.echo(json.dumps({
            "space": t.space, "channels": len(t.channels), "frames": t.n_frames, "fps": t.fps,
            "duration": round(t.duration, 6), "min": round(float(t.frames.min()), 6),
            "max": round(float(t.frames.max()), 6), "pose": t.pose is not None, "text": t.text,
            "generator": t.meta.get("generator"),
        }, ensure_ascii=False))


@track.command()
@click.argument("source", required=False, metavar="[TRACK|-]")
@click.option("-o", "--output", metavar="FILE|-",
              help="Output: .npz (one track), .json/.jsonl, or - for JSON Lines on stdout.")
@jobs_option
@command_options
def convert(source: str | None, output: str | None, jobs: str | None) -> None:
    """Convert a track between JSON / JSON Lines and NPZ (chosen by the output's suffix).

    With --jobs, each line is {"source": IN, "output": OUT}; existing outputs are skipped.
    """
    from fxcli.errors import UsageError
    from fxcli.tracks import read_tracks, write_tracks
    from fxcli.tracks.track_io import encode_tracks

    def run_one(params: dict) -> str:
        src, out = params.get("source") or "-", params.get("output")
        if not out:
            raise UsageError("no output given", hint="use -o FILE or - for stdout")
        tracks = read_tracks(src)
        if out == "-":
            sys.stdout.buffer.write(encode_tracks(tracks, "json"))
            sys.stdout.flush()
        else:
            write_tracks(tracks, out)
        return f"{src} -> {out}"

    if jobs:
        from fxcli.cli.jobs_runner import run_jobs

        ctx = click.get_current_context()
        run_jobs(ctx, jobs, {"source": source, "output": output}, run_one,
                 outputs=lambda p: [p["output"]] if p.get("output") not in (None, "-") else [],
                 show_traceback=settings_of(ctx).traceback)
        return
    run_one({"source": source, "output": output})
