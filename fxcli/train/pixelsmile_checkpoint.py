"""PixelSmile LoRA checkpoints: a folder `fxe edit --model pixelsmile:CKPT_DIR` loads.

    pixelsmile_lora.safetensors   the LoRA in diffusers' format (QwenImageEditPlusPipeline.load_lora_weights),
                                  with its peft config (rank, alpha, targets) in the file's metadata
    config.json                   {"format": "fxe.pixelsmile-lora/v1", "base": ..., "lora": {r, alpha, targets},
                                   "size", "source_size", "epoch", "step", "history", "fxe_version"}
    training_state.pt             optimiser and schedule state for --resume (tensors only)
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from fxcli.errors import ModelMissingError

FORMAT = "fxe.pixelsmile-lora/v1"
LORA_NAME, CONFIG, STATE = "pixelsmile_lora.safetensors", "config.json", "training_state.pt"


def _corrupt(folder: Path, why: str) -> ModelMissingError:
    return ModelMissingError(f"{folder}: not a usable PixelSmile checkpoint ({why})",
                             hint="train one with `fxe train pixelsmile --data TRIPLETS -o CKPT_DIR`")


def read_config(folder: str | Path) -> dict[str, Any]:
    folder = Path(folder)
    try:
        info = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _corrupt(folder, f"no {CONFIG}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _corrupt(folder, f"{CONFIG} unreadable: {exc}") from None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise _corrupt(folder, f"{CONFIG} is not {FORMAT}")
    lora = info.get("lora")
    if not isinstance(lora, dict) or not all(isinstance(lora.get(k), int) and 0 < lora[k] <= 4096
                                             for k in ("r", "alpha")):
        raise _corrupt(folder, "lora.r / lora.alpha missing or out of range")
    return info


def save(folder: str | Path, transformer: Any, lora_config: Any, *, settings: Any, extra: dict[str, Any],
         training_state: dict[str, Any] | None = None) -> None:
    """Write the LoRA, config and training state, each file atomically (renamed into place when complete)."""
    import torch
    from diffusers import QwenImageEditPlusPipeline
    from peft.utils import get_peft_model_state_dict

    from fxcli import __version__
    from fxcli.backends.edit_pixelsmile import BASE_MODEL
    from fxcli.io.atomic import atomic_path, write_text_atomic

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().to("cpu", torch.float32).contiguous() for k, v in get_peft_model_state_dict(transformer).items()}
    metadata = {k: v for k, v in lora_config.to_dict().items() if k in ("r", "lora_alpha", "target_modules",
                                                                          "lora_dropout", "use_dora", "bias")}
    metadata["target_modules"] = sorted(metadata["target_modules"])
    tmp = Path(tempfile.mkdtemp(prefix=".lora.", dir=folder))
    try:
        QwenImageEditPlusPipeline.save_lora_weights(str(tmp), transformer_lora_layers=state, weight_name=LORA_NAME,
                                                    transformer_lora_adapter_metadata=metadata)
        os.replace(tmp / LORA_NAME, folder / LORA_NAME)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if training_state is not None:
        with atomic_path(folder / STATE) as path:
            torch.save(training_state, path)
    info = {"format": FORMAT, "base": BASE_MODEL, "fxe_version": __version__,
            "lora": {"r": int(lora_config.r), "alpha": int(lora_config.lora_alpha),
                     "targets": sorted(lora_config.target_modules)},
            "size": int(settings.size), "source_size": settings.source_size, "subject": settings.subject,
            "losses": {"lambda_sc": settings.lambda_sc, "lambda_id": settings.lambda_id, "tau": settings.tau,
                       "id_max_timestep": settings.id_max_timestep}, **extra}
    write_text_atomic(folder / CONFIG, json.dumps(info, indent=1, sort_keys=True) + "\n")


def lora_file(path: str | Path) -> Path:
    """The LoRA file of a checkpoint folder (or the file itself)."""
    p = Path(path)
    return p / LORA_NAME if p.is_dir() else p


def load_lora_into(transformer: Any, folder: str | Path) -> None:
    """Set the transformer's (already added) peft LoRA to the checkpoint's weights, for --resume."""
    from peft.utils import set_peft_model_state_dict
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    folder = Path(folder)
    try:
        state = load_file(str(folder / LORA_NAME))
    except FileNotFoundError:
        raise _corrupt(folder, f"no {LORA_NAME}") from None
    except (SafetensorError, OSError) as exc:
        raise _corrupt(folder, f"{LORA_NAME} unreadable: {exc}") from None
    state = {k.removeprefix("transformer."): v for k, v in state.items()}
    result = set_peft_model_state_dict(transformer, state)
    if getattr(result, "unexpected_keys", None):
        raise _corrupt(folder, f"LoRA keys do not match the model (e.g. {result.unexpected_keys[0]})")


def load_training_state(folder: str | Path) -> dict[str, Any]:
    """The saved optimiser state of checkpoint `folder`, for --resume."""
    from fxcli.train.run_setup import load_training_state as load_state

    return load_state(folder, STATE, _corrupt)
