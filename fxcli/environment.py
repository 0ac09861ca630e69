"""What `fxe env` reports: versions, devices, rendering and video support, model availability."""

from __future__ import annotations

import platform
import sys
from importlib import metadata
from typing import Any

PACKAGES = ("fxcli", "torch", "diffusers", "transformers", "accelerate", "peft", "safetensors", "huggingface_hub",
            "numpy", "scipy", "pillow", "opencv-python-headless", "moderngl", "ai-edge-litert", "dlib-bin",
            "imageio-ffmpeg", "pocketsphinx", "click", "rich")


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _torch_devices() -> dict[str, Any]:
    try:
        import torch
    except ImportError:
        return {"torch": "not installed"}
    out: dict[str, Any] = {"cuda available": torch.cuda.is_available(), "cpu threads": torch.get_num_threads()}
    if torch.cuda.is_available():
        out["cuda version"] = torch.version.cuda
        for i in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(i)
            out[f"cuda:{i}"] = f"{props.name}, {props.total_memory / 2**30:.1f} GiB"
    mps = getattr(torch.backends, "mps", None)
    out["mps available"] = bool(mps and mps.is_available())
    return out


def _egl() -> str:
    try:
        import moderngl

        ctx = moderngl.create_standalone_context(backend="egl")
        info = ctx.info
        desc = f"ok: {info.get('GL_RENDERER', '?')} (OpenGL {info.get('GL_VERSION', '?')})"
        ctx.release()
        return desc
    except Exception as exc:  # noqa: BLE001 - report whatever stops EGL
        return f"unavailable: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def _ffmpeg() -> str:
    try:
        import imageio_ffmpeg

        return f"ok: {imageio_ffmpeg.get_ffmpeg_exe()} ({imageio_ffmpeg.get_ffmpeg_version()})"
    except Exception as exc:  # noqa: BLE001
        return f"unavailable: {exc}"


def collect() -> dict[str, Any]:
    from fxcli import registry

    models = {}
    for spec in registry.MODELS:
        state, path, detail = registry.status(spec)
        models[spec.name] = f"{state}: {path}" if state == "ok" else state
    return {
        "system": {"python": sys.version.split()[0], "platform": platform.platform(),
                   "machine": platform.machine(), "fxe home": str(registry.fxe_home())},
        "packages": {name: _version(name) for name in PACKAGES},
        "devices": _torch_devices(),
        "rendering": {"egl": _egl(), "ffmpeg": _ffmpeg()},
        "models": models,
    }
