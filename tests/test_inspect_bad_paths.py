"""`fxe inspect`: folders and devices are named as such; non-finite numbers print as JSON null."""

from __future__ import annotations

import json
import os

import pytest
from PIL import Image, PngImagePlugin

from tests.conftest import assert_one_error_line, run_fxe


def test_folder(tmp_path):
    r = run_fxe("inspect", str(tmp_path))
    assert_one_error_line(r, 3, "is a folder")
    assert r.stdout == b""


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_device():
    r = run_fxe("inspect", "/dev/zero")
    assert_one_error_line(r, 3, "/dev/zero", "not a regular file")
    assert r.stdout == b""


def test_missing(tmp_path):
    r = run_fxe("inspect", str(tmp_path / "nope.png"))
    assert_one_error_line(r, 3, "no such file")


def test_nan_in_png_provenance_prints_null(tmp_path):
    info = PngImagePlugin.PngInfo()
    info.add_itxt("fxe", '{"generator": "x", "v": NaN, "l": [Infinity, 1]}')
    png = tmp_path / "nan.png"
    Image.new("RGB", (4, 4)).save(png, pnginfo=info)
    r = run_fxe("inspect", str(png))
    assert r.code == 0, r.stderr
    assert "NaN" not in r.out and "Infinity" not in r.out
    record = json.loads(r.out, parse_constant=lambda c: pytest.fail(f"non-standard JSON {c}"))
    assert record["v"] is None and record["l"] == [None, 1]
