"""`fxe text2flame`: text to an expression track (embedded procedural backend, or CTEG)."""

from __future__ import annotations

import os
import sys

import click

from fxcli.cli.option_types import MAX_FPS, POSITIVE_INT, TEXT2FLAME_ALPHA, FiniteFloatRange, TextValue
from fxcli.cli.options import command_options, jobs_option, settings_of, text_argument_or_stdin
from fxcli.render.video_writer import MIN_FPS

TRACK_FPS = FiniteFloatRange(MIN_FPS, MAX_FPS)  # a track `fxe render` can play
TEXT = TextValue()  # job lines give strings, not numbers, for these

TEXT2FLAME_BACKENDS = {"embedded": "fxcli.backends.text2flame_embedded:EmbeddedText2Flame",
                       "cteg": "fxcli.backends.text2flame_cteg:CtegText2Flame"}


@click.command("text2flame")
@click.argument("text", type=TEXT, required=False, metavar="[TEXT|-]")
@click.option("-o", "--output", type=TEXT, default="-", show_default=True, metavar="FILE|-",
              help="Output track: .json, .jsonl or .npz, or - for JSON Lines on stdout.")
@click.option("--fps", type=TRACK_FPS, default=25.0, show_default=True, help="Frames per second of the track.")
@click.option("--max-frames", type=POSITIVE_INT, default=None, metavar="N",
              help="Cut the track after N frames (CTEG's maximum sequence length).")
@click.option("--expression", type=TEXT, default=None, metavar="NAME|TEXT",
              help="Use this expression instead of the one inferred from the text: a library name, a synonym, "
                   "or a description resolved to the nearest names (see `fxe expressions resolve`).")
@click.option("--alpha", type=TEXT2FLAME_ALPHA, default=1.0, show_default=True,
              help="Expression strength in [0, 3]: scales the inferred emotion, or is the --expression intensity.")
@click.option("--lang", type=TEXT, default="en", show_default=True, metavar="LANG",
              help="Language of the text, for speech timing: en uses the pronouncing dictionary, any other "
                   "language espeak-ng speaks (fr, es, de, zh, ja, ar, ...; `espeak-ng --voices`) uses espeak-ng's "
                   "phones. The emotion model reads English; other languages get a neutral face unless "
                   "--expression (or emoji) says otherwise.")
@click.option("--model", type=TEXT, default="embedded", show_default=True, metavar="NAME[:ARG]",
              help="Backend: embedded (procedural, CPU, no download) or cteg:CHECKPOINT_FOLDER.")
@jobs_option
@command_options
def text2flame(text: str | None, output: str, fps: float, max_frames: int | None, expression: str | None,
               alpha: float, lang: str, model: str, jobs: str | None) -> None:
    """Turn TEXT (argument or stdin) into an expression track (`fxe.track/v1`, space arkit52).

    The embedded backend times phones from the text (jaw and lips per phone class; --lang), infers an
    emotion arc clause by clause with a classifier trained on GoEmotions (7 basic families with neutral,
    and 27 finer categories such as gratitude, pride, relief, nervousness; negation and intensifiers
    handled; emoji and emoticons count; the emotion may change at "but"), and adds blinks and head motion.
    The face shows only entries of the predicted family. The same --seed gives identical bytes; other
    seeds give other plausible performances. The track's meta records the emotion mixture, its dominant
    family, the family probabilities and the speech timing source.

    \b
    Examples:
      fxe text2flame "I am so dead." --seed 1
      fxe text2flame "What a day." --expression "a bitter half-smile" --alpha 0.8 -o day.json
      echo "Well, that went well." | fxe text2flame - -o well.npz
      fxe text2flame "Thank you so much 😊" -o thanks.json
      fxe text2flame "Je suis très content de te voir." --lang fr -o fr.json
      fxe text2flame --jobs sentences.jsonl > tracks.jsonl   # lines {"text": "..."} (+ "output", "lang")

    With --jobs (a file, or - for stdin), the English texts are encoded in batches ahead of their jobs
    (about twice the sentences per CPU-second); each job may set its own "lang".

    \b
    Exit status:
      2  bad option: unknown --expression (the nearest names are suggested), --alpha not a number
         in [0, 3], --fps not in [0.001, 240], unknown --model, --lang not spoken by espeak-ng,
         TEXT given with --jobs
      3  bad text: empty, over 10,000 characters, not valid UTF-8; a --jobs line with a bad key or value
      4  model weights missing (the message says how to get them), espeak-ng missing (--lang)
    """
    if jobs and text is not None:
        from fxcli.errors import UsageError

        given = "TEXT '-' (stdin)" if text == "-" else f"TEXT {text[:40]!r}"
        raise UsageError(f"{given} and --jobs cannot be combined: each job gives its own text",
                         hint="drop TEXT, or drop --jobs")
    # small matrices: one BLAS thread is faster than several, and steadier on a busy machine
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from fxcli.backends import load_backend, split_model_arg

    ctx = click.get_current_context()
    settings = settings_of(ctx)
    name, arg = split_model_arg(model)
    try:
        backend_cls = load_backend("text2flame", TEXT2FLAME_BACKENDS, name)
    except ModuleNotFoundError as exc:
        from fxcli.errors import UsageError

        raise UsageError(f"the {name!r} backend is not available in this installation ({exc})") from None
    backend = backend_cls(arg, device=settings.device, dtype=settings.dtype)  # loaded once, also for --jobs
    if hasattr(backend, "on_notice"):
        from fxcli.cli.console import console

        backend.on_notice = console.warn

    def lang_of(params: dict) -> dict:
        job_lang = params.get("lang") or lang
        if job_lang == "en":
            return {}
        if not hasattr(backend, "on_notice"):
            from fxcli.errors import UsageError

            raise UsageError(f"--lang is for the embedded backend, not {name!r}")
        return {"lang": job_lang}

    lang_of({"lang": lang})  # --lang with another backend fails before any job

    def run_one(params: dict) -> str | None:
        from fxcli.backends.text2flame_embedded import check_text
        from fxcli.errors import UsageError
        from fxcli.tracks import write_tracks
        from fxcli.tracks.track_io import dumps_track

        if params.get("text") is None:
            raise UsageError("job has no text", hint='give {"text": "..."} on each line')
        out = params.get("output") or "-"
        check_text(params["text"])  # the same text rules for every backend
        tracks = backend.generate([params["text"]], seed=settings.seed, fps=params["fps"],
                                  max_frames=params.get("max_frames"), expression=params.get("expression"),
                                  alpha=params["alpha"], **lang_of(params))
        if out == "-":
            sys.stdout.write("".join(dumps_track(t) + "\n" for t in tracks))
            sys.stdout.flush()
        else:
            write_tracks(tracks, out)
        return None if out == "-" else f"-> {out}"

    base = {"text": text, "output": output, "fps": fps, "max_frames": max_frames, "expression": expression,
            "alpha": alpha, "lang": lang}
    if jobs:
        from fxcli.cli.jobs_runner import run_jobs

        run_jobs(ctx, jobs, base, run_one,
                 outputs=lambda p: [p["output"]] if p.get("output") not in (None, "-") else [],
                 show_traceback=settings.traceback,
                 model=lambda: (getattr(backend, "model_id", name),
                                getattr(getattr(backend, "ckpt", None), "weights_hash", None)),
                 plan=(lambda raws: backend.plan(_planned_texts(raws, expression, lang)))
                 if hasattr(backend, "plan") else None)
        return
    base["text"] = text_argument_or_stdin(text)
    run_one(base)


def _planned_texts(jobs: list[dict], expression: str | None, lang: str) -> list[str]:
    """The texts of this process's jobs (a --jobs file or stdin, read whole by run_jobs) that will run with
    the inferred emotion in English, in order (the embedded backend encodes them in batches). Bad values
    are left to the jobs themselves, which report them."""
    from fxcli.backends.text2flame_embedded import is_english

    texts = []
    for raw in jobs:
        text, job_lang = raw.get("text"), raw.get("lang", lang)
        if isinstance(text, str) and raw.get("expression", expression) is None and isinstance(job_lang, str) \
                and is_english(job_lang):
            texts.append(text)
    return texts
