"""What every trainer checks and builds before its first step: the output folder and the accelerator."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fxcli.errors import UsageError

MIXED_PRECISION = {"fp32": "no", "bf16": "bf16", "fp16": "fp16"}  # --precision -> accelerate's mixed_precision


def check_output_folder(output: str, config_name: str, *, resume: bool, dry_run: bool) -> Path:
    """The checkpoint folder `output`: --resume needs a checkpoint there, a new run must not overwrite one."""
    out = Path(output)
    if resume and not (out / config_name).exists():
        raise UsageError(f"{output}: nothing to resume (no {config_name})", hint="drop --resume to start a new run")
    if not resume and not dry_run and (out / config_name).exists():
        raise UsageError(f"{output}: already holds a checkpoint", hint="add --resume to continue it, or pick another -o")
    return out


def runs_on_cpu(device: str) -> bool:
    """True when training would run on the CPU: asked for, or `auto` with no CUDA device."""
    import torch

    return device == "cpu" or (device == "auto" and not torch.cuda.is_available())


def make_accelerator(device: str, precision: str, **kwargs: Any):
    """An accelerate.Accelerator for `device` and --precision (fp16 needs a GPU), peak memory counter reset."""
    from accelerate import Accelerator

    from fxcli.train.training_log import reset_peak_memory

    if precision not in MIXED_PRECISION:
        raise UsageError(f"unknown precision {precision!r}", hint=f"choose from {', '.join(MIXED_PRECISION)}")
    cpu = runs_on_cpu(device)
    if precision == "fp16" and cpu:
        raise UsageError("fp16 training needs a GPU", hint="use --precision bf16 or fp32 on the CPU")
    acc = Accelerator(cpu=cpu, mixed_precision=MIXED_PRECISION[precision], **kwargs)
    reset_peak_memory(acc.device)
    return acc


def load_training_state(folder: str | Path, name: str, corrupt: Callable[[Path, str], Exception]) -> dict[str, Any]:
    """The optimiser/scheduler state saved as `name` in checkpoint `folder` (tensors only, never objects).

    A missing or unreadable file raises what `corrupt(folder, why)` builds, so each checkpoint format keeps
    its own message.
    """
    import pickle

    import torch

    try:
        return torch.load(Path(folder) / name, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise corrupt(Path(folder), f"no {name} to resume from") from None
    except (OSError, RuntimeError, pickle.UnpicklingError, EOFError) as exc:
        raise corrupt(Path(folder), f"{name} unreadable: {exc}") from None
