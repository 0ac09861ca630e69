"""`fxe gen-avatar` as a user runs it: outputs, index, sheet, reproducibility and the documented errors."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    out = tmp_path_factory.mktemp("ga") / "a"
    r = run_fxe("gen-avatar", "--identities", "2", "--expressions", "happy,surprised,a bitter half-smile",
                "--size", "96", "--seed", "5", "-o", f"{out}/")
    assert r.code == 0, r.stderr
    return out, r


def test_images_index_identities_and_sheet(made):
    out, r = made
    summary = json.loads(r.out)
    assert summary["images"] == 6 and summary["identities"] == 2 and summary["expressions"] == 3
    pngs = sorted(p.name for p in out.glob("*.png") if p.name != "sheet.png")
    assert pngs == ["id00_a-bitter-half-smile.png", "id00_happy.png", "id00_surprised.png",
                    "id01_a-bitter-half-smile.png", "id01_happy.png", "id01_surprised.png"]
    assert sorted(p.name for p in (out / "identities").iterdir()) == ["id00.json", "id00.png", "id01.json", "id01.png"]
    index = json.loads((out / "index.json").read_text())
    assert index["format"] == "fxe.score-index/v1" and len(index["items"]) == 6
    records = index["meta"]["records"]
    assert [r["path"] for r in records] == [i["path"] for i in index["items"]]
    free = next(r for r in records if r["expression"] == "a bitter half-smile")
    assert free["resolved"] == "semantic" and abs(sum(w for _, w in free["mixture"]) - 1) < 1e-3
    assert all(set(r["colors"]) >= {"skin", "iris", "lip", "brow", "hair"} for r in records)
    happy = next(i for i in index["items"] if i["path"] == "id01_happy.png")
    assert happy == {"path": "id01_happy.png", "expression": "happy", "alpha": 1.0, "group": "id01",
                     "source": "identities/id01.png", "text": "a cartoon avatar with a happy expression"}
    # fxe score reads it (its own parser, every item valid, paths resolved against the index's folder)
    from fxcli.metrics.score_inputs import read_index

    items = read_index(str(out / "index.json"))
    assert all(i.error is None for i in items) and all(Path_exists(i.image) and Path_exists(i.source) for i in items)
    ident = json.loads((out / "identities" / "id00.json").read_text())
    assert len(ident["coefficients"]) == 100 and ident["seed"] == [5, 0]
    sheet = Image.open(out / "sheet.png")
    assert sheet.width > sheet.height  # 3 columns of expressions, 2 rows of identities
    img = Image.open(out / "id00_happy.png")
    assert img.size == (96, 96) and json.loads(img.text["fxe"])["params"]["expression"] == "happy"


def Path_exists(p: str) -> bool:  # noqa: N802 - reads as a predicate in the assertion above
    from pathlib import Path

    return Path(p).is_file()


def test_same_seed_same_bytes_other_seed_other_identities(made, tmp_path):
    out, _ = made
    again = tmp_path / "b"
    r = run_fxe("gen-avatar", "--identities", "2", "--expressions", "happy,surprised,a bitter half-smile",
                "--size", "96", "--seed", "5", "-o", f"{again}/", "--workers", "1")
    assert r.code == 0, r.stderr
    for p in sorted(out.rglob("*")):
        if p.is_file():
            assert (again / p.relative_to(out)).read_bytes() == p.read_bytes(), p.name
    other = tmp_path / "c"
    r = run_fxe("gen-avatar", "-n", "1", "-e", "happy", "--size", "96", "--seed", "6", "-o", f"{other}/")
    assert r.code == 0, r.stderr
    a = json.loads((out / "identities" / "id00.json").read_text())["coefficients"]
    b = json.loads((other / "identities" / "id00.json").read_text())["coefficients"]
    assert a != b


def test_saved_identity_renders_the_same_face(made, tmp_path):
    out, _ = made
    r = run_fxe("gen-avatar", "--identity", str(out / "identities" / "id01.json"), "-e", "happy", "--size", "96",
                "--seed", "5", "-o", f"{tmp_path}/r/")
    assert r.code == 0, r.stderr
    a = np.asarray(Image.open(out / "id01_happy.png").convert("RGB"))
    b = np.asarray(Image.open(tmp_path / "r" / "id01_happy.png").convert("RGB"))
    assert np.array_equal(a, b)


def test_family_and_alpha_sweep(tmp_path):
    r = run_fxe("gen-avatar", "-n", "1", "--family", "surprise", "-a", "0,1", "--size", "64", "--style", "shaded",
                "-o", f"{tmp_path}/f/")
    assert r.code == 0, r.stderr
    index = json.loads((tmp_path / "f" / "index.json").read_text())
    from fxcli.expressions.library import load_library

    n = len(load_library().select("surprise"))
    assert len(index["items"]) == 2 * n and {i["alpha"] for i in index["items"]} == {0.0, 1.0}
    zero = [np.asarray(Image.open(tmp_path / "f" / i["path"]).convert("RGB")) for i in index["items"]
            if i["alpha"] == 0.0]
    assert all(np.array_equal(z, zero[0]) for z in zero)  # alpha 0 is the neutral face for every target


@pytest.mark.parametrize("args,code,fragment", [
    (["-n", "1", "-e", "happy,xqzzyv blorf", "-o", "x/"], 2, "nearest"),
    (["-n", "0", "-e", "happy", "-o", "x/"], 2, "--identities"),
    (["-n", "1", "-e", "happy", "-a", "nan", "-o", "x/"], 2, "finite"),
    (["-n", "1", "--family", "nonsense", "-o", "x/"], 2, "family"),
    (["-n", "1", "-e", "happy"], 2, "output"),
])
def test_usage_errors(tmp_path, args, code, fragment):
    r = run_fxe("gen-avatar", *args, cwd=tmp_path)
    assert_one_error_line(r, code, fragment)
    assert not (tmp_path / "x").exists()


def test_identity_file_of_wrong_shape(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"coefficients": [0.1] * 99}))
    r = run_fxe("gen-avatar", "--identity", str(bad), "-e", "happy", "-o", f"{tmp_path}/o/")
    assert_one_error_line(r, 3, "100", "(99,)")
    nan = tmp_path / "nan.npz"
    np.savez(nan, coefficients=np.full(100, np.nan))
    assert_one_error_line(run_fxe("gen-avatar", "--identity", str(nan), "-e", "happy", "-o", f"{tmp_path}/o/"), 3,
                          "finite")


def test_identity_from_portrait_without_a_face(tmp_path):
    r = run_fxe("gen-avatar", "--identity-from", str(PORTRAITS / "interfaces-024.jpg"), "-e", "happy",
                "-o", f"{tmp_path}/o/")
    assert_one_error_line(r, 5, "no face")


def test_a_spelling_note_is_said_once_with_several_render_processes(tmp_path):
    r = run_fxe("gen-avatar", "-n", "4", "-e", "hapy", "--workers", "2", "--size", "64", "-o", f"{tmp_path}/a/")
    assert r.code == 0, r.stderr
    assert r.stderr.count("read as 'happy'") == 1, r.stderr
    meta = json.loads(Image.open(tmp_path / "a" / "id03_hapy.png").text["fxe"])  # made by the second process
    assert meta["expression_resolved"] == {"how": "spelling", "mixture": [["happy", 1.0]]}
