"""InstructAvatar checkpoints that describe themselves, and the frozen encoders the model is conditioned on.

A checkpoint folder: `model.safetensors` (weights) + `config.json` {"format": "fxe.instructavatar/v1",
"config": the model config, "channels": the motion channels, "mean"/"std": the motion normalisation,
"version", "epoch", "step", "history"}. Loading rebuilds the model from the config alone.
Encoders: instruction text by name (`minilm`, shipped; `clip-vit-large-patch14`, local weights), audio
features (`logmel`, computed here; `wav2vec2`, local weights of the registry's wav2vec2-base-960h).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fxcli.errors import ModelMissingError

FORMAT = "fxe.instructavatar/v1"
CONFIG = "config.json"
WEIGHTS = "model.safetensors"
POSE_CHANNELS = ("headPitch", "headYaw", "headRoll")
TEXT_ENCODERS = ("minilm", "clip-vit-large-patch14")
AUDIO_FEATURES = ("logmel", "wav2vec2")
WAV2VEC2 = "wav2vec2-base-960h"


@dataclass
class Checkpoint:
    model: Any
    mean: np.ndarray
    std: np.ndarray
    info: dict


def save_checkpoint(folder: str | Path, model, mean: np.ndarray, std: np.ndarray, extra: dict) -> None:
    """Write weights and config into `folder`, each file atomically (temp file + rename)."""
    from safetensors.torch import save_file

    from fxcli import __version__
    from fxcli.io.atomic import atomic_path
    from fxcli.tracks.channels import ARKIT52

    info = {"format": FORMAT, "config": model.cfg.to_dict(), "channels": list(ARKIT52) + list(POSE_CHANNELS),
            "mean": [float(x) for x in mean], "std": [float(x) for x in std], "version": __version__, **extra}
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    Path(folder).mkdir(parents=True, exist_ok=True)
    with atomic_path(Path(folder) / WEIGHTS) as tmp:  # each file whole or not at all; the config last
        save_file(state, str(tmp))
    with atomic_path(Path(folder) / CONFIG) as tmp:
        tmp.write_text(json.dumps(info, indent=1, sort_keys=True), encoding="utf-8")


# the model's size fields: each a whole number in this range (far above any InstructAvatar: the paper's is ~12 x 768)
SIZE_FIELDS = {"motion_dim": (1, 4096), "d_model": (8, 8192), "n_layers": (1, 256), "n_heads": (1, 256),
               "d_ffn": (1, 65536), "kernel": (1, 255), "audio_dim": (1, 8192), "text_dim": (1, 8192),
               "max_len": (1, 100_000), "max_text_tokens": (1, 4096), "sample_steps": (1, 100_000)}


def check_sizes(cfg: Any) -> None:
    """ValueError when config.json's model sizes are not whole numbers in SIZE_FIELDS' ranges, d_model is not a
    multiple of n_heads, or the model would hold more than MAX_PARAMETERS weights (the CTEG loader's limit)."""
    from fxcli.train.cteg_checkpoint import MAX_PARAMETERS

    if not isinstance(cfg, dict):
        raise ValueError("'config' must be an object")
    for name, (low, high) in SIZE_FIELDS.items():
        value = cfg.get(name, low)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise ValueError(f"config {name} must be a whole number in {low}..{high}, got {str(value)[:40]!r}")
    d_model, heads = cfg.get("d_model", 768), cfg.get("n_heads", 12)
    if d_model % heads:
        raise ValueError(f"config d_model {d_model} is not a multiple of n_heads {heads}")
    # per Conformer layer: attention 4 d^2, two feed-forward halves 4 d f, the convolution module about 3 d^2
    params = cfg.get("n_layers", 12) * (7 * d_model * d_model + 4 * d_model * cfg.get("d_ffn", 2048))
    if params > MAX_PARAMETERS:
        raise ValueError(f"config asks for about {params:,} parameters (more than {MAX_PARAMETERS:,})")


def load_checkpoint(folder: str | Path, device: str = "cpu") -> Checkpoint:
    """Rebuild the model from config.json and load its weights; exit 4 with the reason when unusable."""
    from safetensors.torch import load_file

    from fxcli.models.instructavatar import InstructAvatarConfig, InstructAvatarModel

    path = Path(folder)
    cfg_file, weights = path / CONFIG, path / WEIGHTS
    if not cfg_file.is_file() or not weights.is_file():
        raise ModelMissingError(f"no InstructAvatar checkpoint in {folder} (needs {CONFIG} and {WEIGHTS})",
                                hint="train one with `fxe train instructavatar --data DIR -o CKPT_DIR`")
    try:
        info = json.loads(cfg_file.read_text(encoding="utf-8"))
        if not isinstance(info, dict) or info.get("format") != FORMAT:
            raise ValueError(f"format {info.get('format') if isinstance(info, dict) else None!r}, expected {FORMAT}")
        check_sizes(info.get("config"))  # before anything is allocated
        model = InstructAvatarModel(InstructAvatarConfig.from_dict(info["config"]))
        model.load_state_dict(load_file(str(weights)), strict=True)
    except (ValueError, KeyError, TypeError, RuntimeError, OSError) as exc:
        raise ModelMissingError(f"InstructAvatar checkpoint {folder} is corrupt ({exc})",
                                hint="retrain it or copy it again") from None
    return Checkpoint(model.eval().to(device), np.asarray(info["mean"], np.float32),
                      np.asarray(info["std"], np.float32), info)


# ---------------------------------------------------------------------------- encoders

@dataclass
class _ClipText:
    tokenizer: Any
    model: Any
    hidden_size: int

    def encode_tokens(self, texts: list[str], max_length: int = 77):
        import torch

        batch = self.tokenizer(texts, padding=True, truncation=True, max_length=min(max_length, 77),
                               return_tensors="pt")
        with torch.inference_mode():
            hidden = self.model(**batch).last_hidden_state  # (B, L, 768)
        return hidden, batch["attention_mask"]


@functools.lru_cache(maxsize=2)
def instruction_encoder(name: str):
    """An object with `encode_tokens(texts, max_length) -> (hidden (B, L, H), mask (B, L))` and `hidden_size`."""
    if name == "minilm":
        from fxcli.text.encoder import load_text_encoder

        return load_text_encoder("minilm")
    if name == "clip-vit-large-patch14":
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from transformers import CLIPTextModel, CLIPTokenizer

        from fxcli import registry

        folder = str(registry.resolve(name).path)
        model = CLIPTextModel.from_pretrained(folder, local_files_only=True).eval()
        return _ClipText(CLIPTokenizer.from_pretrained(folder, local_files_only=True), model,
                         model.config.hidden_size)
    raise ValueError(f"unknown instruction encoder {name!r}")


def encode_instructions(name: str, texts: list[str], max_tokens: int) -> dict[str, Any]:
    """{text: (L, H) float32 tensor of its real tokens}, for each distinct text."""
    enc = instruction_encoder(name)
    out = {}
    for text in sorted(set(texts)):
        hidden, mask = enc.encode_tokens([text or "talk"], max_length=max_tokens)
        out[text] = hidden[0, : int(mask[0].sum())].detach().clone().float().cpu()
    return out


@functools.lru_cache(maxsize=1)
def _wav2vec2():
    import os

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from transformers import Wav2Vec2Model

    from fxcli import registry

    return Wav2Vec2Model.from_pretrained(str(registry.resolve(WAV2VEC2).path), local_files_only=True).eval()


def audio_features(kind: str, clip, n_frames: int, fps: float = 25.0) -> np.ndarray:
    """(n_frames, D) features of a decoded clip (16 kHz mono): log-mel (80) or wav2vec2 (768), at `fps`."""
    import torch

    from fxcli.models.instructavatar import log_mel_features

    if kind == "logmel":
        return log_mel_features(clip.samples, clip.rate, n_frames, fps).numpy()
    if kind == "wav2vec2":
        x = torch.as_tensor(clip.samples, dtype=torch.float32)
        x = (x - x.mean()) / x.std().clamp(min=1e-6)
        with torch.inference_mode():
            hidden = _wav2vec2()(x[None]).last_hidden_state  # (1, ~50 per s, 768)
        out = torch.nn.functional.interpolate(hidden.transpose(1, 2), size=n_frames, mode="linear",
                                              align_corners=False)  # (1, 768, n_frames)
        return out[0].T.numpy().astype(np.float32)
    raise ValueError(f"unknown audio features {kind!r}")
