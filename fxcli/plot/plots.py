"""Plots of tracks, sweeps, training logs and score files (matplotlib, Agg, imported only here).

Every figure is drawn with fixed fonts and sizes and saved without dates or tool versions in its
metadata, so the same input gives the same bytes (PNG and SVG) on the same matplotlib.
"""

from __future__ import annotations

import io
import math
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

from fxcli.errors import InvalidInputError, UsageError

STYLES = ("-", "--", ":", "-.")
WIDTH_IN, DPI = 9.0, 100
MAX_ABS = 1e30  # larger values in a log or score file are corrupt (and break matplotlib's axis ticks)


def plain(text: str) -> str:
    """Text drawn as given: control characters dropped, `$` escaped so matplotlib never parses mathtext."""
    kept = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch == "\n")
    return kept.replace("$", r"\$")


def _number(value: Any, where: str, *, null: bool = True, low: float = -MAX_ABS,
            high: float = MAX_ABS) -> float | None:
    """A finite real number in [low, high] (or None when `null` allows it); InvalidInputError naming `where`."""
    if value is None and null:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInputError(f"{where} is {_short(value)}, expected a number")
    if not math.isfinite(value) or not low <= value <= high:
        raise InvalidInputError(f"{where} is {_short(value)}, expected a finite number in [{low:g}, {high:g}]")
    return float(value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _pyplot():
    import logging

    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    logging.getLogger("matplotlib").setLevel(logging.ERROR)  # no font or glyph notices on stderr
    matplotlib.rcParams.update({
        "font.family": "DejaVu Sans", "font.size": 9, "axes.titlesize": 10, "legend.fontsize": 7,
        "svg.hashsalt": "fxe", "svg.fonttype": "path", "path.simplify": False,
        "axes.prop_cycle": matplotlib.cycler(color=matplotlib.colormaps["tab10"].colors),
    })
    return plt


def save(fig, output: str) -> bytes:
    """The figure as PNG or SVG bytes (by the output's suffix), with no date or version metadata."""
    suffix = Path(output).suffix.lower()
    buf = io.BytesIO()
    if suffix == ".svg":
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    elif suffix == ".png" or output == "-":
        fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    else:
        raise UsageError(f"cannot tell the picture format of {output!r}", hint="use a .png or .svg output")
    _pyplot().close(fig)
    return buf.getvalue()


# ---- tracks ---------------------------------------------------------------------------------------------

def track_groups(track) -> dict[str, list[str]]:
    """Channel groups to draw for a track's space (ARKit regions; FLAME expression / jaw / other)."""
    if track.space == "arkit52":
        from fxcli.plot.channel_groups import GROUPS

        return {g: list(names) for g, names in GROUPS.items()}
    groups: dict[str, list[str]] = {}
    for name in track.channels:
        key = "expression" if name.startswith("exp") else name.rstrip("0123456789")
        groups.setdefault(key, []).append(name)
    return groups


def plot_tracks(tracks: list, labels: list[str], *, min_range: float = 0.02, title: str | None = None):
    """Channel curves grouped by region, one panel per group plus head pose; several tracks overlaid
    (colour = channel, line style = track). Channels that stay within `min_range` are left out."""
    plt = _pyplot()
    spaces = {t.space for t in tracks}
    if len(spaces) != 1:
        raise UsageError(f"tracks of different spaces cannot share a plot: {', '.join(sorted(spaces))}")
    groups = track_groups(tracks[0])
    any_pose = any(t.pose is not None for t in tracks)
    panels = list(groups) + (["head pose"] if any_pose else [])
    fig, axes = plt.subplots(len(panels), 1, figsize=(WIDTH_IN + 3, 1.8 * len(panels) + 0.6), sharex=True,
                             squeeze=False)
    axes = axes[:, 0]
    for ax, panel in zip(axes, panels, strict=True):
        ax.set_title(panel, loc="left")
        ax.grid(True, linewidth=0.3)
        if panel == "head pose":
            names, unit = ["pitch", "yaw", "roll"], "degrees"
            series = [(np.degrees(t.pose) if t.pose is not None else None) for t in tracks]
        else:
            names, unit = groups[panel], "weight"
            series = [t.as_channels(names) for t in tracks]
        moving = [k for k, _ in enumerate(names)
                  if any(s is not None and np.ptp(s[:, k]) + np.abs(s[:, k]).max() > min_range for s in series)]
        import matplotlib

        colors = matplotlib.colormaps["tab20"].colors if len(moving) > 10 else matplotlib.colormaps["tab10"].colors
        for j, (t, s) in enumerate(zip(tracks, series, strict=True)):
            if s is None:
                continue
            time = np.arange(t.n_frames) / t.fps
            for c, k in enumerate(moving):
                ax.plot(time, s[:, k], STYLES[j % len(STYLES)], color=colors[c % len(colors)], linewidth=1.1,
                        label=names[k] if j == 0 else None)
        ax.set_ylabel(unit)
        if moving:
            ax.legend(loc="upper left", bbox_to_anchor=(1.005, 1.0), ncol=1 + len(moving) // 9, frameon=False)
        else:
            ax.text(0.5, 0.5, "no channel moves", transform=ax.transAxes, ha="center", va="center", color="grey")
    axes[-1].set_xlabel("time (s)")
    if len(tracks) > 1:
        handles = [plt.Line2D([], [], color="black", linestyle=STYLES[j % len(STYLES)]) for j in range(len(tracks))]
        fig.legend(handles, [plain(label) for label in labels], loc="upper right", ncol=len(tracks), frameon=False)
    fig.suptitle(plain(title or (labels[0] if len(tracks) == 1 else "tracks")), x=0.01, ha="left")
    fig.tight_layout(rect=(0, 0, 1, 0.97))
    return fig


# ---- training logs --------------------------------------------------------------------------------------

def read_train_log(path: str, text: str | None = None) -> list[dict[str, Any]]:
    """Records of a train_log.jsonl (`text`: its content when already read); numbers checked field by field."""
    from fxcli.io.inputs import loads_json, read_text

    rows = []
    for n, line in enumerate((read_text(path) if text is None else text).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = loads_json(line, f"{path}:{n}")
        except ValueError as exc:
            raise InvalidInputError(f"{path}: line {n} is not JSON ({exc})") from None
        if not isinstance(row, dict) or "step" not in row or "loss" not in row:
            raise InvalidInputError(f"{path}: line {n} is not a training log record (needs step and loss)")
        where = f"{path}: line {n}:"
        _number(row["step"], f"{where} step", null=False)
        _number(row["loss"], f"{where} loss")
        _number(row.get("lr"), f"{where} lr")
        terms = row.get("terms")
        if terms is not None and not isinstance(terms, dict):
            raise InvalidInputError(f"{where} terms is {_short(terms)}, expected an object of numbers")
        for name, value in (terms or {}).items():
            _number(value, f"{where} terms.{name}")
        rows.append(row)
    if not rows:
        raise InvalidInputError(f"{path}: no records")
    return rows


def plot_train_log(rows: list[dict[str, Any]], *, title: str | None = None):
    """Loss and its named terms against the step (log scale when all positive), and the learning rate."""
    plt = _pyplot()
    steps_rows = [r for r in rows if r.get("kind", "step") == "step"] or rows
    epochs = [r for r in rows if r.get("kind") == "epoch"]
    has_lr = any(r.get("lr") is not None for r in steps_rows)
    fig, axes = plt.subplots(2 if has_lr else 1, 1, figsize=(WIDTH_IN, 5.2 if has_lr else 3.6), sharex=True,
                             squeeze=False, gridspec_kw={"height_ratios": [3, 1]} if has_lr else None)
    ax = axes[0, 0]
    step = np.array([r["step"] for r in steps_rows], float)
    loss = np.array([np.nan if r.get("loss") is None else r["loss"] for r in steps_rows], float)
    ax.plot(step, loss, color="black", linewidth=1.6, label="loss")
    terms = sorted({k for r in steps_rows for k in (r.get("terms") or {})})
    for name in terms:
        values = np.array([np.nan if (r.get("terms") or {}).get(name) is None else r["terms"][name]
                           for r in steps_rows], float)
        ax.plot(step, values, linewidth=1.0, label=plain(name))
    if epochs:
        ax.plot([r["step"] for r in epochs], [r.get("loss") for r in epochs], "o", color="black", markersize=4,
                label="epoch end")
    finite = np.concatenate([loss[np.isfinite(loss)]] + [np.array([r["terms"][k] for r in steps_rows
                                                                   if (r.get("terms") or {}).get(k) is not None])
                                                         for k in terms])
    if finite.size and (finite > 0).all():
        ax.set_yscale("log")
    ax.set_ylabel("loss")
    ax.grid(True, linewidth=0.3)
    ax.legend(loc="upper right", frameon=False)
    ax.set_title(plain(title or "training"), loc="left")
    if has_lr:
        lr_ax = axes[1, 0]
        lr_ax.plot(step, [np.nan if r.get("lr") is None else r["lr"] for r in steps_rows],
                   color="tab:purple", linewidth=1.0)
        lr_ax.set_ylabel("learning rate")
        lr_ax.grid(True, linewidth=0.3)
    axes[-1, 0].set_xlabel("step")
    fig.tight_layout()
    return fig


# ---- score files: sweeps and bar charts ---------------------------------------------------------------

FER_CLASSES = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


def read_scores(path: str, text: str | None = None) -> list[dict[str, Any]]:
    """Item records of an `fxe score` JSON Lines file (the summary and failed items left out); the fields
    drawn are checked (`text`: the file's content when already read)."""
    from fxcli.io.inputs import loads_json, read_text

    rows = []
    for n, line in enumerate((read_text(path) if text is None else text).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = loads_json(line, f"{path}:{n}")
        except ValueError as exc:
            raise InvalidInputError(f"{path}: line {n} is not JSON ({exc})") from None
        if isinstance(row, dict) and not row.get("summary") and row.get("status", "ok") == "ok":
            _check_score_row(row, f"{path}: line {n}:")
            rows.append(row)
    if not rows:
        raise InvalidInputError(f"{path}: no scored items")
    return rows


def _check_score_row(row: dict[str, Any], where: str) -> None:
    """The fields a plot draws: numbers where numbers are drawn, probabilities in [0, 1], names as text."""
    if "alpha" in row:
        _number(row["alpha"], f"{where} alpha", null=False)
    _number(row.get("id_sim"), f"{where} id_sim", low=-1.0, high=1.0)
    _number(row.get("target_score"), f"{where} target_score", low=0.0, high=1.0)
    for key in ("target", "source", "input"):
        if row.get(key) is not None and not isinstance(row[key], str):
            raise InvalidInputError(f"{where} {key} is {_short(row[key])}, expected a string")
    expression = row.get("expression")
    if expression is None:
        return
    if not isinstance(expression, dict):
        raise InvalidInputError(f"{where} expression is {_short(expression)}, expected an object")
    probs = expression.get("probs")
    if probs is None:
        return
    if not isinstance(probs, dict):
        raise InvalidInputError(f"{where} expression.probs is {_short(probs)}, expected an object of numbers")
    for name, value in probs.items():
        _number(value, f"{where} expression.probs.{name}", null=False, low=0.0, high=1.0)


def _probs(row: dict[str, Any]) -> dict[str, float]:
    expression = row.get("expression")
    probs = expression.get("probs") if isinstance(expression, dict) else None
    return probs if isinstance(probs, dict) else {}


def plot_sweeps(files: list[tuple[str, list[dict[str, Any]]]], *, title: str | None = None):
    """Judged probability of the target expression against alpha, one line per swept expression (and
    per source); dotted: the judge's 'neutral'. Lower panel: identity similarity to the source."""
    plt = _pyplot()
    series: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for _, rows in files:
        for row in rows:
            if "alpha" not in row:
                continue
            key = (str(row.get("target") or "?"), Path(str(row.get("source") or "")).name)
            series.setdefault(key, []).append(row)
    if not series:
        raise InvalidInputError("no sweep items (records with an alpha) in the score file(s)",
                                hint="score a sweep first: fxe score --index DIR/NAME_sweep.json -o scores.jsonl")
    has_id = any(r.get("id_sim") is not None for rows in series.values() for r in rows)
    fig, axes = plt.subplots(2 if has_id else 1, 1, figsize=(WIDTH_IN * 0.8, 5.4 if has_id else 3.8), sharex=True,
                             squeeze=False, gridspec_kw={"height_ratios": [3, 1.2]} if has_id else None)
    ax = axes[0, 0]
    sources = {k[1] for k in series}
    for c, (key, rows) in enumerate(sorted(series.items())):
        rows = sorted(rows, key=lambda r: r["alpha"])
        alpha = [r["alpha"] for r in rows]
        color = plt.rcParams["axes.prop_cycle"].by_key()["color"][c % 10]
        label = plain(key[0] if len(sources) == 1 else f"{key[0]} ({key[1]})")
        ax.plot(alpha, [_probs(r).get(key[0], r.get("target_score", np.nan)) for r in rows], "-o", color=color,
                markersize=3.5, linewidth=1.5, label=f"p({label})")
        ax.plot(alpha, [_probs(r).get("neutral", np.nan) for r in rows], ":", color=color, linewidth=1.0,
                label=f"p(neutral), {label} sweep")
        if has_id:
            axes[1, 0].plot(alpha, [np.nan if r.get("id_sim") is None else r["id_sim"] for r in rows], "-o",
                            color=color, markersize=3, linewidth=1.0)
    ax.set_ylim(-0.02, 1.02)
    ax.set_ylabel("judged probability")
    ax.grid(True, linewidth=0.3)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    ax.set_title(plain(title or "sweep: judged expression vs alpha"), loc="left")
    if has_id:
        axes[1, 0].set_ylabel("identity sim.")
        axes[1, 0].grid(True, linewidth=0.3)
    axes[-1, 0].set_xlabel("alpha")
    fig.tight_layout()
    return fig


def plot_score_bars(rows: list[dict[str, Any]], *, title: str | None = None):
    """One stacked bar per scored item: the expression judge's probabilities of its 7 classes; the item's
    target (if any) is named under its bar and marked when the judge's top class matches it."""
    plt = _pyplot()
    rows = [r for r in rows if _probs(r)]
    if not rows:
        raise InvalidInputError("no item in the score file has expression probabilities to chart")
    fig, ax = plt.subplots(figsize=(min(WIDTH_IN * 1.4, 2.5 + 0.55 * len(rows)), 4.2))
    x = np.arange(len(rows))
    bottom = np.zeros(len(rows))
    colors = {"angry": "#d62728", "disgust": "#8c564b", "fear": "#9467bd", "happy": "#ffbf00", "sad": "#1f77b4",
              "surprise": "#17becf", "neutral": "#c7c7c7"}
    for name in FER_CLASSES:
        values = np.array([float(_probs(r).get(name, 0.0)) for r in rows])
        ax.bar(x, values, 0.75, bottom=bottom, color=colors[name], label=name, edgecolor="white", linewidth=0.4)
        bottom += values
    labels = []
    for r in rows:
        name = Path(str(r.get("input", "?"))).name
        name = name if len(name) <= 22 else name[:10] + "…" + name[-10:]
        target = r.get("target")
        labels.append(plain(f"{name}\n{target}{' ✓' if r.get('correct') else ''}" if target else name))
    ax.set_xticks(x, labels, rotation=45 if len(rows) > 6 else 0, ha="right" if len(rows) > 6 else "center",
                  fontsize=7)
    ax.set_ylim(0, 1.0)
    ax.set_ylabel("judged probability")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    ax.set_title(plain(title or "scores: expression judge per item"), loc="left")
    fig.tight_layout()
    return fig


# ---- inputs -------------------------------------------------------------------------------------------

KINDS = ("auto", "track", "sweep", "train", "scores")


def kind_of(path: str, data: bytes | None = None) -> str:
    """What a file holds: a track, a training log, a score file with sweep items, or another score file.

    `data`: the file's bytes when already read (stdin can be read only once)."""
    from fxcli.tracks.track_io import NPZ_MAGIC

    lower = path.lower()
    if lower.endswith((".npz", ".csv", ".arkit.json")) or (data is not None and data.startswith(NPZ_MAGIC)):
        return "track"
    from fxcli.io.inputs import loads_json

    text = _text(path, data)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    try:
        obj = loads_json(first, path)
    except ValueError:
        try:
            obj = loads_json(text, path)
        except ValueError:
            raise InvalidInputError(f"{path}: neither JSON nor JSON Lines") from None
    if not isinstance(obj, dict):
        raise InvalidInputError(f"{path}: expected JSON objects")
    if obj.get("format") == "fxe.track/v1":
        return "track"
    if obj.get("format") == "fxe.score-index/v1":
        raise UsageError(f"{path} is a sweep index; plot its scores",
                         hint=f"fxe score --index {path} -o scores.jsonl && fxe plot scores.jsonl -o sweep.png")
    if "step" in obj and "loss" in obj:
        return "train"
    if "input" in obj or "summary" in obj or "status" in obj:
        try:
            rows = [loads_json(ln, path) for ln in text.splitlines() if ln.strip()]
        except ValueError:
            raise InvalidInputError(f"{path}: a line is not JSON") from None
        return "sweep" if any(isinstance(r, dict) and "alpha" in r for r in rows) else "scores"
    raise InvalidInputError(f"{path}: not a track, training log or score file")


def _text(path: str, data: bytes | None) -> str:
    """A text input: `data` decoded when given (stdin, read once), else the file read."""
    from fxcli.io.inputs import read_text

    if data is None:
        return read_text(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{path}: not valid UTF-8 (byte {exc.start})") from None


def make_plot(inputs: list[str], output: str, *, kind: str = "auto", title: str | None = None) -> bytes:
    """Read the inputs ('-' is stdin, at most once), draw the plot their kind calls for, return PNG/SVG bytes."""
    if output != "-" and Path(output).suffix.lower() not in (".png", ".svg"):
        raise UsageError(f"cannot tell the picture format of {output!r}", hint="use a .png or .svg output")
    if inputs.count("-") > 1:
        raise UsageError("stdin ('-') can be read only once", hint="name '-' once among the inputs")
    stdin = None
    if "-" in inputs:
        from fxcli.io.inputs import read_bytes

        stdin = read_bytes("-")
    data = {p: (stdin if p == "-" else None) for p in inputs}
    names = {p: ("stdin" if p == "-" else p) for p in inputs}
    kinds = [kind_of(names[p], data[p]) if kind == "auto" else kind for p in inputs]
    if len(set(kinds)) != 1:
        raise UsageError(f"inputs of different kinds cannot share a plot: {', '.join(sorted(set(kinds)))}")
    kind = kinds[0]
    if kind == "track":
        from fxcli.interop import read_any
        from fxcli.tracks.track_io import parse_tracks

        tracks, labels = [], []
        for p in inputs:
            for i, t in enumerate(parse_tracks(stdin, "stdin") if p == "-" else read_any(p)):
                tracks.append(t)
                labels.append(Path(names[p]).name + (f"[{i}]" if i else ""))
        fig = plot_tracks(tracks, labels, title=title)
    elif kind == "train":
        if len(inputs) != 1:
            raise UsageError("plot one training log at a time")
        p = inputs[0]
        rows = read_train_log(names[p], None if data[p] is None else _text(names[p], data[p]))
        fig = plot_train_log(rows, title=title or (None if p == "-" else Path(p).parent.name) or None)
    else:
        scored = [(names[p], read_scores(names[p], None if data[p] is None else _text(names[p], data[p])))
                  for p in inputs]
        if kind == "sweep":
            fig = plot_sweeps(scored, title=title)
        else:
            fig = plot_score_bars([r for _, rows in scored for r in rows], title=title)
    return save(fig, output)
