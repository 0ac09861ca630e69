"""The text-emotion model's decision rules fitted on dev (offsets, thresholds, ensembles) and the encoder
computed in batches for --jobs (cache, prefetch), checked against hand-worked cases and one-at-a-time runs."""

from __future__ import annotations

import json

import numpy as np
import pytest


def _macro_f1(gold, pred, n):
    from fxcli.train.text_emotion_trainer import macro_f1

    return macro_f1(np.asarray(gold), np.asarray(pred), n)


def test_decision_offsets_rescue_an_under_predicted_class():
    from fxcli.train.text_emotion_trainer import fit_decision_bias

    # class 1 is right whenever its logit is within 0.35 of class 0's: only an offset of +0.4 or more
    # on class 1 (or -0.4 on the others) makes it win, and then macro F1 is 1
    gold = np.array([0] * 50 + [1] * 50)
    logits = np.zeros((100, 3))
    logits[:50, 0] = 2.0
    logits[50:, 0], logits[50:, 1] = 1.0, 0.65
    logits[:, 2] = -5.0
    assert _macro_f1(gold, logits.argmax(1), 3) < 0.5
    bias = fit_decision_bias(logits, gold)
    assert bias[0] == 0 and bias[1] >= 0.4 - 1e-9 and bias[1] < 1.0  # class 0 keeps its 2.0 > 0.65 + bias
    assert _macro_f1(gold, (logits + bias).argmax(1), 3) == 1.0


def test_decision_offsets_never_lower_the_fitted_score():
    from fxcli.train.text_emotion_trainer import fit_decision_bias

    rng = np.random.default_rng(1)
    gold = rng.choice(4, 400, p=[0.6, 0.25, 0.1, 0.05])
    logits = np.eye(4)[gold] * 1.2 + rng.normal(0, 1, (400, 4)) + np.log([0.6, 0.25, 0.1, 0.05])
    bias = fit_decision_bias(logits, gold)
    assert _macro_f1(gold, (logits + bias).argmax(1), 4) >= _macro_f1(gold, logits.argmax(1), 4)
    assert bias[2] > 0 and bias[3] > 0  # the rare classes are pushed up


def test_multilabel_thresholds_hand_worked():
    from fxcli.train.text_emotion_trainer import fit_multilabel_thresholds

    # family 1 is gold on the 2 lines where its probability is 0.3 and not on the line with 0.1:
    # its best threshold lies in (0.1, 0.3]; family 0 is the top family everywhere
    probs = np.array([[0.7, 0.3], [0.7, 0.3], [0.9, 0.1]])
    gold = np.array([[1, 1], [1, 1], [1, 0]], bool)
    th = fit_multilabel_thresholds(probs, gold)
    assert 0.1 < th[1] <= 0.3


def test_merged_ensemble_averages_the_members_logits():
    from fxcli.text.minilm_lean import _gelu
    from fxcli.train.text_emotion_trainer import merge_members

    rng = np.random.default_rng(2)
    members = [{"w1": rng.normal(size=(6, 4)), "b1": rng.normal(size=4), "wb": rng.normal(size=(4, 7)),
                "bb": rng.normal(size=7), "wf": rng.normal(size=(4, 28)), "bf": rng.normal(size=28)}
               for _ in range(3)]
    x = rng.normal(size=(5, 6))

    def logits(m):
        h = _gelu(x @ m["w1"] + m["b1"])
        return h @ m["wb"] + m["bb"], h @ m["wf"] + m["bf"]

    merged = merge_members(members)
    assert merged["w1"].shape == (6, 12)
    for k in (0, 1):
        np.testing.assert_allclose(logits(merged)[k], np.mean([logits(m)[k] for m in members], 0), atol=1e-10)


def test_fine_head_mix_hand_worked():
    from fxcli.expressions.library import BASIC_LABELS
    from fxcli.text.emotion_model import mix_fine
    from fxcli.train.text_emotion_data import GO_LABELS

    basic, fine = list(BASIC_LABELS), list(GO_LABELS)
    lb = np.array([[2.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]])
    lf = np.full((1, 28), -30.0)
    # the fine head is sure of gratitude (0.5) and fear (0.25), and nervousness (0.25, also fear):
    # summed per family (the paper's mapping) that is happy 0.5, fear 0.5
    lf[0, [fine.index("gratitude"), fine.index("fear"), fine.index("nervousness")]] = np.log([2.0, 1.0, 1.0])
    assert mix_fine(lb, lf, 0.0, basic, fine) is lb  # weight 0: the basic logits untouched
    got = mix_fine(lb, lf, 1.0, basic, fine)[0]
    assert got[basic.index("happy")] == pytest.approx(np.log(0.5), abs=1e-6)
    assert got[basic.index("fear")] == pytest.approx(np.log(0.5), abs=1e-6)
    assert got[basic.index("angry")] < -15  # no category of that family has any mass
    half = mix_fine(lb, lf, 0.5, basic, fine)[0]
    log_basic = lb[0] - np.log(np.exp(lb[0]).sum())
    assert half[basic.index("happy")] == pytest.approx(0.5 * log_basic[basic.index("happy")] + 0.5 * np.log(0.5),
                                                       abs=1e-6)
    # happy is the basic head's second family and the fine head's first: the mix puts it on top
    assert basic[int(half.argmax())] == "happy" and basic[int(lb.argmax())] == "angry"


def test_gelu_in_place_equals_the_erf_formula():
    from fxcli.text.minilm_lean import _erf, _gelu

    x = np.linspace(-9, 9, 2001).astype(np.float32)
    ref = 0.5 * x.astype(np.float64) * (1 + _erf(x.astype(np.float64) / np.sqrt(2)))
    np.testing.assert_allclose(_gelu(x), ref, atol=1e-6)
    assert _gelu(x).dtype == np.float32


@pytest.fixture()
def fresh_encoder(monkeypatch):
    """The process's LeanMiniLM, its cache emptied, counting the texts it computes."""
    from fxcli.text.minilm_lean import load_lean_minilm

    enc = load_lean_minilm()
    assert load_lean_minilm(None) is enc  # one instance (and one cache) however it is asked for
    enc._cache.clear()
    computed: list[str] = []
    original = enc._compute

    def counting(texts, batch_size):
        computed.extend(texts)
        return original(texts, batch_size)

    monkeypatch.setattr(enc, "_compute", counting)
    yield enc, computed
    enc._cache.clear()


def test_batched_features_equal_one_at_a_time_and_are_cached(fresh_encoder):
    enc, computed = fresh_encoder
    texts = ["Okay.", "I am so happy to see you!", "Thanks.", "You lied to me again.", "I am so happy to see you!",
             "There is a spider in my bed and I hate it."]
    single = np.stack([enc._compute([t], 1)[0][0] for t in dict.fromkeys(texts)])
    computed.clear()
    feats, emb = enc.features(texts)
    assert sorted(computed) == sorted(set(texts))  # each distinct text once
    by_text = dict(zip(dict.fromkeys(texts), single, strict=True))
    assert np.array_equal(feats, np.stack([by_text[t] for t in texts]))  # the same bits (one product per text)
    np.testing.assert_allclose(np.linalg.norm(emb, axis=1), 1, atol=1e-5)
    computed.clear()
    again, _ = enc.features(texts[::-1])
    assert computed == [] and np.array_equal(again, feats[::-1])


def test_planned_jobs_are_encoded_ahead_and_match_single_runs(fresh_encoder):
    from fxcli.backends.text2flame_embedded import EmbeddedText2Flame, encoder_inputs
    from fxcli.expressions.text_emotion import analyse_text

    enc, computed = fresh_encoder
    texts = ["I passed the exam!", "My flight got cancelled, but it's fine.", "I am not angry with you 😡",
             "Well, the meeting starts at noon.", "Thank you so much :)"]
    backend = EmbeddedText2Flame(None)
    backend.plan(texts)
    planned = [backend.generate([t], seed=4)[0] for t in texts]
    assert sorted(computed) == sorted({x for t in texts for x in encoder_inputs(t)})  # all in the first window
    computed.clear()
    for t in texts:  # encoder_inputs are exactly what analyse_text reads
        analyse_text(t)
    assert computed == []
    enc._cache.clear()
    for t, track in zip(texts, planned, strict=True):
        alone = EmbeddedText2Flame(None).generate([t], seed=4)[0]
        assert np.array_equal(track.frames, alone.frames)  # bit for bit: a --jobs track is the single run's
        assert track.meta["emotion"] == alone.meta["emotion"]


def test_the_next_window_is_encoded_in_the_background_with_the_same_bits(fresh_encoder, monkeypatch):
    import fxcli.backends.text2flame_embedded as t2f

    enc, computed = fresh_encoder
    monkeypatch.setattr(t2f, "PREFETCH", 2)
    texts = ["I passed the exam!", "Okay.", "You lied to me again.", "What a lovely surprise!", "Fine."]
    backend = t2f.EmbeddedText2Flame(None)
    backend.plan(texts)
    first = backend.generate([texts[0]], seed=2)[0]
    assert enc._ahead is not None  # the window of texts 2-3 is on its way while text 0 becomes a track
    planned = [first] + [backend.generate([t], seed=2)[0] for t in texts[1:]]
    enc.wait()
    assert sorted(computed) == sorted({x for t in texts for x in t2f.encoder_inputs(t)})  # each input once
    enc._cache.clear()
    for t, track in zip(texts, planned, strict=True):
        assert np.array_equal(track.frames, t2f.EmbeddedText2Flame(None).generate([t], seed=2)[0].frames)


def test_jobs_file_with_a_language_per_job(fxe, tmp_path):
    import shutil

    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng not installed")
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("\n".join(json.dumps(j) for j in [{"text": "I am so happy to see you!"},
                                                        {"text": "Je suis très content de te voir.", "lang": "fr"},
                                                        {"text": "Estoy muy contento.", "lang": "es"}]) + "\n")
    r = fxe("text2flame", "--jobs", str(jobs), "-q")
    assert r.code == 0, r.stderr
    metas = [json.loads(line)["meta"] for line in r.stdout.splitlines()]
    assert [m["speech"]["lang"] for m in metas] == ["en", "fr", "es"]
    assert [m["speech"]["phones"] for m in metas] == ["cmudict", "espeak-ng", "espeak-ng"]
    assert metas[0]["emotion"]["dominant"] == "happy" and metas[1]["emotion"]["model"] is None


@pytest.mark.parametrize("from_stdin", [False, True])
def test_jobs_from_a_file_or_stdin_are_planned_alike(fresh_encoder, monkeypatch, tmp_path, from_stdin):
    from click.testing import CliRunner

    from fxcli.backends.text2flame_embedded import EmbeddedText2Flame, encoder_inputs
    from fxcli.cli.main import cli

    planned: list[list[str]] = []
    original = EmbeddedText2Flame.plan

    def recording(self, texts):
        planned.append(list(texts))
        return original(self, texts)

    monkeypatch.setattr(EmbeddedText2Flame, "plan", recording)
    lines = [{"text": "I passed the exam!"}, {"text": "Bonjour.", "lang": "fr"}, {"text": "Okay.", "seed": 3},
             {"text": "Wow.", "expression": "happy"}, {"text": "Thank you so much :)"}]
    content = "\n".join(json.dumps(j) for j in lines) + "\nnot json\n"
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text(content)
    args = ["text2flame", "--jobs", "-" if from_stdin else str(jobs), "-q"]
    result = CliRunner().invoke(cli, args, input=content if from_stdin else "")
    # the English jobs with an inferred emotion, in order; the bad line fails on its own (exit 1)
    assert planned == [["I passed the exam!", "Okay.", "Thank you so much :)"]]
    assert result.exit_code == 1 and len(result.stdout.splitlines()) == 5
    enc, computed = fresh_encoder
    assert set(computed) >= {x for t in planned[0] for x in encoder_inputs(t)}  # encoded ahead
