"""Output name patterns (edit, blend, stylize): plain {field} and simple format specs only; names fit the disk."""

from __future__ import annotations

import pytest

from fxcli.edit.output_names import format_pattern, plan_outputs
from fxcli.errors import UsageError
from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe

PHOTO = PORTRAITS / "interfaces-001.jpg"


@pytest.mark.parametrize("pattern", ["out/{name.__class__}.png", "out/{name[0]}.png", "out/{name!r}.png",
                                     "out/{i:{alpha}}.png", "out/{alpha:>9999999}.png", "out/{}.png",
                                     "out/{alpha:.999f}.png", "out/{nope}.png"])
def test_unsafe_or_unknown_placeholders_are_refused(pattern):
    with pytest.raises(UsageError, match="bad pattern"):
        plan_outputs("a.jpg", pattern, "happy", [0.5])


def test_simple_format_specs_still_work():
    assert format_pattern("o/{i:03d}_{alpha:>6}_{name}.png", i=7, alpha="0.50", name="a", expression="x") == \
        "o/007_  0.50_a.png"
    assert plan_outputs("a.jpg", "o/{{x}}_{alpha}.png", "happy", [1.0]).files == ["o/{x}_1.00.png"]


@pytest.mark.parametrize("output", ["out/" + "x" * 300 + ".png", "out/" + "x" * 300 + "/"])
def test_over_long_names_are_refused(output):
    with pytest.raises(UsageError, match="longer than 255 bytes"):
        plan_outputs("a.jpg", output, "happy", [0.5])


@pytest.mark.parametrize("pattern", ["out/{name.__class__}.png", "out/{alpha:>9999999}.png",
                                     "out/" + "x" * 300 + ".png"])
def test_edit_cli_refuses_them_with_one_line(tmp_path, pattern):
    r = run_fxe("edit", str(PHOTO), "-e", "happy", "-o", pattern, cwd=tmp_path)
    assert_one_error_line(r, 2)
    assert list(tmp_path.iterdir()) == [] and r.out == ""
