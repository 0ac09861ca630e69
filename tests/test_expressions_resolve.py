"""Name resolution (exact, synonym, free text through MiniLM) and the lean encoder's parity with transformers."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from fxcli.errors import UsageError
from fxcli.expressions.resolve import resolve_expression
from tests.conftest import assert_one_error_line


def test_exact_and_synonym():
    assert resolve_expression("Contempt").how == "exact"
    r = resolve_expression("furious")
    assert r.how == "synonym" and r.matches[0][0] == "fury"
    assert r.mixture() == [("fury", 1.0)]


@pytest.mark.parametrize("text, expected", [
    ("a bitter half-smile", "bitterness"),
    ("totally baffled", "confused"),
    ("scared stiff", {"fright", "fear", "terror"}),
    ("beaming with happiness", {"happiness", "happy", "joy"}),
])
def test_free_text_resolves_to_a_fitting_entry(text, expected):
    r = resolve_expression(text)
    assert r.how == "semantic"
    expected = {expected} if isinstance(expected, str) else expected
    assert r.matches[0][0] in expected, r.matches[:3]
    assert r.matches == sorted(r.matches, key=lambda m: -m[1])
    weights = [w for _, w in r.mixture()]
    assert sum(weights) == pytest.approx(1.0, abs=1e-3)


def test_unknown_suggests_nearest_names():
    with pytest.raises(UsageError) as info:
        resolve_expression("qwerty")
    assert "nearest:" in str(info.value)


def test_cli_resolve_shows_scores(fxe):
    r = fxe("expressions", "resolve", "a bitter half-smile", "--json")
    assert r.code == 0, r.stderr
    doc = json.loads(r.out)
    assert doc["matches"][0]["name"] == "bitterness" and 0.5 < doc["matches"][0]["score"] <= 1.0
    r = fxe("expressions", "resolve", "blorft")
    assert_one_error_line(r, 2, "unknown expression", "nearest:")


def test_erf_approximation():
    from fxcli.text.minilm_lean import _erf

    x = np.linspace(-5, 5, 2001)
    ref = np.array([math.erf(v) for v in x])
    assert np.abs(_erf(x) - ref).max() < 2e-7


def test_shipped_embeddings_match_the_encoder():
    from fxcli.expressions.embeddings import load_embeddings
    from fxcli.text.minilm_lean import load_lean_minilm

    emb = load_embeddings()  # also checks the files are not stale
    rows = list(range(0, len(emb.texts), 37))
    fresh = load_lean_minilm().embed([emb.texts[i] for i in rows])
    assert np.abs(fresh - emb.matrix[rows]).max() < 3e-3  # float16 storage


def test_lean_minilm_matches_transformers():
    from fxcli.text.encoder import load_text_encoder
    from fxcli.text.minilm_lean import load_lean_minilm

    texts = ["I am so dead.", "What a beautiful story, I love it!", "no",
             "A much longer sentence that goes on and on, with commas, numbers like 42, and UNUSUAL words."]
    ref = load_text_encoder("minilm").embed(texts)
    lean = load_lean_minilm().embed(texts)
    assert np.abs(ref - lean).max() < 1e-4
    enc = load_lean_minilm().tokenizer.encode_batch(texts[:2])
    ids = np.zeros((2, max(len(e.ids) for e in enc)), np.int64)
    mask = np.zeros_like(ids, dtype=np.float32)
    for i, e in enumerate(enc):
        ids[i, : len(e.ids)] = e.ids
        mask[i, : len(e.ids)] = 1
    hidden_ref, _ = load_text_encoder("minilm").encode_tokens(texts[:2])
    hidden = load_lean_minilm().hidden_states(ids, mask)
    m = mask.astype(bool)
    assert np.abs(hidden_ref.numpy()[m] - hidden[m]).max() < 1e-4
