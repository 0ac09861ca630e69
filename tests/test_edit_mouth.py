"""The mouth's inside and the eyes behind moved lids (fxcli/edit/mouth_interior.py, fxcli/edit/eye_opening.py),
on hand-drawn faces whose every pixel is known."""

from __future__ import annotations

import numpy as np
import pytest

from fxcli.edit import eye_opening as eo
from fxcli.edit import mouth_interior as mi

SKIN = (200, 160, 140)
LIP = (170, 90, 90)


def mouth_landmarks(gap: float, cx: float = 100.0, cy: float = 100.0, half: float = 30.0) -> np.ndarray:
    """(468, 2) landmarks with an upright mouth: inner lips `gap` px apart in the middle (0 at the corners),
    outer lips 8 px outside them, skin spots on the cheeks and nose."""
    lm = np.zeros((468, 2))
    n = len(mi.UPPER_INNER_LIP)
    xs = np.linspace(cx - half, cx + half, n)
    bulge = np.sin(np.linspace(0, np.pi, n))
    lm[list(mi.UPPER_INNER_LIP)] = np.c_[xs, cy - gap / 2 * bulge]
    lm[list(mi.LOWER_INNER_LIP)] = np.c_[xs, cy + gap / 2 * bulge]
    t = np.linspace(0, 2 * np.pi, len(mi.OUTER_LIPS), endpoint=False)
    lm[list(mi.OUTER_LIPS)] = np.c_[cx - (half + 6) * np.cos(t), cy - (gap / 2 + 8) * np.sin(t)]
    lm[61], lm[291] = (cx - half - 6, cy), (cx + half + 6, cy)
    lm[[205, 425, 5]] = [(cx - 45, cy - 40), (cx + 45, cy - 40), (cx, cy - 45)]
    return lm


def face_with_mouth(lm: np.ndarray, inside=None) -> np.ndarray:
    """A skin-coloured image with lips drawn between the outer and inner contours; `inside(image, mask)`
    draws the opening."""
    image = np.zeros((200, 200, 3), np.uint8)
    image[:] = SKIN
    outer = mi.poly_mask(image.shape, lm[list(mi.OUTER_LIPS)]) > 0
    image[outer] = LIP
    opening = mi.poly_mask(image.shape, mi.inner_polygon(lm)) > 0
    if inside is not None:
        inside(image, opening)
    return image


def test_mouth_frame_coordinates_round_trip_and_follow_a_tilted_mouth():
    lm = mouth_landmarks(10.0)
    angle = 0.3
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    tilted = (lm - 100) @ rot.T + 100
    frame = mi.MouthFrame(tilted)
    pts = np.array([[90.0, 97.0], [115.0, 104.0]])
    st = frame.coords(pts)
    assert np.allclose(frame.image(st[:, 0], st[:, 1]), pts)
    # in the mouth's own frame the lips are where they were drawn: 5 px above and below the middle
    assert frame.upper(np.array([0.5]))[0] == pytest.approx(-5.0, abs=1e-6)
    assert frame.lower(np.array([0.5]))[0] == pytest.approx(5.0, abs=1e-6)
    assert frame.width == pytest.approx(60.0)


def test_the_photos_teeth_ride_with_the_lip_they_hang_from():
    """An open mouth: white upper teeth (4 px under the upper lip), black gap, grey lower teeth (3 px on the
    lower lip). The jaw drops 12 px: the upper teeth stay under the upper lip, the lower ones move down with the
    lower lip, unstretched, and the new middle is painted dark."""
    src = mouth_landmarks(16.0)

    def teeth(image, opening):
        frame = mi.MouthFrame(src)
        ys, xs = np.nonzero(opening)
        st = frame.coords(np.c_[xs, ys])
        below_upper = st[:, 1] - frame.upper(st[:, 0])
        above_lower = frame.lower(st[:, 0]) - st[:, 1]
        colour = np.full((len(xs), 3), 10)
        colour[below_upper < 4] = 250
        colour[above_lower < 3] = 120
        image[ys, xs] = colour

    source = face_with_mouth(src, teeth)
    assert mi.teeth_split(source, src) > 0.3
    dst = src.copy()
    dst[list(mi.LOWER_INNER_LIP[1:-1])] += [0, 12.0]
    out = source.copy()  # the warp's output is not needed here: the opening is filled over it
    result = mi.fill_mouth(out, source, src, dst)
    frame = mi.MouthFrame(dst)
    s = np.array([0.5])
    up, lo = frame.upper(s)[0], frame.lower(s)[0]
    column = result[:, 100].astype(float).mean(1)
    assert column[int(round(100 + up + 1.5))] > 200  # upper teeth right under the upper lip
    assert column[int(round(100 + lo - 1.5))] == pytest.approx(120, abs=25)  # lower teeth on the lower lip
    assert column[int(round(100 + (up + lo) / 2))] < 60  # the new middle: cavity
    # the lower teeth kept their height (3 px), not stretched over the taller opening
    grey = np.abs(column[int(100 + up):int(100 + lo) + 1] - 120) < 30
    assert 2 <= grey.sum() <= 5


def test_the_photos_opening_moved_whole_is_kept_and_a_small_change_fills_a_little():
    """An open mouth with its teeth drawn, 60 px wide (full fill from FILL_FROM x 60 = 9 px of change in the
    opening's shape). Moved as a whole, the opening is the photo's own: nothing is painted. The lower lip 0.9 px
    lower (a tenth of the way): the fill shows at a tenth of its strength; 9 px lower: fully."""
    src = mouth_landmarks(16.0)

    def teeth(image, opening):
        image[opening] = (250, 250, 250)
        image[opening & (np.arange(200)[:, None] > 100)] = (10, 10, 10)

    source = face_with_mouth(src, teeth)
    assert np.array_equal(mi.fill_mouth(source.copy(), source, src, src + [3.0, 2.0], gradual=True), source)

    def filled(drop: float) -> np.ndarray:
        dst = src.copy()
        dst[list(mi.LOWER_INNER_LIP[1:-1])] += [0, drop]
        return np.abs(mi.fill_mouth(source.copy(), source, src, dst, gradual=True).astype(float) - source)

    full, tenth = filled(9.0), filled(0.9)
    assert full.max() > 100
    # at 0.9 px the fill's picture (the photo's teeth carried, the cavity painted) shows at a tenth over the warp's
    assert tenth.max() <= 0.1 * 255 + 1.0 and tenth.max() > 0.5
    # not gradual (talking portraits decide for themselves when to fill): the fill shows whole
    dst = src.copy()
    dst[list(mi.LOWER_INNER_LIP[1:-1])] += [0, 0.9]
    assert np.abs(mi.fill_mouth(source.copy(), source, src, dst).astype(float) - source).max() > 100


def test_a_closed_mouth_opened_gets_a_rounded_cavity_and_a_row_of_upper_teeth():
    src = mouth_landmarks(0.0)
    source = face_with_mouth(src)
    dst = mouth_landmarks(24.0)
    result = mi.fill_mouth(source.copy(), source, src, dst).astype(float).mean(2)
    frame = mi.MouthFrame(dst)
    up, lo = frame.upper(np.array([0.5]))[0] + 100, frame.lower(np.array([0.5]))[0] + 100
    teeth = result[int(up) + 2, 104]  # beside the gap between the two front teeth (at the middle)
    middle = result[int(round((up + lo) / 2)), 100]
    near_corner = result[100, 100 - 24]  # the cavity by the corner: near the lip edge
    assert teeth > 150 and teeth > 2 * middle  # upper teeth under the lip
    assert middle < near_corner < np.mean(LIP)  # darker toward the back of the mouth, all of it in shadow
    # the teeth recede toward the corners: the row's brightness falls off away from the middle
    side = result[int(frame.upper(np.array([0.2]))[0] + 100) + 1, 100 - 18]
    assert side < teeth
    # nothing outside the opening changed
    import cv2

    far = cv2.erode((mi.poly_mask(source.shape, mi.inner_polygon(dst)) == 0).astype(np.uint8),
                    np.ones((5, 5), np.uint8)) > 0
    assert np.array_equal(result[far], source.astype(float).mean(2)[far])


def test_a_wide_open_mouth_without_teeth_gets_gum_ridges_not_painted_teeth():
    """A baby's or a toothless mouth: open wide (TOOTHLESS_FROM) with a dark red inside and nothing as bright as
    a tooth, opened further, shows no white row; the same mouth with a band of teeth still gets teeth, and a
    barely parted one is not judged toothless (it would not show teeth anyway)."""
    src, dst = mouth_landmarks(20.0), mouth_landmarks(34.0)
    gums = face_with_mouth(src, lambda im, m: im.__setitem__(m, (90, 35, 40)))

    def with_teeth(im, m):
        im[m] = (90, 35, 40)
        rows = np.zeros_like(m)
        rows[90:97] = True  # under the upper lip, 3 .. 10 px below the landmarks' middle
        im[m & rows] = (235, 230, 220)

    teeth = face_with_mouth(src, with_teeth)
    skin = np.array(SKIN, np.float64)
    area = mi.polygon_area(mi.inner_polygon(src)) / mi.MouthFrame(src).width ** 2
    assert area >= mi.TOOTHLESS_FROM
    assert mi.toothless(gums, src, skin) and not mi.toothless(teeth, src, skin)
    parted = mouth_landmarks(4.0)
    assert not mi.toothless(face_with_mouth(parted, lambda im, m: im.__setitem__(m, (90, 35, 40))), parted, skin)

    def tooth_pixels(source):
        out = mi.fill_mouth(source.copy(), source, src, dst).astype(np.float32)
        opening = mi.poly_mask(out.shape, mi.inner_polygon(dst)) > 0
        rgb = out[opening]
        luma = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
        return int(((luma >= mi.TEETH_LUMA * float(skin @ [0.299, 0.587, 0.114]))
                    & (rgb.max(1) - rgb.min(1) < 0.35 * luma)).sum())

    assert tooth_pixels(gums) == 0 and tooth_pixels(teeth) > 40


def test_no_shipped_portrait_with_an_open_mouth_counts_as_toothless():
    """Every development portrait whose mouth is open wide shows its teeth: none is taken for toothless (the
    test that keeps teeth out of a baby's mouth must not take them from adults)."""
    from pathlib import Path

    from fxcli.face import detect_faces, load_image

    data = Path(__file__).parent / "data"
    checked = 0
    for path in sorted((data / "portraits").glob("*.jpg")) + sorted((data / "public_domain").glob("*.jpg")):
        image = load_image(str(path))
        faces = detect_faces(image)
        if not faces:
            continue
        src = faces[0].landmarks[:, :2].astype(np.float64)
        wide = mi.polygon_area(mi.inner_polygon(src)) >= mi.TOOTHLESS_FROM * mi.MouthFrame(src).width ** 2
        checked += wide
        assert not mi.toothless(image, src, mi.lip_and_skin(image, src)[1]), path.name
    assert checked >= 8  # open laughs, screams and smiles with teeth among them


def test_nothing_is_painted_over_hair_covering_the_lips():
    src = mouth_landmarks(0.0)
    source = face_with_mouth(src)
    lips = (mi.poly_mask(source.shape, src[list(mi.OUTER_LIPS)]) > 0)
    hairy = source.copy()
    hairy[lips] = (55, 50, 48)  # a dark grey moustache and beard over the lips
    assert mi.lips_covered(source, src) < 0.1
    assert mi.lips_covered(hairy, src) > mi.COVERED
    dst = mouth_landmarks(20.0)
    assert np.array_equal(mi.fill_mouth(hairy.copy(), hairy, src, dst), hairy)
    assert not np.array_equal(mi.fill_mouth(source.copy(), source, src, dst), source)


def test_a_notched_lower_lip_is_filled_out_to_its_convex_outline():
    """A lower-lip landmark left behind between its neighbours (a notch up into the opening) moves down onto
    the line between them; the others, already on a convex curve, stay put."""
    lm = mouth_landmarks(16.0)
    idx = list(mi.LOWER_INNER_LIP)
    notched = lm.copy()
    notched[idx[3]] -= [0, 6.0]
    fixed = mi.convex_lower_lip(notched)
    assert np.allclose(fixed[idx[3]], (lm[idx[2]] + lm[idx[4]]) / 2)  # the chord between its neighbours
    assert np.allclose(np.delete(fixed[idx], 3, 0), np.delete(lm[idx], 3, 0))
    assert np.allclose(mi.convex_lower_lip(lm), lm)


def test_a_frowning_mouth_keeps_its_lower_lip():
    """A frown arches both lips up in the middle (here so far that the lower lip's middle is above the line
    between the corners): the opening between them is as in the open mouth, with no notch, so nothing moves
    (pushing the lower lip down onto the corners' line opened a dark slit under closed sad lips)."""
    lm = mouth_landmarks(4.0)
    bulge = np.sin(np.linspace(0, np.pi, len(mi.LOWER_INNER_LIP)))
    frown = lm.copy()
    for side in (mi.UPPER_INNER_LIP, mi.LOWER_INNER_LIP):
        frown[list(side), 1] -= 10.0 * bulge
    middle = mi.LOWER_INNER_LIP[5]
    assert frown[middle, 1] < frown[mi.LOWER_INNER_LIP[0], 1] - 5  # above the corners' line
    assert np.allclose(mi.convex_lower_lip(frown), frown)
    # a notch in a frowning lip is still filled out: up to the mean of its neighbours' gaps to the upper lip
    idx, up = list(mi.LOWER_INNER_LIP), list(mi.UPPER_INNER_LIP)
    notched = frown.copy()
    notched[idx[3]] -= [0, 3.0]
    gaps = frown[idx, 1] - frown[up, 1]
    fixed = mi.convex_lower_lip(notched)
    assert np.allclose(fixed[idx[3]], [frown[idx[3], 0], frown[up[3], 1] + (gaps[2] + gaps[4]) / 2])


def test_the_openings_width_at_a_level_across_the_mouth():
    lm = mouth_landmarks(16.0)  # lips at -8 sin(pi s) and +8 sin(pi s), 60 px wide
    frame = mi.MouthFrame(lm)
    width = mi.level_width(frame, np.array([0.0, -4.0, 4.0, -9.0]))
    # 8 sin(pi s) > 4 for s in (1/6, 5/6): 40 px (the lips are drawn as 10 straight pieces: within 2 px)
    assert width[0] == pytest.approx(60.0, abs=1.0)
    assert width[1] == pytest.approx(40.0, abs=2.0) and width[2] == pytest.approx(40.0, abs=2.0)
    assert width[3] == 0.0


def test_the_photos_lower_teeth_do_not_hang_as_a_peg_in_a_narrow_opening():
    """A wide, flat opening with grey lower teeth (3 px on the lower lip, across its whole width) turned into a
    V: the lower lip falls straight from the corners to 30 px below them in the middle. The row moves with the
    lip's middle by about 16 px, where the V is 16 px wide against the photo's ~50 px at the row's level: it is
    not carried (no grey peg in the V's tip), the tip is cavity. A wide drop of the same lip carries it."""
    n = len(mi.UPPER_INNER_LIP)
    flat = np.sin(np.linspace(0, np.pi, n)) ** 0.3  # nearly straight lips, rounded at the corners
    src = mouth_landmarks(16.0)
    src[list(mi.UPPER_INNER_LIP)[1:-1], 1] = 100 - 8 * flat[1:-1]
    src[list(mi.LOWER_INNER_LIP)[1:-1], 1] = 100 + 8 * flat[1:-1]

    def teeth(image, opening):
        frame = mi.MouthFrame(src)
        ys, xs = np.nonzero(opening)
        st = frame.coords(np.c_[xs, ys])
        colour = np.full((len(xs), 3), 10)
        colour[frame.lower(st[:, 0]) - st[:, 1] < 3] = 120
        image[ys, xs] = colour

    source = face_with_mouth(src, teeth)
    v = src.copy()
    xs = np.linspace(0.0, 1.0, n)
    v[list(mi.LOWER_INNER_LIP), 1] = 100 + 60 * np.minimum(xs, 1 - xs)
    wide = src.copy()
    wide[list(mi.LOWER_INNER_LIP)[1:-1], 1] += 16.0
    for dst, carried in ((v, False), (wide, True)):
        result = mi.fill_mouth(source.copy(), source, src, dst).astype(float).mean(2)
        frame = mi.MouthFrame(dst)
        up, lo = frame.upper(np.array([0.5]))[0] + 100, frame.lower(np.array([0.5]))[0] + 100
        column = result[int(up) + 2:int(lo), 100]  # the opening's middle column, off the upper lip
        assert (column.max() > 95) if carried else (column.max() < 80), (carried, column)


def upper_teeth_photo(src: np.ndarray) -> np.ndarray:
    """A photo whose open mouth shows a white row of teeth 4 px under the upper lip across its whole width."""

    def teeth(image, opening):
        frame = mi.MouthFrame(src)
        ys, xs = np.nonzero(opening)
        st = frame.coords(np.c_[xs, ys])
        colour = np.full((len(xs), 3), 10)
        colour[st[:, 1] - frame.upper(st[:, 0]) < 4] = 250
        image[ys, xs] = colour

    return face_with_mouth(src, teeth)


def test_a_frown_covers_the_photos_teeth_instead_of_baring_them():
    """The same opening turned into a frown (its middle raised 8 px over the corners): the photo's teeth are
    no longer carried (a toothy grimace); the painted row is rigid, so the lowered sides of the upper lip
    cover it and only dark cavity shows under the lip there. Without the frown the teeth are carried."""
    src = mouth_landmarks(16.0)
    source = upper_teeth_photo(src)
    bulge = np.sin(np.linspace(0, np.pi, len(mi.UPPER_INNER_LIP)))
    frown = src.copy()
    frown[list(mi.UPPER_INNER_LIP)] -= np.c_[0 * bulge, 8.0 * bulge]
    frown[list(mi.LOWER_INNER_LIP)] -= np.c_[0 * bulge, 8.0 * bulge]
    wider = src.copy()  # the control: opened as much, no frown
    wider[list(mi.LOWER_INNER_LIP)] += np.c_[0 * bulge, 2.0 * bulge]
    for dst, teeth_show in ((wider, True), (frown, False)):
        result = mi.fill_mouth(source.copy(), source, src, dst).astype(float).mean(2)
        frame = mi.MouthFrame(dst)
        s = np.array([0.25])
        point = frame.image(s, frame.upper(s) + 2.0)[0]
        value = result[int(round(point[1])), int(round(point[0]))]
        assert (value > 200) if teeth_show else (value < 100), (teeth_show, value)


def test_the_painted_upper_row_is_level_under_a_lip_pulled_down_at_its_sides():
    """paint_interior: the row's lower edge is the lip's middle plus the row's height (arched), the same whether
    the lip beside the middle is level or pulled down 2 px; where the lip dips below that edge it hides the row."""
    s = np.full(40, 0.42)
    t = np.linspace(-10.0, 10.0, 40)
    lip, skin = np.array([170.0, 90.0, 90.0]), np.array([200.0, 160.0, 140.0])
    teeth = np.array([240.0, 240.0, 240.0])

    def row(up_here: float, lo_here: float = 12.0) -> np.ndarray:
        up = np.full_like(t, up_here)
        out = mi.paint_interior(s, t, up, np.full_like(t, lo_here), np.full_like(t, 0.5), 60.0, lip, skin, teeth,
                                mid=-10.0, height_mid=22.0)
        return (out.mean(1) > 150) & (t > up_here)

    level, dipped = row(-10.0), row(-8.0)
    assert level.any() and dipped.any()
    assert t[level].max() == t[dipped].max()  # the same lower edge
    assert row(5.0).sum() == 0  # a lip down past the row's edge covers it


def eye_landmarks(top: float = 92.0, bottom: float = 108.0) -> np.ndarray:
    """(468, 2) with one eye (the subject's right) 60 px wide: corners at y 100, lids `top` / `bottom` mid-eye."""
    lm = np.zeros((468, 2))
    (outer, inner), upper, lower = eo.EYES["Right"]
    lm[outer], lm[inner] = (70.0, 100.0), (130.0, 100.0)
    xs = np.linspace(70, 130, len(upper) + 2)[1:-1]
    profile = np.sin(np.linspace(0, np.pi, len(upper) + 2)[1:-1])
    lm[list(upper)] = np.c_[xs, 100 - (100 - top) * profile]
    lm[list(lower)] = np.c_[xs, 100 + (bottom - 100) * profile]
    (o2, i2), u2, l2 = eo.EYES["Left"]  # the other eye: far away and unmoved
    lm[[o2, i2] + list(u2) + list(l2)] = (180.0, 30.0)
    return lm


def draw_eye(lm: np.ndarray, lens: bool = False, radius: float = 9.0) -> np.ndarray:
    image = np.zeros((200, 200, 3), np.uint8)
    image[:] = SKIN
    opening = eo.poly_mask(image.shape, eo.aperture(lm, "Right")) > 0
    yy, xx = np.mgrid[0:200, 0:200]
    image[opening] = (235, 235, 230)
    iris = opening & ((xx - 100) ** 2 + (yy - 100) ** 2 <= radius ** 2)
    image[iris] = (70, 110, 150)  # a blue iris, its top under the lid
    if lens:
        image[opening] = (25, 25, 30)
    return image


def test_a_raised_upper_lid_reveals_more_eyeball_not_a_stretched_iris():
    src = eye_landmarks()
    source = draw_eye(src)
    assert eo.shows_sclera(source, eo.aperture(src, "Right"))
    dst = eye_landmarks(top=86.0)  # AU5: the upper lid 6 px higher at the middle
    out = source.copy()
    result = eo.reveal_eyes(out, source, src, dst)
    # in the photo's own opening the eyeball is the photo's (it does not move)
    assert np.abs(result[100, 85:116].astype(int) - source[100, 85:116].astype(int)).max() <= 2
    # above the old lid: the iris column continues as iris (blue), a white column as white, in the lid's shadow
    iris_above, white_above = result[90, 100].astype(int), result[92, 85].astype(int)
    assert iris_above[2] > iris_above[0] + 40 and iris_above.mean() < 150
    assert white_above.min() > 120 and np.ptp(white_above) < 20
    assert white_above.mean() < 235  # shaded under the lid


def test_a_lid_raised_far_uncovers_the_top_of_the_iris_then_white_above_it():
    """The iris is a disc: found in the photo (centre and radius from its dark columns, bottom above the lower
    lid), a lid raised well past its top shows white there, as an eye wide open in fear does."""
    src = eye_landmarks(top=95.0, bottom=113.0)
    source = draw_eye(src, radius=10.0)  # top at 90 (5 px under the lid), bottom at 110 (white below it)
    cx, cy, r = eo.iris_disc(source, eo.aperture(src, "Right"))
    assert abs(cx - 100) <= 1 and abs(cy - 100) <= 1 and abs(r - 10) <= 1
    dst = eye_landmarks(top=78.0, bottom=113.0)
    result = eo.reveal_eyes(source.copy(), source, src, dst)
    iris_top, white_above = result[93, 100].astype(int), result[84, 100].astype(int)
    assert iris_top[2] > iris_top[0] + 40  # the iris's own top arc: blue
    assert white_above.min() > 150 and np.ptp(white_above) < 20  # above it: the photo's white, not a tall iris


def test_an_eye_behind_dark_lenses_is_left_as_the_warp_has_it():
    src = eye_landmarks()
    source = draw_eye(src, lens=True)
    assert not eo.shows_sclera(source, eo.aperture(src, "Right"))
    dst = eye_landmarks(top=86.0)
    out = source.copy()
    out[80:95, 60:140] = 0  # whatever the warp made
    assert np.array_equal(eo.reveal_eyes(out, source, src, dst), out)


def test_the_rigid_band_reaches_a_large_frames_lower_rim_and_no_further():
    """Glasses whose lower rim sits 0.15 IOD below the lower lids: the kept-still band goes down to it; an
    edge further down past a gap (a fold, the nose's wings) does not extend it."""
    from fxcli.edit import rigid_parts as rp

    lm = np.zeros((468, 3))
    lm[:, :2] = (100.0, 60.0)  # everything else high up on the forehead
    lm[[33, 133, 362, 263], :2] = [(40, 100), (80, 100), (120, 100), (160, 100)]  # IOD 80
    lm[list(rp.BELOW_EYES), :2] = np.c_[np.linspace(40, 160, len(rp.BELOW_EYES)), np.full(len(rp.BELOW_EYES), 110)]
    lm[list(rp.BROW_TOP), :2] = np.c_[np.linspace(40, 160, len(rp.BROW_TOP)), np.full(len(rp.BROW_TOP), 80)]
    lm[300:310, :2] = (60.0, 120.0)  # landmarks on the cheek, under the lens
    image = np.full((220, 200, 3), 190, np.uint8)
    iod = rp.corner_iod(lm[:, :2])
    default = rp.band_bottom(None, lm)
    assert default == pytest.approx(110 + 0.05 * iod)
    assert rp.band_bottom(image, lm) == pytest.approx(default)  # no frame: just below the lids
    rim = image.copy()
    rim[121:124, 35:165] = 20  # the lower rim, 12 px (0.15 IOD) below the lids
    rim[150:153, 35:165] = 20  # a dark edge further down, past a 0.35 IOD gap
    bottom = rp.band_bottom(rim, lm)
    assert 121 <= bottom - 0.05 * iod <= 127  # the rim (its edges found within a pixel or two)
    assert set(range(300, 310)) <= set(rp.eye_band_landmarks(lm, bottom))
    assert not set(range(300, 310)) & set(rp.eye_band_landmarks(lm))


def test_shading_keeps_a_narrow_crease_and_only_a_share_of_a_broad_darkening():
    from fxcli.edit.shading_ratio import BROAD_SHARE, narrow

    yy, xx = np.mgrid[0:200, 0:200]
    broad = -0.3 * np.exp(-((xx - 100) ** 2 + (yy - 100) ** 2) / (2 * 40.0 ** 2))  # a wide dark patch
    crease = np.where(np.abs(xx - 100) <= 1, -0.3, 0.0) * (np.abs(yy - 100) < 60)  # a 3 px line
    nb, nc = narrow(broad, 2.0), narrow(crease, 2.0)
    assert nb[100, 100] == pytest.approx(BROAD_SHARE * broad[100, 100], rel=0.05)
    assert nc[100, 100] < 0.8 * crease[100, 100]  # still at least 80 % as dark
    # where nothing changed nothing appears, and nothing changes sign
    assert np.all(nc[crease == 0] == 0) and np.all(nb <= 0) and np.all(nb >= broad)


def test_cielab_of_known_colours():
    """Published CIELAB (D65) values of sRGB white, black, primaries and a mid grey."""
    from fxcli.edit.cielab import rgb_to_lab

    known = {(255, 255, 255): (100.0, 0.0, 0.0), (0, 0, 0): (0.0, 0.0, 0.0), (255, 0, 0): (53.24, 80.09, 67.20),
             (0, 255, 0): (87.73, -86.18, 83.18), (0, 0, 255): (32.30, 79.19, -107.86), (119, 119, 119): (50.0, 0.0, 0.0)}
    for rgb, lab in known.items():
        np.testing.assert_allclose(rgb_to_lab(np.array(rgb)), lab, atol=0.3, err_msg=str(rgb))


def test_lips_a_target_does_not_part_stay_between_closed_and_the_photos_gap():
    """Hand-worked: lips 4 px apart in the photo (upright face); a motion that would part the pairs by 10 px,
    cross them by 6 px, or leave them 2 px apart ends at 4, 0 and 2 px, each lip taking half the correction."""
    from fxcli.edit.lip_seal import PAIRS, seal_lips, target_parts_lips

    xy = mouth_landmarks(4.0)
    xy[33], xy[263] = (60.0, 40.0), (140.0, 40.0)  # the eyes: level, so "down" is +y
    upper, lower = [p[0] for p in PAIRS], [p[1] for p in PAIRS]
    photo = xy[lower, 1] - xy[upper, 1]
    moves = np.zeros((468, 2))
    wanted = np.array([10.0, 10.0, -6.0, -6.0, 2.0, -6.0, -6.0, 10.0, 10.0])  # the gap asked for, per pair
    moves[lower, 1] = wanted - photo
    moves[upper, 0] = 1.5  # a sideways motion is kept as it is
    sealed = seal_lips(xy, moves)
    after = (xy + sealed)[lower, 1] - (xy + sealed)[upper, 1]
    assert np.allclose(after, np.clip(wanted, 0.0, photo))
    # each lip moved by half the excess: the upper one down, the lower one up
    excess = wanted - np.clip(wanted, 0.0, photo)
    assert np.allclose(sealed[upper, 1], excess / 2) and np.allclose(sealed[lower, 1], moves[lower, 1] - excess / 2)
    assert np.allclose(sealed[upper, 0], 1.5)
    # a target whose own motion lowers the lower lip's middle (ICT: y up) parts the lips; one that raises it not
    motion = np.zeros((468, 3))
    motion[list(lower), 1] = -0.2
    assert target_parts_lips(motion) and not target_parts_lips(-motion)
