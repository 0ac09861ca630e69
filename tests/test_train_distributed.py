"""`accelerate launch` with 2 CPU processes (DDP over gloo): one epoch, identical weights in both."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess

import numpy as np
import pytest

from fxcli.tracks import Track, write_tracks
from fxcli.tracks.channels import ARKIT52


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("accelerate") is None, reason="accelerate's launcher is not on PATH")
def test_two_processes_end_with_identical_weights(tmp_path):
    rng = np.random.default_rng(0)
    data = tmp_path / "data"
    data.mkdir()
    # arkit52 tracks: also covers the 52-wide configuration and the training-mean start frame
    tracks = [Track(space="arkit52", channels=list(ARKIT52), fps=30.0,
                    frames=rng.uniform(0, 1, (4 + i, 52)).astype(np.float32), text=f"line {i} of the set")
              for i in range(4)]
    write_tracks(tracks, data / "set.jsonl")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "NO_COLOR": "1"}
    cmd = ["accelerate", "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
           "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", str(free_port()),
           "-m", "fxcli", "train", "cteg", "--data", str(data), "-o", str(tmp_path / "ck"), "--epochs", "1",
           "--batch-size", "2", "--dev-fraction", "0", "--text-encoder", "minilm", "--d-model", "32", "--heads", "4",
           "--ffn", "64", "--max-len", "8", "--warmup", "5", "--device", "cpu"]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "2 process(es)" in result.stderr
    prints = re.findall(r"process (\d)/2: weights sha256 ([0-9a-f]{64})", result.stderr)
    assert sorted(p for p, _ in prints) == ["1", "2"]
    assert prints[0][1] == prints[1][1]
    # the main process alone writes the checkpoint and the stdout record
    record = json.loads(result.stdout)
    assert record["fingerprint"] == prints[0][1] and record["step"] == 1
    info = json.loads((tmp_path / "ck" / "config.json").read_text())
    assert info["config"]["frame_width"] == 52 and info["config"]["space"] == "arkit52"
    means = np.concatenate([t.frames for t in tracks]).mean(0)
    assert np.allclose(info["mean_frame"], means, atol=1e-6)  # ARKit start frame = mean of the training frames
    # the saved weights are the ones both processes hold
    from fxcli.train.cteg_checkpoint import load_checkpoint
    from fxcli.train.cteg_trainer import weights_fingerprint

    assert weights_fingerprint(load_checkpoint(tmp_path / "ck").model) == prints[0][1]
