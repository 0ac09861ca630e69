"""InstructAvatar's motion generator: the VP-SDE, zero-initialised gates, overfitting a tiny set, 2-process
training over gloo, checkpoints that rebuild themselves, and `fxe talk --model instructavatar:CKPT`."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import socket
import subprocess

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from fxcli.models.instructavatar import (  # noqa: E402
    InstructAvatarConfig,
    InstructAvatarModel,
    log_mel_features,
    mel_filterbank,
    vp_alpha_sigma,
)
from tests.conftest import assert_one_error_line, run_fxe  # noqa: E402
from tests.talk_audio_data import lavfi  # noqa: E402

TINY = dict(d_model=32, n_layers=2, n_heads=4, d_ffn=64, kernel=5, dropout=0.0, audio_dim=8, text_dim=16,
            sample_steps=20)


def test_vp_sde_matches_the_integral_of_beta():
    t = torch.tensor([0.0, 0.5, 1.0])
    alpha, sigma = vp_alpha_sigma(t, 0.05, 20.0)
    # by hand: log alpha(t) = -1/2 (0.05 t + 19.95 t^2 / 2)
    assert alpha[2].item() == pytest.approx(math.exp(-0.5 * (0.05 + 9.975)), rel=1e-6)
    # numerically: alpha(0.5) = exp(-1/2 * integral of beta over [0, 0.5]) with the trapezoid rule
    grid = np.linspace(0, 0.5, 10_001)
    integral = np.trapezoid(0.05 + grid * 19.95, grid)
    assert alpha[1].item() == pytest.approx(math.exp(-0.5 * integral), rel=1e-6)
    assert alpha[0].item() == 1.0 and torch.allclose(alpha ** 2 + sigma ** 2, torch.ones(3))


def test_mel_filterbank_and_features():
    fb = mel_filterbank(400, 16000, 80)
    # every band catches some FFT bins (low bands are narrower than a 40 Hz bin, so their peak may fall between)
    assert fb.shape == (80, 201) and torch.all(fb >= 0) and float(fb.sum(1).min()) > 0.2
    assert float(fb[40:].max(1).values.min()) > 0.5
    peaks = fb.argmax(1)
    assert torch.all(peaks[1:] >= peaks[:-1])  # centres rise with the band index
    x = np.sin(2 * np.pi * 440 * np.arange(16000) / 16000).astype(np.float32)
    feats = log_mel_features(x, 16000, 25)
    assert feats.shape == (25, 80)
    band = int(feats.mean(0).argmax())
    assert abs(float((fb[band] * torch.linspace(0, 8000, 201)).sum() / fb[band].sum()) - 440) < 80


def _batch(cfg, b=2, n=12, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(b, n, cfg.motion_dim, generator=g), torch.randn(b, n, cfg.audio_dim, generator=g),
            torch.zeros(b, n, dtype=torch.bool), torch.randn(b, 5, cfg.text_dim, generator=g),
            torch.ones(b, 5, dtype=torch.long))


def test_zero_initialised_gates_make_a_new_model_ignore_the_instruction():
    torch.manual_seed(0)
    cfg = InstructAvatarConfig(**TINY)
    model = InstructAvatarModel(cfg).eval()
    x, a, pad, text, mask = _batch(cfg)
    t = torch.full((2,), 0.5)
    key = torch.zeros(2, cfg.motion_dim)
    out1 = model(x, t, a, pad, key, text, mask)[0]
    out2 = model(x, t, a, pad, key, torch.randn_like(text), mask)[0]
    assert torch.equal(out1, out2)  # gates are zero: the instruction has no way in yet
    for block in model.blocks:
        torch.nn.init.normal_(block.motion.gate.weight, std=0.1)
    out3 = model(x, t, a, pad, key, torch.randn_like(text), mask)[0]
    assert not torch.allclose(out1, out3)
    audio_only = model(x, t, torch.randn_like(a), pad, key, text, mask)[0]
    assert not torch.allclose(out1, audio_only)  # audio enters every block from the start


@pytest.fixture
def one_thread():
    """Tiny models run fastest on one thread, and a busy machine does not stall them."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def test_tiny_model_overfits_a_tiny_set_and_follows_its_instruction(one_thread):
    torch.manual_seed(0)
    cfg = InstructAvatarConfig(**TINY)
    model = InstructAvatarModel(cfg)
    n = 16
    tt = torch.arange(n, dtype=torch.float32)[:, None]
    # two clips with the same audio and different instructions -> different motions
    m0 = torch.sin(tt / 3 + torch.arange(cfg.motion_dim) / 7)
    m1 = torch.cos(tt / 2 - torch.arange(cfg.motion_dim) / 5)
    motion = torch.stack([m0, m1])  # (2, n, 55)
    audio = torch.randn(1, n, cfg.audio_dim, generator=torch.Generator().manual_seed(1)).expand(2, -1, -1)
    text = torch.randn(2, 3, cfg.text_dim, generator=torch.Generator().manual_seed(2))
    mask = torch.ones(2, 3, dtype=torch.long)
    pad = torch.zeros(2, n, dtype=torch.bool)
    aus = torch.tensor([[1.0] * cfg.n_aus, [0.0] * cfg.n_aus])
    intensity = torch.tensor([0.9, 0.1])
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    gen = torch.Generator().manual_seed(3)
    first = None
    for _ in range(400):
        loss = model.loss(motion, audio, pad, text, mask, aus, intensity, generator=gen)
        first = first if first is not None else float(loss["loss"].detach())
        opt.zero_grad()
        loss["loss"].backward()
        opt.step()
    assert float(loss["loss"].detach()) < 0.35 * first
    model.eval()
    out = model.sample(audio, motion[:, 0], text, mask, seed=0, steps=20)  # (2, n, 55)
    err_own = (out - motion).abs().mean((1, 2))
    err_swapped = (out - motion.flip(0)).abs().mean((1, 2))
    assert float(err_own.max()) < 0.25 and torch.all(err_own < 0.5 * err_swapped)
    again = model.sample(audio, motion[:, 0], text, mask, seed=0, steps=20)
    assert torch.equal(out, again)  # seeded


def _tiny_data(folder):
    """manifest.jsonl with two clips: tone audio + arkit52 tracks with pose."""
    from fxcli.tracks import Track, write_tracks
    from fxcli.tracks.channels import ARKIT52

    folder.mkdir()
    rng = np.random.default_rng(0)
    lines = []
    for i, instruction in enumerate(["talk happily", "nod twice"]):
        lavfi(folder / f"a{i}.wav", f"sine=frequency={200 + 100 * i}", 1.2, 16000, 1)
        frames = rng.uniform(0, 0.5, (30, 52)).astype(np.float32)
        pose = rng.normal(0, 0.1, (30, 3)).astype(np.float32)
        write_tracks([Track(space="arkit52", channels=list(ARKIT52), fps=25.0, frames=frames, pose=pose)],
                     folder / f"t{i}.json")
        lines.append(json.dumps({"audio": f"a{i}.wav", "track": f"t{i}.json", "instruction": instruction}))
    (folder / "manifest.jsonl").write_text("\n".join(lines) + "\n")
    return folder


TRAIN_ARGS = ["--d-model", "32", "--layers", "2", "--heads", "4", "--ffn", "64", "--kernel", "5",
              "--batch-size", "2", "--sample-steps", "8", "--device", "cpu"]


@pytest.mark.slow
def test_train_cli_checkpoint_and_talk_backend(tmp_path):
    data = _tiny_data(tmp_path / "data")
    ck = tmp_path / "ck"
    r = run_fxe("train", "instructavatar", "--data", str(data), "-o", str(ck), "--epochs", "2", *TRAIN_ARGS)
    assert r.code == 0, r.stderr
    record = json.loads(r.out)
    assert record["epoch"] == 2 and record["step"] == 2
    info = json.loads((ck / "config.json").read_text())
    assert info["format"] == "fxe.instructavatar/v1" and info["config"]["d_model"] == 32
    assert len(info["channels"]) == 55 and len(info["mean"]) == 55
    from fxcli.train.instructavatar_checkpoint import load_checkpoint
    from fxcli.train.instructavatar_trainer import weights_fingerprint

    assert weights_fingerprint(load_checkpoint(ck).model) == record["fingerprint"]  # rebuilt from config alone
    out = tmp_path / "t.json"
    r = run_fxe("talk", "ict", "--audio", str(data / "a0.wav"), "-i", "talk happily",
                "--model", f"instructavatar:{ck}", "-o", str(out))
    assert r.code == 0, r.stderr
    track = json.loads(out.read_text())
    assert len(track["frames"]) == 30 and track["meta"]["model"] == f"instructavatar:{ck}"
    r = run_fxe("talk", "ict", "--audio", str(data / "a0.wav"), "--model", f"instructavatar:{tmp_path}/none",
                "-o", str(tmp_path / "x.json"))
    assert_one_error_line(r, 4, "no InstructAvatar checkpoint")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("accelerate") is None, reason="accelerate's launcher is not on PATH")
def test_two_processes_over_gloo_end_with_equal_weights(tmp_path):
    data = _tiny_data(tmp_path / "data")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "NO_COLOR": "1"}
    cmd = ["accelerate", "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
           "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", str(free_port()),
           "-m", "fxcli", "train", "instructavatar", "--data", str(data), "-o", str(tmp_path / "ck"),
           "--epochs", "2", *TRAIN_ARGS]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "2 process(es)" in result.stderr
    prints = re.findall(r"process (\d)/2: weights sha256 ([0-9a-f]{64})", result.stderr)
    assert sorted(p for p, _ in prints) == ["1", "2"] and prints[0][1] == prints[1][1]
    record = json.loads(result.stdout)
    assert record["fingerprint"] == prints[0][1] and record["step"] == 2  # 2 clips / (2 processes x 1) per step
