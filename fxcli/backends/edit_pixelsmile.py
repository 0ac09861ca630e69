"""`edit/blend --model pixelsmile`: Qwen-Image-Edit-2511 + the PixelSmile LoRA, textual latent interpolation.

The input is resized to cover SIZE x SIZE and centre-cropped, both prompts (target and neutral) are
encoded with it, and the diffusion runs on e(alpha) (see fxcli.models.pixelsmile_conditioning) with
50 steps and no classifier-free guidance. Every call starts from a fresh generator seeded with the same
seed, so all alphas of a sweep share their initial latents and differ only in intensity.

`--model pixelsmile:PATH` takes the LoRA from PATH (a .safetensors file or a folder holding
PixelSmile-preview.safetensors); the base pipeline resolves through the registry as
`qwen-image-edit-2511` (or FXE_MODEL_QWEN_IMAGE_EDIT_2511).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

from fxcli.errors import DeviceError, ModelMissingError, UsageError
from fxcli.models import pixelsmile_conditioning as pc

BASE_MODEL = "qwen-image-edit-2511"
LORA_MODEL = "pixelsmile"
LORA_FILE = "PixelSmile-preview.safetensors"
TRAINED_LORA_FILE = "pixelsmile_lora.safetensors"  # what `fxe train pixelsmile -o CKPT_DIR` writes
OFFLOAD_MODES = ("none", "model", "sequential")
OOM_HINT = "try --offload model (or --offload sequential), or --dtype bfloat16"

# Common spellings of the trained expression words.
ALIASES = {"happiness": "happy", "smile": "happy", "sadness": "sad", "anger": "angry", "fearful": "fear",
           "afraid": "fear", "scared": "fear", "surprise": "surprised", "disgusted": "disgust",
           "contemptuous": "contempt", "tired": "sleepy", "anxiety": "anxious", "confusion": "confused"}


def pixelsmile_word(expression: str) -> str:
    """The word put into the prompt: a trained expression (aliases folded), else the text as given."""
    word = " ".join(expression.strip().lower().replace("_", " ").split())
    if not word:
        raise UsageError("empty expression name")
    return ALIASES.get(word, word)


def cover_crop(image: np.ndarray, size: int):
    """Resize an RGB uint8 image to cover size x size (aspect kept), then centre-crop: a PIL image."""
    from PIL import Image

    h, w = image.shape[:2]
    scale = size / min(h, w)
    nw, nh = max(size, round(w * scale)), max(size, round(h * scale))
    pil = Image.fromarray(image).resize((nw, nh), Image.Resampling.LANCZOS)
    left, top = (nw - size) // 2, (nh - size) // 2
    return pil.crop((left, top, left + size, top + size))


def place_pipeline(pipe: Any, device: Any, offload: str) -> None:
    """Put the pipeline on `device`: whole (none), sub-model by sub-model (model) or layer by layer (sequential).

    Offloading keeps the weights in CPU memory and moves them to the GPU when used: `model` needs about
    the largest sub-model's memory on the GPU, `sequential` the least, at the cost of speed.
    """
    import torch

    try:
        _place(pipe, device, offload)
    except torch.cuda.OutOfMemoryError as exc:
        raise DeviceError("out of GPU memory while loading Qwen-Image-Edit", hint=OOM_HINT) from exc


def _place(pipe: Any, device: Any, offload: str) -> None:
    if offload == "model":
        pipe.enable_model_cpu_offload(device=device)
    elif offload == "sequential":
        pipe.enable_sequential_cpu_offload(device=device)
    else:
        pipe.to(device)


class PixelSmileEditor:
    """Expression editor on Qwen-Image-Edit-2511 with the PixelSmile LoRA.

    `pipeline` injects a ready QwenImageEditPlusPipeline (tests build a tiny random one); otherwise the
    weights resolve through the registry and a missing one raises ModelMissingError (exit 4).
    """

    name = "pixelsmile"

    def __init__(self, arg: str | None = None, *, device: str = "auto", dtype: str = "auto", offload: str = "none",
                 steps: int = 50, size: int = 512, subject: str = "person", pipeline: Any = None):
        if offload not in OFFLOAD_MODES:
            raise UsageError(f"invalid --offload {offload!r}", hint=f"choose from {', '.join(OFFLOAD_MODES)}")
        if subject not in pc.SUBJECTS:
            raise UsageError(f"invalid subject {subject!r}", hint=f"choose from {', '.join(pc.SUBJECTS)}")
        if steps < 1:
            raise UsageError(f"--steps must be at least 1, got {steps}")
        self.steps, self.size, self.subject, self.offload = steps, size, subject, offload
        self.model_id = f"{BASE_MODEL}+{LORA_MODEL}"
        self.model_hash: str | None = None
        self._cache_key: str | None = None
        self._cache: dict[str, Any] = {}
        if pipeline is not None:
            self.pipe = pipeline
            if arg:  # a LoRA (e.g. from `fxe train pixelsmile`) on the injected pipeline
                from fxcli import registry

                self._apply_lora(self.pipe, self._lora_path(arg, registry), registry)
            return
        self.pipe, _ = self._load(arg, device, dtype, offload)

    def _load(self, arg: str | None, device_name: str, dtype_name: str, offload: str):
        from fxcli import registry

        def check_offload(device: str) -> None:
            if offload != "none" and not device.startswith("cuda"):
                raise UsageError(f"--offload {offload} needs a CUDA device (device is {device})",
                                 hint="use --offload none on CPU")

        if device_name == "cpu":
            check_offload(device_name)
        base = registry.resolve(BASE_MODEL)  # missing weights: exit 4 before torch is imported
        lora_path = self._lora_path(arg, registry)

        from fxcli.devices import resolve_device, resolve_dtype

        device = resolve_device(device_name)
        dtype = resolve_dtype(dtype_name, device)
        check_offload(str(device))
        from diffusers import QwenImageEditPlusPipeline

        try:
            pipe = QwenImageEditPlusPipeline.from_pretrained(str(base.path), torch_dtype=dtype, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ModelMissingError(f"model {BASE_MODEL} in {base.path} cannot be loaded: {str(exc).splitlines()[0]}",
                                    hint=registry.fix_hint(base.spec)) from exc
        self._apply_lora(pipe, lora_path, registry)
        place_pipeline(pipe, device, offload)
        pipe.set_progress_bar_config(disable=True)
        return pipe, device

    def _apply_lora(self, pipe: Any, lora_path: Path, registry) -> None:
        try:
            pipe.load_lora_weights(str(lora_path.parent), weight_name=lora_path.name, adapter_name=LORA_MODEL)
        except (OSError, ValueError, KeyError) as exc:
            raise ModelMissingError(f"LoRA {lora_path} cannot be loaded: {str(exc).splitlines()[0]}",
                                    hint=registry.fix_hint(registry.get_spec(LORA_MODEL))) from exc
        self.model_hash = f"lora:{lora_path.name}:{lora_path.stat().st_size}"

    @staticmethod
    def _lora_path(arg: str | None, registry) -> Path:
        if arg:
            p = Path(arg).expanduser()
            if p.is_dir():  # a `fxe train pixelsmile` checkpoint folder, or the released LoRA's folder
                p = p / (TRAINED_LORA_FILE if (p / TRAINED_LORA_FILE).is_file() else LORA_FILE)
            if not p.is_file():
                raise ModelMissingError(f"PixelSmile LoRA not found at {p}",
                                        hint=registry.fix_hint(registry.get_spec(LORA_MODEL)))
            return p
        return registry.resolve(LORA_MODEL).file(LORA_FILE)

    # -- conditioning -------------------------------------------------------------------------------

    def _prepare(self, image: np.ndarray) -> None:
        """Crop the source and forget encodings of any previous source."""
        key = hashlib.sha256(np.ascontiguousarray(image).tobytes() + str(image.shape).encode()).hexdigest()
        if key == self._cache_key:
            return
        from diffusers.pipelines.qwenimage.pipeline_qwenimage_edit_plus import (
            CONDITION_IMAGE_SIZE,
            calculate_dimensions,
        )

        work = cover_crop(image, self.size)
        cw, ch = calculate_dimensions(CONDITION_IMAGE_SIZE, 1.0)
        # the text encoder sees the image at the size the pipeline itself would give it
        self._cache = {"work": work, "condition": self.pipe.image_processor.resize(work, ch, cw)}
        self._cache_key = key

    def conditioning(self, image: np.ndarray, prompt: str) -> pc.Conditioning:
        import torch

        self._prepare(image)
        if prompt not in self._cache:
            with torch.no_grad():
                # device None: the pipeline's execution device, which also holds under CPU offloading
                self._cache[prompt] = pc.encode(self.pipe, prompt, self._cache["condition"], device=None)
        return self._cache[prompt]

    def combined_conditioning(self, image: np.ndarray, terms: list[tuple[str, float]]) -> pc.Conditioning:
        neutral = self.conditioning(image, pc.neutral_prompt(self.subject))
        conds = [(self.conditioning(image, pc.edit_prompt(pixelsmile_word(n), self.subject)), w) for n, w in terms]
        return pc.interpolate(neutral, *conds[0]) if len(conds) == 1 else pc.blend(neutral, conds)

    # -- editing ------------------------------------------------------------------------------------

    def map_point(self, shape: tuple[int, ...], xy: np.ndarray) -> np.ndarray:
        """Where source pixel `xy` lands in the SIZE x SIZE output (resize to cover, centre crop)."""
        h, w = shape[:2]
        scale = self.size / min(h, w)
        nw, nh = max(self.size, round(w * scale)), max(self.size, round(h * scale))
        offset = np.array([(nw - self.size) // 2, (nh - self.size) // 2], np.float64)
        return np.asarray(xy, np.float64) * np.array([nw / w, nh / h]) - offset

    def edit(self, image: np.ndarray, terms: list[tuple[str, float]], *, seed: int, face: Any = None) -> np.ndarray:
        """Edit an RGB uint8 image toward sum_k weight_k * expression_k; returns SIZE x SIZE RGB uint8.

        The whole (cropped) image is edited: PixelSmile needs no face box, so `face` is not used.
        """
        import torch

        if not terms:
            raise UsageError("no expression given")
        cond = self.combined_conditioning(image, terms)
        # a fresh CPU generator per call: the same seed gives the same initial latents on any device
        generator = torch.Generator(device="cpu").manual_seed(int(seed))
        try:
            with torch.no_grad():
                out = self.pipe(image=[self._cache["work"]], prompt_embeds=cond.embeds, prompt_embeds_mask=cond.mask,
                                true_cfg_scale=0.0, height=self.size, width=self.size,
                                num_inference_steps=self.steps, generator=generator, output_type="np")
        except torch.cuda.OutOfMemoryError as exc:
            raise DeviceError("out of GPU memory while editing", hint=OOM_HINT) from exc
        pixels = np.asarray(out.images[0])  # (H, W, 3) float in [0, 1]
        return (np.clip(pixels, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
