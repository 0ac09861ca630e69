"""`fxe render`: expression tracks to video or images on the ICT head or FLAME."""

from __future__ import annotations

import json
import sys

import click

from fxcli.cli.option_types import FRAME_INDEX, SEED
from fxcli.cli.options import command_options, jobs_option, settings_of
from fxcli.plugins import plugin_rigs


@click.command()
@click.argument("track", required=False, metavar="[TRACK|-]")
@click.option("-o", "--output", metavar="FILE|DIR/|PATTERN",
              help="Output: .mp4/.mov/.mkv (H.264), .gif, a folder ending in / for PNG frames, or .png with "
                   "--frame. Several tracks need a pattern with {i} (0-based) or {name}.")
@click.option("--size", default="512x512", show_default=True, metavar="WxH", help="Picture size in pixels.")
@click.option("--bg", default="white", show_default=True, metavar="COLOUR",
              help="Background: #rrggbb, R,G,B (0-255), white, black, grey, green or blue.")
@click.option("--view", default="front", show_default=True, metavar="NAME|YAW[,PITCH]",
              help="Camera: front, left, right, three-quarter[-left|-right], above, below, or degrees.")
@click.option("--style", type=click.Choice(["shaded", "toon", "wireframe"]), default="shaded", show_default=True,
              help="Shading style.")
@click.option("--rig", type=click.Choice(["ict", "flame", *sorted(set(plugin_rigs()) - {"ict", "flame"})]), default=None,
              help="Head rig (default: ict for arkit52 tracks, flame for flame tracks).")
@click.option("--flame-model", metavar="PATH", default=None,
              help="FLAME 2020 generic_model.pkl or FLAME 2023 Open .pkl (or its folder); default: the registry "
                   "(FXE_HOME/models/flame-2020 or flame-2023-open).")
@click.option("--identity-seed", type=SEED, default=None,
              help="Sample a head identity from the rig's shape prior with this seed (default: the mean head).")
@click.option("--identity", "identity", metavar="FILE", default=None,
              help="Identity coefficients: JSON list or .npy (ICT: up to 100, FLAME: up to 300).")
@click.option("--frame", type=FRAME_INDEX, default=None, metavar="N", help="Render only frame N (0-based) to -o x.png.")
@click.option("--crf", type=click.IntRange(0, 51), default=20, show_default=True,
              help="H.264 quality (lower = better and larger).")
@click.option("--audio", metavar="FILE", default=None,
              help="Audio muxed into the video (default: the track's `audio`, if any), cut to the video's length.")
@click.option("--renderer", type=click.Choice(["auto", "egl", "software"]), default="auto", show_default=True,
              help="OpenGL through EGL, the numpy software rasteriser (same picture, slower), or auto (EGL, "
                   "else software with a notice).")
@click.option("--preview", is_flag=True, help="Also write a small GIF (160 px, 10 fps) beside a video: NAME.preview.gif.")
@click.option("--stream-format", type=click.Choice(["mkv", "ts"]), default="mkv", show_default=True,
              help="Container of -o - (video streamed to a pipe): Matroska or MPEG-TS.")
@jobs_option
@command_options
def render(track: str | None, output: str | None, size: str, bg: str, view: str, style: str, rig: str | None,
           flame_model: str | None, identity_seed: int | None, identity: str | None, frame: int | None, crf: int,
           audio: str | None, renderer: str, preview: bool, stream_format: str, jobs: str | None) -> None:
    """Render expression tracks (fxe.track/v1) to MP4, GIF, PNG frames or one PNG.

    arkit52 tracks drive the open ICT head (shipped); flame tracks (CTEG's 50 expression + 3 jaw values)
    drive FLAME, whose licensed model file you download yourself. The video runs at the track's fps and
    has exactly one frame per track frame; how it was made is stored in the file (see `fxe inspect`).
    One JSON summary line per output is printed on stdout.

    \b
    Examples:
      fxe text2flame "What a beautiful story." | fxe render -o story.mp4
      fxe render story.json --view three-quarter --style toon -o toon.mp4
      fxe render story.json --frame 12 --size 1024 -o still.png
      fxe render story.json -o - | ffplay -          # watch: Matroska streamed to a player; needs: ffplay
      fxe render story.json -o story.mp4 --preview   # + story.preview.gif
      fxe render many.jsonl -o out_{i}.mp4
      fxe render cteg.json --rig flame -o flame.mp4   # needs: flame-2020
      fxe render --jobs renders.jsonl      # {"track": "a.json", "output": "a.mp4", "view": "left"}
    """
    from fxcli.cli.console import console
    from fxcli.errors import UsageError
    from fxcli.io.same_file import refuse_output_is_input
    from fxcli.render import make_renderer, renderer_notice
    from fxcli.render.render_job import load_identity, output_for, parse_color, parse_size, render_track, rig_for
    from fxcli.render.video_writer import output_kind
    from fxcli.tracks import read_tracks

    rigs: dict[tuple, object] = {}
    renderers: dict[tuple, object] = {}
    noticed: set[str] = set()

    def get_rig(kind: str, flame_path: str | None):
        key = (kind, flame_path if kind == "flame" else None)
        if key not in rigs:
            if kind == "ict":
                from fxcli.rigs.ict_rig import IctRig

                rigs[key] = IctRig.load()
            elif kind != "flame":  # a plugin's rig
                from fxcli.render.render_job import load_plugin_rig

                rigs[key] = load_plugin_rig(kind)
            else:
                from fxcli.rigs.flame_rig import FlameRig

                rigs[key] = FlameRig.load(flame_path)
        return rigs[key]

    def get_renderer(p: dict):
        key = (parse_size(p["size"]), p["renderer"], parse_color(p["bg"]), p["style"])
        if key not in renderers:
            renderers[key] = make_renderer(key[0], key[1], bg=key[2], style=key[3])
            note = renderer_notice()
            if note and note not in noticed:
                noticed.add(note)
                console.warn(note)
        return renderers[key]

    def run_one(p: dict) -> str:
        source = p.get("track") or "-"
        if source == "-" and (sys.stdin is None or sys.stdin.isatty()):
            raise UsageError("no track given", hint="pass a track file or pipe one in (fxe text2flame ... | fxe render -o out.mp4)")
        if not p.get("output"):
            raise UsageError("no output given", hint="use -o out.mp4 (or .gif, a folder/, or --frame N -o x.png)")
        tracks = read_tracks(source)
        ident = load_identity(p.get("identity"))
        targets = [output_for(p["output"], i, t, len(tracks)) for i, t in enumerate(tracks)]
        for t, out in zip(tracks, targets, strict=True):
            refuse_output_is_input(("-o", out), [("TRACK", source), ("--identity", p.get("identity")),
                                                 ("--audio", p.get("audio"))])
            if p.get("preview") and (out == "-" or p.get("frame") is not None
                                     or output_kind(out) not in ("video", "gif")):
                raise UsageError("--preview goes beside a video file", hint="use -o out.mp4 (or .gif/.mkv)")
            if p.get("preview") and t.n_frames < 2:
                raise UsageError("--preview needs a video of two frames or more")
        kinds = [rig_for(t, p.get("rig")) for t in tracks]
        ren = get_renderer(p)
        notes = []
        for t, out, kind in zip(tracks, targets, kinds, strict=False):
            head = get_rig(kind, p.get("flame_model"))
            with console.progress(f"render {out}", t.n_frames) as update:
                summary = render_track(t, out, rig=head, renderer=ren, view=p["view"], identity=ident,
                                       identity_seed=p.get("identity_seed"), frame=p.get("frame"), crf=p["crf"],
                                       audio=p.get("audio"), style=p["style"], source=source, progress=update,
                                       container=p.get("stream_format") or "mkv")
            if p.get("preview"):
                from fxcli.render.stream import write_preview

                summary["preview"] = write_preview(out)
            if out == "-":  # stdout carries the video
                console.info(json.dumps(summary))
            else:
                click.echo(json.dumps(summary))
            notes.append(f"{out} ({summary['frames']} frames)")
        return ", ".join(notes)

    params = dict(track=track, output=output, size=size, bg=bg, view=view, style=style, rig=rig,
                  flame_model=flame_model, identity_seed=identity_seed, identity=identity, frame=frame, crf=crf,
                  audio=audio, renderer=renderer, preview=preview, stream_format=stream_format)
    if jobs:
        from fxcli.cli.jobs_runner import run_jobs

        ctx = click.get_current_context()
        run_jobs(ctx, jobs, params, run_one,
                 outputs=lambda p: [p["output"]] if p.get("output") and "{" not in p["output"] else [],
                 show_traceback=settings_of(ctx).traceback)
        return
    run_one(params)
