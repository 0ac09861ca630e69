"""CTEG checkpoints: a folder that describes itself.

    model.safetensors    the weights
    config.json          {"format": "fxe.cteg/v1", "config": CtegConfig, "mean_frame": [C floats],
                          "channels": [...], "fxe_version": ..., "epoch", "step", "history": [...]}
    training_state.pt    optimiser and schedule state for --resume (tensors only: torch.load weights_only)

Loading rebuilds the model from config.json. A missing or corrupt checkpoint is ModelMissingError (exit 4).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fxcli.errors import ModelMissingError

FORMAT = "fxe.cteg/v1"
WEIGHTS, CONFIG, STATE = "model.safetensors", "config.json", "training_state.pt"


@dataclass
class CtegCheckpoint:
    model: Any  # CtegModel
    mean_frame: np.ndarray  # (C,) the start (BOS) frame
    channels: list[str]
    info: dict[str, Any] = field(default_factory=dict)  # the whole config.json
    path: Path | None = None
    weights_hash: str = ""  # sha256 of model.safetensors (provenance)


def _corrupt(path: Path, why: str) -> ModelMissingError:
    return ModelMissingError(f"{path}: not a usable CTEG checkpoint ({why})",
                             hint="train one with `fxe train cteg --data DIR -o CKPT_DIR`")


def read_config(path: str | Path) -> dict[str, Any]:
    folder = Path(path)
    if not folder.is_dir():
        raise ModelMissingError(f"{path}: CTEG checkpoint folder not found",
                                hint="give the folder written by `fxe train cteg -o CKPT_DIR`")
    try:
        info = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _corrupt(folder, f"no {CONFIG}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _corrupt(folder, f"{CONFIG} unreadable: {exc}") from None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise _corrupt(folder, f"{CONFIG} is not {FORMAT}")
    return info


def load_checkpoint(path: str | Path, device: str = "cpu") -> CtegCheckpoint:
    """Rebuild the model from config.json and load its weights (eval mode)."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    from fxcli.models.cteg import CtegConfig, CtegModel

    folder = Path(path)
    info = read_config(folder)
    try:
        cfg = CtegConfig.from_dict(info["config"])
        mean = np.asarray(info["mean_frame"], dtype=np.float32)
        channels = [str(c) for c in info["channels"]]
        model = CtegModel(cfg)
    except (KeyError, TypeError, ValueError) as exc:
        raise _corrupt(folder, f"bad {CONFIG}: {exc}") from None
    if mean.shape != (cfg.frame_width,) or len(channels) != cfg.frame_width:
        raise _corrupt(folder, f"mean frame / channels do not match frame width {cfg.frame_width}")
    weights = folder / WEIGHTS
    try:
        state = load_file(str(weights))
    except FileNotFoundError:
        raise _corrupt(folder, f"no {WEIGHTS}") from None
    except (SafetensorError, OSError, ValueError, RuntimeError) as exc:
        raise _corrupt(folder, f"{WEIGHTS} unreadable: {exc}") from None
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as exc:
        raise _corrupt(folder, f"weights do not match the config: {str(exc).splitlines()[0]}") from None
    digest = hashlib.sha256(weights.read_bytes()).hexdigest()
    return CtegCheckpoint(model=model.to(device).eval(), mean_frame=mean, channels=channels, info=info,
                          path=folder, weights_hash=digest)


def save_checkpoint(folder: str | Path, model: Any, mean_frame: np.ndarray, channels: list[str],
                    extra: dict[str, Any], training_state: dict[str, Any] | None = None) -> None:
    """Write weights, config and (optionally) the training state, each file atomically."""
    import torch
    from safetensors.torch import save_file

    from fxcli import __version__
    from fxcli.io.atomic import atomic_path, write_text_atomic

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    with atomic_path(folder / WEIGHTS) as tmp:
        save_file(state, str(tmp), metadata={"format": FORMAT})
    if training_state is not None:
        with atomic_path(folder / STATE) as tmp:
            torch.save(training_state, tmp)
    info = {"format": FORMAT, "config": model.cfg.to_dict(), "mean_frame": [float(x) for x in mean_frame],
            "channels": list(channels), "fxe_version": __version__, **extra}
    write_text_atomic(folder / CONFIG, json.dumps(info, indent=1, sort_keys=True) + "\n")


def load_training_state(folder: str | Path) -> dict[str, Any]:
    import pickle

    import torch

    path = Path(folder) / STATE
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise _corrupt(Path(folder), f"no {STATE} to resume from") from None
    except (OSError, RuntimeError, pickle.UnpicklingError, EOFError) as exc:
        raise _corrupt(Path(folder), f"{STATE} unreadable: {exc}") from None
