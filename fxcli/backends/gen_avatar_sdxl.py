"""gen-avatar's full backend: SDXL with expression prompts, consistent attention and an identity reference.

- Weights: `sdxl-base` through the registry (or `--model sdxl:PATH`, a diffusers folder); missing -> exit 4
  with the command that fetches them. `--lora PATH` adds an expression LoRA (`fxe train sdxl-expressions`).
- Prompts: the identity's look in words (skin tone on the Monk scale, eye and hair colour or head cover,
  from the identity's colours) and the expression: its library name and the action units of its recipe
  ("a cartoon avatar ..., surprised expression (AU1 0.8, AU2 0.8, AU26 0.6 ...)"); alpha becomes
  "slightly" / "very".
- Consistency (Gen-AFFECT): the images of one identity are generated in batches whose first image is
  the identity's neutral face (same seed in every batch: the anchor), with consistent self-attention
  (fxcli.models.consistent_attention) across the batch, so hair, colours and face shape carry over.
- Identity reference: with IP-Adapter weights present (`ip-adapter-sdxl` in the registry) and an identity
  fitted to a photo (--identity-from), the photo conditions every image of that identity.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from fxcli.avatar.generate import GenRequest, image_meta, image_name, run_generation
from fxcli.errors import DeviceError, ModelMissingError

BASE_MODEL = "sdxl-base"
IP_ADAPTER = "ip-adapter-sdxl"
NEGATIVE = "photo, realistic, blurry, deformed, extra fingers, text, watermark"
MONK_WORDS = ("very light", "very light", "light", "light", "medium-light", "medium", "medium-dark", "dark",
              "dark", "very dark")


def identity_words(ident) -> str:
    a = ident.appearance
    tone = MONK_WORDS[int(np.clip(round(a.skin_tone) - 1, 0, 9))]
    hair = f"wearing a plain {a.hair_name.split(' ', 1)[1]} head cover" if a.cover else f"{a.hair_name} hair"
    if a.hair_name == "from photo":
        hair = "hair as in the reference"
    eyes = "" if a.iris_name in ("from photo", "custom") else f", {a.iris_name} eyes"
    return f"{tone} skin, {hair}{eyes}"


def expression_words(target, alpha: float) -> str:
    if target is None:
        return "neutral expression, relaxed face"
    degree = "slightly " if alpha < 0.5 else ("very " if alpha > 1.2 else "")
    return f"{degree}{target.description()} expression"


def prompt_for(ident, target, alpha: float) -> str:
    return (f"a cartoon avatar of one person, head and shoulders, front view, {identity_words(ident)}, "
            f"{expression_words(target, alpha)}, clean flat colours, plain background")


def load_sdxl(arg: str | None, device_name: str, dtype_name: str, pipeline_class: str = "StableDiffusionXLPipeline"):
    """The SDXL pipeline from local weights (registry `sdxl-base` or the folder `arg`); exit 4 when missing."""
    from fxcli import registry

    base = registry.resolve(BASE_MODEL, arg)  # missing weights: exit 4 before the heavy imports
    folder = Path(base.path)

    import diffusers

    from fxcli.devices import resolve_device, resolve_dtype

    device = resolve_device(device_name)
    dtype = resolve_dtype(dtype_name, device)
    variant = "fp16" if (folder / "unet" / "diffusion_pytorch_model.fp16.safetensors").is_file() else None
    cls = getattr(diffusers, pipeline_class)
    try:
        pipe = cls.from_pretrained(str(folder), torch_dtype=dtype, variant=variant, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise ModelMissingError(f"model {BASE_MODEL} in {folder} cannot be loaded: {str(exc).splitlines()[0]}",
                                hint=registry.fix_hint(base.spec)) from exc
    try:
        pipe.to(device)
    except RuntimeError as exc:
        raise DeviceError(f"cannot place SDXL on {device} ({str(exc).splitlines()[0]})",
                          hint="use --dtype float16 or a larger GPU") from exc
    pipe.set_progress_bar_config(disable=True)
    return pipe, device


def apply_lora(pipe, path: str) -> str:
    p = Path(path)
    try:
        if p.is_dir():
            pipe.load_lora_weights(str(p), adapter_name="expressions")
        else:
            pipe.load_lora_weights(str(p.parent), weight_name=p.name, adapter_name="expressions")
    except (OSError, ValueError, KeyError) as exc:
        raise ModelMissingError(f"LoRA {path} cannot be loaded: {str(exc).splitlines()[0]}",
                                hint="give the folder `fxe train sdxl-expressions -o DIR` wrote") from exc
    return f"lora:{p.name}"


def try_ip_adapter(pipe) -> bool:
    """Load IP-Adapter when its weights are on this machine; False (and nothing loaded) otherwise."""
    from fxcli import registry

    try:
        resolved = registry.resolve(IP_ADAPTER)
    except ModelMissingError:
        return False
    folder = Path(resolved.path)
    pipe.load_ip_adapter(str(folder), subfolder="sdxl_models", weight_name="ip-adapter_sdxl.safetensors",
                         image_encoder_folder="image_encoder")
    pipe.set_ip_adapter_scale(0.6)
    return True


class SdxlAvatarGenerator:
    name = "sdxl"
    styles = ("toon", "shaded")

    def __init__(self, arg: str | None = None, *, device: str = "auto", dtype: str = "auto", lora: str | None = None,
                 steps: int = 30, consistent: bool = True, guidance: float = 5.0, batch: int = 4,
                 pipeline: Any = None, **_: Any):
        self.steps, self.consistent, self.guidance, self.batch = steps, consistent, guidance, max(2, batch)
        self.model_id = BASE_MODEL
        if pipeline is not None:
            self.pipe, self.device = pipeline, pipeline.device
        else:
            self.pipe, self.device = load_sdxl(arg, device, dtype)
        self.model_hash = apply_lora(self.pipe, lora) if lora else None
        self.ip_adapter = try_ip_adapter(self.pipe) if pipeline is None else False

    def generate(self, req: GenRequest, report: Callable[[str], None] = lambda _: None,
                 progress: Callable[[int], None] | None = None) -> dict[str, Any]:
        req.model_id, req.model_hash = self.model_id, self.model_hash
        req.extra_params = {**req.extra_params, "steps": self.steps, "consistent_attention": self.consistent,
                            "guidance": self.guidance}
        return run_generation(req, report, progress, render=self._render)

    def images_for(self, ident, rows: list[tuple[Any, float]], size: tuple[int, int], seed: int,
                   index: int, reference=None) -> list[np.ndarray]:
        """Pictures for [(target or None, alpha)] of one identity; row 0 should be the neutral anchor."""
        import torch

        from fxcli.models.consistent_attention import clear_consistent_attention, set_consistent_attention

        prompts = [prompt_for(ident, t, a) for t, a in rows]
        gens = [torch.Generator("cpu").manual_seed(int(seed) * 1_000_003 + index * 1009 + (k if t is not None else 0))
                for k, (t, _) in enumerate(rows)]
        previous = set_consistent_attention(self.pipe.unet, [0] * len(rows)) if self.consistent else None
        kwargs = {}
        if reference is not None and self.ip_adapter:
            kwargs["ip_adapter_image"] = [reference] * len(rows)
        try:
            out = self.pipe(prompt=prompts, negative_prompt=[NEGATIVE] * len(rows), num_inference_steps=self.steps,
                            guidance_scale=self.guidance, width=size[0], height=size[1], generator=gens,
                            output_type="np", **kwargs)
        except torch.cuda.OutOfMemoryError as exc:
            raise DeviceError("out of GPU memory in SDXL", hint="lower --size or use --dtype float16") from exc
        finally:
            if previous is not None:
                clear_consistent_attention(self.pipe.unet, previous)
        return [np.clip(im * 255 + 0.5, 0, 255).astype(np.uint8) for im in out.images]

    def _render(self, req: GenRequest, progress: Callable[[int], None] | None) -> None:
        from fxcli.avatar.generate import encode_png
        from fxcli.io.atomic import write_bytes_atomic

        several = len(req.alphas) > 1
        rows_all = [(t, a) for t in req.targets for a in req.alphas]
        for n, ident in enumerate(req.identities):
            reference = None
            if ident.source and self.ip_adapter:
                from PIL import Image

                reference = Image.open(ident.source).convert("RGB")
            per = self.batch - 1
            for start in range(0, len(rows_all), per):
                chunk = rows_all[start:start + per]
                pics = self.images_for(ident, [(None, 0.0)] + chunk, req.size, req.seed, n, reference)
                if start == 0:
                    path = str(Path(req.output) / "identities" / f"{ident.name}.png")
                    write_bytes_atomic(path, encode_png(pics[0], image_meta(req, ident, None, 0.0)))
                    if progress:
                        progress(1)
                for (t, a), pic in zip(chunk, pics[1:], strict=True):
                    path = str(Path(req.output) / image_name(ident.name, t, a, several))
                    write_bytes_atomic(path, encode_png(pic, image_meta(req, ident, t, a)))
                    if progress:
                        progress(1)
