"""The shared layer's bad-input contract: one stderr line, the documented exit code, no partial file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fxcli.tracks import Track, dumps_track
from tests.conftest import assert_one_error_line, run_fxe

GOOD = dumps_track(Track.zeros("arkit52", 3, 25))


def obj(**patch) -> str:
    base = json.loads(GOOD)
    base.update(patch)
    return json.dumps(base)


@pytest.mark.parametrize(("stdin", "fragment"), [
    ("{not json", "malformed JSON"),
    ("[1, 2, 3]", "expected a JSON object"),
    ('{"format": "fxe.track/v1", "frames": [[1]]}', "missing key(s) space, channels, fps"),
    (obj(frames=[[float("nan")] * 52]), "non-finite value"),
    (obj(frames=[[0.0] * 51]), "51 values per frame but 52 channels"),
    (obj(space="mocap"), "unknown space 'mocap'"),
    ("", "stdin is empty"),
])
def test_bad_track_on_stdin(tmp_path, stdin, fragment):
    out = tmp_path / "out.npz"
    result = run_fxe("track", "convert", "-", "-o", str(out), input=stdin)
    assert_one_error_line(result, 3, fragment)
    assert not out.exists() and os.listdir(tmp_path) == []


def test_unreadable_input_file(tmp_path):
    missing = tmp_path / "nope.json"
    assert_one_error_line(run_fxe("track", "validate", str(missing)), 3, "no such file")
    locked = tmp_path / "locked.json"
    locked.write_text(GOOD)
    locked.chmod(0)
    if os.access(locked, os.R_OK):  # root reads anything: use a folder instead
        assert_one_error_line(run_fxe("track", "validate", str(tmp_path)), 3, "is a folder")
    else:
        assert_one_error_line(run_fxe("track", "validate", str(locked)), 3, "cannot read")


def test_unwritable_output_folder(tmp_path):
    src = tmp_path / "t.json"
    src.write_text(GOOD)
    (tmp_path / "file").write_text("x")  # missing folders are created; a file in the way cannot be
    result = run_fxe("track", "convert", str(src), "-o", str(tmp_path / "file" / "missing" / "t.npz"))
    assert_one_error_line(result, 1, "cannot create folder")


def test_unknown_option_is_usage_error():
    assert_one_error_line(run_fxe("track", "validate", "--frobnicate"), 2, "No such option", "--help")


def test_recipe_with_unknown_key(tmp_path):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("output: x.npz\nwibble: 3\n")
    result = run_fxe("track", "convert", "--recipe", str(recipe), "-", input=GOOD)
    assert_one_error_line(result, 2, "unknown key 'wibble'", "valid:")
    assert not (Path.cwd() / "x.npz").exists()


def test_recipe_is_never_executed(tmp_path):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("output: !!python/object/apply:os.system ['touch /tmp/fxe-pwned']\n")
    result = run_fxe("track", "convert", "--recipe", str(recipe), "-", input=GOOD)
    assert_one_error_line(result, 2, "invalid YAML")
    assert not Path("/tmp/fxe-pwned").exists()


def test_job_file_with_one_bad_line(tmp_path):
    src = tmp_path / "t.json"
    src.write_text(GOOD)
    jobs = tmp_path / "jobs.jsonl"
    lines = [
        {"source": str(src), "output": str(tmp_path / "a.npz")},
        "{broken",
        {"source": str(tmp_path / "missing.json"), "output": str(tmp_path / "b.npz")},
        {"source": str(src), "output": str(tmp_path / "c.jsonl"), "colour": "red"},
        {"source": str(src), "output": str(tmp_path / "d.npz")},
    ]
    jobs.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    result = run_fxe("track", "convert", "--jobs", str(jobs))
    assert result.code == 1 and "Traceback" not in result.stderr
    names = sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".fxe-record.json"))  # resume records
    assert names == ["a.npz", "d.npz", "jobs.jsonl", "t.json"]
    err = result.stderr.splitlines()
    assert "line 2): failed: malformed JSON" in err[1]
    assert "line 3): failed:" in err[2] and "no such file" in err[2]
    assert "unknown key 'colour'" in err[3]
    assert err[-1].startswith("jobs: 2 ok, 0 skipped, 3 failed")
    # a second run skips what exists and retries only the failures
    again = run_fxe("track", "convert", "--jobs", str(jobs))
    assert again.stderr.splitlines()[-1].startswith("jobs: 0 ok, 2 skipped, 3 failed")
