"""The one write path (fxcli/io/atomic.py): modes from the umask, devices and pipes written in place,
folders and inputs refused, parents created, folder outputs built aside, stale temps swept."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import PORTRAITS, REPO, assert_one_error_line, run_fxe

TEXT = "What a beautiful story."


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FXE_")}
    env.update({"NO_COLOR": "1", "PYTHONHASHSEED": "0"})
    return env


def run_sh(script: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """A shell line with `FXE` standing for `python -m fxcli` (so that umask and redirections apply)."""
    fxe = f"{sys.executable} -m fxcli"
    return subprocess.run(["bash", "-c", script.replace("FXE", fxe)], cwd=cwd, capture_output=True, env=_env(),
                          timeout=timeout)


@pytest.fixture(scope="module")
def track(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("track")
    result = run_fxe("text2flame", TEXT, "--max-frames", "6", "-o", str(folder / "t.json"))
    assert result.code == 0, result.stderr
    return folder / "t.json"


@pytest.mark.parametrize("mask, file_mode, dir_mode", [("022", 0o644, 0o755), ("077", 0o600, 0o700)])
@pytest.mark.slow
def test_modes_follow_the_umask(tmp_path, track, mask, file_mode, dir_mode):
    result = run_sh(f"umask {mask} && FXE text2flame '{TEXT}' --max-frames 4 -o a.json && "
                    f"FXE track convert a.json -o b.npz && FXE render {track} --size 32x32 -o frames/", tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("a.json", "b.npz", "frames/frame_000000.png", "frames/.fxe.json"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == file_mode, name
    assert stat.S_IMODE((tmp_path / "frames").stat().st_mode) == dir_mode


def test_a_replaced_file_keeps_its_mode(tmp_path):
    out = tmp_path / "a.json"
    out.write_text("old")
    out.chmod(0o640)
    result = run_sh(f"umask 022 && FXE text2flame '{TEXT}' --max-frames 4 -o a.json", tmp_path)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert json.loads(out.read_text())["format"].startswith("fxe.track")


def test_dev_stdout_and_dev_fd_are_written_in_place(tmp_path):
    result = run_fxe("text2flame", TEXT, "--max-frames", "4", "-o", "/dev/stdout", cwd=tmp_path)
    assert result.code == 0, result.stderr
    assert json.loads(result.out.splitlines()[0])["format"].startswith("fxe.track")
    # what a shell's process substitution `-o >(cmd)` gives: an inherited pipe named /dev/fd/N
    r, w = os.pipe()
    proc = subprocess.Popen([sys.executable, "-m", "fxcli", "text2flame", TEXT, "--max-frames", "4", "-o",
                             f"/dev/fd/{w}"], pass_fds=(w,), cwd=tmp_path, env=_env(), stderr=subprocess.PIPE)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        data = fh.read()
    assert proc.wait(timeout=120) == 0, proc.stderr.read()
    assert json.loads(data.splitlines()[0])["format"].startswith("fxe.track")
    assert sorted(os.listdir(tmp_path)) == []


def test_a_fifo_is_written_not_replaced(tmp_path):
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run_fxe("text2flame", TEXT, "--max-frames", "4", "-o", str(fifo))
    reader.join(timeout=30)
    assert result.code == 0, result.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(got[0].splitlines()[0])["format"].startswith("fxe.track")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.json"]


def _char_device(path: Path, major: int, minor: int) -> None:
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
        os.close(os.open(path, os.O_WRONLY))
    except OSError as exc:  # e.g. a nodev mount
        pytest.skip(f"cannot make or open a device node here ({exc.strerror})")


def test_a_full_device_fails_cleanly_and_is_not_replaced(tmp_path):
    node = tmp_path / "full"
    _char_device(node, 1, 7)  # what /dev/full is
    before = node.stat()
    result = run_fxe("text2flame", TEXT, "--max-frames", "4", "-o", str(node))
    assert_one_error_line(result, 1, "No space left")
    after = node.stat()
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev and after.st_ino == before.st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full"]
    # the same through a symbolic link, and a null device takes the output
    link = tmp_path / "out.json"
    link.symlink_to(node)
    assert_one_error_line(run_fxe("text2flame", TEXT, "--max-frames", "4", "-o", str(link)), 1, "No space left")
    null = tmp_path / "null"
    _char_device(null, 1, 3)
    assert run_fxe("text2flame", TEXT, "--max-frames", "4", "-o", str(null)).code == 0
    assert stat.S_ISCHR(null.stat().st_mode) and stat.S_ISCHR(node.stat().st_mode)
    assert link.is_symlink()


def test_dev_full_itself_when_root():
    if os.geteuid() != 0 or not Path("/dev/full").exists():
        pytest.skip("needs root and /dev/full")
    before = os.stat("/dev/full")
    assert_one_error_line(run_fxe("text2flame", TEXT, "--max-frames", "4", "-o", "/dev/full"), 1, "No space left")
    after = os.stat("/dev/full")
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_a_folder_given_as_a_file_is_refused(tmp_path, track):
    (tmp_path / "out.json").mkdir()
    assert_one_error_line(run_fxe("text2flame", TEXT, "-o", str(tmp_path / "out.json")), 2, "is a folder")
    assert_one_error_line(run_fxe("track", "convert", str(track), "-o", str(tmp_path / "out.json")), 2, "is a folder")
    (tmp_path / "score.json").mkdir()
    assert list((tmp_path / "out.json").iterdir()) == []


def test_output_equal_to_an_input_is_refused_before_anything_is_written(tmp_path, track):
    t = tmp_path / "t.json"
    shutil.copy(track, t)
    before = t.read_bytes()
    assert_one_error_line(run_fxe("track", "convert", str(t), "-o", str(t)), 2, "is the input")
    (tmp_path / "link.json").symlink_to(t)
    assert_one_error_line(run_fxe("track", "convert", str(t), "-o", str(tmp_path / "link.json")), 2, "is the input")
    os.link(t, tmp_path / "hard.json")
    assert_one_error_line(run_fxe("track", "convert", str(tmp_path / "hard.json"), "-o", str(t)), 2, "is the input")
    assert t.read_bytes() == before
    photo = tmp_path / "p.jpg"
    shutil.copy(PORTRAITS / "interfaces-001.jpg", photo)
    photo_bytes = photo.read_bytes()
    assert_one_error_line(run_fxe("edit", str(photo), "-e", "happy", "-o", str(photo)), 2, "is the input")
    assert photo.read_bytes() == photo_bytes
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hard.json", "link.json", "p.jpg", "t.json"]


@pytest.mark.slow
def test_missing_parent_folders_are_created_by_every_command(tmp_path, track):
    assert run_fxe("text2flame", TEXT, "--max-frames", "4", "-o", str(tmp_path / "a/b/t.json")).code == 0
    assert run_fxe("track", "convert", str(track), "-o", str(tmp_path / "c/d/t.npz")).code == 0
    assert run_fxe("render", str(track), "--size", "32x32", "-o", str(tmp_path / "e/f/out.gif")).code == 0
    assert run_fxe("render", str(track), "--size", "32x32", "-o", f"{tmp_path}/g/h/").code == 0
    assert run_fxe("score", "--tracks", str(track), "-o", str(tmp_path / "i/j/score.json")).code == 0
    for name in ("a/b/t.json", "c/d/t.npz", "e/f/out.gif", "g/h/frame_000005.png", "i/j/score.json"):
        assert (tmp_path / name).is_file(), name
    blocked = tmp_path / "file"
    blocked.write_text("x")
    assert_one_error_line(run_fxe("text2flame", TEXT, "-o", str(blocked / "t.json")), 1, "cannot create folder")


def test_stale_temps_of_a_killed_run_are_swept_and_nothing_else(tmp_path):
    dead = 4_000_000
    while True:  # a pid no process has
        try:
            os.kill(dead, 0)
            dead += 1
        except ProcessLookupError:
            break
        except PermissionError:
            dead += 1
    old = time.time() - 3600
    stale = tmp_path / f".a.fxe{dead}_0123abcd.part.json"
    live = tmp_path / f".a.fxe{os.getpid()}_0123abcd.part.json"  # a running process's temp
    other = tmp_path / ".a.notours.part.json"
    stale_dir = tmp_path / f".frames.fxe{dead}_89abcdef.part"
    stale_dir.mkdir()
    (stale_dir / "frame_000000.png").write_bytes(b"x")
    for p in (stale, live, other):
        p.write_text("partial")
    for p in (stale, live, other, stale_dir):
        os.utime(p, (old, old))
    result = run_fxe("text2flame", TEXT, "--max-frames", "4", "-o", str(tmp_path / "a.json"))
    assert result.code == 0, result.stderr
    assert not stale.exists() and live.exists() and other.exists()
    from fxcli.io.atomic import atomic_dir

    with atomic_dir(tmp_path / "frames") as tmp:
        (tmp / "x.txt").write_text("done")
    assert not stale_dir.exists() and (tmp_path / "frames" / "x.txt").read_text() == "done"


def test_folder_outputs_are_built_aside_and_keep_other_files(tmp_path):
    from fxcli.io.atomic import atomic_dir

    target = tmp_path / "frames"
    target.mkdir()
    (target / "notes.txt").write_text("mine")
    for i in range(5):
        (target / f"frame_{i:06d}.png").write_bytes(b"old")
    (target / ".fxe.json").write_text("{}")
    with pytest.raises(KeyboardInterrupt), atomic_dir(target, stale=("frame_*.png",), last=(".fxe.json",)) as tmp:
        (tmp / "frame_000000.png").write_bytes(b"new")
        raise KeyboardInterrupt
    assert (target / "frame_000004.png").read_bytes() == b"old"  # untouched by the interrupted run
    assert [p.name for p in tmp_path.iterdir()] == ["frames"]  # no temp folder left
    with atomic_dir(target, stale=("frame_*.png",), last=(".fxe.json",)) as tmp:
        for i in range(2):
            (tmp / f"frame_{i:06d}.png").write_bytes(b"new")
        (tmp / ".fxe.json").write_text('{"frames": 2}')
    assert sorted(p.name for p in target.iterdir()) == [".fxe.json", "frame_000000.png", "frame_000001.png",
                                                        "notes.txt"]
    assert (target / "notes.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["frames"]


def test_no_module_reads_the_shared_folder():
    offenders = []
    for top in ("fxcli", "tests", "benchmarks", "scripts"):
        for path in (REPO / top).rglob("*"):
            if path.suffix in (".py", ".sh") and path.is_file() and path.name != "test_write_path.py":
                text = path.read_text(encoding="utf-8", errors="replace")
                if "../shared" in text or '/ "shared"' in text or "/work/shared" in text:
                    offenders.append(str(path.relative_to(REPO)))
    assert offenders == []
