"""Resume that cannot lie: outputs record what made them; sweeps and --jobs keep only matching outputs,
say why they make the others again, --force makes everything again, two jobs naming one output is exit 2."""

from __future__ import annotations

import json
import shutil

import pytest

from fxcli.io import record
from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe


def test_why_redo_names_the_first_difference():
    base = record.make_record(inputs=[], options={"a": 1}, model="m", model_hash="h")
    assert record.why_redo(base, dict(base)) is None
    assert record.why_redo(None, base) == "no record"
    assert record.why_redo({**base, "version": "0.0.1"}, base) == "made by another version"
    assert record.why_redo({**base, "inputs": "x"}, base) == "input changed"
    assert record.why_redo({**base, "model": "m@other"}, base) == "model changed"
    assert record.why_redo(record.make_record(options={"a": 2}, model="m", model_hash="h"), base) == "options changed"
    stdin = record.make_record(inputs=["-"])
    assert record.why_redo(stdin, stdin) == "input read from stdin"  # stdin can never be compared


def test_the_input_digest_is_the_contents_not_the_name(tmp_path):
    a, b = tmp_path / "a.bin", tmp_path / "b.bin"
    a.write_bytes(b"same")
    b.write_bytes(b"same")
    assert record.make_record(inputs=[str(a)])["inputs"] == record.make_record(inputs=[str(b)])["inputs"]
    b.write_bytes(b"other")
    assert record.make_record(inputs=[str(a)])["inputs"] != record.make_record(inputs=[str(b)])["inputs"]


def _sweep(tmp_path, *extra):
    result = run_fxe("edit", "p.jpg", "-e", "happy", "-a", "0.5,1", "-o", "sweep/", *extra, cwd=tmp_path)
    assert result.code == 0, result.stderr
    return result.stderr


def test_a_sweep_is_redone_when_the_source_photo_changes(tmp_path):
    photo = tmp_path / "p.jpg"
    shutil.copy(PORTRAITS / "interfaces-001.jpg", photo)
    first = _sweep(tmp_path)
    assert "kept" not in first
    out = tmp_path / "sweep" / "p_happy_1.00.png"
    made = out.read_bytes()
    from fxcli.provenance import read_provenance

    stored = read_provenance(str(out))[0][record.EDIT_KEY]
    assert stored["inputs"] == record.make_record(inputs=[str(photo)])["inputs"]  # the photo's contents
    (tmp_path / "unrelated.txt").write_text("not an input")
    again = _sweep(tmp_path)
    assert again.count("made the same way, kept") == 2 and out.read_bytes() == made
    shutil.copy(PORTRAITS / "interfaces-002.jpg", photo)  # another person, same name
    changed = _sweep(tmp_path)
    assert changed.count("made again (input changed)") == 2, changed
    assert out.read_bytes() != made
    assert read_provenance(str(out))[0][record.EDIT_KEY]["inputs"] == record.make_record(inputs=[str(photo)])["inputs"]
    forced = _sweep(tmp_path, "--force")
    assert forced.count("made again (--force)") == 2 and "kept" not in forced


@pytest.mark.slow
def test_a_sweep_is_redone_when_its_options_change(tmp_path):
    shutil.copy(PORTRAITS / "interfaces-003.jpg", tmp_path / "p.jpg")
    _sweep(tmp_path)
    other_seed = _sweep(tmp_path, "--seed", "3")
    assert other_seed.count("made again (options changed)") == 2, other_seed


@pytest.fixture
def jobs_file(tmp_path):
    path = tmp_path / "jobs.jsonl"

    def write(*jobs: dict):
        path.write_text("".join(json.dumps(j) + "\n" for j in jobs))
        return str(path)

    return write


def test_jobs_skip_only_matching_outputs_and_say_why(tmp_path, jobs_file):
    a, b = str(tmp_path / "a.json"), str(tmp_path / "b.json")
    jobs = jobs_file({"text": "Hello there.", "output": a, "max_frames": 8},
                     {"text": "Good bye.", "output": b, "max_frames": 8})
    first = run_fxe("text2flame", "--jobs", jobs)
    assert first.code == 0 and "2 ok, 0 skipped" in first.stderr, first.stderr
    again = run_fxe("text2flame", "--jobs", jobs)
    assert "0 ok, 2 skipped" in again.stderr and again.stderr.count("made the same way") == 2
    jobs = jobs_file({"text": "Hello there!", "output": a, "max_frames": 8},
                     {"text": "Good bye.", "output": b, "max_frames": 8})
    changed = run_fxe("text2flame", "--jobs", jobs)
    assert "1 ok, 1 skipped" in changed.stderr and "made again: options changed" in changed.stderr
    side = record.sidecar_path(b)
    data = json.loads(side.read_text())
    data["job"]["version"] = "0.0.1"
    side.write_text(json.dumps(data))
    older = run_fxe("text2flame", "--jobs", jobs)
    assert "made again: made by another version" in older.stderr, older.stderr
    (tmp_path / "a.json").write_text((tmp_path / "a.json").read_text() + "\n")  # changed by hand afterwards
    touched = run_fxe("text2flame", "--jobs", jobs)
    assert "made again: output changed after it was made" in touched.stderr, touched.stderr
    forced = run_fxe("text2flame", "--jobs", jobs, "--force")
    assert "2 ok, 0 skipped" in forced.stderr and forced.stderr.count("made again: --force") == 2
    # a job's output is byte-identical to the same single command's (the record is beside it, not in it)
    single = run_fxe("text2flame", "Good bye.", "--max-frames", "8")
    assert (tmp_path / "b.json").read_bytes() == single.stdout


@pytest.mark.slow
def test_a_render_job_is_redone_when_its_input_track_changes(tmp_path, jobs_file):
    track = tmp_path / "t.json"
    assert run_fxe("text2flame", "Hi.", "--max-frames", "5", "-o", str(track)).code == 0
    jobs = jobs_file({"track": str(track), "output": f"{tmp_path}/f/", "size": "32x32"})
    assert "1 ok" in run_fxe("render", "--jobs", jobs).stderr
    assert "0 ok, 1 skipped" in run_fxe("render", "--jobs", jobs).stderr
    assert run_fxe("text2flame", "Oh no.", "--max-frames", "5", "-o", str(track)).code == 0
    redo = run_fxe("render", "--jobs", jobs)
    assert "made again: input changed" in redo.stderr, redo.stderr


def test_two_jobs_naming_one_output_is_a_usage_error_before_anything_runs(tmp_path, jobs_file):
    jobs = jobs_file({"text": "One.", "output": str(tmp_path / "x.json")},
                     {"text": "Two.", "output": str(tmp_path / "y.json")},
                     {"text": "Three.", "output": str(tmp_path / "sub" / ".." / "x.json")})
    result = run_fxe("text2flame", "--jobs", jobs)
    assert_one_error_line(result, 2, "lines 1 and 3", "x.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jobs.jsonl"]
