"""Every metric formula on inputs small enough to work out by hand."""

from __future__ import annotations

import numpy as np
import pytest

from fxcli.metrics import ffe_bench, instructavatar
from fxcli.metrics.formulas import group_consistency, harmonic_mean, mean_pairwise_cosine, pearson
from fxcli.metrics.gen_affect import expression_error, one_hot

LABELS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


def test_pearson_hand_worked():
    # x̄ = 2, ȳ = 4: Σdxdy = (−1)(−3) + 0 + (1)(3) = 6; Σdx² = 2; Σdy² = 18 -> 6 / √36 = 1
    assert pearson([1, 2, 3], [1, 4, 7]) == pytest.approx(1.0)
    # y = (1, 3, 2): ȳ = 2, Σdxdy = (−1)(−1) + 0 + (1)(0) = 1, Σdy² = 2 -> 1 / √4 = 0.5
    assert pearson([1, 2, 3], [1, 3, 2]) == pytest.approx(0.5)
    assert pearson([0, 1], [5, 5]) is None and pearson([1], [2]) is None
    with pytest.raises(ValueError):
        pearson([1, 2], [1])


def test_harmonic_mean_hand_worked():
    assert harmonic_mean(0.5, 1.0) == pytest.approx(2 * 0.5 / 1.5)
    assert harmonic_mean(0.8, 0.8) == pytest.approx(0.8)
    assert harmonic_mean(0.0, 0.0) == 0.0
    assert harmonic_mean(0.9, -0.2) == 0.0  # a negative identity cosine counts as no identity


def test_accuracy_counts_only_judgeable_targets():
    targets = ["happy", "sad", "confused", "surprise"]
    predicted = ["happy", "neutral", "happy", "surprise"]
    acc6 = ffe_bench.accuracy(targets, predicted, ffe_bench.BASIC6, LABELS)
    assert acc6 == {"value": pytest.approx(2 / 3), "n": 3, "unjudged": 0}
    acc12 = ffe_bench.accuracy(targets, predicted, ffe_bench.EXTENDED12, LABELS)
    assert acc12 == {"value": pytest.approx(2 / 3), "n": 3, "unjudged": 1}


def test_confusion_bcr_and_mscr_hand_worked():
    # towards fear: 4 images, 1 called surprise; towards surprise: 2 images, 1 called fear
    # towards angry: 2 images, 2 called disgust; towards disgust: 1 image, called disgust
    targets = ["fear"] * 4 + ["surprise"] * 2 + ["angry"] * 2 + ["disgust"]
    predicted = ["fear", "surprise", "fear", "fear", "fear", "surprise", "disgust", "disgust", "disgust"]
    assert ffe_bench.directed_confusion(targets, predicted, "fear", "surprise") == pytest.approx(0.25)
    assert ffe_bench.bcr(targets, predicted, "fear", "surprise") == pytest.approx((0.25 + 0.5) / 2)
    assert ffe_bench.bcr(targets, predicted, "angry", "disgust") == pytest.approx((1.0 + 0.0) / 2)
    out = ffe_bench.mscr(targets, predicted)
    assert out["value"] == pytest.approx((0.375 + 0.5) / 2)
    # a pair with images only one way is left out rather than guessed
    assert ffe_bench.mscr(["fear"], ["surprise"])["value"] is None


def test_cls_is_mean_pearson_over_sweeps():
    sweeps = {("a.jpg", "happy"): [(0, 0.1), (0.5, 0.3), (1, 0.5)],  # r = 1
              ("a.jpg", "sad"): [(0, 0.1), (0.5, 0.3), (1, 0.2)],  # r = 0.5 (as in the Pearson test)
              ("b.jpg", "confused"): [(0, 0.2), (1, 0.1)]}  # r = −1, not a basic expression
    assert ffe_bench.cls(sweeps, ffe_bench.BASIC6)["value"] == pytest.approx(0.75)
    assert ffe_bench.cls(sweeps)["value"] == pytest.approx((1 + 0.5 - 1) / 3)
    grouped = ffe_bench.group_sweeps([{"source": "s", "target": "happy", "alpha": 0.5, "target_score": 0.2},
                                      {"source": "s", "target": "happy", "alpha": 1.0, "target_score": 0.4},
                                      {"source": "s", "target": "happy"}])
    assert grouped == {("s", "happy"): [(0.5, 0.2), (1.0, 0.4)]}


def test_hes_is_the_mean_of_per_image_harmonic_means():
    assert ffe_bench.hes([0.5, 1.0], [1.0, 1.0]) == pytest.approx((2 / 3 + 1.0) / 2)
    assert ffe_bench.hes([], []) is None


def test_canonical_target_names():
    assert ffe_bench.canonical(" Surprised ") == "surprise"
    assert ffe_bench.canonical("anger") == "angry"
    assert ffe_bench.canonical("shy") == "shy"


def test_expression_error_hand_worked():
    p = np.array([0, 0, 0, 0.6, 0, 0, 0.4])
    assert expression_error(p, one_hot("happy", LABELS)) == pytest.approx(np.sqrt(0.4 ** 2 + 0.4 ** 2))
    assert expression_error(p, p) == 0.0
    with pytest.raises(ValueError):
        expression_error(p, np.ones(3))


def test_consistency_hand_worked():
    a, b, c = np.array([1.0, 0]), np.array([0, 2.0]), np.array([1.0, 1.0])
    # pairs: a·b = 0, a·c = 1/√2, b·c = 1/√2 -> mean √2/3
    assert mean_pairwise_cosine([a, b, c]) == pytest.approx(np.sqrt(2) / 3)
    assert mean_pairwise_cosine([a]) is None
    assert group_consistency({"x": [a, a], "y": [a, b], "z": [c]}) == pytest.approx(0.5)
    assert group_consistency({"z": [c]}) is None


def test_au_precision_recall_f1_hand_worked():
    pairs = [({"AU12", "AU25"}, {"AU12"}),  # tp 1, fp 1
             ({"AU1"}, {"AU1", "AU2", "AU5"})]  # tp 1, fn 2
    out = instructavatar.au_prf(pairs)
    assert (out["tp"], out["fp"], out["fn"]) == (2, 1, 2)
    assert out["precision"] == pytest.approx(2 / 3) and out["recall"] == pytest.approx(0.5)
    assert out["f1"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert instructavatar.prf(0, 0, 3) == {"precision": None, "recall": 0.0, "f1": None}
    assert instructavatar.prf(0, 2, 3)["f1"] == 0.0


def test_au_emo_and_clip_s():
    assert instructavatar.au_emo({"AU1", "AU2", "AU12"}, "surprise") == pytest.approx(0.5)
    assert instructavatar.au_emo({"AU12"}, "confused") is None
    assert instructavatar.clip_s([0.21, 0.27, 0.25]) == 0.27 and instructavatar.clip_s([]) is None
