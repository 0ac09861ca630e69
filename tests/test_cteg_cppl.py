"""Cppl: exact box probability vs independent computations, the corner formula, and `fxe score` on a checkpoint."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from scipy.stats import multivariate_normal, norm

from fxcli.metrics.cppl import (
    FLOOR,
    log2_box_probability,
    log2_corner_probability,
    score_cppl,
    teacher_forced,
)
from fxcli.models.cteg import CtegModel
from fxcli.tracks import Track, write_tracks
from fxcli.tracks.channels import CTEG53
from fxcli.train.cteg_checkpoint import save_checkpoint
from tests.conftest import run_fxe
from tests.cteg_tiny import tiny_config


def test_exact_box_probability_is_the_product_of_1d_cdf_differences():
    rng = np.random.default_rng(0)
    g = rng.normal(size=(6, 53))
    mu = g + rng.normal(0, 0.25, size=(6, 53))
    direct = np.log2(np.prod(norm.cdf((g + 0.8 - mu) / 0.2) - norm.cdf((g - 0.8 - mu) / 0.2), axis=1))
    assert np.allclose(log2_box_probability(g, mu), np.maximum(direct, math.log2(FLOOR)), atol=1e-9)


def test_exact_box_probability_agrees_with_monte_carlo():
    rng = np.random.default_rng(1)
    g, mu = np.array([[0.1, -0.3, 0.5]]), np.array([[0.3, -0.1, 0.2]])
    x = mu + 0.2 * rng.standard_normal((400_000, 3))
    inside = np.all(np.abs(x - g) < 0.8, axis=1).mean()
    assert 2 ** log2_box_probability(g, mu)[0] == pytest.approx(inside, abs=3e-3)


def test_exact_probability_stays_precise_in_the_tails_and_is_floored():
    g, mu = np.zeros((1, 1)), np.full((1, 1), 3.0)  # box [-0.8, 0.8] is 11..19 sigma away
    want = (norm.logcdf(-11.0) + np.log1p(-np.exp(norm.logcdf(-19.0) - norm.logcdf(-11.0)))) / math.log(2)
    assert log2_box_probability(g, mu)[0] == pytest.approx(max(want, math.log2(FLOOR)))
    g2, mu2 = np.zeros((1, 53)), np.full((1, 53), 0.9)  # each channel ~0.3: product ~1e-27 -> floor
    assert log2_box_probability(g2, mu2)[0] == pytest.approx(math.log2(FLOOR))


def test_corner_formula_is_the_official_difference_of_joint_cdfs():
    # 1-D: the corner difference is the box probability
    g, mu = np.array([[0.2]]), np.array([[0.1]])
    assert 2 ** log2_corner_probability(g, mu)[0] == pytest.approx(2 ** log2_box_probability(g, mu)[0], abs=1e-6)
    # 2-D, independent axes: Phi(a1)Phi(a2) - Phi(b1)Phi(b2), which differs from the box probability
    g, mu = np.array([[0.5, -0.2]]), np.array([[0.3, 0.1]])
    a, b = (g + 0.8 - mu) / 0.2, (g - 0.8 - mu) / 0.2
    corner = norm.cdf(a).prod() - norm.cdf(b).prod()
    assert 2 ** log2_corner_probability(g, mu)[0] == pytest.approx(corner, abs=1e-5)
    box = np.prod(norm.cdf(a) - norm.cdf(b))
    assert abs(corner - box) > 1e-3
    # and it is scipy's multivariate normal CDF that computes it
    dist = multivariate_normal(mean=mu[0], cov=np.eye(2) * 0.04)
    assert corner == pytest.approx(dist.cdf(g[0] + 0.8) - dist.cdf(g[0] - 0.8), abs=1e-5)


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    torch.manual_seed(0)
    model = CtegModel(tiny_config(text_encoder="minilm", text_dim=384, max_len=16)).eval()
    folder = tmp_path_factory.mktemp("cppl") / "ck"
    save_checkpoint(folder, model, np.zeros(53, np.float32), list(CTEG53), {"epoch": 0, "step": 0})
    return folder, model


def tracks_for(n=3, seed=0):
    rng = np.random.default_rng(seed)
    return [Track(space="flame", channels=list(CTEG53), fps=25.0, frames=rng.normal(0, 0.3, (4 + i, 53)),
                  text=f"text number {i}") for i in range(n)]


def test_score_cppl_matches_an_independent_teacher_forced_computation(checkpoint):
    folder, model = checkpoint
    tracks = tracks_for()
    got = score_cppl(str(folder), tracks)
    from fxcli.text.encoder import load_text_encoder

    enc = load_text_encoder("minilm")
    entropies = []
    for t in tracks:  # one track at a time, plain scipy: H_i = -mean log2 max(prod of CDF differences, floor)
        mu = teacher_forced(model, enc, [t.text], [t.frames], np.zeros(53, np.float32), "cpu")[0]
        p = np.prod(norm.cdf((t.frames + 0.8 - mu) / 0.2) - norm.cdf((t.frames - 0.8 - mu) / 0.2), axis=1)
        entropies.append(-np.mean(np.log2(np.maximum(p, FLOOR))))
    assert got["cppl"] == pytest.approx(2 ** np.mean(entropies), rel=1e-4)  # float32 batching noise
    assert got["tracks"] == 3 and got["frames"] == 4 + 5 + 6
    corner = score_cppl(str(folder), tracks[:1], definition="corner")
    assert corner["cppl"] > 0 and corner["cppl"] != got["cppl"]


def test_fxe_score_reports_cppl_and_rejects_mismatched_tracks(checkpoint, tmp_path):
    folder, _ = checkpoint
    write_tracks(tracks_for(2), tmp_path / "t.jsonl")
    result = run_fxe("score", "--tracks", str(tmp_path / "t.jsonl"), "--cteg-model", str(folder))
    assert result.code == 0, result.stderr
    summary = json.loads(result.out.splitlines()[-1])
    assert summary["cppl"]["definition"] == "exact" and summary["cppl"]["cppl"] >= 1.0
    arkit = Track.zeros("arkit52", 3, 30.0)
    arkit.text = "x"
    write_tracks([arkit], tmp_path / "a.jsonl")
    bad = run_fxe("score", "--tracks", str(tmp_path / "a.jsonl"), "--cteg-model", str(folder))
    assert bad.code == 3 and "checkpoint models 'flame'" in bad.stderr
    missing = run_fxe("score", "--tracks", str(tmp_path / "t.jsonl"), "--cteg-model", str(tmp_path / "nope"))
    assert missing.code == 4
