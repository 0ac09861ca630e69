"""How much of a photo's open eyes still shows on a frame: an appearance measure of closed eyes and blinks.

FaceMesh's lid gap (fxcli/judges/geometry.py `eye_opening`) is a landmark guess: on a painted closed lid it
can still place the lids apart. This measure looks at the pixels instead.

- In the source photo each eye's open part is the inside of the outline of its lid margins (FaceMesh: the
  corners, upper and lower lid), less a 1 px border (the margins themselves): iris, pupil, white.
- The frame is brought back onto the source by the similarity that maps the frame's four eye corners onto the
  source's (the corners sit on the skull: they follow the head, not the lids).
  Only its upper UPPER_SHARE (from the upper lid down, column by column) is counted: the part a closing lid
  covers first and where the lashes of a closed eye never hang (a dark lash line can match a dark iris).
  Pixels that look like the skin around the eye (within UNLIKE_SKIN of its median colour, a ring RING_IN..
  RING_OUT openings outside the outline) are left out: a lid could not be told from them.
- A pixel of the source's open eye still shows when the frame, brought back, has a colour within MATCH
  (RGB distance, 0-255) of the source's there, at the same place or one pixel off (landmark jitter).
- eye_shown = pixels still showing / pixels of the source's open eyes, both eyes together: close to 1 for an
  eye as open as the photo's, near 0 when a lid covers it (what remains: where the lash line happens to
  have the iris's colour).
"""

from __future__ import annotations

import numpy as np

CORNERS = (33, 133, 263, 362)
OUTLINES = (  # corners, upper lid, lower lid (outer -> inner) of each eye
    (33, (246, 161, 160, 159, 158, 157, 173), 133, (7, 163, 144, 145, 153, 154, 155)),
    (263, (466, 388, 387, 386, 385, 384, 398), 362, (249, 390, 373, 374, 380, 381, 382)),
)
MATCH = 20.0
UPPER_SHARE = 0.6
UNLIKE_SKIN = 40.0
RING_IN, RING_OUT = 1.0, 2.0


def eye_outline(landmarks: np.ndarray, k: int) -> np.ndarray:
    outer, upper, inner, lower = OUTLINES[k]
    return landmarks[[outer, *upper, inner, *lower[::-1]], :2].astype(np.float64)


def skin_colour(image: np.ndarray, outline: np.ndarray) -> np.ndarray | None:
    """Median colour of a ring around an eye's outline, RING_IN..RING_OUT openings out (beyond the lashes)."""
    from fxcli.edit.polygons import poly_mask

    opening, width = float(np.ptp(outline[:, 1])), float(np.ptp(outline[:, 0]))
    if width < 1.0:
        return None
    centre = outline.mean(0)
    outer = poly_mask(image.shape, centre + (outline - centre) * (1 + 2 * RING_OUT * opening / width)) > 0
    inner = poly_mask(image.shape, centre + (outline - centre) * (1 + 2 * RING_IN * opening / width)) > 0
    ring = outer & ~inner
    if ring.sum() < 4:
        return None
    return np.median(image[ring].astype(np.float32), axis=0)


def upper_part(outline: np.ndarray, x0: int, y0: int, shape: tuple[int, int]) -> np.ndarray:
    """(h, w) bool of a crop at (x0, y0): the rows of each column within UPPER_SHARE of the way from the
    outline's upper lid down to its lower lid."""
    n = (len(outline) - 2) // 2
    upper, lower = outline[: n + 2], np.vstack([outline[n + 1:], outline[:1]])
    xs = np.arange(x0, x0 + shape[1], dtype=np.float64)
    u = np.interp(xs, *upper[np.argsort(upper[:, 0])].T)
    lo = np.interp(xs, *lower[np.argsort(lower[:, 0])].T)
    ys = np.arange(y0, y0 + shape[0], dtype=np.float64)[:, None]
    return ys < u + UPPER_SHARE * (lo - u)


def similarity(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """(2, 3) least-squares similarity (scale, rotation, shift) taking points `src` onto `dst`."""
    ms, md = src.mean(0), dst.mean(0)
    a, b = src - ms, dst - md
    den = float((a ** 2).sum())
    p = float((a[:, 0] * b[:, 0] + a[:, 1] * b[:, 1]).sum()) / den
    q = float((a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0]).sum()) / den
    r = np.array([[p, -q], [q, p]])
    return np.hstack([r, (md - r @ ms)[:, None]])


def eye_shown(source: np.ndarray, source_landmarks: np.ndarray, frame: np.ndarray,
              frame_landmarks: np.ndarray) -> float | None:
    """Share of the source's open-eye pixels still showing on `frame` (module docstring); None when the frame
    has no landmarks or the source's eyes show (almost) nothing."""
    import cv2

    from fxcli.edit.polygons import poly_mask

    if not np.isfinite(frame_landmarks[list(CORNERS), :2]).all():
        return None
    back = similarity(frame_landmarks[list(CORNERS), :2].astype(np.float64),
                      source_landmarks[list(CORNERS), :2].astype(np.float64))
    h, w = source.shape[:2]
    total = shown = 0
    for k in range(len(OUTLINES)):
        outline = eye_outline(source_landmarks, k)
        x0, y0 = np.floor(outline.min(0)).astype(int) - 2
        x1, y1 = np.ceil(outline.max(0)).astype(int) + 3
        if x0 < 0 or y0 < 0 or x1 > w or y1 > h:
            continue
        inside = cv2.erode(poly_mask((y1 - y0, x1 - x0), outline - [x0, y0]), np.ones((3, 3), np.uint8)) > 0
        ref = source[y0:y1, x0:x1].astype(np.float32)
        # only pixels a lid could not pass for: unlike the skin around the eye (a ring beyond the lashes)
        skin = skin_colour(source, outline)
        if skin is None:
            continue
        inside &= np.linalg.norm(ref - skin, axis=-1) > UNLIKE_SKIN
        inside &= upper_part(outline, x0, y0, inside.shape)
        if not inside.any():
            continue
        m = back.copy()
        m[:, 2] -= [x0 - 1, y0 - 1]  # the frame brought back onto the crop grown by 1 px on each side
        frame_back = cv2.warpAffine(frame, m, (x1 - x0 + 2, y1 - y0 + 2), flags=cv2.INTER_LINEAR,
                                    borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
        best = np.full(inside.shape, np.inf, np.float32)
        for dy in range(3):
            for dx in range(3):
                d = np.linalg.norm(frame_back[dy:dy + y1 - y0, dx:dx + x1 - x0] - ref, axis=-1)
                best = np.minimum(best, d)
        total += int(inside.sum())
        shown += int((best[inside] <= MATCH).sum())
    if total < 4:
        return None
    return shown / total
