"""Device and dtype resolution for the full (torch) backends. Imports torch only when called."""

from __future__ import annotations

import re

from fxcli.errors import DeviceError, UsageError

DEVICE_RE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")
DTYPES = ("auto", "float32", "float16", "bfloat16")


def check_device_name(name: str) -> str:
    if not DEVICE_RE.match(name):
        raise UsageError(f"invalid device {name!r}", hint="use auto, cpu, cuda, cuda:N or mps")
    return name


def resolve_device(name: str = "auto"):
    """Return a torch.device; DeviceError (exit 6) if the requested accelerator is not usable."""
    import torch

    check_device_name(name)
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name.startswith("cuda"):
        if not torch.cuda.is_available():
            raise DeviceError(f"device {name!r} asked for, but CUDA is not available", hint="use --device cpu")
        index = int(name.split(":")[1]) if ":" in name else 0
        if index >= torch.cuda.device_count():
            raise DeviceError(f"device {name!r} asked for, but only {torch.cuda.device_count()} CUDA device(s) exist")
    if name == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise DeviceError("device 'mps' asked for, but MPS is not available", hint="use --device cpu")
    return torch.device(name)


def resolve_dtype(name: str, device) -> "object":
    import torch

    if name not in DTYPES:
        raise UsageError(f"invalid dtype {name!r} (choose from {', '.join(DTYPES)})")
    if name == "auto":
        if device.type == "cuda":
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float32
    return getattr(torch, name)
