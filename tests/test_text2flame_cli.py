"""`fxe text2flame` as a user runs it: valid tracks, seeds, options, --jobs, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fxcli.tracks.channels import ARKIT52
from fxcli.tracks.track_io import parse_tracks
from tests.conftest import assert_one_error_line


def test_valid_track_and_seeds(fxe):
    one = fxe("text2flame", "I am so dead.", "--seed", "1")
    assert one.code == 0, one.stderr
    assert one.stderr == ""
    (track,) = parse_tracks(one.stdout)
    assert track.space == "arkit52" and track.channels == list(ARKIT52) and track.fps == 25.0
    assert 20 < track.n_frames < 200 and track.pose is not None
    assert track.text == "I am so dead."
    meta = track.meta
    assert meta["seed"] == 1 and meta["backend"] == "embedded" and meta["generator"] == "fxe text2flame"
    emo = meta["emotion"]
    assert emo["dominant"] in ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
    assert len(emo["names"]) == len(emo["weights"]) and sum(emo["weights"]) == pytest.approx(1, abs=1e-3)
    again = fxe("text2flame", "I am so dead.", "--seed", "1")
    assert again.stdout == one.stdout  # byte-identical
    other = fxe("--seed", "2", "text2flame", "I am so dead.")
    (track2,) = parse_tracks(other.stdout)
    assert other.stdout != one.stdout
    n = min(track.n_frames, track2.n_frames)
    assert np.abs(track.frames[:n] - track2.frames[:n]).max() > 0.05  # visibly different, not just noise


def test_speech_moves_the_jaw_and_eyes_blink(fxe):
    r = fxe("text2flame", "Mama made a banana bread, and we ate all of it after the long walk home.")
    (t,) = parse_tracks(r.stdout)
    ch = {n: i for i, n in enumerate(t.channels)}
    jaw = t.frames[:, ch["jawOpen"]]
    assert jaw.max() > 0.25 and jaw[:3].max() < 0.1  # opens for vowels, rests before speech
    assert t.frames[:, ch["eyeBlinkLeft"]].max() > 0.9  # at least one full blink in ~4 s
    assert np.abs(t.pose).max() > 0.005 and np.abs(t.pose).max() < 0.5


def test_options_fps_max_frames_expression(fxe, tmp_path):
    r = fxe("text2flame", "Hello there, how are you?", "--fps", "50", "--max-frames", "40",
            "--expression", "a bitter half-smile", "--alpha", "0.8", "-o", str(tmp_path / "t.npz"))
    assert r.code == 0, r.stderr
    (t,) = parse_tracks((tmp_path / "t.npz").read_bytes())
    assert t.fps == 50 and t.n_frames == 40
    assert t.meta["emotion"]["names"][0] == "bitterness"
    assert t.meta["params"]["expression"] == "a bitter half-smile"
    r = fxe("text2flame", "Hello there.", "--expression", "contempt", "--alpha", "1.5")
    (t,) = parse_tracks(r.stdout)
    ch = {n: i for i, n in enumerate(t.channels)}
    # contempt is one-sided (R12A + R14A)
    assert t.frames[:, ch["mouthDimpleRight"]].max() > 0.4
    assert t.frames[:, ch["mouthDimpleLeft"]].max() < 0.05


def test_stdin_and_json_output(fxe, tmp_path):
    r = fxe("text2flame", "-", "-o", str(tmp_path / "a.json"), input="Good morning!\n")
    assert r.code == 0, r.stderr
    doc = json.loads((tmp_path / "a.json").read_text())
    assert doc["format"] == "fxe.track/v1"


def test_jobs_one_process(fxe, tmp_path):
    texts = [f"Sentence number {i}, and I feel {w} about it." for i, w in
             enumerate(["great", "awful", "scared", "angry", "fine"] * 8)]
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
    r = fxe("text2flame", "--jobs", str(jobs), "-q")
    assert r.code == 0, r.stderr
    tracks = parse_tracks(r.stdout)
    assert [t.text for t in tracks] == texts
    # files: existing outputs are skipped on a second run
    jobs.write_text("".join(json.dumps({"text": t, "output": str(tmp_path / f"{i}.json")}) + "\n"
                            for i, t in enumerate(texts[:3])))
    assert fxe("text2flame", "--jobs", str(jobs)).code == 0
    second = fxe("text2flame", "--jobs", str(jobs))
    assert "3 skipped" in second.stderr


@pytest.mark.parametrize("args, stdin, code, fragment", [
    (["text2flame", ""], None, 3, "text is empty"),
    (["text2flame", "   "], None, 3, "text is empty"),
    (["text2flame", "-"], "x" * 100_000, 3, "text too long"),
    (["text2flame", "-"], b"caf\xe9 \xff\n", 3, "not valid UTF-8"),
    (["text2flame", "hi", "--expression", "blorft"], None, 2, "nearest:"),
    (["text2flame", "hi", "--alpha", "abc"], None, 2, "--alpha"),
    (["text2flame", "hi", "--alpha", "-1"], None, 2, "--alpha"),
    (["text2flame", "hi", "--fps", "0"], None, 2, "--fps"),
    (["text2flame", "hi", "--max-frames", "0"], None, 2, "--max-frames"),
    (["text2flame", "hi", "--model", "nope"], None, 2, "unknown model"),
])
def test_bad_input(fxe, args, stdin, code, fragment):
    r = fxe(*args, input=stdin)
    assert_one_error_line(r, code, fragment)
    assert r.stdout == b""


def test_cold_path_imports_neither_torch_nor_transformers():
    import subprocess
    import sys

    code = ("import sys\nfrom fxcli.cli.main import main\ntry:\n    main(['text2flame', 'Hello there.'])\n"
            "except SystemExit as exc:\n    print('exit', exc.code)\n"
            "print(sorted(m for m in ('torch', 'transformers', 'scipy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    lines = out.strip().splitlines()
    assert '"format":"fxe.track/v1"' in lines[0]
    assert lines[-2:] == ["exit 0", "[]"]
