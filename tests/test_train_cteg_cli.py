"""`fxe train cteg` as a user runs it: data formats, checkpoint, resume, text2flame on it, bad input."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from dataclasses import dataclass

import numpy as np
import pytest

from fxcli.cli.main import main
from fxcli.tracks import Track, write_tracks
from fxcli.tracks.channels import CTEG53

TINY = ["--text-encoder", "minilm", "--d-model", "32", "--heads", "4", "--ffn", "64", "--max-len", "12",
        "--batch-size", "4", "--warmup", "10", "--metric-samples", "2", "--device", "cpu", "-q"]


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run(capsys):
    """Run `fxe ARGS` in this process (the minilm encoder stays loaded): exit code, stdout, stderr."""

    def invoke(args):
        capsys.readouterr()
        try:
            main(list(args))
        except SystemExit as exc:
            code = exc.code
        captured = capsys.readouterr()
        return Outcome(code, captured.out, captured.err)

    return invoke


def fxe(*args):
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "fxcli", *args], capture_output=True, text=True, env=env)


def emoava_folder(path, texts, arrays):
    path.mkdir(parents=True, exist_ok=True)
    (path / "train_stage1_text.pkl").write_bytes(pickle.dumps(texts))
    (path / "train_stage1_exps.pkl").write_bytes(pickle.dumps(arrays))
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A 1-epoch checkpoint trained on EmoAva-format pickles through the CLI."""
    root = tmp_path_factory.mktemp("cteg")
    rng = np.random.default_rng(0)
    texts = [f"sentence number {w} is here" for w in ("one", "two", "three", "four", "five", "six")]
    arrays = [rng.normal(0, 1, (5 + i, 53)).astype(np.float32) for i in range(6)]
    data = emoava_folder(root / "data", texts, arrays)
    ckpt = root / "ckpt"
    result = fxe("train", "cteg", "--data", str(data), "-o", str(ckpt), "--epochs", "1", "--dev-fraction", "0.34",
                 *TINY)
    assert result.returncode == 0, result.stderr
    return data, ckpt, json.loads(result.stdout)


def test_training_writes_a_self_describing_checkpoint(trained):
    data, ckpt, record = trained
    assert sorted(p.name for p in ckpt.iterdir()) == ["config.json", "loss.png", "model.safetensors",
                                                   "train_log.jsonl", "training_state.pt"]
    info = json.loads((ckpt / "config.json").read_text())
    assert info["format"] == "fxe.cteg/v1" and info["fxe_version"]
    assert info["config"]["text_encoder"] == "minilm" and info["config"]["text_dim"] == 384
    mean = np.load(os.path.join(os.path.dirname(__import__("fxcli").__file__), "assets/emoava_stats/stage1_mean.npy"))
    assert np.allclose(info["mean_frame"], mean.reshape(-1), atol=1e-6)  # the FLAME start frame is EmoAva's mean
    assert info["channels"] == list(CTEG53)
    assert record["epoch"] == 1 and record["step"] == 1
    for key in ("train_loss", "dev_loss", "dev_rec", "dev_kl", "dev_guide"):
        assert np.isfinite(record[key]), key
    assert len(info["history"]) == 1


def test_text2flame_samples_from_the_checkpoint(trained):
    _, ckpt, _ = trained
    a = fxe("text2flame", "--model", f"cteg:{ckpt}", "What a beautiful story.", "--seed", "3")
    assert a.returncode == 0, a.stderr
    track = read_tracks_from(a.stdout)[0]
    assert track.space == "flame" and track.channels == list(CTEG53)
    assert 1 <= track.n_frames <= 12 and track.text == "What a beautiful story."
    assert track.meta["model"] == f"cteg:{ckpt}" and len(track.meta["model_hash"]) == 64
    b = fxe("text2flame", "--model", f"cteg:{ckpt}", "What a beautiful story.", "--seed", "3")
    assert a.stdout == b.stdout  # seeded
    c = fxe("text2flame", "--model", f"cteg:{ckpt}", "What a beautiful story.", "--expression", "happy")
    assert c.returncode == 2 and "not supported" in c.stderr and c.stdout == ""


def read_tracks_from(text):
    from fxcli.tracks.track_io import parse_tracks

    return parse_tracks(text.encode())


def test_resume_continues_and_refuses_to_overwrite(trained, tmp_path, run):
    data, ckpt, _ = trained
    import shutil

    copy = tmp_path / "ckpt"
    shutil.copytree(ckpt, copy)
    again = run(["train", "cteg", "--data", str(data), "-o", str(copy), "--epochs", "1", *TINY])
    assert again.exit_code == 2 and "already holds a checkpoint" in again.stderr
    resumed = run(["train", "cteg", "--data", str(data), "-o", str(copy), "--epochs", "2", "--resume", *TINY])
    assert resumed.exit_code == 0, resumed.stderr
    record = json.loads(resumed.stdout)
    assert record["epoch"] == 2 and record["step"] == 2
    assert len(json.loads((copy / "config.json").read_text())["history"]) == 2


def test_training_on_tracks_with_texts(tmp_path, run):
    rng = np.random.default_rng(1)
    tracks = [Track(space="flame", channels=list(CTEG53), fps=25.0,
                    frames=rng.normal(0, 1, (4 + i, 53)).astype(np.float32), text=f"track text {i}") for i in range(4)]
    (tmp_path / "data").mkdir()
    write_tracks(tracks, tmp_path / "data" / "set.jsonl")
    result = run(["train", "cteg", "--data", str(tmp_path / "data"), "-o", str(tmp_path / "ck"), "--epochs", "1",
                  "--dev-fraction", "0", *TINY])
    assert result.exit_code == 0, result.stderr
    assert "dev_loss" not in json.loads(result.stdout)  # no dev set asked for


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned > /tmp/fxe-cteg-pwned",))


@pytest.mark.parametrize("case", ["forbidden_class", "wrong_width", "empty", "count_mismatch", "text_not_str"])
def test_bad_data_is_exit_3(tmp_path, case, run):
    good = [np.zeros((4, 53), np.float32)]
    texts, arrays = ["a text"], good
    if case == "forbidden_class":
        arrays = [Evil()]
    elif case == "wrong_width":
        arrays = [np.zeros((4, 52), np.float32)]
    elif case == "empty":
        texts, arrays = [], []
    elif case == "count_mismatch":
        texts = ["a", "b"]
    elif case == "text_not_str":
        texts = [b"bytes"]
    data = emoava_folder(tmp_path / "d", texts, arrays)
    result = run(["train", "cteg", "--data", str(data), "-o", str(tmp_path / "ck"), "--epochs", "1", *TINY])
    assert result.exit_code == 3, (result.stdout, result.stderr)
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    expected = {"forbidden_class": "refusing to unpickle posix.system", "wrong_width": "T x 53",
                "empty": "no training sequences", "count_mismatch": "2 texts but 1",
                "text_not_str": "expected a string"}[case]
    assert expected in result.stderr
    assert not os.path.exists("/tmp/fxe-cteg-pwned")
    assert not (tmp_path / "ck").exists()


def test_empty_folder_is_exit_3(tmp_path, run):
    result = run(["train", "cteg", "--data", str(tmp_path), "-o", str(tmp_path / "ck"), *TINY])
    assert result.exit_code == 3 and "no training sequences" in result.stderr


@pytest.mark.parametrize("damage", ["truncate_weights", "garbage_config", "missing_folder", "no_weights"])
def test_corrupt_checkpoint_is_exit_4(trained, tmp_path, damage):
    import shutil

    _, ckpt, _ = trained
    bad = tmp_path / "bad"
    shutil.copytree(ckpt, bad)
    if damage == "truncate_weights":
        data = (bad / "model.safetensors").read_bytes()
        (bad / "model.safetensors").write_bytes(data[: len(data) // 2])
    elif damage == "garbage_config":
        (bad / "config.json").write_text("{not json")
    elif damage == "missing_folder":
        shutil.rmtree(bad)
    else:
        (bad / "model.safetensors").unlink()
    result = fxe("text2flame", "--model", f"cteg:{bad}", "hello")
    assert result.returncode == 4, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    assert "CTEG checkpoint" in result.stderr


def test_help_is_complete_and_light():
    result = fxe("train", "cteg", "--help")
    assert result.returncode == 0
    for flag in ("--data", "--epochs", "--batch-size", "--lr-mul", "--warmup", "--text-encoder", "--resume",
                 "--dev-fraction", "accelerate launch"):
        assert flag in result.stdout
    probe = subprocess.run([sys.executable, "-c", "import sys; from fxcli.cli.main import main; sys.argv=['fxe',"
                            "'train','cteg','--help'];\ntry:\n main()\nexcept SystemExit: pass\n"
                            "print('torch' in sys.modules)"], capture_output=True, text=True)
    assert probe.stdout.strip().endswith("False")


def test_missing_bert_weights_is_exit_4(tmp_path):
    data = emoava_folder(tmp_path / "d", ["a text"], [np.zeros((4, 53), np.float32)])
    env = {**os.environ, "FXE_HOME": str(tmp_path / "home"), "HF_HOME": str(tmp_path / "hf"),
           "HF_HUB_CACHE": str(tmp_path / "hf" / "hub")}
    result = subprocess.run([sys.executable, "-m", "fxcli", "train", "cteg", "--data", str(data), "-o",
                             str(tmp_path / "ck"), "--text-encoder", "bert-base-cased", "--d-model", "32", "--heads",
                             "4", "--ffn", "64", "--device", "cpu"], capture_output=True, text=True, env=env)
    assert result.returncode == 4, result.stderr
    assert "fxe models pull bert-base-cased" in result.stderr and result.stdout == ""
    assert not (tmp_path / "ck").exists()
