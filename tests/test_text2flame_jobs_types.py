"""`fxe text2flame`: --fps shares render's range; job lines must give strings; TEXT with --jobs is refused."""

from __future__ import annotations

import json

import pytest

from tests.conftest import assert_one_error_line, run_fxe


@pytest.mark.parametrize("fps", ["1e-300", "0.0005", "0"])
def test_fps_below_what_render_plays(tmp_path, fps):
    out = tmp_path / "t.json"
    r = run_fxe("text2flame", "hi", "--fps", fps, "-o", str(out))
    assert_one_error_line(r, 2, "--fps", "0.001")
    assert not out.exists()


def test_slowest_render_fps_is_accepted():
    r = run_fxe("text2flame", "hi", "--fps", "0.001")
    assert r.code == 0, r.stderr
    assert json.loads(r.out.splitlines()[0])["fps"] == 0.001


@pytest.mark.parametrize("job, fragment", [
    ({"text": "hi", "output": 5}, "'output'"),
    ({"text": 5}, "'text'"),
    ({"text": "hi", "lang": 5}, "'lang'"),
    ({"text": "hi", "fps": 1e-300}, "'fps'"),
])
def test_job_values_of_the_wrong_type_fail_the_job(tmp_path, job, fragment):
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text(json.dumps(job) + "\n")
    r = run_fxe("text2flame", "--jobs", str(jobs), cwd=tmp_path)
    assert r.code == 1, r.stderr  # a batch with a failed job (see `fxe --help`)
    assert "Traceback" not in r.stderr
    assert fragment in r.stderr and "failed" in r.stderr
    assert r.stdout == b""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jobs.jsonl"]  # no file named "5"


@pytest.mark.parametrize("text", ["hello", "-"])
def test_text_with_jobs_is_a_usage_error(text):
    r = run_fxe("text2flame", text, "--jobs", "-", input='{"text": "x"}\n')
    assert_one_error_line(r, 2, "--jobs")
    assert r.stdout == b""
