"""`fxe score`: the papers' metrics on images, edit pairs, edit-sweep indexes or expression tracks."""

from __future__ import annotations

import json
import sys

import click

from fxcli.cli.console import console
from fxcli.cli.options import command_options, settings_of
from fxcli.errors import FxeError, UsageError


@click.command()
@click.option("--images", "images", multiple=True, metavar="PATH",
              help="Image file, folder of images or quoted glob; repeat for more. One record per image.")
@click.option("--pairs", metavar="FILE|-",
              help='JSON Lines of {"image", "source", "expression", "alpha", "reference", "text", "group", '
                   '"aus"} objects (see below).')
@click.option("--index", "index", metavar="FILE",
              help='Edit-sweep index: {"source": ..., "items": [{"path": ..., "alpha": ..., "expression": ...}]}.')
@click.option("--tracks", metavar="FILE|-", help="Expression tracks (fxe.track/v1): CTEG's metrics.")
@click.option("--talk", metavar="VIDEO", help="A talking-head video: lip sync (lag, correlation), jitter, identity "
                                              "and eye_shown (with --source), AUs and AU-Emo (with --expression); AU precision / "
                                              "recall / F1 against --reference VIDEO or the AUs that --text "
                                              "INSTRUCTION asks for; CLIP-S with "
                                              "--judge clip --text INSTRUCTION; Sync-D, offset and confidence "
                                              "with --judge syncnet[:FILE] (SyncNet v2, your syncnet_v2.model).")
@click.option("--audio", metavar="FILE", help="With --talk: the speech, when not the video's own audio stream.")
@click.option("--reference", metavar="FILE",
              help="With --tracks: ground-truth tracks for the metrics that compare with a reference set. With "
                   "--talk: the ground-truth video whose AUs AU precision / recall / F1 compare with.")
@click.option("--cteg-model", metavar="PATH", help="With --tracks: CTEG checkpoint folder; adds Cppl.")
@click.option("--cppl-definition", type=click.Choice(["exact", "corner"]), default="exact", show_default=True,
              help="Cppl's box probability: exact product of 1-D normal CDF differences, or the official "
                   "code's corner formula.")
@click.option("--source", metavar="FILE", help="With --images: the identity reference (unedited photo).")
@click.option("--expression", metavar="NAME", help="With --images: the target expression of every image.")
@click.option("--text", metavar="TEXT", help="With --images: the prompt / instruction (CLIP scores). With --talk: "
                                             "the instruction (its AUs for AU-F1, CLIP-S).")
@click.option("--judge", "judges", multiple=True, metavar="NAME[:ARG]",
              help="Add a full judge from local weights: arcface[:antelopev2|buffalo_l|DIR], clip[:DIR], "
                   "dino[:DIR], lpips[:DIR]. Repeatable. Missing weights exit 4.")
@click.option("--face-index", type=click.IntRange(min=0), default=None, metavar="N",
              help="Which face to score when a photo holds several (0 = largest; default: the largest).")
@click.option("-o", "--output", metavar="FILE", help="Also write the JSON Lines to FILE (atomically).")
@click.option("--json", "as_json", is_flag=True, help="JSON Lines on stdout even on a terminal.")
@click.option("--list", "list_metrics", is_flag=True, help="List the metrics and the judges they need, then exit.")
@command_options
def score(images: tuple[str, ...], pairs: str | None, index: str | None, tracks: str | None, talk: str | None,
          audio: str | None,
          reference: str | None, cteg_model: str | None, cppl_definition: str, source: str | None,
          expression: str | None, text: str | None, judges: tuple[str, ...], face_index: int | None,
          output: str | None, as_json: bool, list_metrics: bool) -> None:
    """Score images, edits or tracks with the metrics of the five papers.

    Prints one JSON object per input, then one summary object ({"summary": true, ...}) with
    FFE-Bench (PixelSmile), Gen-AFFECT, GenEAva and InstructAvatar metrics; a table when stdout
    is a terminal. Embedded judges (no download): the FER2013 mini-Xception expression classifier,
    dlib's face descriptor for identity, FaceMesh action-unit proxies. Full judges (CLIP, DINOv2,
    ArcFace, LPIPS) are added with --judge when their weights are on this machine.

    \b
    Inputs (one kind per run):
      --images   photos; --source/--expression/--text apply to all of them
      --pairs    JSON Lines, one edit or generation per line, e.g.
                 {"image": "e.png", "source": "s.jpg", "expression": "happy", "alpha": 0.5}
      --index    the JSON index an edit sweep writes (format fxe.score-index/v1):
                 {"source": "s.jpg", "items": [{"path": "a.png", "alpha": 0.5, "expression": "happy"}]}
      --tracks   expression tracks: CTEG's Diversity, MModality, Variation, FgD, DoT
                 (--reference FILE for those needing ground truth; --cteg-model PATH adds Cppl)
    Relative paths in --pairs and --index files are relative to that file's folder.

    \b
    Failures: an item that cannot be scored (unreadable image: exit code 3; no face: 5) gets a
    record {"status": "error", "exit_code": N, "error": "..."} and a line on stderr; the other
    items are still scored and the command exits 1 at the end. A single input exits with its
    own code (3 or 5) and prints nothing on stdout.

    \b
    Examples:
      fxe score --images portrait.jpg
      fxe score --images edits/ --source portrait.jpg --expression happy
      fxe score --index sweep/index.json --judge arcface   # needs: insightface-antelopev2, onnxruntime
      fxe score --pairs pairs.jsonl --judge clip --judge dino -o s.jsonl  # needs: clip-vit-large-patch14, dinov2-base
      fxe text2flame "What a day." | fxe score --tracks -
      fxe score --talk talk.mp4 --source portrait.jpg --expression happy
      fxe score --talk talk.mp4 --source portrait.jpg --text "speak sadly, then raise your eyebrows"
      fxe score --talk talk.mp4 --judge clip --text "talk happily"  # needs: clip-vit-large-patch14
      fxe score --talk talk.mp4 --judge syncnet  # Sync-D; needs: syncnet-v2
      fxe score --list
    """
    if list_metrics:
        _print_list(as_json)
        return
    from fxcli.io.inputs import input_limit

    input_limit()  # a bad FXE_MAX_INPUT_MB is one usage error, not one per scored item
    modes = [name for name, given in (("--images", images), ("--pairs", pairs), ("--index", index),
                                      ("--tracks", tracks), ("--talk", talk)) if given]
    if len(modes) != 1:
        raise UsageError("give exactly one of --images, --pairs, --index, --tracks or --talk"
                         + (f" (got {', '.join(modes)})" if modes else ""), hint="see `fxe score --help`")
    if tracks is None:
        for flag, value in (("--reference", reference), ("--cteg-model", cteg_model)):
            if value is not None and not (talk is not None and flag == "--reference"):
                raise UsageError(f"{flag} goes with --tracks" + (" or --talk" if flag == "--reference" else ""))
    if talk is not None:
        from fxcli.metrics.talk_sync import score_talk, talk_judges

        full = talk_judges(judges, text, settings_of(click.get_current_context()).device)
        _emit([score_talk(talk, audio=audio, source=source, emotion=expression, judges=full, text=text,
                          reference=reference)], output, as_json)
        return
    if audio is not None:
        raise UsageError("--audio goes with --talk")
    if not images:
        for flag, value in (("--source", source), ("--expression", expression), ("--text", text)):
            if value is not None:
                raise UsageError(f"{flag} goes with --images (in --pairs and --index files it is a key per item)")
    if images and expression is not None:
        from fxcli.expressions.resolve import resolve_expression

        resolve_expression(expression)  # an unknown name is a usage error, as in `fxe edit`
    settings = settings_of(click.get_current_context())
    if tracks is not None:
        if judges or face_index is not None:
            raise UsageError("--judge and --face-index apply to images, not to --tracks")
        lines = _score_tracks(tracks, reference, cteg_model, cppl_definition, settings.device)
        _emit(lines, output, as_json)
        return
    _score_images(images, pairs, index, source, expression, text, judges, face_index, output, as_json,
                  settings.device)


def _score_images(images, pairs, index, source, expression, text, judges, face_index, output, as_json,
                  device: str) -> None:
    from fxcli.metrics.score_inputs import ScoreItem, expand_images, read_index, read_pairs
    from fxcli.metrics.scoring import Scorer, parse_judges

    if images:
        items = [ScoreItem(image=p, source=source, expression=expression, text=text, origin=p,
                           group=source or "images") for p in expand_images(list(images))]
    elif pairs is not None:
        items = read_pairs(pairs)
    else:
        items = read_index(index)
    full = parse_judges(list(judges))
    if full and device == "auto":
        from fxcli.devices import resolve_device

        device = str(resolve_device("auto"))
    elif full:
        from fxcli.devices import resolve_device

        device = str(resolve_device(device))
    scorer = Scorer(full, face_index=face_index, device="cpu" if not full else device)
    if len(items) == 1:
        # a single input: its error is the command's error (exit 3 / 5), nothing on stdout
        records = [scorer.score_item(items[0])]
    else:
        with console.progress("scoring", len(items)) as update:
            records = []
            for rec in scorer.score_all(items):
                records.append(rec)
                update(len(records))
                if rec["status"] != "ok":
                    console.error(f"fxe score: error: {rec['error']}")
    summary = scorer.summarize(items, records)
    _emit(records + [summary], output, as_json)
    if summary["failed"]:
        raise FxeError(f"{summary['failed']} of {summary['items']} items could not be scored (see stderr)")


def _score_tracks(tracks: str, reference: str | None, cteg_model: str | None, cppl_definition: str,
                  device: str) -> list[dict]:
    from fxcli.tracks import read_tracks

    try:
        from fxcli.metrics.cteg_metrics import score_tracks
    except ModuleNotFoundError as exc:
        if exc.name != "fxcli.metrics.cteg_metrics":
            raise
        raise FxeError("the CTEG track metrics (fxcli.metrics.cteg_metrics) are not in this installation",
                       hint="reinstall fxcli") from None
    items = read_tracks(tracks)
    ref = read_tracks(reference) if reference else None
    lines: list[dict] = [{"input": f"{tracks}#{i}", "status": "ok", "space": t.space, "frames": t.n_frames,
                          "fps": t.fps, "duration": round(t.duration, 4), "text": t.text}
                         for i, t in enumerate(items)]
    summary: dict = {"summary": True, "items": len(items), "scored": len(items), "failed": 0,
                     "cteg": {k: (round(v, 6) if isinstance(v, float) else v)
                              for k, v in score_tracks(items, ref).items()}}
    if cteg_model is not None:
        try:
            from fxcli.metrics.cppl import score_cppl
        except ModuleNotFoundError as exc:
            if exc.name != "fxcli.metrics.cppl":
                raise
            raise FxeError("Cppl needs the CTEG module (fxcli.metrics.cppl), which this installation lacks",
                           hint="install a version of fxcli with the CTEG model") from None
        if device == "auto":
            device = "cpu"
        cppl = score_cppl(cteg_model, items, definition=cppl_definition, device=device)
        summary["cppl"] = {**cppl, "definition": cppl_definition}
    return lines + [summary]


def strict_json(line: dict) -> dict:
    """The line with every NaN/Infinity replaced by null, and `undefined` naming those fields and why.

    NaN and Infinity are not JSON: strict parsers (jq, browsers, orjson) reject the whole line.
    """
    import math

    undefined: list[str] = []

    def clean(value, path: str):
        if isinstance(value, dict):
            return {k: clean(v, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [clean(v, f"{path}[{i}]") for i, v in enumerate(value)]
        if isinstance(value, float) and not math.isfinite(value):
            undefined.append(path)
            return None
        return value

    out = clean(line, "")
    if undefined:
        out["undefined"] = {"fields": undefined, "reason": "not a finite number (e.g. too few or degenerate samples)"}
    return out


def _emit(lines: list[dict], output: str | None, as_json: bool) -> None:
    lines = [strict_json(line) for line in lines]
    text = "".join(json.dumps(line, ensure_ascii=False, allow_nan=False) + "\n" for line in lines)
    if output:
        from fxcli.io.atomic import write_text_atomic

        write_text_atomic(output, text)
    if as_json or not sys.stdout.isatty():
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    _print_table(lines)


def _fmt(value) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _print_table(lines: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console(highlight=False)
    records, summary = [r for r in lines if not r.get("summary")], next(r for r in lines if r.get("summary"))
    if records and "expression" in records[0] or any("expression" in r for r in records):
        table = Table("input", "expression", "target", "score", "id sim", "AUs", box=None)
        for r in records:
            if r["status"] != "ok":
                table.add_row(r["input"], f"[red]error[/red] {r['error']}", "", "", "", "")
                continue
            table.add_row(r["input"], f"{r['expression']['label']} {max(r['expression']['probs'].values()):.2f}",
                          _fmt(r.get("target")), _fmt(r.get("target_score")), _fmt(r.get("id_sim")),
                          " ".join(r["active_aus"]))
        out.print(table)
    summ = Table("metric", "value", box=None)
    for group, values in summary.items():
        if isinstance(values, dict) and group not in ("judges", "skipped"):
            for key, value in values.items():
                if not isinstance(value, dict):
                    summ.add_row(f"{group}.{key}", _fmt(value))
    summ.add_row("items scored", f"{summary['scored']} of {summary['items']}")
    out.print(summ)
    for metric, why in summary.get("skipped", {}).items():
        out.print(f"[dim]{metric}: {why}[/dim]")


def _print_list(as_json: bool) -> None:
    from fxcli.metrics.catalog import JUDGES, METRICS

    rows = [{"metric": m.name, "paper": m.paper, "judges": list(m.judges), "inputs": m.inputs,
             "description": m.description} for m in METRICS]
    try:
        from fxcli.metrics.cteg_metrics import CTEG_METRICS
    except ModuleNotFoundError as exc:
        if exc.name != "fxcli.metrics.cteg_metrics":
            raise
        CTEG_METRICS = {}
    rows += [{"metric": f"cteg.{name}", "paper": "CTEG", "judges": [], "inputs": "--tracks",
              "description": desc} for name, desc in CTEG_METRICS.items()]
    rows.append({"metric": "cppl.cppl", "paper": "CTEG", "judges": ["cteg model"], "inputs": "--tracks --cteg-model",
                 "description": "perplexity of the tracks under a CTEG checkpoint (exact or corner definition)"})
    if as_json or not sys.stdout.isatty():
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        for name, desc in JUDGES.items():
            click.echo(json.dumps({"judge": name, "description": desc}, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("metric", "paper", "judges", "inputs", "description", box=None)
    for row in rows:
        table.add_row(row["metric"], row["paper"], ", ".join(row["judges"]) or "-", row["inputs"], row["description"])
    judges_table = Table("judge", "what", box=None)
    for name, desc in JUDGES.items():
        judges_table.add_row(name, desc)
    out = Console(highlight=False)
    out.print(table)
    out.print(judges_table)
