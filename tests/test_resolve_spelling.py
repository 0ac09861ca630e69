"""Expression names resolve exact -> synonym -> close spelling -> semantic, and say how they were read."""

from __future__ import annotations

import json

import pytest

from fxcli.expressions.library import load_library
from fxcli.expressions.resolve import close_spelling, resolve_expression
from tests.conftest import run_fxe


@pytest.mark.parametrize(("query", "name"), [
    ("angy", "angry"), ("hapy", "happy"), ("suprised", "surprised"), ("disgst", "disgust"),
    ("saddness", "sadness"), ("fearfull", "fearful"),
])
def test_typos_resolve_to_the_closest_spelling(query, name):
    res = resolve_expression(query)
    assert res.how == "spelling" and res.mixture() == [(name, 1.0)]


def test_angy_is_anger_not_anxiety():
    """The reported case: the semantic match of "angy" was anxiety; the spelling step comes first."""
    lib = load_library()
    res = resolve_expression("angy")
    (name, weight), = res.mixture()
    assert lib.by_name[name].family == "anger" and weight == 1.0
    assert "anxiety" not in dict(res.mixture())


def test_order_exact_then_synonym_then_spelling_then_semantic():
    lib = load_library()
    synonym = next(iter(lib.synonyms))
    assert resolve_expression("anger").how == "exact"
    assert resolve_expression(synonym).how == "synonym"
    assert resolve_expression("angy").how == "spelling"
    assert resolve_expression("a bitter half-smile").how == "semantic"  # not a near spelling of any name


def test_descriptions_are_not_taken_for_typos():
    lib = load_library()
    for text in ("a bitter half-smile", "smiling through tears", "quietly furious"):
        assert close_spelling(text, lib) is None, text


def test_did_you_mean_on_stderr_and_mixture_with_verbose_and_in_provenance(tmp_path):
    out = tmp_path / "t.json"
    result = run_fxe("-v", "text2flame", "I am here.", "--expression", "angy", "-o", str(out))
    assert result.code == 0, result.stderr
    assert "did you mean 'angry'" in result.stderr
    assert "expression 'angy' (spelling): angry 1" in result.stderr
    meta = json.loads(out.read_text())["meta"]
    assert meta["expression_resolved"] == {"how": "spelling", "mixture": [["angry", 1.0]]}


def test_without_verbose_only_the_did_you_mean_line(tmp_path):
    result = run_fxe("text2flame", "I am here.", "--expression", "angy", "-o", str(tmp_path / "t.json"))
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert result.code == 0 and len(lines) == 1 and "did you mean" in lines[0], result.stderr
