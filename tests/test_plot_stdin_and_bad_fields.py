"""`fxe plot`: stdin read once (a real pipe), titles as plain text, bad field types in logs and score files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from PIL import Image

from fxcli.tracks import Track, write_tracks
from tests.conftest import REPO, assert_one_error_line, run_fxe


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FXE_")}
    env.update({"NO_COLOR": "1", "PYTHONHASHSEED": "0"})
    return env


def test_text2flame_piped_into_plot_stdin(tmp_path):
    out = tmp_path / "p.png"
    producer = subprocess.Popen([sys.executable, "-m", "fxcli", "text2flame", "hi"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, cwd=REPO, env=_env())
    consumer = subprocess.run([sys.executable, "-m", "fxcli", "plot", "-", "-o", str(out)], stdin=producer.stdout,
                              capture_output=True, cwd=REPO, env=_env(), timeout=300)
    producer.stdout.close()
    assert producer.wait(timeout=300) == 0
    assert consumer.returncode == 0, consumer.stderr.decode()
    assert consumer.stderr == b""
    assert Image.open(out).size[0] > 500


@pytest.mark.parametrize("content", ["track", "train"])
def test_plot_reads_stdin_redirect(tmp_path, content):
    if content == "track":
        src = tmp_path / "t.json"
        write_tracks([Track.zeros("arkit52", 10, 25.0)], src)
    else:
        src = tmp_path / "train_log.jsonl"
        src.write_text("".join(json.dumps({"step": s, "loss": 1.0 / (s + 1), "lr": 1e-3}) + "\n" for s in range(5)))
    out = tmp_path / "p.png"
    with open(src, "rb") as fh:
        proc = subprocess.run([sys.executable, "-m", "fxcli", "plot", "-", "-o", str(out)], stdin=fh,
                              capture_output=True, cwd=REPO, env=_env(), timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    assert out.is_file()


def test_plot_stdin_twice_is_a_usage_error(tmp_path):
    track = tmp_path / "t.json"
    write_tracks([Track.zeros("arkit52", 10, 25.0)], track)
    r = run_fxe("plot", "-", "-", "-o", str(tmp_path / "p.png"), input=track.read_bytes())
    assert_one_error_line(r, 2, "stdin")
    assert not (tmp_path / "p.png").exists()


@pytest.mark.parametrize("title", ["$$", r"$\undefinedmacro$", "\x01\x02", "a $x$ b", "cost: $5"])
def test_titles_are_plain_text(tmp_path, title):
    track = tmp_path / "t.json"
    write_tracks([Track.zeros("arkit52", 10, 25.0)], track)
    out = tmp_path / "p.png"
    r = run_fxe("plot", str(track), "-o", str(out), "--title", title)
    assert r.code == 0, r.stderr
    assert r.stderr == ""  # no matplotlib warning or log line
    assert out.is_file()


SCORE_ROW = {"input": "face_happy_0.50.png", "status": "ok", "alpha": 0.5, "target": "happy", "id_sim": 0.9,
             "expression": {"label": "happy", "probs": {"happy": 0.7, "neutral": 0.3}}}


@pytest.mark.parametrize("name, rows, fragments", [
    ("alpha_str.jsonl", [{**SCORE_ROW, "alpha": "abc"}], ["line 1", "alpha", "'abc'"]),
    ("alpha_nan.jsonl", [SCORE_ROW, {**SCORE_ROW, "alpha": float("nan")}], ["line 2", "alpha"]),
    ("probs_str.jsonl", [{**SCORE_ROW, "expression": {"probs": {"happy": "x"}}}], ["expression.probs.happy"]),
    ("probs_inf.jsonl", [{**SCORE_ROW, "expression": {"probs": {"happy": float("inf")}}}], ["expression.probs.happy"]),
    ("target_int.jsonl", [{**SCORE_ROW, "target": 5}], ["target"]),
    ("id_str.jsonl", [{**SCORE_ROW, "id_sim": "x"}], ["id_sim"]),
    ("loss_str.jsonl", [{"step": 0, "loss": "x", "lr": 0.001}], ["line 1", "loss", "'x'"]),
    ("step_str.jsonl", [{"step": "a", "loss": 1}], ["step", "'a'"]),
    ("huge.jsonl", [{"step": s, "loss": -1e308, "lr": -5} for s in range(3)], ["loss", "-1e+308"]),
    ("loss_nan.jsonl", [{"step": 0, "loss": float("nan")}], ["loss"]),
    ("terms_str.jsonl", [{"step": 0, "loss": 1.0, "terms": {"kl": "x"}}], ["terms.kl"]),
])
def test_bad_fields_are_invalid_input(tmp_path, name, rows, fragments):
    src = tmp_path / name
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path / "p.png"
    r = run_fxe("plot", str(src), "-o", str(out))
    assert_one_error_line(r, 3, name, *fragments)
    assert not out.exists()
