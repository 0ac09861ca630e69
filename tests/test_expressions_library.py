"""The expression library: coverage of the taxonomy, AU -> ARKit mapping, the `fxe expressions` command."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from fxcli.expressions.au_arkit import au_recipe_to_arkit
from fxcli.expressions.library import BASIC_LABELS, load_library
from fxcli.tracks.channels import ARKIT52
from tests.conftest import DATA, assert_one_error_line

TAXONOMY = DATA / "taxonomy.md"  # the literature facts the library is checked against


def taxonomy_names() -> dict[str, set[str]]:
    text = TAXONOMY.read_text(encoding="utf-8")
    block = text.split("assumed to match:")[1].split("(Counts")[0]
    block = " ".join(re.sub(r"- \*\*\w+\*\* —", "·", block).split())
    shaver = set()
    for part in block.split("·"):
        if ":" in part:
            shaver.update(w.strip() for w in part.split(":", 1)[1].split(","))
    pixel_line = next(ln for ln in text.splitlines() if ln.startswith("happy, sad, angry"))
    pixel = set(re.findall(r"[a-z]+", pixel_line.replace("(basic)", ""))) - {"basic"}
    compound_block = text.split("## Compound expressions")[1].split("##")[0]
    listing = " ".join(compound_block.split("exact sets):")[1].split())
    compound = {part.strip().rstrip(".").rsplit(" ", 1)[0] for part in listing.split("·")}
    basic = {"happiness", "sadness", "surprise", "fear", "anger", "disgust", "contempt", "neutral"}
    return {"emo135": shaver, "pixelsmile": pixel, "compound": compound, "basic": basic}


def test_taxonomy_parse_is_complete():
    names = taxonomy_names()
    assert len(names["emo135"]) == 135
    assert len(names["pixelsmile"]) == 12
    assert len(names["compound"]) == 21


@pytest.mark.parametrize("vocabulary", ["emo135", "pixelsmile", "compound", "basic"])
def test_every_taxonomy_name_is_in_the_library(vocabulary):
    lib = load_library()
    missing = sorted(taxonomy_names()[vocabulary] - set(lib.names))
    assert not missing, missing
    tagged = {e.name for e in lib.entries if vocabulary in e.vocabularies}
    assert taxonomy_names()[vocabulary] <= tagged | ({"neutral"} if vocabulary == "basic" else set())


def test_entries_are_well_formed():
    lib = load_library()
    assert len(lib.names) == len(set(lib.names))
    synonyms = [s.lower() for e in lib.entries for s in e.synonyms]
    assert len(synonyms) == len(set(synonyms)) and not set(synonyms) & set(lib.names)
    for e in lib.entries:
        assert e.basic in BASIC_LABELS
        assert e.weights.shape == (52,) and (e.weights >= 0).all() and (e.weights <= 1).all()
        if e.name != "neutral":
            assert e.weights.max() > 0.05 or np.abs(e.head).max() > 0, e.name


def test_au_mapping_by_hand():
    idx = {n: i for i, n in enumerate(ARKIT52)}
    w, head = au_recipe_to_arkit({"R12": 0.4, "R14": 0.6, "25": 0.5, "54": 0.5})
    assert w[idx["mouthSmileRight"]] == pytest.approx(0.4)
    assert w[idx["mouthSmileLeft"]] == 0  # one-sided (contempt)
    assert w[idx["mouthDimpleRight"]] == pytest.approx(0.6)
    assert w[idx["jawOpen"]] == pytest.approx(0.06)  # AU25: 0.12 x 0.5
    assert w[idx["mouthLowerDownLeft"]] == pytest.approx(0.15)
    assert head.tolist() == pytest.approx([0.15, 0.0, 0.0])  # AU54 head down: +x, 0.3 rad x 0.5
    w2, _ = au_recipe_to_arkit({"4": 0.9, "5": 0.5, "7": 0.6, "23": 0.7})  # EMFACS anger
    assert w2[idx["browDownLeft"]] == pytest.approx(0.9) and w2[idx["eyeWideRight"]] == pytest.approx(0.5)
    assert w2[idx["mouthPressLeft"]] == pytest.approx(0.49)


def test_shame_looks_down_and_pride_lifts_the_chin():
    lib = load_library()
    idx = {n: i for i, n in enumerate(ARKIT52)}
    assert lib.by_name["shame"].head[0] > 0.1 and lib.by_name["shame"].weights[idx["eyeLookDownLeft"]] > 0.5
    assert lib.by_name["pride"].head[0] < -0.05


def test_cli_list_family_and_json(fxe):
    r = fxe("expressions")
    assert r.code == 0 and len(r.out.splitlines()) == len(load_library())
    r = fxe("expressions", "--family", "pixelsmile", "--json")
    assert r.code == 0, r.stderr
    rows = [json.loads(line) for line in r.out.splitlines()]
    assert {row["name"] for row in rows} == taxonomy_names()["pixelsmile"]
    assert all("arkit52" in row and "aus" in row for row in rows)
    r = fxe("expressions", "--family", "nosuchfamily")
    assert_one_error_line(r, 2, "no expressions in family")


def test_cli_show(fxe):
    r = fxe("expressions", "show", "contempt")
    assert r.code == 0 and "AUR12" in r.out and "mouthSmileRight" in r.out and "mouthSmileLeft" not in r.out
    r = fxe("expressions", "show", "ashamed", "--json")  # a synonym
    assert json.loads(r.out)["name"] == "shame"
    r = fxe("expressions", "show", "xqzv")
    assert_one_error_line(r, 2, "xqzv")
