"""score checks alphas and expression names with edit's rules: items of --pairs / --index exit 3, --expression 2."""

from __future__ import annotations

import json

import pytest

from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe

PHOTO = str(PORTRAITS / "interfaces-001.jpg")


@pytest.mark.parametrize(("item", "fragment"), [
    ('"alpha": NaN', "'alpha' must be a finite number"),
    ('"alpha": 1e400', "'alpha' must be a finite number"),
    ('"alpha": -5', "'alpha' must be a finite number"),
    ('"alpha": 99', "from 0 to 3"),
    ('"expression": "zzzqqq"', "unknown expression 'zzzqqq'"),
])
def test_bad_pair_items_are_invalid_input(tmp_path, item, fragment):
    pairs = tmp_path / "p.jsonl"
    pairs.write_text("{" + f'"image": {json.dumps(PHOTO)}, {item}' + "}\n")
    out = tmp_path / "s.jsonl"
    r = run_fxe("score", "--pairs", str(pairs), "-o", str(out))
    assert_one_error_line(r, 3, fragment)
    assert r.out == "" and not out.exists()


@pytest.mark.parametrize("item", ['"alpha": NaN', '"expression": "zzzqqq"'])
def test_bad_index_items_are_invalid_input(tmp_path, item):
    index = tmp_path / "i.json"
    index.write_text("{" + f'"source": {json.dumps(PHOTO)}, "items": [{{"path": {json.dumps(PHOTO)}, {item}}}]' + "}")
    r = run_fxe("score", "--index", str(index))
    assert_one_error_line(r, 3, "items[0]")
    assert r.out == ""


def test_unknown_expression_with_images_is_a_usage_error(tmp_path):
    out = tmp_path / "s.jsonl"
    r = run_fxe("score", "--images", PHOTO, "--expression", "zzqq", "-o", str(out))
    assert_one_error_line(r, 2, "unknown expression 'zzqq'")
    assert r.out == "" and not out.exists()


def test_valid_items_still_score(tmp_path):
    pairs = tmp_path / "p.jsonl"
    pairs.write_text(json.dumps({"image": PHOTO, "alpha": 3, "expression": "surprised"}) + "\n")
    r = run_fxe("score", "--pairs", str(pairs))
    assert r.code == 0, r.stderr
    assert json.loads(r.out.splitlines()[0])["status"] == "ok"
