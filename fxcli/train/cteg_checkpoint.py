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
    if not (folder / CONFIG).is_file():
        raise _corrupt(folder, f"no {CONFIG}")
    from fxcli.io.inputs import loads_json, read_bytes

    try:
        info = loads_json(read_bytes(str(folder / CONFIG), limit=16 * 2**20).decode("utf-8"), str(folder / CONFIG))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _corrupt(folder, f"{CONFIG} unreadable: {exc}") from None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise _corrupt(folder, f"{CONFIG} is not {FORMAT}")
    return info


# field: (kind, low, high); sizes bounded so a forged config cannot ask for gigabytes before failing
CONFIG_LIMITS: dict[str, tuple[str, float, float]] = {
    "frame_width": ("int", 1, 1024), "d_model": ("int", 1, 4096), "n_heads": ("int", 1, 256),
    "d_ffn": ("int", 1, 32768), "n_layers": ("int", 1, 64), "dropout": ("float", 0.0, 0.999),
    "max_len": ("int", 1, 100_000), "text_dim": ("int", 1, 8192), "max_text_tokens": ("int", 1, 8192),
    "jaw_weight": ("float", 0.0, 1e6), "stop_threshold": ("float", 0.0, 1e6),
    "sample_noise_std": ("float", 0.0, 1e6), "lr_mul": ("float", 0.0, 1e6), "warmup": ("int", 1, 10**9),
}
MAX_PARAMETERS = 2_000_000_000  # far above any CTEG (the paper's: ~40 M besides BERT)


def check_config(cfg: Any, where: Path) -> None:
    """Validate a checkpoint's model config (types, ranges, head divisibility, total size) before building it.

    InvalidInputError (exit 3) names the offending field.
    """
    import math

    from fxcli.errors import InvalidInputError

    def bad(field: str, why: str) -> InvalidInputError:
        return InvalidInputError(f"{where}: config.{field} {why}")

    if not isinstance(cfg, dict):
        raise InvalidInputError(f"{where}: 'config' must be an object of model settings")
    for name, (kind, low, high) in CONFIG_LIMITS.items():
        if name not in cfg:
            continue
        value = cfg[name]
        if kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise bad(name, f"must be an integer, got {str(value)[:40]!r}")
        elif isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise bad(name, f"must be a finite number, got {str(value)[:40]!r}")
        if not low <= value <= high:
            raise bad(name, f"must be in {low:g}..{high:g}, got {str(value)[:40]}")
    d_model, heads = cfg.get("d_model", 768), cfg.get("n_heads", 12)
    if d_model % heads:
        raise bad("d_model", f"({d_model}) must be divisible by n_heads ({heads})")
    if "space" in cfg and cfg["space"] not in ("flame", "arkit52"):
        raise bad("space", f"must be flame or arkit52, got {str(cfg['space'])[:40]!r}")
    if "text_encoder" in cfg and not isinstance(cfg["text_encoder"], str):
        raise bad("text_encoder", "must be a model name")
    width = cfg.get("frame_width", 53)
    for name in ("jaw_channels", "noise_scale"):
        value = cfg.get(name, [])
        if not isinstance(value, list) or len(value) > width:
            raise bad(name, f"must be a list of at most {width} numbers")
    if not all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c < width for c in cfg.get("jaw_channels", [])):
        raise bad("jaw_channels", f"must hold channel indices in 0..{width - 1}")
    if not all(isinstance(c, (int, float)) and not isinstance(c, bool) and math.isfinite(c) and c >= 0
               for c in cfg.get("noise_scale", [])):
        raise bad("noise_scale", "must hold finite non-negative numbers")
    layers, ffn = cfg.get("n_layers", 1), cfg.get("d_ffn", 2048)
    params = layers * (12 * d_model * d_model + 2 * d_model * ffn) + cfg.get("max_len", 256) * d_model
    if params > MAX_PARAMETERS:
        raise bad("d_model", f"with d_ffn, n_layers and max_len asks for {params:,} parameters "
                             f"(more than {MAX_PARAMETERS:,})")


def preflight(path: str | Path) -> dict[str, Any]:
    """config.json read and validated, model.safetensors' header checked: all before torch is imported."""
    folder = Path(path)
    info = read_config(folder)
    check_config(info.get("config"), folder / CONFIG)  # before anything is allocated
    from fxcli.registry import safetensors_problem

    weights = folder / WEIGHTS
    if not weights.is_file():
        raise _corrupt(folder, f"no {WEIGHTS}")
    why = safetensors_problem(weights)
    if why:
        raise _corrupt(folder, f"{WEIGHTS} is corrupt: {why}")
    return info


def load_checkpoint(path: str | Path, device: str = "cpu") -> CtegCheckpoint:
    """Rebuild the model from config.json and load its weights (eval mode)."""
    folder = Path(path)
    info = preflight(folder)
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    from fxcli.models.cteg import CtegConfig, CtegModel

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
    """Write weights, config and (optionally) the training state into `folder`.

    The files are built in a temp sibling folder and moved into place when all are written, config.json
    last: an interrupted save never leaves a folder whose config describes other weights.
    """
    import torch
    from safetensors.torch import save_file

    from fxcli import __version__
    from fxcli.io.atomic import atomic_dir

    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    info = {"format": FORMAT, "config": model.cfg.to_dict(), "mean_frame": [float(x) for x in mean_frame],
            "channels": list(channels), "fxe_version": __version__, **extra}
    with atomic_dir(folder, last=(CONFIG,)) as tmp:
        save_file(state, str(tmp / WEIGHTS), metadata={"format": FORMAT})
        if training_state is not None:
            torch.save(training_state, tmp / STATE)
        (tmp / CONFIG).write_text(json.dumps(info, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def load_training_state(folder: str | Path) -> dict[str, Any]:
    """The saved optimiser state of checkpoint `folder`, for --resume."""
    from fxcli.train.run_setup import load_training_state as load_state

    return load_state(folder, STATE, _corrupt)
