"""Lips brought together over an open mouth (fxcli/edit/lip_close.py): hand-worked plans on a drawn mouth, the
picture it gives, and a smiling photo turned sad."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from fxcli.edit import lip_close as lc
from fxcli.edit.mouth_interior import LOWER_INNER_LIP, UPPER_INNER_LIP

SKIN, UPPER_LIP, LOWER_LIP = (200, 160, 140), (180, 60, 70), (170, 50, 60)
TEETH, CAVITY = (240, 240, 230), (20, 10, 10)
LEFT, RIGHT, ROW = 40.0, 120.0, 100.0  # the inner corners (a level mouth 80 px wide) and their row
LIP = 10.0  # px: each lip's height at the middle


def drawn_mouth(half_gap: float) -> tuple[np.ndarray, np.ndarray]:
    """(image 200 x 160, landmarks (468, 2)) of a level mouth whose opening is `half_gap` px above and below the
    corners' row over its middle, the lips LIP high there, upper teeth over a dark cavity. The contours are level
    over the middle, where the new edges' smoothing along the mouth leaves them as planned."""
    import cv2

    points = np.zeros((468, 2))
    s = np.linspace(0.0, 1.0, 11)
    x = LEFT + (RIGHT - LEFT) * s
    bulge = half_gap * np.minimum(1.6 * np.sin(np.pi * s), 1.0)  # level over the middle (s 0.3 .. 0.7)
    points[list(UPPER_INNER_LIP)] = np.c_[x, ROW - bulge]
    points[list(LOWER_INNER_LIP)] = np.c_[x, ROW + bulge]
    # the outer contours run from just past the inner corners, LIP further out in the middle
    x_out = LEFT - 4 + (RIGHT - LEFT + 8) * s
    out_bulge = (half_gap + LIP) * np.minimum(1.6 * np.sin(np.pi * s), 1.0)
    points[list(lc.UPPER_OUTER)] = np.c_[x_out, ROW - out_bulge]
    points[list(lc.LOWER_OUTER)] = np.c_[x_out[::-1], ROW + out_bulge[::-1]]
    image = np.zeros((200, 160, 3), np.uint8)
    image[:] = SKIN
    outer = np.r_[points[list(lc.UPPER_OUTER)], points[list(lc.LOWER_OUTER)]]
    inner = np.r_[points[list(UPPER_INNER_LIP)], points[list(LOWER_INNER_LIP)][::-1]]
    cv2.fillPoly(image, [np.round(outer[: len(lc.UPPER_OUTER)].tolist() + [[RIGHT, ROW], [LEFT, ROW]]).astype(np.int32)],
                 UPPER_LIP)
    cv2.fillPoly(image, [np.round(outer[len(lc.UPPER_OUTER):].tolist() + [[LEFT, ROW], [RIGHT, ROW]]).astype(np.int32)],
                 LOWER_LIP)
    cv2.fillPoly(image, [np.round(inner).astype(np.int32)], CAVITY)
    teeth = (np.arange(200)[:, None] < ROW) & (image == CAVITY).all(2)
    image[teeth] = TEETH
    return image, points


def opening_mask(points: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    import cv2

    inner = np.r_[points[list(UPPER_INNER_LIP)], points[list(LOWER_INNER_LIP)][::-1]]
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(inner).astype(np.int32)], 1)
    return cv2.erode(mask, np.ones((3, 3), np.uint8)) > 0


def middle(plan: dict, key: str) -> float:
    return float(np.interp(0.5, plan["s"], plan[key]))


def test_a_mouth_open_by_less_than_its_lips_closes_where_hand_worked():
    """Half-gap 6, lips 10 high, 80 px wide, at the middle (t from the corners' row, down positive): the edge
    allowance is min(0.03 * 80, 6) = 2.4; the bands run from -16 - 10 = -26 to 26; each band holds
    26 - 6 - 2.4 = 17.6 px of picture; one stretch factor closing both is 52 / 35.2 = 1.477 (under 2), and the
    lips meet at -26 + 1.477 * 17.6 = 0. Half-way (share 0.5) the allowance is 1.2, the bands hold 18.8, the
    full factor 52 / 37.6 = 1.383 becomes 1 + 0.5 * 0.383 = 1.191, and the upper lip's edge goes to
    -26 + 1.191 * 18.8 = -3.60 (the lower one to 3.60)."""
    _, points = drawn_mouth(6.0)
    full = lc.plan(points, 1.0)
    assert middle(full, "upper") == pytest.approx(-6.0, abs=1e-6) and middle(full, "top") == pytest.approx(-26.0)
    assert middle(full, "edge") == pytest.approx(2.4)
    assert middle(full, "upper_new") == pytest.approx(0.0, abs=0.05)
    assert np.allclose(full["upper_new"], full["lower_new"])  # closed all along
    half = lc.plan(points, 0.5)
    assert middle(half, "upper_new") == pytest.approx(-3.60, abs=0.05)
    assert middle(half, "lower_new") == pytest.approx(3.60, abs=0.05)


def test_a_scream_closes_only_as_far_as_the_lips_stretch():
    """Half-gap 30 under lips 10 high: the bands hold 17.6 px each and would have to stretch 100 / 35.2 = 2.84
    times; at MAX_STRETCH 2 the upper lip's edge stops at -50 + 2 * 17.6 = -14.8, the lower at 14.8."""
    _, points = drawn_mouth(30.0)
    p = lc.plan(points, 1.0)
    assert lc.MAX_STRETCH == 2.0
    assert middle(p, "upper_new") == pytest.approx(-14.8, abs=0.1)
    assert middle(p, "lower_new") == pytest.approx(14.8, abs=0.1)


def test_closed_lips_show_lips_where_the_opening_was():
    image, points = drawn_mouth(6.0)
    was_open = opening_mask(points, image.shape)
    assert was_open.sum() > 300
    out, moved = lc.close_lips(image, points, 1.0)
    px = out[was_open].astype(int)
    # neither teeth nor cavity anywhere; red lips (the line where they meet is darker, still red) all but at the
    # corners, where the narrow opening's pixels mix lip, line and skin
    assert (px.min(1) < 200).all() and (px.max(1) > 60).all()
    assert (px[:, 0] - px[:, 1] > 40).mean() > 0.98
    # the inner lips' landmarks meet; the corners and every other landmark stay
    gap = moved[list(LOWER_INNER_LIP), 1] - moved[list(UPPER_INNER_LIP), 1]
    assert np.abs(gap).max() < 0.05
    others = np.setdiff1d(np.arange(468), list(UPPER_INNER_LIP[1:-1]) + list(LOWER_INNER_LIP[1:-1]))
    assert np.array_equal(moved[others], points[others])
    # the skin far above and below the mouth is untouched: the bands end 26 px from the corners' row
    assert np.array_equal(out[: int(ROW - 30)], image[: int(ROW - 30)])
    assert np.array_equal(out[int(ROW + 30):], image[int(ROW + 30):])
    # the meeting line is darker than the lips beside it, by about LINE_DARK
    column = out[:, 80].astype(float).mean(1)
    line = column[int(ROW) - 1: int(ROW) + 2].min()
    assert line < 0.85 * column[int(ROW) - 4] and line < 0.85 * column[int(ROW) + 4]


def test_half_way_the_lips_cover_part_of_the_teeth():
    image, points = drawn_mouth(6.0)
    out, moved = lc.close_lips(image, points, 0.5)
    gap = (moved[list(LOWER_INNER_LIP), 1] - moved[list(UPPER_INNER_LIP), 1])[5]  # the middle pair
    assert gap == pytest.approx(7.2, abs=0.1)
    # the middle of the opening still shows the photo's inside (teeth above the row, cavity below)
    assert (out[int(ROW) - 2, 78:83] > 200).all() and (out[int(ROW) + 2, 78:83] < 60).all()
    # and no teeth are left above the upper lip's new edge
    assert (out[int(ROW) - 5, 60:100].astype(int)[:, 0] - out[int(ROW) - 5, 60:100].astype(int)[:, 1] > 40).all()


def test_nothing_changes_at_share_zero_or_on_a_closed_mouth():
    image, points = drawn_mouth(6.0)
    out, moved = lc.close_lips(image, points, 0.0)
    assert out is image and np.array_equal(moved, points)
    closed, closed_points = drawn_mouth(0.0)
    out, moved = lc.close_lips(closed, closed_points, 1.0)
    assert np.array_equal(out, closed) and np.array_equal(moved, closed_points)


def test_a_smile_turned_sad_closes_its_lips():
    """The astronaut smiles with her teeth showing. Turned sad at alpha 1 and 1.5, her lips meet (the middle
    inner-lip pairs under half a pixel apart; the warp alone left 5-7 px) and the lips' area has no more pixels
    darker than luma 50 than the photo (2.3 %); the open frown painted into the gap was 40 % dark. At alpha 0.5
    the gap is about half of the warp's (6 px)."""
    from fxcli.backends.edit_embedded import EmbeddedEditor
    from fxcli.edit.mouth_interior import OUTER_LIPS
    from fxcli.edit.polygons import poly_mask
    from fxcli.face import detect_faces, load_image

    image = load_image(str(Path(__file__).parent / "data" / "public_domain" / "astronaut.jpg"))
    face = detect_faces(image)[0]
    editor = EmbeddedEditor()

    def dark_share(img: np.ndarray, points: np.ndarray) -> float:
        lips = poly_mask(img.shape, points[list(OUTER_LIPS)]) > 0
        return float(((img.astype(float) @ [0.299, 0.587, 0.114]) < 50)[lips].mean())

    def middle_gap(points: np.ndarray) -> np.ndarray:
        return points[list(LOWER_INNER_LIP[3:8]), 1] - points[list(UPPER_INNER_LIP[3:8]), 1]

    own = dark_share(image, face.landmarks[:, :2])
    assert 0.01 < own < 0.04 and middle_gap(face.landmarks[:, :2]).min() > 3
    for alpha in (1.0, 1.5):
        out = editor.edit(image, [("sad", alpha)], seed=0, face=face)
        assert np.abs(middle_gap(editor.last_dst)).max() < 0.5, alpha
        assert dark_share(out, editor.last_dst) <= own, alpha
    editor.edit(image, [("sad", 0.5)], seed=0, face=face)
    assert 2.0 < middle_gap(editor.last_dst).mean() < 4.5


def test_lips_hidden_by_hair_or_a_hand_are_not_stretched(monkeypatch):
    """Where something that is neither lip nor skin covers the photo's lips (a beard, a hand: lips_covered over
    COVERED), there are no lips to bring together: the warp's picture stays, as the fill leaves it."""
    from fxcli.backends.edit_embedded import EmbeddedEditor
    from fxcli.edit.mouth_interior import COVERED, OUTER_LIPS, lips_covered
    from fxcli.edit.polygons import poly_mask
    from fxcli.face import detect_faces, load_image

    image = load_image(str(Path(__file__).parent / "data" / "public_domain" / "astronaut.jpg"))
    face = detect_faces(image)[0]
    src = face.landmarks[:, :2].astype(np.float64)
    hidden = image.copy()
    hidden[poly_mask(image.shape, src[list(OUTER_LIPS)]) > 0] = (55, 50, 48)  # a dark grey hand over the mouth
    assert lips_covered(image, src) < 0.1 < COVERED < lips_covered(hidden, src)
    calls = []
    real = lc.close_lips
    monkeypatch.setattr(lc, "close_lips", lambda out, dst, share: calls.append(share) or real(out, dst, share))
    editor = EmbeddedEditor()
    editor.edit(image, [("sad", 1.0)], seed=0, face=face)
    assert calls == [1.0]
    editor.edit(hidden, [("sad", 1.0)], seed=0, face=face)
    assert calls == [1.0]
