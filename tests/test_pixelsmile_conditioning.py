"""PixelSmile's e(alpha): exact end points, linearity, blending, padding and masking of unequal lengths."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from fxcli.models import pixelsmile_conditioning as pc  # noqa: E402


def cond(length: int, dim: int = 4, seed: int = 0, valid: int | None = None) -> pc.Conditioning:
    g = torch.Generator().manual_seed(seed)
    mask = torch.ones(1, length, dtype=torch.long)
    if valid is not None:
        mask[:, valid:] = 0
    return pc.Conditioning(torch.randn(1, length, dim, generator=g), mask)


def test_prompts_match_the_trained_instruction():
    assert pc.edit_prompt("happy") == "Edit the person to show a happy expression"
    assert pc.neutral_prompt() == "Edit the person to show a neutral expression"
    assert pc.edit_prompt("shy", "character") == "Edit the character to show a shy expression"


def test_alpha_zero_and_one_are_exactly_the_end_points():
    n, t = cond(7, seed=1), cond(7, seed=2)
    assert torch.equal(pc.interpolate(n, t, 0.0).embeds, n.embeds)
    assert torch.equal(pc.interpolate(n, t, 1.0).embeds, t.embeds)
    assert torch.equal(pc.interpolate(n, t, 1.0).mask, t.mask)


def test_linear_in_alpha_hand_worked():
    n = pc.Conditioning(torch.tensor([[[0.0, 2.0], [4.0, -2.0]]]), torch.ones(1, 2, dtype=torch.long))
    t = pc.Conditioning(torch.tensor([[[2.0, 2.0], [0.0, 6.0]]]), torch.ones(1, 2, dtype=torch.long))
    assert torch.allclose(pc.interpolate(n, t, 0.5).embeds, torch.tensor([[[1.0, 2.0], [2.0, 2.0]]]))
    assert torch.allclose(pc.interpolate(n, t, 2.0).embeds, torch.tensor([[[4.0, 2.0], [-4.0, 14.0]]]))
    assert torch.allclose(pc.interpolate(n, t, 0.25).embeds, torch.tensor([[[0.5, 2.0], [3.0, 0.0]]]))


def test_linearity_over_a_sweep():
    n, t = cond(9, dim=8, seed=3), cond(9, dim=8, seed=4)
    e = {a: pc.interpolate(n, t, a).embeds for a in (0.0, 0.25, 0.5, 1.0, 1.5, 3.0)}
    for a, v in e.items():
        assert torch.allclose(v, (1 - a) * n.embeds + a * t.embeds, atol=1e-6)
    # equal steps in alpha give equal steps in the conditioning
    assert torch.allclose(e[0.5] - e[0.25], (e[1.0] - e[0.0]) / 4, atol=1e-6)


def test_blend_is_the_sum_of_directions():
    n, a, b = cond(6, seed=5), cond(6, seed=6), cond(6, seed=7)
    got = pc.blend(n, [(a, 0.6), (b, 0.4)]).embeds
    want = n.embeds + 0.6 * (a.embeds - n.embeds) + 0.4 * (b.embeds - n.embeds)
    assert torch.allclose(got, want, atol=1e-6)
    one = pc.blend(n, [(a, 0.6)]).embeds
    assert torch.allclose(one, pc.interpolate(n, a, 0.6).embeds, atol=1e-6)
    # each direction enters independently
    d_a = pc.blend(n, [(a, 1.0), (b, 0.0)]).embeds - n.embeds
    d_b = pc.blend(n, [(a, 0.0), (b, 1.0)]).embeds - n.embeds
    assert torch.allclose(got - n.embeds, 0.6 * d_a + 0.4 * d_b, atol=1e-6)


def test_unequal_lengths_are_padded_and_masked():
    n, t = cond(5, seed=8), cond(7, seed=9)
    mid = pc.interpolate(n, t, 0.5)
    assert mid.embeds.shape == (1, 7, 4)
    assert mid.mask.tolist() == [[1] * 7]
    # the first 5 tokens interpolate; the 2 the neutral prompt lacks carry alpha * target
    assert torch.allclose(mid.embeds[:, :5], 0.5 * (n.embeds + t.embeds[:, :5]), atol=1e-6)
    assert torch.allclose(mid.embeds[:, 5:], 0.5 * t.embeds[:, 5:], atol=1e-6)
    zero = pc.interpolate(n, t, 0.0)
    assert torch.equal(zero.embeds[:, :5], n.embeds)
    assert zero.mask.tolist() == [[1] * 5 + [0] * 2]
    assert torch.count_nonzero(zero.embeds[:, 5:]) == 0
    one = pc.interpolate(n, t, 1.0)
    assert torch.equal(one.embeds, t.embeds) and torch.equal(one.mask, t.mask)


def test_longer_neutral_keeps_its_tokens_masked_at_alpha_one():
    n, t = cond(8, seed=10), cond(6, seed=11)
    one = pc.interpolate(n, t, 1.0)
    assert one.mask.tolist() == [[1] * 6 + [0] * 2]
    assert torch.equal(one.embeds[:, :6], t.embeds)
    extra = pc.interpolate(n, t, 2.0)  # extrapolation: the neutral prompt enters with weight -1
    assert extra.mask.tolist() == [[1] * 8]
    assert torch.allclose(extra.embeds[:, 6:], -n.embeds[:, 6:], atol=1e-6)


def test_pad_refuses_to_shrink():
    with pytest.raises(ValueError):
        pc.pad_to(cond(5), 3)
