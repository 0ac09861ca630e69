"""The trainer registry: `fxe train NAME` lazily, shared options, the training log and --dry-run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass

import click
import numpy as np
import pytest

from fxcli.cli.main import main
from fxcli.cli.train_cmd import TRAINERS, train
from fxcli.tracks import Track, write_tracks
from fxcli.tracks.channels import ARKIT52
from fxcli.train.training_log import TrainingLog, peak_memory

SHARED = {"data", "output", "epochs", "batch_size", "precision", "resume", "dry_run"}
TINY = ["--text-encoder", "minilm", "--d-model", "32", "--heads", "4", "--ffn", "64", "--max-len", "8",
        "--warmup", "5", "--device", "cpu", "--batch-size", "2", "--dev-fraction", "0", "--metric-samples", "0", "-q"]


def fxe(*args):
    env = {**os.environ, "OMP_NUM_THREADS": "1", "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "fxcli", *args], capture_output=True, text=True, env=env,
                          timeout=300)


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def run(capsys):
    """`fxe ARGS` in this process (the text encoder stays loaded between runs)."""

    def invoke(*args):
        capsys.readouterr()
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return invoke


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    rng = np.random.default_rng(0)
    folder = tmp_path_factory.mktemp("tracks")
    tracks = [Track(space="arkit52", channels=list(ARKIT52), fps=30.0,
                    frames=rng.uniform(0, 1, (4 + i, 52)).astype(np.float32), text=f"line {i} of the set")
              for i in range(6)]
    write_tracks(tracks, folder / "set.jsonl")
    return folder


def test_every_trainer_in_the_table_is_a_command_with_the_shared_options():
    ctx = click.Context(train)
    assert set(TRAINERS) <= set(train.list_commands(ctx))
    for name, (target, summary) in TRAINERS.items():
        assert ":" in target and summary.strip()
        command = train.get_command(ctx, name)
        params = {p.name for p in command.params}
        if name.endswith("-prepare"):
            continue  # data preparation, not a trainer
        assert SHARED <= params, (name, SHARED - params)


def test_train_help_lists_trainers_with_their_summaries():
    result = fxe("train", "--help")
    assert result.returncode == 0
    for name, (_, summary) in TRAINERS.items():
        assert name in result.stdout
        assert summary.split()[0] in result.stdout


def test_unknown_trainer_is_a_usage_error():
    result = fxe("train", "nosuchmodel", "--data", "x", "-o", "y")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_cteg_dry_run_prints_sizes_and_memory_and_writes_nothing(data, tmp_path, run):
    out = tmp_path / "ck"
    result = run("train", "cteg", "--data", str(data), "-o", str(out), "--dry-run", *TINY)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["trainer"] == "cteg" and report["dry_run"] is True
    # independent count: the same configuration built here
    import torch

    from fxcli.models.cteg import CtegConfig, CtegModel

    torch.manual_seed(0)
    cfg = CtegConfig.for_space("arkit52", d_model=32, n_heads=4, d_ffn=64, n_layers=1, max_len=8, text_dim=384)
    expected = sum(p.numel() for p in CtegModel(cfg).parameters())
    assert report["parameters"]["cteg"]["total"] == expected == report["parameters_trainable"]
    assert report["step"]["step"] == 1 and np.isfinite(report["step"]["loss"])
    assert report["peak_memory"]["cpu_max_rss_bytes"] > 50 * 2**20  # torch alone is more than 50 MiB
    assert not out.exists()


def test_cteg_training_writes_the_log_and_the_curve(data, tmp_path, run):
    out = tmp_path / "ck"
    result = run("train", "cteg", "--data", str(data), "-o", str(out), "--epochs", "2", *TINY)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(x) for x in (out / "train_log.jsonl").read_text().splitlines()]
    steps = [r for r in lines if r["kind"] == "step"]
    epochs = [r for r in lines if r["kind"] == "epoch"]
    assert [r["step"] for r in steps] == list(range(1, 7))  # 6 sequences, batch 2, 2 epochs
    assert [r["epoch"] for r in epochs] == [1, 2]
    for r in steps:
        assert {"step", "epoch", "loss", "lr", "seconds", "rec", "kl", "guide"} <= set(r)
        assert r["loss"] == pytest.approx(r["rec"] + r["kl"] + r["guide"], rel=1e-5)
    assert all(a["seconds"] <= b["seconds"] for a, b in zip(steps, steps[1:], strict=False))
    # the epoch record is the mean of its steps' losses
    assert epochs[0]["loss"] == pytest.approx(np.mean([r["loss"] for r in steps[:3]]), rel=1e-6)
    record = json.loads(result.stdout)
    assert record["train_loss"] == pytest.approx(epochs[-1]["loss"])
    png = (out / "loss.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_fp16_on_cpu_is_refused(data, tmp_path, run):
    result = run("train", "cteg", "--data", str(data), "-o", str(tmp_path / "ck"), "--precision", "fp16", *TINY)
    assert result.returncode == 2
    assert "fp16" in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_training_log_unit(tmp_path):
    log = TrainingLog(tmp_path / "run")
    log.step(step=1, epoch=1, loss=2.0, terms={"a": 1.5, "b": 0.5, "nan": float("nan")}, lr=1e-4)
    log.epoch(step=1, epoch=1, loss=2.0, terms={"a": 1.5}, lr=1e-4)
    records = log.records()
    assert records[0]["a"] == 1.5 and records[0]["terms"]["b"] == 0.5 and records[0]["nan"] is None
    assert (tmp_path / "run" / "loss.png").exists()
    resumed = TrainingLog(tmp_path / "run", resume=True)  # appends; seconds continue from the last record
    resumed.step(step=2, epoch=2, loss=1.0, lr=1e-4)
    again = resumed.records()
    assert again[:2] == records and again[2]["step"] == 2 and again[2]["seconds"] >= records[-1]["seconds"]
    assert len(TrainingLog(tmp_path / "run").records()) == 0  # a fresh run starts a fresh log
    silent = TrainingLog(tmp_path / "other", enabled=False)
    silent.step(step=1, epoch=1, loss=1.0)
    silent.close()
    assert not (tmp_path / "other").exists()
    assert peak_memory("cpu")["cpu_max_rss_bytes"] > 0
