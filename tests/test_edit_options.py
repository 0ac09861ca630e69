"""`--alpha` specs, blend terms, output naming, contact sheets and the sweep index."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fxcli.edit.alpha_spec import format_alpha, parse_alphas, parse_blend_term
from fxcli.edit.contact_sheet import contact_sheet
from fxcli.edit.output_names import plan_blend_output, plan_outputs, slug
from fxcli.edit.sweep_index import SWEEP_FORMAT, read_sweep_index, sweep_index, write_sweep_index
from fxcli.errors import InvalidInputError, UsageError


@pytest.mark.parametrize("spec, want", [
    ("0.7", [0.7]),
    ("0:1.5:0.25", [0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5]),
    ("0:1:0.3", [0.0, 0.3, 0.6, 0.9]),  # STOP off the grid is not added
    ("0:0.3:0.1", [0.0, 0.1, 0.2, 0.3]),  # float noise (0.1 * 3) still lands on STOP
    ("1:1:0.5", [1.0]),
    ("0, 0.5,1", [0.0, 0.5, 1.0]),
    ("3", [3.0]),
])
def test_alpha_specs(spec, want):
    assert parse_alphas(spec) == want


@pytest.mark.parametrize("spec, fragment", [
    ("abc", "not a number"), ("0:x:0.1", "STOP"), ("0:1:-0.25", "STEP must be > 0"), ("0:1:0", "STEP"),
    ("1:0:0.5", "below START"), ("-0.5", ">= 0"), ("3.5", "extrapolation limit"), ("0:4:1", "extrapolation limit"),
    ("0:1", "START:STOP:STEP"), ("", "empty"), ("0.5,0.5", "repeated"), ("nan", "finite"),
])
def test_bad_alpha_specs(spec, fragment):
    with pytest.raises(UsageError) as err:
        parse_alphas(spec)
    assert fragment in str(err.value)


def test_blend_terms():
    assert parse_blend_term("happy:0.6") == ("happy", 0.6)
    assert parse_blend_term("surprised") == ("surprised", 1.0)
    assert parse_blend_term("raised eyebrows:0.3") == ("raised eyebrows", 0.3)
    for bad in ("happy:lots", ":0.5", "sad:-1", "sad:4"):
        with pytest.raises(UsageError):
            parse_blend_term(bad)


def test_alpha_names():
    assert [format_alpha(a) for a in (0, 0.25, 1.5, 0.125)] == ["0.00", "0.25", "1.50", "0.125"]
    assert slug("very happy!") == "very-happy"


def test_output_plans(tmp_path):
    one = plan_outputs("in/face.jpg", str(tmp_path / "o.png"), "happy", [0.7])
    assert one.files == [str(tmp_path / "o.png")] and one.sheet is None and one.index is None
    sweep = plan_outputs("face.jpg", str(tmp_path) + "/", "happy", [0.0, 0.5])
    assert sweep.files == [str(tmp_path / "face_happy_0.00.png"), str(tmp_path / "face_happy_0.50.png")]
    assert sweep.sheet == str(tmp_path / "face_happy_sheet.png")
    assert sweep.index == str(tmp_path / "face_happy_sweep.json")
    pat = plan_outputs("face.jpg", str(tmp_path / "{name}-{i}-{alpha}.jpg"), "sad", [0.0, 1.0])
    assert pat.files == [str(tmp_path / "face-0-0.00.jpg"), str(tmp_path / "face-1-1.00.jpg")]
    assert plan_outputs("-", "-", "sad", [1.0]).files == ["-"]
    assert plan_blend_output("face.jpg", str(tmp_path) + "/", [("happy", 0.6), ("sad", 0.4)]) == \
        str(tmp_path / "face_happy0.60+sad0.40.png")


@pytest.mark.parametrize("output, alphas, fragment", [
    ("out.png", [0.0, 1.0], "one file"), ("-", [0.0, 1.0], "stdout"), ("out_{name}.png", [0.0, 1.0], "same file"),
    ("out.txt", [1.0], "unknown image type"), ("out_{nope}.png", [1.0], "bad pattern"), (None, [1.0], "no output"),
])
def test_bad_output_plans(output, alphas, fragment):
    with pytest.raises(UsageError) as err:
        plan_outputs("face.jpg", output, "happy", alphas)
    assert fragment in str(err.value)


def test_contact_sheet_layout():
    imgs = [np.full((100, 80, 3), v, np.uint8) for v in (0, 100, 200)]
    sheet = contact_sheet(imgs, ["source", "a=0.50", "a=1.00"], tile=64)
    arr = np.asarray(sheet)
    # three 64 px tiles of width 51 side by side with 4 px gaps, a label strip under them
    assert sheet.size == (3 * (51 + 4) + 4, 64 + 26 + 8)
    assert arr[4 + 32, 4 + 25].tolist() == [0, 0, 0]
    assert arr[4 + 32, 4 + 55 + 25].tolist() == [100, 100, 100]
    label_strip = arr[4 + 64:, :]
    assert (label_strip < 128).any()  # the labels are drawn


def test_sweep_index_round_trip(tmp_path):
    items = [{"alpha": 0.0, "path": str(tmp_path / "s" / "a.png"), "identity_similarity": 0.98},
             {"alpha": 1.0, "path": str(tmp_path / "s" / "b.png"), "identity_similarity": None}]
    idx = sweep_index(str(tmp_path / "face.jpg"), "happy", "embedded", 3, None, items, str(tmp_path / "s" / "i.json"))
    assert idx["source"] == "../face.jpg"
    assert idx["items"][0] == {"path": "a.png", "alpha": 0.0, "expression": "happy"}
    assert idx["meta"]["identity_similarity"] == [0.98, None] and idx["meta"]["seed"] == 3
    (tmp_path / "s").mkdir()
    write_sweep_index(idx, str(tmp_path / "s" / "i.json"))
    data = json.loads((tmp_path / "s" / "i.json").read_text())
    assert data["format"] == SWEEP_FORMAT == "fxe.score-index/v1"
    back = read_sweep_index(str(tmp_path / "s" / "i.json"))
    assert [i["path"] for i in back["items"]] == [str(tmp_path / "s" / "a.png"), str(tmp_path / "s" / "b.png")]
    assert back["source"] == str(tmp_path / "s" / ".." / "face.jpg")
    (tmp_path / "bad.json").write_text('{"format": "other"}')
    with pytest.raises(InvalidInputError):
        read_sweep_index(str(tmp_path / "bad.json"))


def test_sweep_index_is_what_score_reads(tmp_path):
    score_inputs = pytest.importorskip("fxcli.metrics.score_inputs")
    (tmp_path / "s").mkdir()
    items = [{"alpha": a, "path": str(tmp_path / "s" / f"{a}.png"), "identity_similarity": 0.9} for a in (0.0, 0.5)]
    idx = sweep_index(str(tmp_path / "face.jpg"), "sad", "embedded", 0, None, items, str(tmp_path / "s" / "i.json"))
    write_sweep_index(idx, str(tmp_path / "s" / "i.json"))
    got = score_inputs.read_index(str(tmp_path / "s" / "i.json"))
    assert [(i.alpha, i.expression, i.error) for i in got] == [(0.0, "sad", None), (0.5, "sad", None)]
    assert Path(got[0].source).resolve() == (tmp_path / "face.jpg").resolve()
    assert Path(got[1].image).resolve() == (tmp_path / "s" / "0.5.png").resolve()


def test_blend_terms_are_bounded_in_count_and_total_weight():
    """Hand-worked: 0.6 + 0.4 = 1 passes; 2 + 2 = 4 is above the limit 3 (as one alpha of 4 would be); 17 terms of
    0.1 (total 1.7) are more terms than a blend takes; 5000 terms of 0.001 (total 5) used to pass one by one."""
    from fxcli.edit.alpha_spec import MAX_BLEND_TERMS, parse_blend_terms

    assert parse_blend_terms(["happy:0.6", "sad:0.4"]) == [("happy", 0.6), ("sad", 0.4)]
    assert parse_blend_terms(["happy:1.5", "sad:1.5"]) == [("happy", 1.5), ("sad", 1.5)]
    with pytest.raises(UsageError, match="sum to 4"):
        parse_blend_terms(["happy:2", "sad:2"])
    assert MAX_BLEND_TERMS == 16
    with pytest.raises(UsageError, match="17 blend terms; at most 16"):
        parse_blend_terms(["happy:0.1"] * 17)
    with pytest.raises(UsageError, match="5000 blend terms"):
        parse_blend_terms(["happy:0.001"] * 5000)
    with pytest.raises(UsageError, match="list of NAME:WEIGHT"):
        parse_blend_terms({"happy": 0.5})
    with pytest.raises(UsageError, match="NAME:WEIGHT strings"):
        parse_blend_terms(["happy:0.5", 3])
