"""A standard output that cannot be written (full disk, closed) is one error line, never an internal error."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FXE_")}
    env.update({"NO_COLOR": "1", "PYTHONHASHSEED": "0"})
    return env


@pytest.mark.parametrize("args", [["text2flame", "hi"], ["--version"], ["--help"], ["env"],
                                  ["expressions", "list", "--json"]])
def test_full_stdout(args):
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([sys.executable, "-m", "fxcli", *args], stdout=full, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, cwd=REPO, env=_env(), timeout=300)
    lines = proc.stderr.decode().splitlines()
    assert proc.returncode == 1, proc.stderr
    assert lines == ["fxe: error: cannot write to standard output: No space left on device"]


def test_closed_stdout():
    proc = subprocess.run([sys.executable, "-m", "fxcli", "text2flame", "hi"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=REPO, env=_env(), timeout=300,
                          preexec_fn=lambda: os.close(1))
    lines = proc.stderr.decode().splitlines()
    assert proc.returncode == 1, proc.stderr
    assert len(lines) == 1 and lines[0].startswith("fxe: error: cannot write to standard output"), lines


def test_broken_pipe_stays_quiet():
    producer = subprocess.Popen([sys.executable, "-m", "fxcli", "text2flame", "hi there, a longer sentence"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO, env=_env())
    producer.stdout.read(1)
    producer.stdout.close()
    assert producer.wait(timeout=300) == 141
    assert producer.stderr.read() == b""
