"""CTEG model: cached sampling parity, EwA (closed form and causality), losses, schedule, overfitting."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from fxcli.models.cteg import CtegConfig, CtegModel, noam_factor
from tests.cteg_tiny import WordTableEncoder, tiny_config


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny models: threads only add contention on a shared machine
    yield
    torch.set_num_threads(before)


def text_batch(texts, dim=16):
    return WordTableEncoder(dim).encode_tokens(texts)


def test_cached_sampling_equals_full_prefix_decoding():
    torch.manual_seed(0)
    model = CtegModel(tiny_config(n_layers=2, max_len=24)).eval()
    hidden, mask = text_batch(["a short one", "a much longer sentence with words", "mid size text"])
    assert (mask == 0).any()  # padding is exercised
    start = torch.randn(53)
    fast = model.sample(hidden, mask, start, seed=5, stop_threshold=0.0, use_cache=True)
    slow = model.sample(hidden, mask, start, seed=5, stop_threshold=0.0, use_cache=False)
    assert [len(s) for s in fast] == [24, 24, 24]
    for a, b in zip(fast, slow, strict=True):
        assert torch.allclose(a, b, atol=1e-5, rtol=0)
    again = model.sample(hidden, mask, start, seed=5, stop_threshold=0.0)
    other = model.sample(hidden, mask, start, seed=6, stop_threshold=0.0)
    assert all(torch.equal(a, b) for a, b in zip(fast, again, strict=True))
    assert not torch.allclose(fast[0], other[0])


def test_sampling_stops_at_the_threshold_and_keeps_one_frame():
    torch.manual_seed(0)
    model = CtegModel(tiny_config()).eval()
    hidden, mask = text_batch(["one", "two words"])
    seqs = model.sample(hidden, mask, torch.zeros(53), seed=0, stop_threshold=1e9)  # every mean is "near zero"
    assert [len(s) for s in seqs] == [1, 1]
    seqs = model.sample(hidden, mask, torch.zeros(53), seed=0, stop_threshold=0.0, max_len=7)
    assert [len(s) for s in seqs] == [7, 7]
    with pytest.raises(ValueError):
        model.sample(hidden, mask, torch.zeros(53), seed=0, max_len=25)


def test_item_noise_depends_only_on_seed_plus_index():
    torch.manual_seed(0)
    model = CtegModel(tiny_config()).eval()
    h, m = text_batch(["first text", "second text here"])
    both = model.sample(h, m, torch.zeros(53), seed=3, stop_threshold=0.0, max_len=6)
    h2, m2 = text_batch(["second text here"])
    alone = model.sample(h2, m2, torch.zeros(53), seed=4, stop_threshold=0.0, max_len=6)
    assert torch.allclose(both[1], alone[0], atol=1e-5)


def test_sampling_noise_is_scaled_per_channel():
    scale = [0.0] * 50 + [0.5, 0.0, 2.0]  # noise only on jaw0 (x0.5) and jaw2 (x2)
    torch.manual_seed(0)
    model = CtegModel(tiny_config(noise_scale=scale)).eval()
    h, m = text_batch(["scaled noise"])
    noisy = model.sample(h, m, torch.zeros(53), seed=9, stop_threshold=0.0, max_len=1)[0][0]
    means = model.sample(h, m, torch.zeros(53), seed=9, stop_threshold=0.0, max_len=1, noise_std=0.0)[0][0]
    diff = noisy - means  # first frame: the same mean, plus sigma * scale * eps
    assert torch.count_nonzero(diff[:50]) == 0 and diff[51] == 0
    assert diff[50] != 0 and diff[52] != 0
    with pytest.raises(ValueError, match="noise_scale has 2 values"):
        tiny_config(noise_scale=[1.0, 1.0])


def test_expression_wise_attention_matches_plain_multi_head_attention():
    torch.manual_seed(1)
    cfg = tiny_config()
    ewa = CtegModel(cfg).ewa
    frames, run_mean = torch.randn(2, 5, 53), torch.randn(2, 5, 53)
    got = ewa(frames, run_mean)
    # reference: explicit tokens (Linear(1 -> D) of each channel value), softmax attention per head
    jaw, face = list(cfg.jaw_channels), [c for c in range(53) if c not in cfg.jaw_channels]
    h, dh = cfg.n_heads, cfg.d_model // cfg.n_heads
    want = frames.clone()
    for b in range(2):
        for t in range(5):
            q = ewa.q(run_mean[b, t, jaw][:, None]).view(len(jaw), h, dh)
            k = ewa.k(run_mean[b, t, face][:, None]).view(len(face), h, dh)
            v = ewa.v(run_mean[b, t, face][:, None]).view(len(face), h, dh)
            att = torch.einsum("jhd,chd->hjc", q, k).div(math.sqrt(dh)).softmax(-1)
            y = torch.einsum("hjc,chd->jhd", att, v).reshape(len(jaw), -1)
            want[b, t, jaw] += ewa.out(y)[:, 0]
    assert torch.allclose(got, want, atol=1e-5)
    assert torch.equal(got[..., face], frames[..., face])  # only the jaw channels change


def test_arkit_width_uses_the_arkit_jaw_channels():
    cfg = CtegConfig.for_space("arkit52", d_model=32, n_heads=4, d_ffn=64, text_dim=16)
    assert cfg.frame_width == 52 and cfg.jaw_channels == (14, 15, 16, 17)
    model = CtegModel(cfg).eval()
    h, m = text_batch(["x"])
    assert model.sample(h, m, torch.zeros(52), seed=0, max_len=3, stop_threshold=0.0)[0].shape == (3, 52)


def test_teacher_forced_predictions_never_see_future_frames():
    torch.manual_seed(2)
    model = CtegModel(tiny_config()).eval()
    h, m = text_batch(["some text"])
    frames = torch.randn(1, 10, 53)
    changed = frames.clone()
    changed[0, 6] += 5.0
    a = model.teacher_forced_means(frames, h, m)
    b = model.teacher_forced_means(changed, h, m)
    assert torch.allclose(a[:, :6], b[:, :6], atol=1e-6)  # positions before the change are unaffected
    assert not torch.allclose(a[:, 6:], b[:, 6:])


def test_loss_terms_match_hand_computation():
    model = CtegModel(tiny_config())
    pred, target = torch.zeros(1, 1, 53), torch.zeros(1, 1, 53)
    pred[0, 0, 0], pred[0, 0, 50] = 3.0, 0.8  # exp00 off by 3, jaw0 off by 0.8 (x5 = 4)
    assert model.weighted_distance(pred, target).item() == pytest.approx(5.0, abs=1e-5)

    # KL(posterior || prior) against torch.distributions, read from the heads' outputs
    torch.manual_seed(3)
    model.train()
    seen = {}
    layer = model.layers[0]
    layer.prior.register_forward_hook(lambda mod, i, o: seen.__setitem__("p", o.detach()))
    layer.posterior.register_forward_hook(lambda mod, i, o: seen.__setitem__("q", o.detach()))
    h, m = text_batch(["hello there"])
    out = model(torch.randn(1, 6, 53), h, m)
    mu_p, lv_p = seen["p"].chunk(2, -1)
    mu_q, lv_q = seen["q"].chunk(2, -1)
    normal = torch.distributions.Normal
    want = torch.distributions.kl_divergence(normal(mu_q, (0.5 * lv_q).exp()), normal(mu_p, (0.5 * lv_p).exp()))
    assert torch.allclose(out["kl"], want.sum(-1), rtol=1e-4, atol=1e-4)


def test_noam_schedule_hand_values():
    # d 768, warm-up 4000, multiplier 2: linear rise to the peak at step 4000, then step^-0.5 decay
    peak = 2 * 768**-0.5 * 4000**-0.5
    assert noam_factor(4000, 768, 4000, 2.0) == pytest.approx(peak)
    assert noam_factor(2000, 768, 4000, 2.0) == pytest.approx(peak / 2)
    assert noam_factor(16000, 768, 4000, 2.0) == pytest.approx(peak / 2)


def test_tiny_model_overfits_tiny_dataset():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    texts = ["the cat sat down", "what a lovely day", "i am so angry now", "quiet evening again"]
    targets = []
    for i in range(len(texts)):
        a, b = rng.normal(0, 1.0, 53), rng.normal(0, 1.0, 53)
        targets.append((a[None] + np.linspace(0, 1, 6 + i)[:, None] * b[None]).astype(np.float32))
    cfg = tiny_config(max_len=16, lr_mul=0.7, warmup=50)
    model = CtegModel(cfg)
    hidden, mask = text_batch(texts)
    frames = torch.zeros(len(texts), max(map(len, targets)) + 2, 53)  # [BOS = 0, frames, EOS = 0, pad]
    for i, t in enumerate(targets):
        frames[i, 1 : 1 + len(t)] = torch.from_numpy(t)
    lengths = torch.tensor([len(t) for t in targets])
    opt = torch.optim.Adam(model.parameters(), lr=1.0, betas=(0.9, 0.98), eps=1e-9)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: noam_factor(i + 1, cfg.d_model, cfg.warmup, cfg.lr_mul))
    gen = torch.Generator().manual_seed(0)
    losses = []
    for _ in range(600):
        out = model.loss(frames, lengths, hidden, mask, generator=gen)
        opt.zero_grad()
        out["loss"].backward()
        opt.step()
        sched.step()
        losses.append(float(out["loss"].detach()))
    assert np.mean(losses[-10:]) < 0.1 * losses[0]

    model.eval()
    seqs = model.sample(hidden, mask, torch.zeros(53), seed=0, noise_std=0.0)

    def distance(a: np.ndarray, b: np.ndarray) -> float:
        k = min(len(a), len(b))
        return float(np.linalg.norm(a[:k] - b[:k], axis=1).mean())

    table = np.array([[distance(s.numpy(), t) for t in targets] for s in seqs])
    for i in range(len(texts)):
        assert table[i, i] < np.delete(table[i], i).min(), table


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cached_sampling_parity_on_cuda():
    torch.manual_seed(0)
    model = CtegModel(tiny_config(n_layers=2)).eval().cuda()
    hidden, mask = text_batch(["a short one", "a longer sentence with words"])
    start = torch.randn(53)
    fast = model.sample(hidden.cuda(), mask.cuda(), start, seed=1, stop_threshold=0.0)
    slow = model.sample(hidden.cuda(), mask.cuda(), start, seed=1, stop_threshold=0.0, use_cache=False)
    cpu = model.cpu().sample(hidden, mask, start, seed=1, stop_threshold=0.0)
    for a, b, c in zip(fast, slow, cpu, strict=True):
        assert torch.allclose(a, b, atol=1e-4) and torch.allclose(a.cpu(), c, atol=1e-3)
