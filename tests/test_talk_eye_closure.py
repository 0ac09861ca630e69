"""A talking portrait's closed eyes: on a drawn eye (known pixels) the lid covers the iris and the white and a
lash line shows where the lids meet; the measure of how much of the open eye still shows."""

from __future__ import annotations

import numpy as np
import pytest

SKIN, SCLERA, IRIS, PUPIL, LASH = (200, 150, 130), (235, 235, 230), (70, 100, 150), (25, 25, 30), (40, 28, 24)
T = np.linspace(0, 1, 9)  # outer corner, 7 lid points, inner corner


def drawn_eye(cx: float = 100.0, cy: float = 100.0):
    """A 200 x 200 skin-coloured picture with one eye: corners at cx -/+ 40, the upper lid 14 px above the
    corners' line at its middle, the lower lid 10 px below; white, an iris (r 11) with a pupil (r 4), a 2 px lash
    line along the upper lid and lash strokes above it. Returns the image and the two lid outlines (9, 2)."""
    import cv2

    image = np.zeros((200, 200, 3), np.uint8)
    image[:] = SKIN
    xs = cx - 40 + 80 * T
    upper = np.stack([xs, cy - 14 * np.sin(np.pi * T)], 1)
    lower = np.stack([xs, cy + 10 * np.sin(np.pi * T)], 1)
    outline = np.vstack([upper, lower[::-1][1:-1]])
    mask = np.zeros((200, 200), np.uint8)
    cv2.fillPoly(mask, [np.round(outline).astype(np.int32)], 255)
    ball = image.copy()
    ball[:] = SCLERA
    cv2.circle(ball, (int(cx), int(cy - 1)), 11, IRIS, -1)
    cv2.circle(ball, (int(cx), int(cy - 1)), 4, PUPIL, -1)
    image[mask > 0] = ball[mask > 0]
    cv2.polylines(image, [np.round(upper).astype(np.int32)], False, LASH, 2)
    for x in range(int(cx) - 30, int(cx) + 31, 5):  # lashes: short strokes up from the lid
        y = float(np.interp(x, upper[:, 0], upper[:, 1]))
        cv2.line(image, (x, int(y)), (x - 1, int(y) - 4), LASH, 1)
    return image, upper, lower


def _near(pixels: np.ndarray, colour, tol: float = 40.0) -> np.ndarray:
    return np.linalg.norm(pixels.astype(np.float32) - np.asarray(colour, np.float32), axis=-1) < tol


def _inside(upper: np.ndarray, lower: np.ndarray, shape) -> np.ndarray:
    import cv2

    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(np.vstack([upper, lower[::-1][1:-1]])).astype(np.int32)], 255)
    return cv2.erode(mask, np.ones((3, 3), np.uint8)) > 0


def _closed(image, upper, lower, b):
    from fxcli.talk.eye_closure import close_eye, eye_lids

    lids = eye_lids(image, upper, lower)
    out = image.copy()
    x0, y0, x1, y1 = lids.box
    out[y0:y1, x0:x1] = close_eye(image, lids, b)
    return out, lids


def test_a_closed_drawn_eye_shows_lid_and_a_lash_line_and_no_eye():
    from fxcli.talk.eye_closure import CLOSE_LOWER, LASH_BAND, LID_ABOVE

    image, upper, lower = drawn_eye()
    inside = _inside(upper, lower, image.shape)
    assert _near(image[inside], SCLERA).sum() > 300 and _near(image[inside], IRIS).sum() > 150  # the open eye
    out, _ = _closed(image, upper, lower, 1.0)
    assert _near(out[inside], SCLERA).sum() == 0
    assert _near(out[inside], IRIS).sum() == 0
    # where the lids meet (the upper lid 1 - CLOSE_LOWER of the way down) a dark line crosses the middle of the eye
    for x in range(80, 121, 4):
        u, lo = np.interp(x, upper[:, 0], upper[:, 1]), np.interp(x, lower[:, 0], lower[:, 1])
        meet = u + (1 - CLOSE_LOWER) * (lo - u)
        column = out[int(meet) - 3:int(meet) + 3, x].astype(np.float32) @ np.array([0.299, 0.587, 0.114])
        assert column.min() < 90, (x, column.round())
        # above it the lid is skin, no streak of lashes: every pixel from the lid's still top down to its
        # lash band (the lashes moved down with the margin, unstretched) within 40 of the skin
        top, lashes = u - LID_ABOVE * (lo - u), meet - LASH_BAND * (lo - u)
        assert _near(out[int(np.ceil(top)):int(lashes) - 1, x], SKIN).all(), x
    # outside the lids' box the picture is untouched
    box = np.zeros(image.shape[:2], bool)
    x0, y0, x1, y1 = _closed(image, upper, lower, 1.0)[1].box
    box[y0:y1, x0:x1] = True
    assert np.array_equal(out[~box], image[~box])


def test_an_open_eye_is_the_photo_and_a_half_closed_one_keeps_its_eyeball_in_place():
    from fxcli.talk.eye_closure import CLOSE_LOWER, row_map

    image, upper, lower = drawn_eye()
    out, lids = _closed(image, upper, lower, 0.0)
    assert np.array_equal(out, image)
    x0, y0, x1, y1 = lids.box
    ys = np.arange(y0, y1)[:, None]
    np.testing.assert_allclose(row_map(lids, 0.0), np.broadcast_to(ys, (y1 - y0, x1 - x0)), atol=1e-4)
    for b in (0.1, 0.3, 0.5, 0.8, 1.0):
        rows = row_map(lids, b)
        assert np.all(np.diff(rows, axis=0) >= -1e-4), b  # down each column the photo is read in order: no fold
        assert np.all(rows >= y0 - 1e-4) and np.all(rows <= y1 - 1 + 1e-4)
    # half closed: between the new margins every pixel shows the photo at the same place (the eyeball stays);
    # the iris's lower part is still there
    b = 0.5
    out, lids = _closed(image, upper, lower, b)
    x = 100 - x0
    u, lo = lids.upper[x], lids.lower[x]
    m, lb = u + b * (1 - CLOSE_LOWER) * (lo - u), lo - b * CLOSE_LOWER * (lo - u)
    between = np.arange(int(np.ceil(m)) + 1, int(np.floor(lb)))
    assert len(between) >= 6
    assert np.array_equal(out[between, 100], image[between, 100])
    assert _near(out[between, 100], IRIS).sum() >= 3


def test_eye_shown_is_one_for_the_same_eye_moved_and_falls_as_it_closes():
    from fxcli.metrics.eye_visibility import CORNERS, OUTLINES, eye_shown

    image, upper, lower = drawn_eye()

    def landmarks(shift=(0.0, 0.0)):
        lm = np.zeros((468, 2))
        lm[:] = np.nan
        for k, (outer, up, inner, low) in enumerate(OUTLINES):
            dx = 0.0 if k == 0 else 1000.0  # the other eye far outside the picture: left out of the count
            lm[[outer, *up, inner]] = upper + [dx, 0]
            lm[[outer, *low, inner]] = lower + [dx, 0]
        return lm + shift

    lm = landmarks()
    assert set(CORNERS) <= {OUTLINES[0][0], OUTLINES[0][2], OUTLINES[1][0], OUTLINES[1][2]}
    assert eye_shown(image, lm, image, lm) == pytest.approx(1.0)
    moved = np.zeros_like(image)
    moved[:] = SKIN
    moved[3:, 5:] = image[:-3, :-5]  # the head moved 5 px right, 3 px down
    assert eye_shown(image, lm, moved, landmarks((5.0, 3.0))) == pytest.approx(1.0, abs=0.02)
    shares = []
    for b in (0.25, 0.5, 0.75, 1.0):
        out, _ = _closed(image, upper, lower, b)
        shares.append(eye_shown(image, lm, out, lm))
    assert all(a > c for a, c in zip(shares, shares[1:], strict=False)), shares
    assert shares[-1] < 0.05 and shares[0] > 0.5, shares
    no_face = landmarks()
    no_face[33] = np.nan
    assert eye_shown(image, lm, image, no_face) is None
