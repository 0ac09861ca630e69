"""Hair and objects in front of the face's upper part (fxcli/edit/occluders.py): what is found on drawn
occluders, shade and spots, the still points taken on them, and an edit that leaves a drawn fringe in place."""

from __future__ import annotations

import numpy as np
import pytest

from fxcli.edit import occluders as oc

from .conftest import PORTRAITS

HAIR = (45, 32, 24)  # dark brown


@pytest.fixture(scope="module")
def portrait():
    from fxcli.face import detect_faces, load_image

    image = load_image(str(PORTRAITS / "interfaces-001.jpg"))
    return image, detect_faces(image)[0]


def _inside_upper(image: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """The face oval's pixels well above the nose's base (where the hold is whole), without eyes and brows."""
    import cv2

    from fxcli.edit.lip_seal import face_down
    from fxcli.face.ict_fit import FACE_OVAL

    inside = np.zeros(image.shape[:2], np.uint8)
    cv2.fillPoly(inside, [np.round(xy[list(FACE_OVAL)]).astype(np.int32)], 255)
    down = face_down(xy)
    ys, xs = np.mgrid[:image.shape[0], :image.shape[1]]
    depth = (xs - xy[oc.NOSE_BASE, 0]) * down[0] + (ys - xy[oc.NOSE_BASE, 1]) * down[1]
    features = np.zeros(image.shape[:2], np.uint8)
    for part in oc.EYES + oc.BROWS:
        cv2.fillPoly(features, [np.round(cv2.convexHull(xy[list(part)].astype(np.float32))).astype(np.int32)], 255)
    features = oc._within(features, (oc.FEATURE_MARGIN + 0.02) * oc.corner_iod(xy))
    return (inside > 0) & (depth < -oc.FADE * oc.corner_iod(xy) - 2) & ~features


def _fringe(image: np.ndarray, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(image, band) with a slanted band of dark hair drawn from beyond the face's side across its forehead, a
    third of the way from the oval's top down to the brows."""
    import cv2

    iod = oc.corner_iod(xy)
    top = xy[10]  # the oval's top
    brow = xy[list(oc.BROWS[0] + oc.BROWS[1])][:, 1].min()
    y = top[1] + (brow - top[1]) / 3
    x0, x1 = xy[:, 0].min() - 0.4 * iod, xy[:, 0].max() - 0.3 * iod
    band = np.zeros(image.shape[:2], np.uint8)
    poly = np.array([[x0, y - 0.12 * iod], [x1, y + 0.02 * iod], [x1, y + 0.16 * iod], [x0, y + 0.02 * iod]])
    cv2.fillPoly(band, [np.round(poly).astype(np.int32)], 255)
    drawn = image.copy()
    drawn[band > 0] = HAIR
    return drawn, band > 0


def test_a_drawn_fringe_is_found_whole_and_nothing_else(portrait):
    image, face = portrait
    xy = face.landmarks[:, :2].astype(np.float64)
    clean = oc.occluder_mask(image, face.landmarks)
    clean = np.zeros(image.shape[:2], bool) if clean is None else clean > 0.5
    drawn, band = _fringe(image, xy)
    found = oc.occluder_mask(drawn, face.landmarks)
    assert found is not None
    held = found > 0.5
    zone = _inside_upper(image, xy)
    assert held[band & zone].mean() > 0.97
    # nothing new in the face beside it (beyond the closing's reach; outside the face, hair it joins goes with it)
    grown = oc._within(band.astype(np.uint8), oc.CLOSE * oc.corner_iod(xy) + 2)
    assert (held & zone & ~grown & ~clean).sum() < 0.01 * band.sum()


def test_shade_keeps_its_hue_and_is_not_taken_but_grey_of_the_same_darkness_is(portrait):
    """A hard-edged shadow over half the face (every channel x 0.45: saturation unchanged) is skin in shade; the
    same pixels made grey at the same luminance are an object."""
    image, face = portrait
    xy = face.landmarks[:, :2].astype(np.float64)
    # the skin there (not the hair over the face's side, which shade makes black)
    import cv2

    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(float)
    from fxcli.edit.mouth_interior import lip_and_skin

    skin = np.clip(np.round(lip_and_skin(image, xy)[1]), 0, 255).astype(np.uint8)[None, None]
    ref = cv2.cvtColor(skin, cv2.COLOR_RGB2LAB).astype(float)[0, 0]
    skin_like = np.linalg.norm(lab - ref, axis=2) < oc.FAR
    # and not within the closing's reach of what is not skin (an occluder's gaps are closed over that reach)
    near_other = oc._within((~skin_like).astype(np.uint8), oc.CLOSE * oc.corner_iod(xy) + 1)
    zone = _inside_upper(image, xy) & skin_like & ~near_other
    half = np.zeros(image.shape[:2], bool)
    half[:, int(xy[168, 0]):] = True
    shade = (half & zone)
    shaded = image.copy()
    shaded[half] = np.round(image[half] * 0.45).astype(np.uint8)
    found = oc.occluder_mask(shaded, face.landmarks)
    assert found is None or (found[shade] > 0.5).mean() < 0.02
    grey = shaded.copy()
    lum = shaded[half].astype(np.float64) @ np.array([0.299, 0.587, 0.114])
    grey[half] = np.round(lum)[:, None].astype(np.uint8)
    found = oc.occluder_mask(grey, face.landmarks)
    assert found is not None and (found[shade] > 0.5).mean() > 0.9


def test_dark_spots_inside_the_face_and_a_beard_below_the_nose_are_left_to_the_warp(portrait):
    import cv2

    image, face = portrait
    xy = face.landmarks[:, :2].astype(np.float64)
    iod = oc.corner_iod(xy)
    spotted = image.copy()
    # a dark spot on the forehead that touches nothing outside the face (a mole, a tattoo)
    centre = tuple(int(v) for v in np.round(0.5 * (xy[10] + xy[168])))
    cv2.circle(spotted, centre, int(0.12 * iod), HAIR, -1)
    # a beard: the lower face below the nose's base, reaching out past the jaw
    chin = np.array([[xy[:, 0].min() - 0.3 * iod, xy[2, 1] + 0.15 * iod], [xy[:, 0].max() + 0.3 * iod,
                     xy[2, 1] + 0.15 * iod], [xy[:, 0].max() + 0.3 * iod, xy[152, 1] + 0.3 * iod],
                     [xy[:, 0].min() - 0.3 * iod, xy[152, 1] + 0.3 * iod]])
    cv2.fillPoly(spotted, [np.round(chin).astype(np.int32)], HAIR)
    clean = oc.occluder_mask(image, face.landmarks)
    found = oc.occluder_mask(spotted, face.landmarks)
    new = (found if found is not None else 0) - (clean if clean is not None else 0)
    assert np.max(new) < 0.05


def test_still_points_cover_the_occluder_and_keep_clear_of_moving_landmarks(portrait, monkeypatch):
    """Rectangles of occluder: every point on one and none within CLEAR of a landmark off them; the landmarks on
    them exactly those whose pixel is in one; the outline covered (each outline pixel clear of moving landmarks has
    a point within a cell's diagonal)."""
    image, face = portrait
    xy = face.landmarks[:, :2].astype(np.float64)
    iod = oc.corner_iod(xy)
    # one over the forehead's middle, one beside the face (REACH widened to take it)
    monkeypatch.setattr(oc, "REACH", 1.0)
    boxes = [(int(xy[10, 0] - 0.6 * iod), int(xy[10, 1] + 0.05 * iod), int(xy[10, 0] + 0.6 * iod),
              int(xy[168, 1] - 0.25 * iod)),
             (int(xy[:, 0].max() + 0.3 * iod), int(xy[168, 1] - 0.4 * iod), int(xy[:, 0].max() + 0.8 * iod),
              int(xy[168, 1] + 0.4 * iod))]
    mask = np.zeros(image.shape[:2], np.float32)
    for x0, y0, x1, y1 in boxes:
        mask[y0:y1, x0:x1] = 1.0
    marks, points = oc.occluder_points(mask, face.landmarks)
    at = np.round(xy).astype(int)
    on = mask[at[:, 1], at[:, 0]] > 0
    assert set(marks) == set(np.flatnonzero(on)) and len(marks) > 0
    assert (mask[points[:, 1].astype(int), points[:, 0].astype(int)] > 0).all()
    moving = xy[~on]
    assert np.linalg.norm(points[:, None] - moving[None], axis=2).min(1).min() > oc.CLEAR * iod
    step = oc.SPACING * iod
    outline = []
    for x0, y0, x1, y1 in boxes:
        outline += [(x, y) for x in range(x0, x1) for y in (y0, y1 - 1)]
        outline += [(x, y) for y in range(y0, y1) for x in (x0, x1 - 1)]
    outline = np.array(outline, np.float64)
    clear = np.linalg.norm(outline[:, None] - moving[None], axis=2).min(1) > oc.CLEAR * iod + np.sqrt(2) * step
    assert clear.sum() > 100
    nearest = np.linalg.norm(outline[clear][:, None] - points[None], axis=2).min(1)
    assert nearest.max() <= np.sqrt(2) * step + 1


def test_an_edit_leaves_a_fringe_where_it_was(portrait, monkeypatch):
    """Surprise raises the brows and the forehead with them. The rim of a drawn fringe (its pixels within 4 px of
    its edge) stays as it was on most of its length, where the same edit without the hold moves the fringe and
    shows skin on most of it."""
    import cv2

    from fxcli.backends.edit_embedded import EmbeddedEditor

    image, face = portrait
    xy = face.landmarks[:, :2].astype(np.float64)
    drawn, band = _fringe(image, xy)
    zone = _inside_upper(image, xy)
    # the band's rim, inside it: hair while the band stays, skin where it moves away
    inner = cv2.erode(band.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    edges = inner & ~(cv2.erode(band.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0) & zone
    editor = EmbeddedEditor()
    kept = editor.edit(drawn, [("surprised", 1.0)], seed=0, face=face)
    assert editor.last_occluders is not None
    monkeypatch.setattr(oc, "occluder_mask", lambda *args, **kwargs: None)
    loose = EmbeddedEditor().edit(drawn, [("surprised", 1.0)], seed=0, face=face)

    def unchanged(out):
        return np.abs(out.astype(int) - drawn.astype(int)).max(2)[edges] < 10

    x0, y0, x1, y1 = (int(v) for v in face.box)
    assert np.abs(kept.astype(int) - drawn.astype(int)).max(2)[y0:y1, x0:x1].mean() > 2  # the face changed
    assert edges.sum() > 300
    assert unchanged(kept).mean() > 0.7
    assert unchanged(loose).mean() < 0.5 * unchanged(kept).mean()


def test_what_is_found_does_not_depend_on_the_photos_resolution(portrait):
    """The same photo (with a drawn fringe) at twice the size is searched on a copy shrunk twice as much: the
    occluders found agree with the smaller photo's, scaled up (intersection over union of the held pixels)."""
    import cv2

    image, face = portrait
    xy = face.landmarks[:, :2].astype(np.float64)
    drawn, _ = _fringe(image, xy)
    small = oc.occluder_mask(drawn, face.landmarks) > 0.5
    big_image = cv2.resize(drawn, (2 * drawn.shape[1], 2 * drawn.shape[0]), interpolation=cv2.INTER_CUBIC)
    big_marks = face.landmarks.copy()
    big_marks[:, :2] = (big_marks[:, :2] + 0.5) * 2 - 0.5
    assert int(oc.corner_iod(big_marks[:, :2]) // oc.WORK_IOD) == 2 * int(oc.corner_iod(xy) // oc.WORK_IOD)
    big = oc.occluder_mask(big_image, big_marks)
    scaled = cv2.resize(big, (drawn.shape[1], drawn.shape[0]), interpolation=cv2.INTER_AREA) > 0.5
    assert (small & scaled).sum() / (small | scaled).sum() > 0.85
