"""The text-emotion model's lexical head: tokens, hashed n-grams, the logistic regression's optimum and how
the head enters the family decision."""

from __future__ import annotations

import numpy as np
import pytest

from fxcli.text.ngrams import bag_scores, bucket, hashed_batch, hashed_ids, ngrams, tokens


def test_tokens_and_ngrams_by_hand():
    assert tokens("I DON’T like it!!! :) [NAME] 😡 ok?") == ["i", "don't", "like", "it", "!", "!", "!", "name",
                                                           "ok", "?"]
    assert ngrams("Hi there!") == ["hi", "there", "!", "<s> hi", "hi there", "there !", "! </s>"]
    assert ngrams("") == ["<s> </s>"]  # an empty text still has its one (empty) bigram
    # emoji and emoticons are not tokens: the text with them stripped reads the same
    assert ngrams("so good 😊 :)") == ngrams("so good")


def test_hash_is_crc32_and_stable():
    # the CRC-32 check value of "123456789" is 0xCBF43926 (the standard's published check)
    assert bucket("123456789", 2**32) == 0xCBF43926
    assert bucket("123456789", 1000) == 0xCBF43926 % 1000 == 262
    ids = hashed_ids("ok ok ok", 2**20)
    # "ok" three times, "<s> ok", "ok ok" twice, "ok </s>": four distinct n-grams, presence only
    assert len(ids) == 4 and np.all(np.diff(ids) > 0)
    flat, offsets = hashed_batch(["ok ok ok", "", "hi"], 2**20)
    assert offsets.tolist() == [0, 4, 5] and len(flat) == 4 + 1 + 3


def test_logistic_regression_reaches_the_hand_worked_optimum():
    """Two lines, "good" -> class 0 and "bad" -> class 1, three n-grams each ("good", "<s> good",
    "good </s>"). By symmetry the optimum has bias 0 and weights (a, -a) on good's ids, (-a, a) on bad's,
    so each line's logit gap is 6a and the loss is log(1 + exp(-6a)) + l2/2 * 12 a^2, whose minimum has
    sigmoid(-6a) = 2 l2 a."""
    from fxcli.train.text_emotion_trainer import train_ngram_head

    buckets, l2 = 4096, 0.1
    good, bad = hashed_ids("good", buckets), hashed_ids("bad", buckets)
    assert len(good) == len(bad) == 3 and not set(good) & set(bad)
    lo, hi = 0.0, 10.0
    for _ in range(100):  # bisection on sigmoid(-6a) - 2 l2 a, decreasing in a
        a = (lo + hi) / 2
        lo, hi = (a, hi) if 1 / (1 + np.exp(6 * a)) > 2 * l2 * a else (lo, a)
    w, b = train_ngram_head(["good", "bad"], np.eye(2, dtype=np.float32), buckets=buckets, l2=l2, max_iter=200)
    np.testing.assert_allclose(w[good], np.tile([a, -a], (3, 1)), atol=1e-4)
    np.testing.assert_allclose(w[bad], np.tile([-a, a], (3, 1)), atol=1e-4)
    np.testing.assert_allclose(b, 0, atol=1e-4)
    rest = np.setdiff1d(np.arange(buckets), np.concatenate([good, bad]))
    assert not w[rest].any()  # ids no line has get no weight (L2 keeps them at 0)
    assert a == pytest.approx(0.4049, abs=1e-4)  # sigmoid(-2.429) = 0.0810 = 2 * 0.1 * 0.4049


def test_logistic_regression_optimum_has_zero_gradient():
    """On a small 3-class corpus with soft targets the result satisfies the optimality condition,
    computed here in numpy: X^T (p - y) / N + l2 W = 0 and the bias gradient sum(p - y) / N = 0."""
    from fxcli.train.text_emotion_trainer import train_ngram_head

    texts = ["I love this so much", "this is awful, I hate it", "the bus leaves at five", "I love the bus",
             "awful awful day", "what a day!", "so much to hate", "five more minutes?"]
    y = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0, 0.5], [0, 1, 0], [0.5, 0, 0.5], [0, 1, 0],
                  [0, 0, 1]], np.float32)
    buckets, l2 = 512, 0.01
    w, b = train_ngram_head(texts, y, buckets=buckets, l2=l2, max_iter=300)
    x = np.zeros((len(texts), buckets))
    for i, t in enumerate(texts):
        x[i, hashed_ids(t, buckets)] = 1.0
    z = x @ w + b
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    np.testing.assert_allclose(x.T @ (p - y) / len(texts) + l2 * w, 0, atol=2e-5)
    np.testing.assert_allclose((p - y).mean(0), 0, atol=2e-5)
    np.testing.assert_allclose(bag_scores(w, b, texts), z, atol=1e-5)


def _tiny_model(rng, ngram_weight):
    from fxcli.expressions.library import BASIC_LABELS
    from fxcli.text.emotion_model import EmotionModel
    from fxcli.train.text_emotion_data import GO_LABELS

    d, h = 2 * 384, 5
    return EmotionModel(layers=[0, 6], mean=np.zeros(d, np.float32), std=np.ones(d, np.float32),
                        w1=rng.normal(0, 0.05, (d, h)).astype(np.float32), b1=np.zeros(h, np.float32),
                        wb=rng.normal(0, 1, (h, 7)).astype(np.float32), bb=np.zeros(7, np.float32),
                        wf=rng.normal(0, 1, (h, 28)).astype(np.float32), bf=np.zeros(28, np.float32),
                        t_basic=1.5, t_fine=1.0, basic_labels=list(BASIC_LABELS), fine_labels=list(GO_LABELS),
                        meta={}, bias=np.zeros(7, np.float32),
                        ngram_w=rng.normal(0, 1, (64, 7)).astype(np.float16),
                        ngram_b=rng.normal(0, 1, 7).astype(np.float32), ngram_weight=ngram_weight)


def test_lexical_head_adds_its_weighted_log_probabilities_to_the_family_logits():
    rng = np.random.default_rng(0)
    with_head, without = _tiny_model(rng, 0.75), _tiny_model(np.random.default_rng(0), 0.0)
    feats = rng.normal(0, 1, (2, 7, 384)).astype(np.float32)
    texts = ["oh no!", "we won"]
    lb, lf = with_head.logits(feats, texts)
    lb0, lf0 = without.logits(feats)
    ids = hashed_ids("oh no!", 64)  # "oh", "no", "!", "<s> oh", "oh no", "no !", "! </s>" (collisions merge)
    s = with_head.ngram_b + with_head.ngram_w[ids].astype(np.float32).sum(0)
    by_hand = s - s.max() - np.log(np.exp(s - s.max()).sum())
    np.testing.assert_allclose(lb[0] - lb0[0], 0.75 * by_hand, atol=1e-5)
    np.testing.assert_allclose(lf, lf0)  # the fine head does not hear it
    with pytest.raises(ValueError, match="pass the texts"):
        with_head.predict(feats)
