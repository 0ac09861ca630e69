"""The shipped text -> emotion classifier: a small MLP over frozen MiniLM features, numpy only.

Input: LeanMiniLM.features (each layer's mean-pooled output and the last [CLS] state); the layers named
in the file's metadata are concatenated and standardised, then one hidden layer (GELU) feeds two heads:
- `basic`: the 7 basic families (BASIC_LABELS: Ekman's six + neutral), softmax at the temperature fitted
  on the dev split, plus per-family decision offsets fitted on dev for macro F1 (rare families such as
  fear and disgust are otherwise under-predicted);
- `fine`: the 27 GoEmotions categories + neutral, each mapped onto an expression-library entry.
The family decision may also hear the fine head: with `fine_mix` m (chosen on dev), the basic logits are
(1 - m) log softmax(basic) + m log(the fine probabilities summed per family, the paper's Ekman mapping).
A lexical head may join it: a multinomial logistic regression over the text's hashed word unigrams and
bigrams (fxcli.text.ngrams), whose log-probabilities are added with `ngram_weight` (chosen on dev) to the
basic logits before the temperature and the offsets; it reads the text the encoder read.
Trained by `fxe train text-emotion` (fxcli/train/text_emotion_trainer.py) on GoEmotions (+ XED); weights,
split digests and training settings live in `fxcli/assets/text_emotion/` (see its README).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import numpy as np

from fxcli.text.minilm_lean import _gelu

WEIGHTS_FILE = "text_emotion.safetensors"


@dataclass
class EmotionModel:
    layers: list[int]  # rows of the (7, 384) feature block used, concatenated
    mean: np.ndarray
    std: np.ndarray
    w1: np.ndarray  # (D, hidden)
    b1: np.ndarray
    wb: np.ndarray  # (hidden, 7)
    bb: np.ndarray
    wf: np.ndarray  # (hidden, 28)
    bf: np.ndarray
    t_basic: float
    t_fine: float
    basic_labels: list[str]
    fine_labels: list[str]
    meta: dict
    bias: np.ndarray | None = None  # (7,) decision offsets added to the tempered basic logits
    fine_mix: float = 0.0  # weight of the fine head's per-family sums in the basic logits
    ngram_w: np.ndarray | None = None  # (buckets, 7) lexical head: weights of the hashed n-grams
    ngram_b: np.ndarray | None = None  # (7,)
    ngram_weight: float = 0.0  # weight of the lexical head's log-probabilities in the basic logits

    def logits(self, features: np.ndarray, texts: list[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Raw (uncalibrated) basic (N, 7) and fine (N, 28) logits for features (N, 7, 384) of `texts`; the
        basic ones already mixed with the fine head's family sums when `fine_mix` > 0 and with the lexical
        head's log-probabilities when the model has one (then `texts`, the lines the encoder read, is
        required)."""
        x = features[:, self.layers].reshape(len(features), -1)
        x = (x - self.mean) / self.std
        h = _gelu(x @ self.w1 + self.b1)
        lb, lf = h @ self.wb + self.bb, h @ self.wf + self.bf
        lb = mix_fine(lb, lf, self.fine_mix, self.basic_labels, self.fine_labels)
        if self.ngram_w is not None and self.ngram_weight > 0:
            if texts is None or len(texts) != len(features):
                raise ValueError("this text-emotion model has a lexical head: pass the texts with their features")
            lb = lb + self.ngram_weight * self.ngram_log_probs(texts)
        return lb, lf

    def ngram_log_probs(self, texts: list[str]) -> np.ndarray:
        """(N, 7) log-probabilities of the lexical head alone."""
        from fxcli.text.ngrams import bag_scores

        return log_softmax(bag_scores(self.ngram_w, self.ngram_b, texts))

    def predict(self, features: np.ndarray, texts: list[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated basic (N, 7) and fine (N, 28) probabilities (`texts`: as in `logits`)."""
        lb, lf = self.logits(features, texts)
        lb = lb / self.t_basic
        if self.bias is not None:
            lb = lb + self.bias
        return softmax(lb), softmax(lf / self.t_fine)


def softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def log_softmax(x: np.ndarray) -> np.ndarray:
    z = x - x.max(-1, keepdims=True)
    return z - np.log(np.exp(z).sum(-1, keepdims=True))


def family_sums(fine_labels: list[str], basic_labels: list[str]) -> np.ndarray:
    """(28, 7) 0/1: each GoEmotions category's basic family (the paper's Ekman mapping)."""
    from fxcli.train.text_emotion_data import EKMAN_OF

    out = np.zeros((len(fine_labels), len(basic_labels)), np.float32)
    for k, c in enumerate(fine_labels):
        out[k, basic_labels.index(EKMAN_OF[c])] = 1.0
    return out


def mix_fine(basic_logits: np.ndarray, fine_logits: np.ndarray, weight: float, basic_labels: list[str],
             fine_labels: list[str]) -> np.ndarray:
    """(1 - weight) log softmax(basic) + weight log(softmax(fine) summed per family); the basic logits
    as they are when weight is 0."""
    if weight <= 0:
        return basic_logits
    summed = softmax(fine_logits) @ family_sums(fine_labels, basic_labels)
    return (1.0 - weight) * log_softmax(basic_logits) + weight * np.log(np.maximum(summed, 1e-9))


def load_emotion_model_file(path: str) -> EmotionModel:
    from safetensors import safe_open

    with safe_open(path, framework="numpy") as f:
        meta = dict(f.metadata() or {})
        t = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118 (safe_open has no items)
    t = {k: v if k == "ngram_w" else v.astype(np.float32) for k, v in t.items()}  # ngram_w stays float16
    config = json.loads(meta.get("config", "{}"))
    return EmotionModel(layers=list(config["layers"]), mean=t["mean"], std=t["std"], w1=t["w1"], b1=t["b1"],
                        wb=t["wb"], bb=t["bb"], wf=t["wf"], bf=t["bf"], t_basic=float(config["t_basic"]),
                        t_fine=float(config["t_fine"]), basic_labels=list(config["basic_labels"]),
                        fine_labels=list(config["fine_labels"]), meta=config,
                        bias=np.array(config["decision_bias"], np.float32) if "decision_bias" in config else None,
                        fine_mix=float(config.get("fine_mix", 0.0)), ngram_w=t.get("ngram_w"),
                        ngram_b=t.get("ngram_b"), ngram_weight=float(config.get("ngram", {}).get("weight", 0.0)))


@functools.lru_cache(maxsize=2)
def load_emotion_model(path: str | None = None) -> EmotionModel:
    """The shipped model (registry name `text-emotion`), or a file/folder from `fxe train text-emotion`."""
    from pathlib import Path

    from fxcli import registry

    if path is not None and Path(path).is_file():
        return load_emotion_model_file(path)
    folder = registry.resolve("text-emotion", path).path
    return load_emotion_model_file(str(Path(folder) / WEIGHTS_FILE))
