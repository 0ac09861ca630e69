"""The shipped text -> emotion classifier: a small MLP over frozen MiniLM features, numpy only.

Input: LeanMiniLM.features (each layer's mean-pooled output and the last [CLS] state); the layers named
in the file's metadata are concatenated and standardised, then one hidden layer (GELU) feeds two heads:
- `basic`: the 7 basic families (BASIC_LABELS: Ekman's six + neutral), softmax at the temperature fitted
  on the dev split, plus per-family decision offsets fitted on dev for macro F1 (rare families such as
  fear and disgust are otherwise under-predicted);
- `fine`: the 27 GoEmotions categories + neutral, each mapped onto an expression-library entry.
The family decision may also hear the fine head: with `fine_mix` m (chosen on dev), the basic logits are
(1 - m) log softmax(basic) + m log(the fine probabilities summed per family, the paper's Ekman mapping).
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

    def logits(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Raw (uncalibrated) basic (N, 7) and fine (N, 28) logits for features (N, 7, 384); the basic
        ones already mixed with the fine head's family sums when `fine_mix` > 0."""
        x = features[:, self.layers].reshape(len(features), -1)
        x = (x - self.mean) / self.std
        h = _gelu(x @ self.w1 + self.b1)
        lb, lf = h @ self.wb + self.bb, h @ self.wf + self.bf
        return mix_fine(lb, lf, self.fine_mix, self.basic_labels, self.fine_labels), lf

    def predict(self, features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Calibrated basic (N, 7) and fine (N, 28) probabilities."""
        lb, lf = self.logits(features)
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
        t = {k: f.get_tensor(k).astype(np.float32) for k in f.keys()}  # noqa: SIM118 (safe_open has no items)
    config = json.loads(meta.get("config", "{}"))
    return EmotionModel(layers=list(config["layers"]), mean=t["mean"], std=t["std"], w1=t["w1"], b1=t["b1"],
                        wb=t["wb"], bb=t["bb"], wf=t["wf"], bf=t["bf"], t_basic=float(config["t_basic"]),
                        t_fine=float(config["t_fine"]), basic_labels=list(config["basic_labels"]),
                        fine_labels=list(config["fine_labels"]), meta=config,
                        bias=np.array(config["decision_bias"], np.float32) if "decision_bias" in config else None,
                        fine_mix=float(config.get("fine_mix", 0.0)))


@functools.lru_cache(maxsize=2)
def load_emotion_model(path: str | None = None) -> EmotionModel:
    """The shipped model (registry name `text-emotion`), or a file/folder from `fxe train text-emotion`."""
    from pathlib import Path

    from fxcli import registry

    if path is not None and Path(path).is_file():
        return load_emotion_model_file(path)
    folder = registry.resolve("text-emotion", path).path
    return load_emotion_model_file(str(Path(folder) / WEIGHTS_FILE))
