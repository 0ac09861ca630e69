"""Model registry: resolution order, stubs, partial files, checksums, and the fix in every error."""

from __future__ import annotations

import hashlib

import pytest

from fxcli import registry
from fxcli.errors import ModelMissingError
from tests.conftest import assert_one_error_line, run_fxe

LFS_STUB = b"version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 436000000\n"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("FXE_HOME", str(tmp_path / "fxe"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.delenv("FXE_MODEL_BERT_BASE_CASED", raising=False)
    return tmp_path


def place(folder, files):
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


# a well-formed safetensors file (header length, JSON header, 2048 data bytes): registry.resolve checks headers
_HEADER = b'{"w":{"dtype":"U8","shape":[2048],"data_offsets":[0,2048]}}'
BERT = {"config.json": b"{}", "model.safetensors": len(_HEADER).to_bytes(8, "little") + _HEADER + b"x" * 2048,
        "vocab.txt": b"[PAD]\n"}


def test_every_required_model_is_registered():
    names = {m.name for m in registry.MODELS}
    for needed in ("qwen-image-edit-2511", "pixelsmile", "sdxl-base", "bert-base-cased", "clip-vit-large-patch14",
                   "dinov2-base", "insightface-antelopev2", "insightface-buffalo_l", "flame-2020", "flame-2023-open",
                   "ict-face-light", "mediapipe-face", "fer-mini-xception", "minilm", "dlib-face-recognition"):
        assert needed in names
    for m in registry.MODELS:
        assert m.license and m.size and m.description and m.files


def test_missing_model_names_the_fix(home):
    with pytest.raises(ModelMissingError) as err:
        registry.resolve("bert-base-cased")
    assert "fxe models pull bert-base-cased" in str(err.value)
    assert str(home / "fxe" / "models" / "bert-base-cased") in str(err.value)
    with pytest.raises(ModelMissingError) as err:
        registry.resolve("flame-2020")
    assert "flame.is.tue.mpg.de" in str(err.value) and "generic_model.pkl" in str(err.value)


def test_resolution_order(home, monkeypatch):
    snap = place(home / "hf" / "models--google-bert--bert-base-cased" / "snapshots" / "abc123", BERT)
    (snap.parent.parent / "refs").mkdir()
    (snap.parent.parent / "refs" / "main").write_text("abc123")
    assert registry.resolve("bert-base-cased").origin == "hf-cache"
    mine = place(home / "fxe" / "models" / "bert-base-cased", BERT)
    assert registry.resolve("bert-base-cased").path == mine
    explicit = place(home / "elsewhere", BERT)
    assert registry.resolve("bert-base-cased", explicit / "model.safetensors").path == explicit
    monkeypatch.setenv("FXE_MODEL_BERT_BASE_CASED", str(explicit))
    assert registry.resolve("bert-base-cased").origin == "env"


def test_lfs_pointer_is_reported_not_loaded(home):
    place(home / "fxe" / "models" / "bert-base-cased", {**BERT, "model.safetensors": LFS_STUB})
    with pytest.raises(ModelMissingError, match="git-LFS pointer stub"):
        registry.resolve("bert-base-cased")


def test_partial_and_corrupt_files(home, monkeypatch):
    folder = home / "fxe" / "models" / "mediapipe-face"
    good = registry.resolve("mediapipe-face").path
    place(folder, {"face_detection_short_range.tflite": b"short",
                   "face_landmark.tflite": (good / "face_landmark.tflite").read_bytes()})
    with pytest.raises(ModelMissingError, match="has 5 bytes, expected 229714"):
        registry.resolve("mediapipe-face")
    # right size, wrong bytes: only verify's checksum catches it
    data = bytearray((good / "face_detection_short_range.tflite").read_bytes())
    data[1000] ^= 0xFF
    place(folder, {"face_detection_short_range.tflite": bytes(data)})
    assert registry.resolve("mediapipe-face").path == folder
    _, problems = registry.verify("mediapipe-face")
    assert problems == ["face_detection_short_range.tflite checksum mismatch (expected sha256 bbff11cebd1e...)"]


def test_incomplete_hf_download(home):
    repo = home / "hf" / "models--google-bert--bert-base-cased"
    place(repo / "snapshots" / "abc", BERT)
    place(repo / "blobs", {"deadbeef.incomplete": b"x"})
    with pytest.raises(ModelMissingError, match="interrupted downloads"):
        registry.resolve("bert-base-cased")


def test_embedded_checksums_match_the_shipped_files():
    for m in registry.MODELS:
        if m.source == "embedded":
            r, problems = registry.verify(m.name)
            assert problems == [], (m.name, problems)
            for f in m.files:
                assert hashlib.sha256(r.file(f.path).read_bytes()).hexdigest() == f.sha256


def test_cli_where_absent_model_exit_4(tmp_path):
    result = run_fxe("models", "where", "dinov2-base", env={"FXE_HOME": str(tmp_path), "HF_HUB_CACHE": str(tmp_path)})
    assert_one_error_line(result, 4, "fxe models pull dinov2-base")
    assert result.stdout == b""


def test_cli_stub_reported(tmp_path):
    place(tmp_path / "models" / "bert-base-cased", {**BERT, "model.safetensors": LFS_STUB})
    result = run_fxe("models", "verify", "bert-base-cased", env={"FXE_HOME": str(tmp_path), "HF_HUB_CACHE": str(tmp_path)})
    assert_one_error_line(result, 4, "git-LFS pointer stub")


def test_cli_unknown_model_suggests(tmp_path):
    assert_one_error_line(run_fxe("models", "where", "dinov2"), 2, "unknown model 'dinov2'", "dinov2-base")


def test_cli_list_and_pull_of_gated_model(tmp_path):
    result = run_fxe("models", "list", "--json", env={"FXE_HOME": str(tmp_path), "HF_HUB_CACHE": str(tmp_path)})
    rows = [__import__("json").loads(line) for line in result.out.splitlines()]
    states = {r["name"]: r["state"] for r in rows}
    assert states["ict-face-light"] == "ok" and states["dinov2-base"] == "missing"
    assert_one_error_line(run_fxe("models", "pull", "flame-2020"), 4, "cannot be downloaded automatically")
