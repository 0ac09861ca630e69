"""An avatar from a portrait: ICT identity, expression and head pose fitted to FaceMesh landmarks
(fxcli.face.ict_fit: alternating least squares with a Gaussian prior over the 100 identity modes and
a similarity pose), colours sampled from the photo at landmark-defined places:

- skin: the median of cheek and forehead patches (between landmarks that lie on bare skin);
- lips: the median along the inner and outer lip contours; brows: the darker half of the brow band;
- iris: the darker third of a disc at the centre of each eye opening;
- hair: the median of a band above the forehead, or else of patches beside the temples, unless each
  matches the background or skin (then a dark brown is assumed and recorded as such); long hair when
  patches beside the jaw on both sides have the hair's colour, short otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fxcli.avatar.appearance import Appearance, lip_from_skin, quantise
from fxcli.avatar.identity import AvatarIdentity

CHEEKS = (50, 280, 101, 330, 123, 352, 205, 425)
FOREHEAD = (151, 108, 337, 9)
LIPS = (0, 13, 14, 17, 37, 267, 39, 269, 84, 314, 181, 405, 82, 312, 87, 317)
BROWS = (70, 63, 105, 66, 107, 300, 293, 334, 296, 336, 46, 53, 52, 65, 55, 276, 283, 282, 295, 285)
EYES = ((33, 133, 159, 145), (362, 263, 386, 374))  # corners, upper lid, lower lid


@dataclass
class PhotoFit:
    identity: AvatarIdentity
    arkit: np.ndarray  # (52,)
    rotation: np.ndarray  # (3,)
    residual_px: float
    residual_iod: float


def _patch(image: np.ndarray, xy: np.ndarray, radius: int) -> np.ndarray:
    h, w = image.shape[:2]
    x, y = int(round(float(xy[0]))), int(round(float(xy[1])))
    x0, x1, y0, y1 = max(0, x - radius), min(w, x + radius + 1), max(0, y - radius), min(h, y + radius + 1)
    return image[y0:y1, x0:x1].reshape(-1, 3).astype(np.float64)


def photo_colors(image: np.ndarray, landmarks: np.ndarray) -> tuple[Appearance, dict]:
    """Colours of the face in `image` (RGB uint8) from its FaceMesh landmarks (468, 3)."""
    lm = landmarks[:, :2].astype(np.float64)
    iod = float(np.linalg.norm(lm[33] - lm[263]))
    r = max(1, int(iod * 0.06))
    skin = np.median(np.concatenate([_patch(image, lm[i], r) for i in CHEEKS + FOREHEAD]), 0) / 255
    lips = np.median(np.concatenate([_patch(image, lm[i], max(1, r // 2)) for i in LIPS]), 0) / 255
    brow_px = np.concatenate([_patch(image, lm[i], max(1, r // 2)) for i in BROWS])
    luma = brow_px @ [0.299, 0.587, 0.114]
    brow = np.median(brow_px[luma <= np.median(luma)], 0) / 255
    iris_px = []
    for c0, c1, up, lo in EYES:
        centre = (lm[c0] + lm[c1] + lm[up] + lm[lo]) / 4
        iris_px.append(_patch(image, centre, max(1, int(iod * 0.04))))
    iris_px = np.concatenate(iris_px)
    il = iris_px @ [0.299, 0.587, 0.114]
    iris = np.median(iris_px[il <= np.quantile(il, 0.33)], 0) / 255
    top = lm[10]
    up = lm[10] - lm[152]
    up /= max(np.linalg.norm(up), 1e-9)
    side = np.array([-up[1], up[0]])  # across the face, toward the image's right
    corners = np.concatenate([image[:8, :8].reshape(-1, 3), image[:8, -8:].reshape(-1, 3)]).astype(np.float64) / 255
    background = np.median(corners, 0)

    def is_hair(c: np.ndarray) -> bool:
        return bool(np.linalg.norm(c - background) >= 0.12 and np.linalg.norm(c - skin) >= 0.2)

    def beside(left: int, right: int, out: float) -> list[np.ndarray]:
        """Median colours just outside the face's outline at two outline landmarks (left, right)."""
        return [np.median(_patch(image, lm[i] + sign * side * iod * out, r), 0) / 255
                for i, sign in ((left, -1.0), (right, 1.0))]

    # above the forehead first; then beside the temples (a fringe, a hat's brim or the top cut off)
    candidates = [np.median(np.concatenate([_patch(image, top + up * iod * k, r) for k in (0.6, 0.85)]), 0) / 255,
                  *beside(127, 356, 0.3)]
    notes = {}
    hair = next((c for c in candidates if is_hair(c)), None)
    if hair is None:
        hair = np.array([0.17, 0.11, 0.07])
        notes["hair"] = "not visible (above the forehead is background or skin): dark brown assumed"
    # long hair: the hair's colour all the way down both sides of the face, from the temples to below
    # the jaw (lit and shaded strands differ a lot: a loose match; ears and neck are skin, so short
    # hair breaks the strip)
    strip = [c for a, b in ((127, 356), (234, 454), (93, 323), (132, 361), (58, 288), (172, 397))
             for c in beside(a, b, 0.35)]
    long_hair = "hair" not in notes and all(is_hair(c) and np.linalg.norm(c - hair) < 0.45 for c in strip)
    if np.linalg.norm(lips - skin) < 0.04:
        lips = lip_from_skin(skin)
        notes["lip"] = "lips not distinct from skin: derived from the skin tone"
    luma_skin = float(skin @ [0.299, 0.587, 0.114])
    tone = float(np.clip(1 + 9 * (0.93 - luma_skin) / 0.8, 1, 10))  # rough position on the Monk scale
    appearance = Appearance(skin=quantise(skin), iris=quantise(iris), lip=quantise(lips), brow=quantise(brow * 0.9),
                            hair=quantise(hair), skin_tone=round(tone, 3), iris_name="from photo", hair_name="from photo",
                            hair_style="long" if long_hair else "short", hairline=0.0)
    return appearance, notes


def fit_photo(image: np.ndarray, face, *, name: str, source: str, expression: bool = True) -> PhotoFit:
    """Identity, expression, pose and colours of `face` (fxcli.face.Face) in `image`."""
    from fxcli.face.ict_fit import fit_face

    fit = fit_face(face.landmarks, fit_identity=True, expression=expression)
    appearance, notes = photo_colors(image, face.landmarks)
    coeffs = np.clip(np.asarray(fit.identity, np.float32), -4.0, 4.0)
    ident = AvatarIdentity(name, coeffs, appearance, source=source,
                           extra={"fit": {"residual_px": round(float(fit.residual_px), 3),
                                          "residual_iod": round(float(fit.residual_iod), 5),
                                          "rotation": [round(float(v), 4) for v in fit.rotation]},
                                  **({"color_notes": notes} if notes else {})})
    return PhotoFit(ident, np.asarray(fit.arkit, np.float32), np.asarray(fit.rotation, np.float32),
                    float(fit.residual_px), float(fit.residual_iod))


def identity_from_portrait(path: str, name: str | None = None, face_index: int | None = None) -> PhotoFit:
    """Load `path`, find its face and fit it.

    NoFaceError (exit 5) when there is no face, or several clear ones and no `face_index` (the rule of `edit`).
    """
    from pathlib import Path

    from fxcli.edit.faces_list import choose_face
    from fxcli.face import detect_faces, load_image

    image = load_image(path)
    face = choose_face(detect_faces(image), face_index, path, task="fit",
                       hint="give a photo (or a crop) with one face; `fxe faces` lists them")
    return fit_photo(image, face, name=name or Path(path).stem, source=path)
