"""stylize's full backend: SDXL img2img with a style prompt (GenEAva's stylization stage).

The photo is resized to cover the working size (multiple of 8, default 1024 on its short side... capped by
--size) and centre-cropped; the style name and --prompt go into the prompt; --strength (default 0.45) sets
how far the result departs from the photo (0 = the photo, 1 = a new picture). Seeded: the same inputs give
the same picture on the same device.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from fxcli.backends.gen_avatar_sdxl import BASE_MODEL, NEGATIVE, apply_lora, load_sdxl

DEFAULT_STRENGTH = 0.45
DEFAULT_SIZE = 1024


def style_prompt(style: str, extra: str | None) -> str:
    words = style.replace("-", " ").replace("_", " ")
    return f"a {words} style cartoon portrait of the person, same pose and expression" + (f", {extra}" if extra else "")


class SdxlStylizer:
    name = "sdxl"
    styles = ()  # any style word: it goes into the prompt
    needs_face = False

    def __init__(self, arg: str | None = None, *, device: str = "auto", dtype: str = "auto", lora: str | None = None,
                 steps: int = 30, guidance: float = 6.0, pipeline: Any = None, **_: Any):
        self.steps, self.guidance = steps, guidance
        self.model_id = BASE_MODEL
        if pipeline is not None:
            from diffusers import StableDiffusionXLImg2ImgPipeline

            self.pipe = pipeline if isinstance(pipeline, StableDiffusionXLImg2ImgPipeline) else \
                StableDiffusionXLImg2ImgPipeline(**pipeline.components)
            self.pipe.set_progress_bar_config(disable=True)
        else:
            self.pipe, _ = load_sdxl(arg, device, dtype, "StableDiffusionXLImg2ImgPipeline")
        self.model_hash = apply_lora(self.pipe, lora) if lora else None
        self.last_info: dict = {}

    def stylize(self, image: np.ndarray, style: str, *, face=None, seed: int = 0, colors: int | None = None,
                size: tuple[int, int] | None = None, source: str = "photo", strength: float | None = None,
                prompt: str | None = None) -> np.ndarray:
        import torch

        from fxcli.backends.edit_pixelsmile import cover_crop

        side = (min(size) if size else DEFAULT_SIZE) // 8 * 8
        pil = cover_crop(image, side)
        s = DEFAULT_STRENGTH if strength is None else float(strength)
        gen = torch.Generator("cpu").manual_seed(int(seed))
        out = self.pipe(prompt=style_prompt(style, prompt), negative_prompt=NEGATIVE, image=pil, strength=s,
                        num_inference_steps=self.steps, guidance_scale=self.guidance, generator=gen,
                        output_type="np")
        self.last_info = {"strength": s, "prompt": style_prompt(style, prompt)}
        return np.clip(out.images[0] * 255 + 0.5, 0, 255).astype(np.uint8)
