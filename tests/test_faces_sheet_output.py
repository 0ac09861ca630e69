"""`fxe faces -o`: the preview sheet must be an image file name; stdout is the face list."""

from __future__ import annotations

import pytest

from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe

PHOTO = PORTRAITS / "interfaces-001.jpg"


@pytest.mark.parametrize(("output", "fragment"), [("out/fs.txt", ".png, .jpg, .jpeg, .webp"), ("-", "-o -"),
                                                  ("out/fs", "unknown image type")])
def test_bad_sheet_names_are_usage_errors(tmp_path, output, fragment):
    r = run_fxe("faces", str(PHOTO), "-o", output, cwd=tmp_path)
    assert_one_error_line(r, 2, fragment)
    assert list(tmp_path.iterdir()) == [] and r.out == ""


def test_webp_sheet_is_written(tmp_path):
    out = tmp_path / "fs.webp"
    r = run_fxe("faces", str(PHOTO), "-o", str(out))
    assert r.code == 0, r.stderr
    assert out.is_file()
