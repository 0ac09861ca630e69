"""PixelSmile training on 2 CPU processes (accelerate launch, DDP over gloo): identical LoRA weights on both."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

SCRIPT = """
import sys
sys.path.insert(0, {repo!r})
from tests.pixelsmile_train_tiny import tiny_components
from fxcli.train.pixelsmile_trainer import Settings, train_pixelsmile

s = Settings(size=32, source_size=32, lr=2e-3, warmup=0, rank=4, alpha=8)
record = train_pixelsmile({data!r}, {out!r}, epochs=1, batch_size=1, precision="fp32", device="cpu", settings=s,
                          components=tiny_components(0), log=lambda m: sys.stderr.write(m + "\\n"))
# one write per line: the two processes share the stderr pipe, and print() writes each piece separately
sys.stderr.write(f"record {{record['process_index']}} {{record['step']}} {{record['fingerprint']}}\\n")
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("accelerate") is None, reason="accelerate's launcher is not on PATH")
def test_two_processes_end_with_identical_lora_weights(tmp_path):
    from tests.pixelsmile_train_tiny import tiny_triplets

    data = tiny_triplets(tmp_path / "data", n=2)
    script = tmp_path / "train.py"
    script.write_text(SCRIPT.format(repo=str(REPO), data=str(data), out=str(tmp_path / "ck")))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "NO_COLOR": "1"}
    cmd = ["accelerate", "launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
           "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", str(free_port()), str(script)]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "2 process(es)" in result.stderr
    prints = re.findall(r"process (\d)/2: LoRA weights sha256 ([0-9a-f]{64})", result.stderr)
    assert sorted(p for p, _ in prints) == ["1", "2"]
    assert prints[0][1] == prints[1][1]
    # 2 triplets, batch 1 per process, 2 processes: one optimiser step, and every LoRA weight moved
    records = re.findall(r"record (\d) (\d+) ([0-9a-f]{64})", result.stderr)
    assert sorted(r[0] for r in records) == ["0", "1"] and all(r[1] == "1" for r in records)
    # the checkpoint written by the main process holds the weights both processes ended with
    from safetensors.torch import load_file

    from fxcli.train.cteg_trainer import weights_fingerprint
    from fxcli.train.pixelsmile_trainer import _StateHolder

    lora = tmp_path / "ck" / "pixelsmile_lora.safetensors"
    saved = {k.removeprefix("transformer."): v for k, v in load_file(str(lora)).items()}
    assert weights_fingerprint(_StateHolder(saved)) == prints[0][1]
