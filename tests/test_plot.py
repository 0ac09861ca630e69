"""`fxe plot`: tracks, sweeps, training logs, score files; PNG/SVG, byte-identical reruns."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from fxcli.capture.performance import performance
from fxcli.tracks import write_tracks
from tests.conftest import assert_one_error_line, run_fxe


def _sweep_scores(path, target="happy"):
    rows = []
    for k, alpha in enumerate(np.arange(0, 1.51, 0.25)):
        p = float(1 / (1 + np.exp(-6 * (alpha - 0.8))))
        probs = {c: 0.0 for c in ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")}
        probs[target], probs["neutral"] = round(p, 4), round(1 - p, 4)
        rows.append({"input": f"face_{target}_{alpha:.2f}.png", "status": "ok", "alpha": float(alpha),
                     "target": target, "expression": {"label": target if p > 0.5 else "neutral", "probs": probs},
                     "id_sim": round(1 - 0.02 * k, 4)})
    rows.append({"summary": True, "items": len(rows)})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _train_log(path):
    lines = []
    for step in range(1, 41):
        loss = 2.0 * np.exp(-step / 12) + 0.1
        lines.append({"kind": "step", "step": step, "epoch": 1 + step // 20, "loss": loss, "lr": 1e-3 * min(1, step / 10),
                      "seconds": step * 0.5, "terms": {"rec": loss * 0.7, "kl": loss * 0.3}})
    lines.append({"kind": "epoch", "step": 40, "epoch": 2, "loss": 0.25, "lr": 1e-3, "seconds": 20.0, "terms": {}})
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))


def _ink(path) -> float:
    """Share of pixels that are not the white background."""
    a = np.asarray(Image.open(path).convert("L"))
    return float((a < 240).mean())


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    d = tmp_path_factory.mktemp("plot")
    write_tracks([performance(0, seconds=2.0)], d / "a.json")
    write_tracks([performance(1, seconds=2.0)], d / "b.json")
    _sweep_scores(d / "happy.jsonl")
    _sweep_scores(d / "surprise.jsonl", "surprise")
    _train_log(d / "train_log.jsonl")
    return d


@pytest.mark.parametrize("names, size_min", [
    (["a.json"], (1000, 900)),                 # one track: 4 groups + head pose
    (["a.json", "b.json"], (1000, 900)),       # overlaid
    (["happy.jsonl", "surprise.jsonl"], (600, 400)),
    (["train_log.jsonl"], (800, 400)),
])
def test_each_kind_draws_a_png_with_content(inputs, names, size_min):
    from fxcli.plot.plots import make_plot

    out = inputs / ("_".join(n.split(".")[0] for n in names) + ".png")
    out.write_bytes(make_plot([str(inputs / n) for n in names], str(out)))
    with Image.open(out) as im:
        assert im.size[0] >= size_min[0] and im.size[1] >= size_min[1]
    assert 0.02 < _ink(out) < 0.6


def test_cli_output_and_reruns_are_byte_identical_png_and_svg(inputs):
    from fxcli.plot.plots import make_plot

    r = run_fxe("plot", str(inputs / "train_log.jsonl"), "-o", str(inputs / "cli.png"))
    assert r.code == 0, r.stderr
    # the same bytes as in this process (the log's folder names the plot)
    assert (inputs / "cli.png").read_bytes() == make_plot([str(inputs / "train_log.jsonl")], "x.png",
                                                         title=inputs.name)
    for suffix in ("png", "svg"):
        first = make_plot([str(inputs / "happy.jsonl")], f"x.{suffix}")
        assert make_plot([str(inputs / "happy.jsonl")], f"x.{suffix}") == first
    svg = first.decode()
    assert svg.startswith("<?xml") and "<dc:date>" not in svg


def test_sweep_curve_is_drawn_where_the_probabilities_are(inputs):
    """The happy curve crosses 0.5 near alpha 0.8: check the plotted line against the data with the
    figure's own transform (independent of pixels)."""
    from fxcli.plot.plots import plot_sweeps, read_scores

    fig = plot_sweeps([("h", read_scores(str(inputs / "happy.jsonl")))])
    line = fig.axes[0].get_lines()[0]
    x, y = line.get_data()
    assert np.interp(0.5, y, x) == pytest.approx(0.8, abs=0.05)


def test_score_bars_and_mixed_or_bad_inputs(inputs):
    rows = [{"input": f"img{k}.png", "status": "ok", "expression": {"label": "happy", "probs": {"happy": 0.6, "neutral": 0.4}}}
            for k in range(3)]
    (inputs / "scores.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    assert run_fxe("plot", str(inputs / "scores.jsonl"), "-o", str(inputs / "bars.png")).code == 0
    assert _ink(inputs / "bars.png") > 0.02
    assert_one_error_line(run_fxe("plot", str(inputs / "a.json"), str(inputs / "train_log.jsonl"),
                                  "-o", str(inputs / "m.png")), 2, "different kinds")
    assert_one_error_line(run_fxe("plot", str(inputs / "a.json"), "-o", str(inputs / "m.jpg")), 2, ".png or .svg")
    (inputs / "junk.json").write_text("[1, 2]")
    assert_one_error_line(run_fxe("plot", str(inputs / "junk.json"), "-o", str(inputs / "j.png")), 3)
