"""Continuous perplexity (Cppl) of expression tracks under a CTEG checkpoint (CTEG paper, Appendix D).

For track i with frames psi_1..psi_T and text x, the checkpoint's teacher-forced prediction gives a mean
mu_j for every frame (z at its prior mean); with a normal of covariance sigma^2 I around it,

    p_j = P(psi_j - delta < X < psi_j + delta)      (floored at 1e-10)
    H_i = -mean_j log2 p_j,     Cppl = 2 ** mean_i H_i          (delta 0.8, sigma 0.2)

Two definitions of p_j, named distinctly:
- "exact": the box probability. The covariance is diagonal, so it is exactly the product over channels
  of 1-D normal CDF differences Phi((g+delta-mu)/sigma) - Phi((g-delta-mu)/sigma) (computed in logs).
- "corner": the official code's formula, Phi_C(g + delta) - Phi_C(g - delta) with Phi_C the joint
  C-dimensional normal CDF (scipy's multivariate_normal.cdf: quasi-Monte-Carlo, slow, seeded here). The
  difference of two corner CDFs is not the box probability (it also counts other orthants' mass).
Tracks longer than the checkpoint's MSL are scored on their first MSL frames.
"""

from __future__ import annotations

import math

import numpy as np

from fxcli.errors import InvalidInputError, UsageError
from fxcli.tracks.track import Track

DELTA = 0.8
SIGMA = 0.2
FLOOR = 1e-10
DEFINITIONS = ("exact", "corner")


def log2_box_probability(frames: np.ndarray, means: np.ndarray, delta: float = DELTA,
                         sigma: float = SIGMA) -> np.ndarray:
    """Exact log2 P(|X - g| < delta) per frame for X ~ N(mu, sigma^2 I): (T, C), (T, C) -> (T,), floored."""
    from scipy.special import log_ndtr

    hi = (frames + delta - means) / sigma  # (T, C)
    lo = (frames - delta - means) / sigma
    # Phi(hi) - Phi(lo) in logs: by symmetry use the side where both are small to keep precision
    flip = (hi + lo) > 0
    hi2, lo2 = np.where(flip, -lo, hi), np.where(flip, -hi, lo)  # Phi(hi)-Phi(lo) = Phi(-lo)-Phi(-hi)
    log_hi, log_lo = log_ndtr(hi2), log_ndtr(lo2)
    log_diff = log_hi + np.log1p(-np.exp(np.minimum(log_lo - log_hi, 0.0)))  # log(Phi(hi) - Phi(lo))
    total = log_diff.sum(-1) / math.log(2.0)  # (T,)
    return np.maximum(total, math.log2(FLOOR))


def log2_corner_probability(frames: np.ndarray, means: np.ndarray, delta: float = DELTA,
                            sigma: float = SIGMA, seed: int = 0) -> np.ndarray:
    """The official formula: log2 max(Phi_C(g + delta) - Phi_C(g - delta), 1e-10) per frame (T,)."""
    from scipy.stats import multivariate_normal

    cov = np.eye(frames.shape[1]) * sigma**2
    out = np.empty(frames.shape[0])
    for j, (g, mu) in enumerate(zip(frames, means, strict=True)):
        dist = multivariate_normal(mean=mu, cov=cov, seed=seed)
        p = float(dist.cdf(g + delta)) - float(dist.cdf(g - delta))
        out[j] = math.log2(max(p, FLOOR))
    return out


def score_cppl(checkpoint: str, tracks: list[Track], *, definition: str = "exact", device: str = "cpu",
               batch_size: int = 16) -> dict[str, float]:
    """Cppl of `tracks` (each with its text) under the CTEG checkpoint folder `checkpoint`."""
    from fxcli.text.encoder import load_text_encoder
    from fxcli.train.cteg_checkpoint import load_checkpoint

    if definition not in DEFINITIONS:
        raise UsageError(f"unknown Cppl definition {definition!r}", hint="use exact or corner")
    if not tracks:
        raise InvalidInputError("Cppl needs at least one track")
    ckpt = load_checkpoint(checkpoint, device=device)
    cfg = ckpt.model.cfg
    for i, t in enumerate(tracks):
        if t.space != cfg.space:
            raise InvalidInputError(f"track {i + 1}: space {t.space!r}, the checkpoint models {cfg.space!r}")
        if not t.text:
            raise InvalidInputError(f"track {i + 1}: no text (Cppl conditions on the track's text)")
    encoder = load_text_encoder(cfg.text_encoder, device=device)
    entropies, n_frames = [], 0
    for b in range(0, len(tracks), batch_size):
        chunk = tracks[b : b + batch_size]
        seqs = [t.as_channels(ckpt.channels)[: cfg.max_len].astype(np.float32) for t in chunk]
        means = teacher_forced(ckpt.model, encoder, [t.text for t in chunk], seqs, ckpt.mean_frame, device)
        for seq, mu in zip(seqs, means, strict=True):
            if definition == "exact":
                log2p = log2_box_probability(seq.astype(np.float64), mu.astype(np.float64))
            else:
                log2p = log2_corner_probability(seq.astype(np.float64), mu.astype(np.float64))
            entropies.append(-float(log2p.mean()))
            n_frames += len(seq)
    mean_h = float(np.mean(entropies))
    return {"cppl": float(2.0**mean_h), "entropy_bits": mean_h, "tracks": float(len(tracks)),
            "frames": float(n_frames)}


def teacher_forced(model, encoder, texts: list[str], seqs: list[np.ndarray], start: np.ndarray,
                   device: str) -> list[np.ndarray]:
    """Per sequence (T_i, C) the model's predicted means for its frames given the true prefixes."""
    import torch

    width = start.shape[0]
    t_max = max(len(s) for s in seqs)
    frames = torch.zeros(len(seqs), t_max + 1, width)  # (B, T+1, C) = [BOS, psi_1..psi_T]
    frames[:, 0] = torch.from_numpy(start)
    for i, s in enumerate(seqs):
        frames[i, 1 : 1 + len(s)] = torch.from_numpy(s)
    hidden, mask = encoder.encode_tokens(texts, max_length=model.cfg.max_text_tokens)
    means = model.teacher_forced_means(frames.to(device), hidden.float(), mask)  # (B, T+1, C)
    return [means[i, : len(s)].double().cpu().numpy() for i, s in enumerate(seqs)]
