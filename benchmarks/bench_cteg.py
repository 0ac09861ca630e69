"""CTEG speed: sampling frames/s of the paper-size model with and without the key/value cache, and
Cppl's exact box probability vs the official corner formula (scipy multivariate normal CDF).

    python3 benchmarks/bench_cteg.py                 # d 768, 1 layer, 12 heads, MSL 256, batch 16
    python3 benchmarks/bench_cteg.py --msl 64        # quicker

Random weights: speed does not depend on training. Every sequence runs to MSL (stop threshold 0), so
both decoders do the same number of steps; the cached one must also give the same frames.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from fxcli.metrics.cppl import log2_box_probability, log2_corner_probability
from fxcli.models.cteg import CtegConfig, CtegModel


def bench_sampling(msl: int, batch: int, text_tokens: int) -> None:
    torch.manual_seed(0)
    cfg = CtegConfig(max_len=msl)  # paper size: d 768, 12 heads, FFN 2048, 1 layer
    model = CtegModel(cfg).eval()
    hidden, mask = torch.randn(batch, text_tokens, cfg.text_dim), torch.ones(batch, text_tokens, dtype=torch.long)
    start = torch.zeros(cfg.frame_width)
    print(f"model: d {cfg.d_model}, {cfg.n_layers} layer, {cfg.n_heads} heads, FFN {cfg.d_ffn}; "
          f"{sum(p.numel() for p in model.parameters()) / 1e6:.1f} M parameters; batch {batch}, MSL {msl}, "
          f"{text_tokens} text tokens, {torch.get_num_threads()} threads")
    results = {}
    for use_cache in (True, False):
        t0 = time.perf_counter()
        seqs = model.sample(hidden, mask, start, seed=0, stop_threshold=0.0, use_cache=use_cache)
        dt = time.perf_counter() - t0
        frames = sum(len(s) for s in seqs)
        results[use_cache] = (seqs, dt)
        print(f"  {'cached ' if use_cache else 'no cache'}: {frames} frames in {dt:7.2f} s = {frames / dt:8.1f} frames/s")
    diff = max(float((a - b).abs().max()) for a, b in zip(results[True][0], results[False][0], strict=True))
    print(f"  speed-up {results[False][1] / results[True][1]:.1f}x; max |cached - full prefix| = {diff:.2e}")


def bench_cppl(frames: int) -> None:
    rng = np.random.default_rng(0)
    g = rng.normal(0, 1, (frames, 53))
    mu = g + rng.normal(0, 0.1, (frames, 53))
    log2_box_probability(g[:1], mu[:1])  # warm-up: scipy imports
    t0 = time.perf_counter()
    exact = log2_box_probability(g, mu)
    t_exact = time.perf_counter() - t0
    t0 = time.perf_counter()
    corner = log2_corner_probability(g, mu)
    t_corner = time.perf_counter() - t0
    print(f"Cppl on {frames} frames x 53: exact {t_exact * 1e3:.2f} ms ({frames / t_exact:.0f} frames/s), "
          f"corner (scipy MVN CDF) {t_corner:.2f} s ({frames / t_corner:.1f} frames/s): "
          f"{t_corner / t_exact:.0f}x slower; mean log2 p exact {exact.mean():.3f}, corner {corner.mean():.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--msl", type=int, default=256)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--text-tokens", type=int, default=32)
    ap.add_argument("--cppl-frames", type=int, default=20)
    args = ap.parse_args()
    bench_sampling(args.msl, args.batch, args.text_tokens)
    bench_cppl(args.cppl_frames)


if __name__ == "__main__":
    main()
