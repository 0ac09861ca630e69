"""Shared test helpers: run fxe as a user does (a subprocess), paths to the test data."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "tests" / "data"
PORTRAITS = DATA / "portraits"  # CC0 photos shipped with the tests (see its README)


@dataclass
class Result:
    code: int
    stdout: bytes
    stderr: str

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8")


def run_fxe(*args: str, input: bytes | str | None = None, env: dict | None = None, cwd: Path | None = None,
            timeout: float = 300) -> Result:
    """Run `python -m fxcli ARGS` in a subprocess: stdout, stderr and exit code as a user sees them."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("FXE_")}
    full_env.update({"NO_COLOR": "1", "PYTHONHASHSEED": "0"})
    full_env.update(env or {})
    if isinstance(input, str):
        input = input.encode("utf-8")
    proc = subprocess.run([sys.executable, "-m", "fxcli", *args], input=input if input is not None else b"",
                          capture_output=True, env=full_env, cwd=cwd or REPO, timeout=timeout)
    return Result(proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace"))


def assert_one_error_line(result: Result, code: int, *fragments: str) -> None:
    """The documented failure shape: exit code, exactly one stderr line, no traceback."""
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert result.code == code, (result.code, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    assert len(lines) == 1, result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def fxe():
    return run_fxe


@pytest.fixture(scope="session")
def two_faces(tmp_path_factory):
    """Two portraits side by side on a grey canvas, two clear faces: interfaces-001 scaled to 400 px at the left,
    interfaces-013 at full size at the right (the larger, face 0)."""
    from PIL import Image

    left = Image.open(PORTRAITS / "interfaces-001.jpg").convert("RGB").resize((400, 400))
    right = Image.open(PORTRAITS / "interfaces-013.jpg").convert("RGB")
    canvas = Image.new("RGB", (900, 500), (235, 235, 235))
    canvas.paste(left, (0, 50))
    canvas.paste(right, (400, 0))
    path = tmp_path_factory.mktemp("faces") / "two.png"
    canvas.save(path)
    return path
