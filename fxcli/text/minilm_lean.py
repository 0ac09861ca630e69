"""all-MiniLM-L6-v2 sentence embeddings with numpy only (no torch, no transformers).

The same BERT forward pass as `transformers.BertModel` (post-LN encoder, exact-erf GELU) followed by
mean pooling and L2 normalisation, as in `fxcli.text.encoder.TextEncoder.embed`. It exists for start-up
time: importing torch and transformers costs seconds, while the `tokenizers` library, numpy and a
memory-mapped safetensors file load in a fraction of one. A test checks it against transformers to 1e-4.
"""

from __future__ import annotations

import functools
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

MAX_TOKENS = 128  # the same cut as TextEncoder.encode_tokens' default
# rows of the feature block: mean-pooled outputs of layers 1..6 and the last layer's [CLS] state
# (fxcli.train.text_emotion_data.embed_features computes the same with transformers)
FEATURE_ROWS = 7
CACHE_ENTRIES = 4096  # texts whose features are kept (about 21 KB each): --jobs computes them ahead, in batches


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to ~1e-7 absolute (Abramowitz & Stegun 7.1.26); numpy has no erf and scipy costs start-up time."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def _gelu(x: np.ndarray) -> np.ndarray:
    """Exact-erf GELU, x * Phi(x), with _erf's polynomial evaluated in place (no temporaries: about four
    times faster than the plain expression on the encoder's (tokens, 1536) blocks, the same numbers)."""
    a = np.abs(x)
    a *= x.dtype.type(1.0 / math.sqrt(2.0))
    t = a * x.dtype.type(0.3275911)
    t += 1.0
    np.reciprocal(t, out=t)
    y = t * x.dtype.type(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        y += x.dtype.type(c)
        y *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    y *= a  # 1 - erf(|x| / sqrt 2)
    # Phi(x) = 0.5 (1 + sign(x) erf(|x| / sqrt 2)) = 0.5 + copysign(0.5 - y / 2, x)
    y *= -0.5
    y += 0.5
    np.copysign(y, x, out=y)
    y += 0.5
    y *= x
    return y


def _dense(x: np.ndarray, w: np.ndarray, b: np.ndarray, length: int) -> np.ndarray:
    """x @ w + b for the rows of a batch of texts, one product per text (`length` rows each).

    BLAS picks its kernels and summation order by the matrix shape, and a row's result can depend on where
    it falls in a larger product; one product per text gives a text's features the same bits whether it is
    encoded alone or in a --jobs batch.
    """
    out = np.empty((x.shape[0], w.shape[1]), np.result_type(x, w))
    for i in range(0, x.shape[0], length):
        np.matmul(x[i:i + length], w, out=out[i:i + length])
    out += b
    return out


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias  # eps is a Python float: stays float32


@dataclass
class _Layer:
    qkv_w: np.ndarray  # (H, 3H): query, key and value projections side by side
    qkv_b: np.ndarray  # (3H,)
    out_w: np.ndarray  # (H, H)
    out_b: np.ndarray
    ln1_w: np.ndarray
    ln1_b: np.ndarray
    ff1_w: np.ndarray  # (H, 4H)
    ff1_b: np.ndarray
    ff2_w: np.ndarray  # (4H, H)
    ff2_b: np.ndarray
    ln2_w: np.ndarray
    ln2_b: np.ndarray


class LeanMiniLM:
    """MiniLM-L6 (BERT, 6 layers, 384 hidden, 12 heads) from a folder with model.safetensors + tokenizer.json."""

    def __init__(self, folder: str):
        import json
        from pathlib import Path

        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder_path = Path(folder)
        config = json.loads((folder_path / "config.json").read_text())
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        w = load_file(str(folder_path / "model.safetensors"))
        p = "" if "embeddings.word_embeddings.weight" in w else "bert."
        self.word = w[f"{p}embeddings.word_embeddings.weight"]
        self.position = w[f"{p}embeddings.position_embeddings.weight"]
        self.token_type = w[f"{p}embeddings.token_type_embeddings.weight"][0]
        self.emb_ln = (w[f"{p}embeddings.LayerNorm.weight"], w[f"{p}embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            q = f"{p}encoder.layer.{i}."
            self.layers.append(_Layer(
                qkv_w=np.ascontiguousarray(
                    np.concatenate([w[q + f"attention.self.{n}.weight"].T for n in ("query", "key", "value")], 1)),
                qkv_b=np.concatenate([w[q + f"attention.self.{n}.bias"] for n in ("query", "key", "value")]),
                out_w=np.ascontiguousarray(w[q + "attention.output.dense.weight"].T),
                out_b=w[q + "attention.output.dense.bias"],
                ln1_w=w[q + "attention.output.LayerNorm.weight"], ln1_b=w[q + "attention.output.LayerNorm.bias"],
                ff1_w=np.ascontiguousarray(w[q + "intermediate.dense.weight"].T), ff1_b=w[q + "intermediate.dense.bias"],
                ff2_w=np.ascontiguousarray(w[q + "output.dense.weight"].T), ff2_b=w[q + "output.dense.bias"],
                ln2_w=w[q + "output.LayerNorm.weight"], ln2_b=w[q + "output.LayerNorm.bias"],
            ))
        self.tokenizer = Tokenizer.from_file(str(folder_path / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self._cache: OrderedDict[str, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()  # the cache is filled by a background prefetch too
        self._ahead: tuple[set[str], threading.Thread] | None = None  # a running background prefetch

    def hidden_states(self, ids: np.ndarray, mask: np.ndarray, every_layer: bool = False):
        """Last hidden states (B, L, H) for token ids (B, L) and attention mask (B, L) of 0/1; with
        `every_layer`, the list of each layer's output (layers 1..6) instead."""
        b, length = ids.shape
        h, nh = self.hidden, self.heads
        dh = h // nh
        x = self.word[ids] + self.position[:length][None] + self.token_type  # (B, L, H)
        x = _layer_norm(x, *self.emb_ln, self.eps)
        bias = (1.0 - mask[:, None, None, :].astype(np.float32)) * np.finfo(np.float32).min  # (B, 1, 1, L)
        x = x.reshape(b * length, h)  # dense layers as 2-D BLAS products, one per text (see _dense)
        layers_out = []
        for layer in self.layers:
            qkv = _dense(x, layer.qkv_w, layer.qkv_b, length)  # (B*L, 3H)
            qkv = qkv.reshape(b, length, 3, nh, dh).transpose(2, 0, 3, 1, 4)  # (3, B, nh, L, dh)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = q @ k.transpose(0, 1, 3, 2) * (1.0 / math.sqrt(dh)) + bias  # (B, nh, L, L)
            scores -= scores.max(-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(b * length, h)  # (B*L, H)
            x = _layer_norm(_dense(ctx, layer.out_w, layer.out_b, length) + x, layer.ln1_w, layer.ln1_b, self.eps)
            ff = _dense(_gelu(_dense(x, layer.ff1_w, layer.ff1_b, length)), layer.ff2_w, layer.ff2_b, length)  # (B*L, H)
            x = _layer_norm(ff + x, layer.ln2_w, layer.ln2_b, self.eps)
            if every_layer:
                layers_out.append(x.reshape(b, length, h))
        if every_layer:
            return layers_out
        return x.reshape(b, length, h)

    def _batches(self, texts: list[str], batch_size: int):
        """(indices, ids, mask) per batch of texts with the same number of tokens: no padding work, and a
        text's products have the shapes they have when it is alone (bit-identical features, see _dense)."""
        encs = self.tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: (len(encs[i].ids), i))
        start = 0
        while start < len(order):
            length = len(encs[order[start]].ids)
            stop = start + 1
            while stop < len(order) and stop - start < batch_size and len(encs[order[stop]].ids) == length:
                stop += 1
            idx = order[start:stop]
            ids = np.array([encs[i].ids for i in idx], np.int64).reshape(len(idx), length)
            yield idx, ids, np.ones((len(idx), length), np.float32)
            start = stop

    def features(self, texts: list[str], batch_size: int = 16) -> tuple[np.ndarray, np.ndarray]:
        """Per-layer features (N, FEATURE_ROWS, 384): each layer's mean-pooled output (layers 1..6) and the
        last layer's [CLS] state; and the usual normalised sentence embeddings (N, 384) from the same
        pass. Texts seen recently (or computed ahead by `prefetch`) come from a cache; the others are
        computed together, in batches of equal token count (about twice as fast per text as one at a time)."""
        if self._ahead is not None and not self._ahead[0].isdisjoint(texts):
            self.wait()
        return self._fill(texts, batch_size)

    def _fill(self, texts: list[str], batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        feats = np.empty((len(texts), FEATURE_ROWS, self.hidden), np.float32)
        emb = np.empty((len(texts), self.hidden), np.float32)
        with self._lock:
            known = {t: self._cache[t] for t in dict.fromkeys(texts) if t in self._cache}
        todo = [t for t in dict.fromkeys(texts) if t not in known]
        fresh = dict(zip(todo, zip(*self._compute(todo, batch_size), strict=True), strict=True)) if todo else {}
        with self._lock:
            for t, row in fresh.items():
                self._remember(t, row)
        for i, t in enumerate(texts):
            feats[i], emb[i] = fresh[t] if t in fresh else known[t]
        return feats, emb

    def prefetch(self, texts: list[str], batch_size: int = 16, background: bool = False) -> None:
        """Compute and cache the features of `texts` (the new ones, in batches) for later `features` calls;
        with `background`, on a thread while the caller goes on (numpy releases the GIL in its products).
        A text's features are the same bits either way (see _dense)."""
        texts = texts[-CACHE_ENTRIES // 2:]
        if not background:
            self.features(texts, batch_size)
            return
        self.wait()
        def fill() -> None:
            try:
                self._fill(texts, batch_size)
            except Exception:  # noqa: BLE001 - best effort: what is missing is computed when asked for
                pass

        thread = threading.Thread(target=fill, name="fxe-minilm-ahead", daemon=True)
        self._ahead = (set(texts), thread)
        thread.start()

    def wait(self) -> None:
        """Wait for a background prefetch to finish."""
        if self._ahead is not None:
            self._ahead[1].join()
            self._ahead = None

    def _remember(self, text: str, row: tuple[np.ndarray, np.ndarray]) -> None:
        self._cache[text] = row
        self._cache.move_to_end(text)
        while len(self._cache) > CACHE_ENTRIES:
            self._cache.popitem(last=False)

    def _compute(self, texts: list[str], batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        feats = np.zeros((len(texts), FEATURE_ROWS, self.hidden), np.float32)
        emb = np.zeros((len(texts), self.hidden), np.float32)
        for idx, ids, mask in self._batches(texts, batch_size):
            layers = self.hidden_states(ids, mask, every_layer=True)
            m = mask[..., None]
            denom = np.maximum(m.sum(1), 1e-9)
            pooled = [(h * m).sum(1) / denom for h in layers]
            feats[idx] = np.stack([*pooled, layers[-1][:, 0]], 1)
            last = pooled[-1]
            emb[idx] = last / np.maximum(np.linalg.norm(last, axis=1, keepdims=True), 1e-12)
        return feats, emb

    def embed(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Mean-pooled, L2-normalised embeddings (N, 384) float32, like TextEncoder.embed."""
        out = np.zeros((len(texts), self.hidden), np.float32)
        # similar lengths together: less padding work
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            encs = self.tokenizer.encode_batch([texts[i] for i in idx])
            length = max(len(e.ids) for e in encs)
            ids = np.zeros((len(idx), length), np.int64)
            mask = np.zeros((len(idx), length), np.float32)
            for row, e in enumerate(encs):
                ids[row, : len(e.ids)] = e.ids
                mask[row, : len(e.ids)] = 1.0
            hidden = self.hidden_states(ids, mask)
            pooled = (hidden * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1e-9)
            pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
            out[idx] = pooled
        return out


def load_lean_minilm(path: str | None = None) -> LeanMiniLM:
    """The registry's `minilm` weights through the numpy encoder (ModelMissingError with the fix if absent),
    loaded once per process: `load_lean_minilm()` and `load_lean_minilm(None)` are the same instance, with
    one feature cache."""
    return _load_lean_minilm(path)


@functools.lru_cache(maxsize=2)
def _load_lean_minilm(path: str | None) -> LeanMiniLM:
    from fxcli import registry

    return LeanMiniLM(str(registry.resolve("minilm", path).path))
