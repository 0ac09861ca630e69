"""Signals and pipes: SIGINT/SIGTERM/SIGHUP leave no partial output and no temp file and exit 128+N;
a reader that goes away ends any command silently with 141. Real signals to real subprocesses."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PORTRAITS, run_fxe

STORY = "What a beautiful story."
LONG = " ".join(["This is a long story about many things, told slowly and with feeling."] * 4)


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FXE_")}
    env.update({"NO_COLOR": "1", "PYTHONHASHSEED": "0"})
    return env


def _default_signals() -> None:
    # a test run started under nohup passes SIGHUP ignored on to its children, and fxe rightly keeps an
    # ignored SIGHUP ignored: start the child with the default dispositions a terminal gives
    for s in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
        signal.signal(s, signal.SIG_DFL)


def _fxe_popen(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "fxcli", *args], cwd=cwd, env=_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, preexec_fn=_default_signals)


def _wait_for(predicate, proc: subprocess.Popen, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        if proc.poll() is not None:
            pytest.fail(f"fxe ended before the signal: {proc.stderr.read().decode()}")
        time.sleep(0.05)
    proc.kill()
    pytest.fail("fxe never started writing")


def _temps(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if ".part" in p.name or ".fxe" in p.name and p.name.startswith(".")
            and not p.name.endswith(".fxe.json")]


@pytest.fixture(scope="module")
def long_track(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("long")
    result = run_fxe("text2flame", LONG, "-o", str(folder / "long.json"))
    assert result.code == 0, result.stderr
    return folder / "long.json"


@pytest.mark.parametrize("sig, code, word", [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGHUP, 129, "SIGHUP"),
                                             (signal.SIGINT, 130, "interrupted")])
def test_a_signal_during_a_video_render_leaves_nothing(tmp_path, long_track, sig, code, word):
    proc = _fxe_popen(["render", str(long_track), "--size", "256x256", "-o", "out.mp4"], tmp_path)
    _wait_for(lambda: any(".part" in p.name for p in tmp_path.iterdir()), proc)  # ffmpeg is writing
    time.sleep(0.3)
    proc.send_signal(sig)
    assert proc.wait(timeout=60) == code
    err = [ln for ln in proc.stderr.read().decode().splitlines() if ln.strip()]
    assert len(err) == 1 and word in err[0] and "no partial output" in err[0], err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_sigterm_while_writing_png_frames_leaves_nothing_a_rerun_would_skip(tmp_path, long_track):
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text(f'{{"track": "{long_track}", "output": "frames/", "size": "128x128"}}\n')
    proc = _fxe_popen(["render", "--jobs", str(jobs)], tmp_path)
    _wait_for(lambda: any(p.name.startswith(".frames.") and len(list(p.iterdir())) > 3
                          for p in tmp_path.iterdir() if p.is_dir()), proc)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 143
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jobs.jsonl"]  # no partial folder, no temp folder
    again = run_fxe("render", "--jobs", str(jobs), cwd=tmp_path)
    assert again.code == 0 and "1 ok, 0 skipped" in again.stderr, again.stderr
    n = len(list((tmp_path / "frames").glob("frame_*.png")))
    assert n > 100 and (tmp_path / "frames" / ".fxe.json").is_file()
    skipped = run_fxe("render", "--jobs", str(jobs), cwd=tmp_path)
    assert "0 ok, 1 skipped" in skipped.stderr, skipped.stderr


@pytest.mark.slow
def test_sigterm_during_an_edit_sweep_keeps_only_finished_pictures(tmp_path):
    photo = tmp_path / "p.jpg"
    shutil.copy(PORTRAITS / "interfaces-001.jpg", photo)
    proc = _fxe_popen(["edit", "p.jpg", "-e", "happy", "-a", "0.1:1.5:0.1", "-o", "sweep/"], tmp_path)
    _wait_for(lambda: (tmp_path / "sweep").is_dir()
              and any(not p.name.startswith(".") for p in (tmp_path / "sweep").glob("*.png")), proc)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 143
    done = sorted(p.name for p in (tmp_path / "sweep").iterdir())
    assert done and all(n.startswith("p_happy_") and n.endswith(".png") for n in done), done
    assert "p_happy_sheet.png" not in done and _temps(tmp_path) == []
    from PIL import Image

    for name in done:  # every picture left is whole
        with Image.open(tmp_path / "sweep" / name) as im:
            im.load()
            assert im.size == (500, 500)


def test_text2flame_into_head_exits_141_silently(tmp_path):
    script = (f'{sys.executable} -m fxcli text2flame "{STORY}" 2>err.txt | head -c 10 >out.txt; '
              'echo "${PIPESTATUS[0]}"')
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, env=_env(),
                            timeout=120)
    assert result.stdout.strip() == "141"
    assert (tmp_path / "err.txt").read_text() == ""
    assert (tmp_path / "out.txt").read_text() == '{"format":'[:10]
    # the whole output read: 0
    full = subprocess.run(["bash", "-c", f'{sys.executable} -m fxcli text2flame "{STORY}" | wc -c; '
                                         'echo "${PIPESTATUS[0]}"'], capture_output=True, text=True, env=_env())
    size, code = full.stdout.split()
    assert int(size) > 1000 and code == "0"


@pytest.mark.slow
def test_a_multi_output_render_into_a_closed_pipe_stops_with_141(tmp_path):
    tracks = tmp_path / "three.jsonl"
    made = run_fxe("text2flame", "--jobs", "-", input="".join(f'{{"text": "Line {i} of the story."}}\n'
                                                              for i in range(3)))
    assert made.code == 0, made.stderr
    tracks.write_bytes(made.stdout)
    script = (f'{sys.executable} -m fxcli render three.jsonl --size 64x64 -o "out_{{i}}.gif" 2>err.txt | head -c 1 '
              '>/dev/null; echo "${PIPESTATUS[0]}"')
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True, env=_env(),
                            timeout=300)
    assert result.stdout.strip() == "141"
    assert (tmp_path / "err.txt").read_text().strip() == "" or "render" in (tmp_path / "err.txt").read_text()
    assert "Traceback" not in (tmp_path / "err.txt").read_text()
    assert not (tmp_path / "out_2.gif").exists()  # it stopped
    assert _temps(tmp_path) == []


def test_stdout_of_a_batch_into_head_exits_141(tmp_path):
    lines = "".join(f'{{"text": "Sentence number {i} of many."}}\n' for i in range(6))
    script = f'{sys.executable} -m fxcli text2flame --jobs - 2>err.txt | head -c 5 >/dev/null; echo "${{PIPESTATUS[0]}}"'
    result = subprocess.run(["bash", "-c", script], cwd=tmp_path, input=lines, capture_output=True, text=True,
                            env=_env(), timeout=300)
    assert result.stdout.strip() == "141"
    assert "failed" not in (tmp_path / "err.txt").read_text()
