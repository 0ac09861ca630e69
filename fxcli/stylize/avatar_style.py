"""The `avatar` style: the portrait's person as a toon avatar with the same expression and head pose.

FaceMesh landmarks → ICT identity, ARKit-52 expression and head rotation (fxcli.face.ict_fit, least
squares with priors), colours sampled from the photo (fxcli.avatar.from_photo), rendered on the avatar
head (brows, hair cap) with toon or smooth shading. The fitted expression is pushed by CARTOON_GAIN
(clipped to 1), as a caricaturist pushes a pose: fitted weights are conservative (priors pull toward 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CARTOON_GAIN = 1.3


def _gaze_channels() -> list[int]:
    from fxcli.tracks.channels import ARKIT52

    return [i for i, n in enumerate(ARKIT52) if n.startswith("eyeLook")]


GAZE = _gaze_channels()


def _lid_pairs() -> list[tuple[int, int]]:
    from fxcli.tracks.channels import ARKIT52

    return [(ARKIT52.index(f"eyeBlink{s}"), ARKIT52.index(f"eyeWide{s}")) for s in ("Left", "Right")]


LIDS = _lid_pairs()
AVATAR_SHADES = ("toon", "shaded")


@dataclass
class AvatarStyleResult:
    image: np.ndarray
    residual_px: float
    residual_iod: float
    arkit: np.ndarray
    rotation: np.ndarray
    colors: dict


def render_fit(fit, size: tuple[int, int], shade: str = "toon", renderer: str = "auto") -> np.ndarray:
    painter = _painter(size, shade, renderer)
    weights = np.clip(np.asarray(fit.arkit, np.float32) * CARTOON_GAIN, 0, 1)
    weights[GAZE] = 0.0  # FaceMesh's 468 points carry no iris: gaze is not observed, the eyes look ahead
    for blink, wide in LIDS:  # the lid's net opening: a fit may split it between eyeBlink and eyeWide
        net = weights[wide] - weights[blink]
        weights[wide], weights[blink] = max(net, 0.0), max(-net, 0.0)
    weights = weights[None]
    return next(iter(painter.images(fit.identity, weights, np.asarray(fit.rotation, np.float32)[None],
                                    recentre=True)))


_PAINTERS: dict = {}


def _painter(size, shade, renderer):
    from fxcli.avatar.generate import AvatarPainter

    key = (tuple(size), shade, renderer)
    if key not in _PAINTERS:
        _PAINTERS[key] = AvatarPainter(tuple(size), shade, renderer)
    return _PAINTERS[key]


def avatar_style(image: np.ndarray, face, *, size: tuple[int, int], shade: str = "toon", source: str = "photo",
                 renderer: str = "auto") -> AvatarStyleResult:
    from fxcli.avatar.from_photo import fit_photo

    fit = fit_photo(image, face, name="avatar", source=source)
    img = render_fit(fit, size, shade, renderer)
    return AvatarStyleResult(img, fit.residual_px, fit.residual_iod, fit.arkit, fit.rotation,
                             fit.identity.appearance.to_dict())
