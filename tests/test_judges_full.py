"""Full judges: their formulas on tiny seeded models built here, and exit 4 when weights are missing."""

from __future__ import annotations

import numpy as np
import pytest

from fxcli.errors import ModelMissingError
from fxcli.judges.arcface import TEMPLATE, similarity_transform
from tests.conftest import PORTRAITS, assert_one_error_line, run_fxe

torch = pytest.importorskip("torch")

PORTRAIT = str(PORTRAITS / "interfaces-001.jpg")


def test_similarity_transform_recovers_a_known_transform():
    t = np.radians(20)
    a = 1.7 * np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    src = np.array([[0, 0], [10, 0], [5, 5], [2, 9], [8, 9]], float)
    dst = src @ a.T + [30, -4]
    m = similarity_transform(src, dst)
    np.testing.assert_allclose(m[:, :2], a, atol=1e-9)
    np.testing.assert_allclose(m[:, 2], [30, -4], atol=1e-9)
    assert TEMPLATE.shape == (5, 2)


def test_lpips_hand_worked_on_a_one_channel_net():
    """One channel per layer, all-positive kernels, zero biases: an all-white image has positive features
    everywhere, an all-black one has none (every conv input is negative after the scaling layer), so each
    layer contributes exactly its head weight: LPIPS = Σ w_l."""
    from fxcli.judges.lpips import build_lpips_net, lpips_distance

    trunk, lins = build_lpips_net((1, 1, 1, 1, 1))
    with torch.no_grad():
        for m in trunk:
            if isinstance(m, torch.nn.Conv2d):
                m.weight.fill_(0.01)
                m.bias.zero_()
        for w, lin in zip((0.1, 0.2, 0.3, 0.4, 0.5), lins, strict=True):
            lin.weight.fill_(w)
        white, black = torch.ones(1, 3, 96, 96), -torch.ones(1, 3, 96, 96)
        assert float(lpips_distance(trunk, lins, white, black)[0]) == pytest.approx(1.5, rel=1e-5)
        assert float(lpips_distance(trunk, lins, white, white)[0]) == 0.0


def test_lpips_judge_loads_weight_files(tmp_path):
    from fxcli.judges.lpips import CHANNELS, LpipsJudge, build_lpips_net

    torch.manual_seed(0)
    trunk, _ = build_lpips_net()
    torch.save({f"features.{k}": v for k, v in trunk.state_dict().items()}, tmp_path / "alexnet-owt-7be5be79.pth")
    torch.save({f"lin{i}.model.1.weight": torch.rand(1, c, 1, 1) for i, c in enumerate(CHANNELS)},
               tmp_path / "alex.pth")
    judge = LpipsJudge(str(tmp_path))
    rng = np.random.default_rng(0)
    a, b = (rng.integers(0, 256, (64, 80, 3), dtype=np.uint8) for _ in range(2))
    assert judge.distance(a, a) == pytest.approx(0.0, abs=1e-7)
    d = judge.distance(a, b)
    assert d > 0 and d == pytest.approx(judge.distance(b, a), rel=1e-5)
    (tmp_path / "alex.pth").write_bytes(b"junk")
    with pytest.raises(ModelMissingError, match="not usable"):
        LpipsJudge(str(tmp_path))


@pytest.fixture(scope="module")
def tiny_dino(tmp_path_factory):
    from transformers import Dinov2Config, Dinov2Model

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("dino")
    cfg = Dinov2Config(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
                       image_size=224, patch_size=14)
    Dinov2Model(cfg).save_pretrained(folder)
    return folder


def test_dino_judge_embeds_unit_vectors(tiny_dino):
    from fxcli.judges.image_features import DinoJudge

    judge = DinoJudge(str(tiny_dino))
    img = np.random.default_rng(1).integers(0, 256, (120, 90, 3), dtype=np.uint8)
    e = judge.image_embed(img)
    assert e.shape == (32,) and np.linalg.norm(e) == pytest.approx(1.0)


def test_score_with_a_dino_judge_reports_dino_and_consistency(tiny_dino, tmp_path):
    import json

    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text("\n".join(json.dumps({"image": str(PORTRAITS / f"interfaces-0{n}.jpg"), "source": PORTRAIT,
                                           "expression": "happy"}) for n in ("09", "10")) + "\n")
    r = run_fxe("score", "--pairs", str(pairs), "--judge", f"dino:{tiny_dino}")
    assert r.code == 0, r.stderr
    lines = [json.loads(x) for x in r.out.splitlines()]
    assert all(-1 <= rec["dino"] <= 1 for rec in lines[:2])
    summary = lines[-1]
    assert summary["gen_affect"]["dino"] == pytest.approx(np.mean([rec["dino"] for rec in lines[:2]]), abs=1e-4)
    assert summary["gen_affect"]["dino_consistency"] is not None
    assert "gen_affect.dino" not in summary["skipped"] and "geneava.lpips" in summary["skipped"]


@pytest.mark.parametrize(("judge", "fragment"), [
    ("dino", "fxe models pull dinov2-base"),
    ("clip", "fxe models pull clip-vit-large-patch14"),
    ("lpips", "alexnet-owt-7be5be79.pth"),
])
def test_missing_weights_exit_4(tmp_path, judge, fragment):
    env = {"FXE_HOME": str(tmp_path / "home"), "HF_HUB_CACHE": str(tmp_path / "hf"), "HF_HOME": str(tmp_path / "hf")}
    r = run_fxe("score", "--images", PORTRAIT, "--judge", judge, env=env)
    assert_one_error_line(r, 4, "is not available", fragment)
    assert r.stdout == b""


def test_arcface_without_onnxruntime_names_the_extra(tmp_path):
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        r = run_fxe("score", "--images", PORTRAIT, "--judge", "arcface")
        assert_one_error_line(r, 4, "onnxruntime", "pip install fxcli[insightface]")
    else:
        env = {"FXE_HOME": str(tmp_path)}
        r = run_fxe("score", "--images", PORTRAIT, "--judge", "arcface", env=env)
        assert_one_error_line(r, 4, "insightface-antelopev2")
