"""`fxe talk`: a portrait or avatar speaks given audio or text, following an instruction (InstructAvatar)."""

from __future__ import annotations

import json
import os
import sys

import click

from fxcli.cli.options import command_options, jobs_option, settings_of

TALK_BACKENDS = {"embedded": "fxcli.backends.talk_embedded:EmbeddedTalk",
                 "instructavatar": "fxcli.backends.talk_instructavatar:InstructAvatarTalk"}


@click.command("talk")
@click.argument("source", required=False, metavar="SOURCE")
@click.option("--audio", metavar="FILE", default=None,
              help="Speech: WAV, FLAC, MP3 or OGG, any sample rate and channel count (at most 10 minutes, "
                   "FXE_MAX_AUDIO_SECONDS).")
@click.option("--text", metavar="TEXT", default=None, help="Words to speak with espeak-ng instead of --audio.")
@click.option("--transcript", metavar="TEXT", default=None,
              help="The words of --audio: phones are then force-aligned instead of recognised.")
@click.option("--instruction", "-i", metavar="TEXT", default=None,
              help='Emotion and motion, e.g. "talk happily, nod twice, then turn your head to the left".')
@click.option("-o", "--output", default=None, metavar="FILE|-",
              help="A video (.mp4/.mov/.mkv/.gif, audio muxed) or a track (.json/.jsonl/.npz, or - for stdout).")
@click.option("--fps", type=float, default=25.0, show_default=True, help="Frames per second.")
@click.option("--size", default="512x512", show_default=True, metavar="WxH", help="Video size in pixels.")
@click.option("--alpha", type=float, default=1.0, show_default=True, help="Emotion strength in [0, 3].")
@click.option("--voice", default=None, metavar="NAME", help="espeak-ng voice variant for --text (e.g. f3, m2).")
@click.option("--lang", default=None, metavar="LANG", help="espeak-ng language for --text (default en-us).")
@click.option("--crf", type=click.IntRange(0, 51), default=20, show_default=True, help="H.264 quality (lower = better).")
@click.option("--model", default="embedded", show_default=True, metavar="NAME[:ARG]",
              help="Backend: embedded (CPU, no download) or instructavatar:CHECKPOINT_FOLDER "
                   "(see `fxe train instructavatar`).")
@jobs_option
@command_options
def talk(source: str | None, audio: str | None, text: str | None, transcript: str | None, instruction: str | None,
         output: str | None, fps: float, size: str, alpha: float, voice: str | None, lang: str | None, crf: int,
         model: str, jobs: str | None) -> None:
    """Make SOURCE speak --audio (or --text) while following --instruction.

    SOURCE is a portrait photo (animated in 2D: the face warped frame by frame, its own mouth
    interior carried along, the head pose applied to the face region), `ict` (the ICT head rendered in
    3D) or an ICT identity file (.npy or a JSON list). The embedded backend times phones with
    pocketsphinx (forced alignment when the words are known: --text or --transcript; phone recognition
    plus the audio's energy when not), turns them into visemes on the ARKit-52 mouth and jaw, and adds
    the instruction:

    \b
      emotion, for the whole clip: "talk happily", "speak angrily", "sadly", "with surprise",
        any expression name (`fxe expressions`); "slightly", "very", "extremely" set the intensity
      motion, in time: nod [N times], shake [your head], turn [your head] left/right,
        tilt [your head] left/right, look left/right/up/down, blink [N times], close your eyes,
        raise your eyebrows, furrow your brows, smile, open your mouth; joined by "then"
        (one after another), "while"/"and" (together), "at the end"
    An instruction that names nothing known is said once on stderr; the clip is still made.
    Silent audio gives a face at rest that still follows the motion instructions.

    \b
    Examples:
      fxe talk portrait.jpg --audio speech.wav -o talk.mp4
      fxe talk portrait.jpg --text "Hello there." --voice f3 -i "talk happily, nod twice" -o hello.mp4
      fxe talk ict --audio speech.flac --transcript "It was a long day." -o day.mp4
      fxe talk ict --text "Look over there." -i "turn your head to the left" -o t.json && fxe render t.json -o t.mp4
      fxe talk --jobs talks.jsonl   # {"source": "a.jpg", "audio": "a.wav", "output": "a.mp4"}

    \b
    Exit status:
      2  bad option: both or neither of --audio/--text, unknown --model, --fps/--alpha out of range,
         unknown espeak-ng voice, an output that is neither a video nor a track
      3  bad input: audio that is empty (0 bytes), not audio, longer than the limit; unreadable photo
      4  the instructavatar checkpoint (or its encoder weights) missing or corrupt
      5  no face found in the portrait
    """
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from fxcli.backends import load_backend, split_model_arg
    from fxcli.cli.console import console
    from fxcli.errors import UsageError
    from fxcli.render.render_job import parse_size
    from fxcli.talk.run_talk import Talker

    ctx = click.get_current_context()
    settings = settings_of(ctx)
    name, arg = split_model_arg(model)
    backend = load_backend("talk", TALK_BACKENDS, name)(arg, device=settings.device, dtype=settings.dtype)
    talker = Talker(backend)
    said: set[str] = set()

    def warn(note: str) -> None:
        if note not in said:
            said.add(note)
            console.warn(note)

    def run_one(p: dict) -> str:
        if not p.get("source"):
            raise UsageError("no SOURCE given", hint="a portrait photo, `ict`, or an identity file")
        if not p.get("output"):
            raise UsageError("no output given", hint="use -o talk.mp4 (a video) or -o talk.json (a track)")
        out = p["output"]
        if out == "-" and sys.stdout.isatty():
            raise UsageError("refusing to write a track to a terminal", hint="use -o FILE or pipe the output")
        with console.progress(f"talk {out}", None) as update:
            summary = talker.run(source=p["source"], output=out, audio=p.get("audio"), text=p.get("text"),
                                 transcript=p.get("transcript"), instruction=p.get("instruction"), fps=p["fps"],
                                 alpha=p["alpha"], size=parse_size(p["size"]), voice=p.get("voice"),
                                 lang=p.get("lang"), crf=p["crf"], seed=settings.seed, warn=warn, progress=update)
        if out != "-":
            click.echo(json.dumps(summary))
        return f"-> {out} ({summary['frames']} frames)"

    params = dict(source=source, audio=audio, text=text, transcript=transcript, instruction=instruction,
                  output=output, fps=fps, size=size, alpha=alpha, voice=voice, lang=lang, crf=crf)
    if jobs:
        from fxcli.cli.jobs_runner import run_jobs

        run_jobs(ctx, jobs, params, run_one,
                 outputs=lambda p: [p["output"]] if p.get("output") not in (None, "-") else [],
                 show_traceback=settings.traceback)
        return
    run_one(params)
