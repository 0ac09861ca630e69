"""stylize's embedded backend: classical 2D cartoon styles and the fitted toon avatar (CPU, no download)."""

from __future__ import annotations

from typing import Any

import numpy as np

from fxcli.stylize.cartoon2d import STYLES_2D, stylize_2d

AVATAR_STYLES = ("avatar", "avatar-shaded")


class EmbeddedStylizer:
    name = "embedded"
    model_id = "fxe-stylize-embedded"
    model_hash = None
    styles = STYLES_2D + AVATAR_STYLES

    def __init__(self, arg: str | None = None, *, device: str = "auto", dtype: str = "auto", **_: Any):
        from fxcli.errors import UsageError

        if arg:
            raise UsageError(f"the embedded stylizer takes no argument (got {arg!r})")
        self.last_info: dict = {}

    def stylize(self, image: np.ndarray, style: str, *, face=None, seed: int = 0, colors: int | None = None,
                size: tuple[int, int] | None = None, source: str = "photo", strength: float | None = None,
                prompt: str | None = None) -> np.ndarray:
        """The stylized picture (RGB uint8); the avatar styles need the face (fxcli.face.Face)."""
        self.last_info = {}
        if style in STYLES_2D:
            return stylize_2d(image, style, seed=seed, colors=colors)
        from fxcli.stylize.avatar_style import avatar_style

        h, w = image.shape[:2]
        res = avatar_style(image, face, size=size or (w, h), shade="shaded" if style == "avatar-shaded" else "toon",
                           source=source)
        self.last_info = {"fit_residual_px": round(res.residual_px, 3), "fit_residual_iod": round(res.residual_iod, 5),
                          "head_pose": [round(float(v), 4) for v in res.rotation], "colors": res.colors}
        return res.image
