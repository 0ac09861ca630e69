"""`fxe track`: validate, summarise and convert expression track files."""

from __future__ import annotations

import json
import sys

import click

from fxcli.cli.lazy_group import HelpGroup
from fxcli.cli.option_types import FiniteFloatRange
from fxcli.cli.options import command_options, jobs_option, settings_of


@click.group(cls=HelpGroup)
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

    \b
    Examples:
      fxe track validate story.json
      fxe text2flame "Hello there." | fxe track validate
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
              help="Output: .json/.jsonl/.npz (fxe tracks), .csv (Live Link Face), .arkit.json (ARKit JSON for "
                   "web rigs), .glb (glTF head + animation), or - for JSON Lines on stdout.")
@click.option("--format", "fmt", type=click.Choice(["auto", "track", "llf-csv", "arkit-json", "glb"]),
              default="auto", show_default=True, help="Output format (auto: from the output's suffix).")
@click.option("--input-format", type=click.Choice(["auto", "track", "llf-csv", "arkit-json"]), default="auto",
              show_default=True, help="Input format (auto: from the input's suffix; stdin is a track).")
@click.option("--identity", metavar="FILE", default=None,
              help="For .glb: ICT identity coefficients (JSON list or .npy) shaping the head.")
@click.option("--to", "to_space", type=click.Choice(["arkit52", "flame"]), default=None,
              help="Convert the tracks' space with the fitted FLAME<->ARKit map (needs the FLAME model).")
@click.option("--flame-model", metavar="PATH", default=None,
              help="The licensed FLAME model file or folder for --to (default: the registry's flame-2020, "
                   "then flame-2023-open).")
@click.option("--flame-expressions", type=click.IntRange(1, 100), default=None,
              help="With --to flame: FLAME expression components to write (default 50, CTEG's layout).")
@jobs_option
@command_options
def convert(source: str | None, output: str | None, fmt: str, input_format: str, identity: str | None,
            to_space: str | None, flame_model: str | None, flame_expressions: int | None,
            jobs: str | None) -> None:
    """Convert tracks between fxe's formats and the ones animation tools use.

    \b
    Formats (by suffix, or --format / --input-format):
      .json .jsonl .npz   fxe.track/v1
      .csv                Live Link Face CSV: import iPhone captures, export for Unreal
      .arkit.json         ARKit-52 JSON for web rigs (three.js morph targets)
      .glb                glTF 2.0: the ICT head with 52 named ARKit morph targets, the track as a
                          morph-weight and head-rotation animation (write only)

    \b
    FLAME <-> ARKit (--to flame | --to arkit52, with the licensed FLAME model):
      a linear map fitted by ridge least squares on the ICT head's 468 FaceMesh landmarks and the
      matching points of FLAME's template, once per model file (cached under $FXE_HOME/cache/flame);
      its fit error is printed on stderr and kept in the output's meta (`flame_map`).

    \b
    Examples:
      fxe track convert story.json -o story.npz
      fxe track convert take.csv -o take.json                    # Live Link Face capture -> track
      fxe text2flame "Hi there!" | fxe track convert -o hi.glb   # open in Blender or three.js
      fxe track convert story.json -o story.csv                  # for Unreal's Live Link Face import
      fxe track convert --jobs conversions.jsonl
      fxe track convert cteg.json --to arkit52 --flame-model ~/flame/ -o cteg.glb   # needs: flame-2020
      fxe track convert take.csv --to flame -o take_flame.json   # ARKit capture -> FLAME (CTEG); needs: flame-2020

    With --jobs, each line is {"source": IN, "output": OUT}; existing outputs are skipped.

    \b
    Exit status: 0 ok, 2 usage, 3 invalid input, 4 FLAME model missing (--to).
    """
    from fxcli.errors import InvalidInputError, UsageError
    from fxcli.interop import encode_any, format_of, read_any

    def run_one(params: dict) -> str:
        src, out = params.get("source") or "-", params.get("output")
        if not out:
            raise UsageError("no output given", hint="use -o FILE or - for stdout")
        try:
            tracks = read_any(src, params.get("input_format"))
        except ValueError as exc:  # malformed JSON (JSONDecodeError) or a field of the wrong type, e.g. "fps": "a"
            name = "stdin" if src == "-" else src
            raise InvalidInputError(f"{name}: not a valid {format_of(src, params.get('input_format'))} file "
                                    f"({exc})") from None
        except TypeError as exc:
            name = "stdin" if src == "-" else src
            raise InvalidInputError(f"{name}: a field has the wrong type ({exc})") from None
        kind = format_of(out, params.get("fmt"))
        if params.get("to") == "flame" and kind not in ("track",):
            raise UsageError(f"{kind} holds arkit52 weights, not FLAME coefficients",
                             hint="write --to flame output to .json, .jsonl or .npz")
        if params.get("to"):
            from fxcli.interop.flame_map import convert_space

            tracks = convert_space(tracks, params["to"], params.get("flame_model"), params.get("flame_expressions"))
        ident = None
        if params.get("identity"):
            from fxcli.render.render_job import load_identity

            ident = load_identity(params["identity"])
        data = encode_any(tracks, out, params.get("fmt"), ident)
        if out == "-":
            if kind == "glb" and sys.stdout.isatty():
                raise UsageError("refusing to write binary glTF to a terminal", hint="use -o FILE.glb or a pipe")
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            from fxcli.io.atomic import write_bytes_atomic

            write_bytes_atomic(out, data)
        return f"{src} -> {out}"

    params = {"source": source, "output": output, "fmt": fmt, "input_format": input_format, "identity": identity,
              "to": to_space, "flame_model": flame_model, "flame_expressions": flame_expressions}
    if jobs:
        from fxcli.cli.jobs_runner import run_jobs

        ctx = click.get_current_context()
        run_jobs(ctx, jobs, params, run_one,
                 outputs=lambda p: [p["output"]] if p.get("output") not in (None, "-") else [],
                 show_traceback=settings_of(ctx).traceback)
        return
    run_one(params)


@track.command()
@click.argument("video", metavar="VIDEO")
@click.option("-o", "--output", metavar="FILE|-", required=True,
              help="Output track: .json, .jsonl, .npz, or - for JSON on stdout.")
@click.option("--identity", metavar="FILE", default=None,
              help="ICT identity coefficients (JSON list or .npy) to hold fixed instead of fitting them.")
@click.option("--save-identity", metavar="FILE", default=None,
              help="Also write the fitted identity (JSON list of 100 numbers), e.g. for fxe render --identity.")
@click.option("--smooth", "smooth_s", type=FiniteFloatRange(0, 2), default=0.2, show_default=True,
              help="Savitzky-Golay smoothing window in seconds, at least 5 frames (0: none).")
@click.option("--max-frames", type=click.IntRange(1), default=None, help="Capture only the first N frames.")
@click.option("--neutral", "neutral_s", type=FiniteFloatRange(0, 10), default=0.0, show_default=True,
              help="Seconds at the clip's start where the face is at rest: each channel's level there becomes "
                   "its zero (0: off; for faces whose rest shape the ICT head does not reach).")
@command_options
def capture(video: str, output: str, identity: str | None, save_identity: str | None, smooth_s: float,
            max_frames: int | None, neutral_s: float) -> None:
    """Capture an arkit52 track (52 ARKit weights + head pose) from a video of one face.

    Per frame, FaceMesh finds 468 landmarks and a fit of the ICT head turns them into ARKit weights and
    a head rotation; the head's shape is fitted once on frames from the first seconds; frames where the
    tracking failed are bridged from their neighbours; the curves are smoothed. The track runs at the video's fps, one frame per video frame. Prints one JSON summary line
    (frames, fps, median landmark residual) on stdout unless the track itself goes there.

    \b
    Examples:
      fxe track capture talking.mp4 -o talking.json
      fxe track capture clip.mp4 -o - | fxe render -o replay.mp4
      fxe track capture talking.mp4 --neutral 0.5 -o talking.json   # starts at rest: zero each channel there
      fxe track capture clip.mp4 --save-identity me.json -o clip.json && fxe render clip.json --identity me.json -o me.mp4

    \b
    Exit status: 0 ok, 2 usage, 3 unreadable video or identity, 5 no face in any frame.
    """
    import numpy as np

    from fxcli.capture import capture_video
    from fxcli.cli.console import console
    from fxcli.io.same_file import refuse_output_is_input, refuse_shared_output
    from fxcli.provenance import make_meta
    from fxcli.render.render_job import load_identity
    from fxcli.tracks import write_tracks
    from fxcli.tracks.track_io import encode_tracks

    outputs = [("-o", output), ("--save-identity", save_identity)]
    refuse_shared_output(outputs)
    for out in outputs:
        refuse_output_is_input(out, [("VIDEO", video), ("--identity", identity)])
    ident = load_identity(identity)
    if ident is not None and len(ident) > 100:
        from fxcli.errors import InvalidInputError

        raise InvalidInputError(f"{identity}: the ICT head has 100 identity coefficients, got {len(ident)}")
    meta = make_meta("track capture", params={"video": video, "smooth": smooth_s, "identity": identity,
                                              "max_frames": max_frames, "neutral": neutral_s})
    with console.progress(f"capture {video}", None) as progress:
        result = capture_video(video, identity=ident, smooth_s=smooth_s, max_frames=max_frames, neutral_s=neutral_s,
                               progress=lambda done, total: progress(done), meta=meta)
    if save_identity:
        from fxcli.io.atomic import write_text_atomic

        write_text_atomic(save_identity, json.dumps([round(float(x), 6) for x in result.identity]) + "\n")
    if output == "-":
        sys.stdout.buffer.write(encode_tracks([result.track], "json"))
        sys.stdout.flush()
        return
    write_tracks([result.track], output)
    click.echo(json.dumps({"output": output, "frames": result.track.n_frames, "fps": result.track.fps,
                           "duration": round(result.track.duration, 6), "lost_frames": result.lost,
                           "residual_px_median": round(float(np.median(result.residual_px)), 4),
                           "residual_iod_median": round(float(np.median(result.residual_iod)), 5)}))
