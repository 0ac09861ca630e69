"""The embedded editor's parts: its own thin-plate spline, the asset cache, AU emphasis, the mouth's split,
the fold limit's monotony, and the cheap "face still shown" check."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import PORTRAITS


def test_thin_plate_spline_interpolates_and_reproduces_affine_maps():
    from fxcli.edit.tps import ThinPlateSpline

    rng = np.random.default_rng(3)
    centres = rng.uniform(0, 400, (60, 2))
    # an affine map is in the spline's null space: reproduced exactly everywhere, whatever the smoothing
    a, b = np.array([[1.5, -0.3], [0.2, 0.7]]), np.array([4.0, -9.0])
    spline = ThinPlateSpline(centres, centres @ a.T + b, smoothing=5.0)
    probe = rng.uniform(-50, 450, (200, 2))
    assert np.allclose(spline(probe), probe @ a.T + b, atol=1e-6)
    # without smoothing it passes through every centre
    values = rng.normal(size=(60, 2))
    exact = ThinPlateSpline(centres, values)
    assert np.allclose(exact(centres), values, atol=1e-6)
    # r^2 log r kernel by hand at one point (weights and polynomial as solved)
    x = np.array([[123.0, 77.0]])
    r = np.linalg.norm(centres - x, axis=1)
    by_hand = (r ** 2 * np.log(r)) @ exact.weights + exact._poly(x) @ exact.poly
    assert np.allclose(exact(x), by_hand)


def test_spline_kernel_blocks_match_the_formula_point_by_point():
    """The kernel is computed CHUNK rows at a time, in place: every entry is r^2 log r of its own pair (0 where
    a point sits on a centre), whatever block it falls in, and a view of a larger array is filled in place."""
    import math

    from fxcli.edit import tps

    rng = np.random.default_rng(5)
    centres = rng.uniform(0, 300, (37, 2))
    points = np.vstack([rng.uniform(-20, 320, (2 * tps.CHUNK + 9, 2)), centres[:3]])  # blocks 1..3, some r = 0
    k = tps.kernel(points, centres)
    for i in (0, tps.CHUNK - 1, tps.CHUNK, 2 * tps.CHUNK + 8, len(points) - 1):
        for j in range(len(centres)):
            r = math.dist(points[i], centres[j])
            assert k[i, j] == pytest.approx(r * r * math.log(r) if r > 0 else 0.0, rel=1e-12, abs=1e-9)
    holder = np.full((len(points), len(centres) + 3), 7.0)
    tps.kernel(points, centres, out=holder[:, :len(centres)])
    assert np.array_equal(holder[:, :len(centres)], k) and (holder[:, len(centres):] == 7.0).all()


def test_asset_cache_round_trips(tmp_path, monkeypatch):
    from fxcli.edit import assets
    from fxcli.rigs.ict_rig import IctRig

    monkeypatch.setenv("FXE_HOME", str(tmp_path))
    first = assets.load()
    files = list((tmp_path / "cache" / "edit").glob("*.npz"))
    assert len(files) == 1
    again = assets.load()  # from the cache
    built = assets.build(IctRig.load())
    assert set(first) == set(again) == set(built)
    for k in built:
        assert np.array_equal(again[k], built[k]), k
    files[0].write_bytes(b"not an npz")  # a damaged cache is rebuilt
    assert np.array_equal(assets.load()["deltas"], built["deltas"])


def test_emphasis_sets_named_channels_on_both_sides():
    from fxcli.edit.au_emphasis import EMPHASIS, STRENGTH, emphasised
    from fxcli.tracks.channels import ARKIT52

    w = np.zeros(52)
    out = emphasised("angry", w)
    for channel, value in EMPHASIS["angry"].items():
        for side in ("Left", "Right"):
            name = channel + side if channel + side in ARKIT52 else channel
            assert out[ARKIT52.index(name)] == pytest.approx(value * STRENGTH.get("angry", 1.0))
    assert np.array_equal(emphasised("no-such-entry", w + 0.25), w + 0.25)
    # the strength scales the whole entry, channels the emphasis leaves alone too
    happy = emphasised("happy", w + 0.5)
    assert np.allclose(happy, 0.5 * STRENGTH.get("happy", 1.0))
    surprised = emphasised("surprised", w + 0.5)
    assert surprised[ARKIT52.index("mouthSmileLeft")] == pytest.approx(0.5 * STRENGTH["surprised"])
    assert surprised[ARKIT52.index("jawOpen")] == pytest.approx(EMPHASIS["surprised"]["jawOpen"] * STRENGTH["surprised"])
    assert w.sum() == 0  # the library's array is not modified


def test_emphasis_opens_fear_and_anger_and_closes_disgust_on_the_ict_head():
    """What the emphasis is for, on the ICT head's own landmarks (cm, y up), against the library's entries:
    fear and anger part the lips further (a scream, a shout), fear's inner brows rise and are drawn toward
    the midline (AU1 + AU4), and disgust keeps the lips together (AU24) with the lower lip pushed up (AU17)."""
    from fxcli.backends.edit_embedded import EmbeddedEditor
    from fxcli.expressions.library import load_library

    editor, lib = EmbeddedEditor(), load_library()
    upper, lower, inner_brows = 13, 14, (107, 336)  # the inner lips' middle; the brows' inner ends

    def library(name: str) -> np.ndarray:
        return np.tensordot(editor.to_ict(lib.by_name[name].weights), editor.deltas, axes=1)

    def parting(d: np.ndarray) -> float:
        return float(d[upper, 1] - d[lower, 1])

    for name in ("fear", "angry"):
        assert parting(editor.landmark_displacements([(name, 1.0)])) > 1.3 * parting(library(name)), name
    fear = editor.landmark_displacements([("fear", 1.0)])
    for i in inner_brows:
        assert fear[i, 1] > 0.1  # up
        assert fear[i, 0] * editor.neutral[i, 0] < 0  # toward the midline (x = 0)
    disgust = editor.landmark_displacements([("disgust", 1.0)])
    assert abs(parting(disgust)) < 0.5 * parting(library("disgust"))
    assert disgust[lower, 1] > library("disgust")[lower, 1] > 0


def test_teeth_split_finds_the_dark_gap_between_rows_of_teeth():
    from fxcli.backends.edit_embedded import LOWER_INNER_LIP, SPLIT_DEFAULT, UPPER_INNER_LIP, teeth_split

    # a flat open mouth 100 px wide, 40 px tall: teeth (bright) above 60 % of the height, dark below
    src = np.zeros((468, 2))
    xs = np.linspace(50, 150, len(UPPER_INNER_LIP))
    src[list(UPPER_INNER_LIP)] = np.c_[xs, np.full_like(xs, 80.0)]
    src[list(LOWER_INNER_LIP)] = np.c_[xs, np.full_like(xs, 120.0)]
    src[[UPPER_INNER_LIP[0], UPPER_INNER_LIP[-1]]] = [[50, 100], [150, 100]]
    image = np.full((200, 200, 3), 40, np.uint8)
    image[80:104] = 230  # upper teeth: 60 % of the 40 px
    image[110:120] = 200  # lower teeth, with a dark gap between
    split = teeth_split(image, src)
    assert 0.6 <= split <= 0.75 and split != SPLIT_DEFAULT
    assert teeth_split(np.full((200, 200, 3), 40, np.uint8), src) == SPLIT_DEFAULT  # no gap: the default


def test_landmarks_move_further_as_alpha_grows():
    """The warp is one-to-one by construction: no intensity limit up to alpha 1 on a smiling source (whose smile
    removal used to fold early) and at most a twentieth taken off at alpha 1.5 (fear's scream squeezes a sliver
    under a mouth corner there: 0.95), and the landmarks go further at every step of alpha; far past that, where
    a limit applies, they never go back by more than a rung of the limit's ladder."""
    from fxcli.backends.edit_embedded import BACKOFF, EmbeddedEditor
    from fxcli.face import detect_faces, load_image

    editor = EmbeddedEditor()
    image = load_image(str(PORTRAITS / "interfaces-005.jpg"))
    face = detect_faces(image)[0]
    src = face.landmarks[:, :2].astype(np.float64)
    reach = []
    for alpha in (0.5, 1.0, 1.5, 2.0, 3.0):
        editor.edit(image, [("fear", alpha)], seed=0, face=face)
        if alpha <= 1.0:
            assert editor.last_note is None
        elif alpha == 1.5:
            assert editor.last_share >= 0.95
        reach.append(float(np.linalg.norm(editor.last_dst - src, axis=1).mean()))
    assert reach[0] < reach[1] < reach[2], reach
    assert all(b >= BACKOFF * a for a, b in zip(reach, reach[1:], strict=False)), reach
    assert reach[-1] > reach[1]


def test_flow_of_a_uniform_field_is_a_shift_and_its_inverse_undoes_it():
    """exp(v) of a constant velocity moves every point by v; exp(-v) after exp(v) is the identity, also for a
    swirling field (checked at interior nodes)."""
    from fxcli.edit.flow import flow_field, sample, upsample

    shift = np.zeros((20, 30, 2), np.float32)
    shift[...] = (3.0, -2.0)
    disp = flow_field(shift, 4.0)
    assert np.allclose(disp[5:-5, 5:-5], (3.0, -2.0), atol=1e-4)
    yy, xx = np.mgrid[0:40, 0:40].astype(np.float32)
    swirl = np.stack([-(yy - 20), xx - 20], -1) * np.float32(0.3) * np.exp(-((xx - 20) ** 2 + (yy - 20) ** 2) / 150)[..., None]
    fwd, back = flow_field(swirl, 1.0), flow_field(-swirl, 1.0)
    nodes = np.stack([xx, yy], -1)[10:30, 10:30].reshape(-1, 2)
    moved = nodes + sample(fwd, np.zeros(2), 1.0, nodes)
    assert np.abs(moved - nodes).max() > 0.2  # it does move
    returned = moved + sample(back, np.zeros(2), 1.0, moved)
    assert np.abs(returned - nodes).max() < 0.02
    # the pixel-resolution spread of a grid field is exact bilinear: a linear field is reproduced
    ramp = np.stack([xx[:5, :6] * 2.0 + 1.0, yy[:5, :6] - 3.0 * xx[:5, :6]], -1)
    fine = upsample(ramp, 4.0, 21, 17)
    px, py = np.meshgrid(np.arange(21) / 4.0, np.arange(17) / 4.0)
    assert np.allclose(fine, np.stack([px * 2.0 + 1.0, py - 3.0 * px], -1))


def test_face_still_shown_accepts_the_face_and_refuses_a_blank():
    from fxcli.edit.run_edit import face_still_shown
    from fxcli.face import detect_faces, load_image

    image = load_image(str(PORTRAITS / "interfaces-001.jpg"))
    face = detect_faces(image)[0]
    assert face_still_shown(image, face)
    assert not face_still_shown(np.full_like(image, 128), face)


def test_alpha_zero_keeps_last_dst_at_the_landmarks():
    alpha = 0.0
    from fxcli.backends.edit_embedded import EmbeddedEditor
    from fxcli.face import detect_faces, load_image

    editor = EmbeddedEditor()
    image = load_image(str(PORTRAITS / "interfaces-001.jpg"))
    face = detect_faces(image)[0]
    editor.edit(image, [("sad", alpha)], seed=0, face=face)
    assert np.array_equal(editor.last_dst, face.landmarks[:, :2].astype(np.float64))


def test_spline_operator_matches_the_spline_for_any_values():
    """The operator (kernel block and inverse kept) gives the spline's values at its points, to float32."""
    from fxcli.edit.tps import SplineOperator, ThinPlateSpline

    rng = np.random.default_rng(5)
    centres = rng.uniform(0, 500, (80, 2))
    points = rng.uniform(-20, 520, (300, 2))
    smoothing = rng.uniform(0.5, 3.0, 80)
    op = SplineOperator(centres, points, smoothing)
    for _ in range(2):  # one operator, several sets of values
        values = rng.normal(scale=10.0, size=(80, 2))
        assert np.allclose(op(values), ThinPlateSpline(centres, values, smoothing)(points), atol=1e-6)


def test_fold_limit_finds_the_largest_fold_free_share(monkeypatch):
    """A stand-in fold test that folds where the landmarks go beyond 94.5 % of the full request's mean reach
    (the reach grows a little faster than the share: 0.9 -> 0.913, 0.925 -> 0.935, 0.95 -> 0.957): the ladder's
    first fold-free rung is 0.8, then bisection toward 1 (0.9 free, 0.95 folds, 0.925 free) ends at 0.925."""
    from fxcli.backends import edit_embedded
    from fxcli.backends.edit_embedded import BACKOFF, REFINE, EmbeddedEditor
    from fxcli.face import detect_faces, load_image

    assert (BACKOFF, REFINE) == (0.8, 3)
    editor = EmbeddedEditor()
    image = load_image(str(PORTRAITS / "interfaces-001.jpg"))
    face = detect_faces(image)[0]
    src = face.landmarks[:, :2].astype(np.float64)
    editor.edit(image, [("surprised", 1.0)], seed=0, face=face)
    assert editor.last_share == 1.0
    full = np.linalg.norm(editor.last_dst - src, axis=1).mean()
    tried = []

    def folds_past_94_percent(map_x, map_y, src_xy, dst_xy):
        reach = np.linalg.norm(dst_xy - src_xy, axis=1).mean() / full
        tried.append(round(float(reach), 3))
        return 1.0 if reach > 0.945 else 0.0

    monkeypatch.setattr(edit_embedded, "folded_share", folds_past_94_percent)
    editor.edit(image, [("surprised", 1.0)], seed=0, face=face)
    assert editor.last_share == pytest.approx(0.925)
    assert editor.last_note == "motion limited to 0.93 of the request to keep the warp fold-free"
    assert len(tried) == 2 + REFINE  # 1 and 0.8 on the ladder, then three halvings


def _one_eye(top: float) -> np.ndarray:
    """(468, 2): the subject's right eye 60 px wide (corners at y 100), its upper lid `top` px above the corners
    at the middle (a sine arch), the lower lid 8 px below; the other eye far away."""
    from fxcli.edit.au_regions import EYES

    lm = np.zeros((468, 2))
    (outer, inner), upper, lower = EYES["Right"]
    lm[outer], lm[inner] = (70.0, 100.0), (130.0, 100.0)
    xs = np.linspace(70, 130, len(upper) + 2)[1:-1]
    arch = np.sin(np.linspace(0, np.pi, len(upper) + 2)[1:-1])
    lm[list(upper)] = np.c_[xs, 100 - top * arch]
    lm[list(lower)] = np.c_[xs, 100 + 8 * arch]
    (o2, i2), u2, l2 = EYES["Left"]
    lm[[o2, i2]] = [(300.0, 100.0), (360.0, 100.0)]
    lm[list(u2) + list(l2)] = np.c_[np.linspace(305, 355, 14), np.full(14, 100.0)]
    return lm


def test_lids_are_moved_to_their_asked_places_by_a_monotone_column_remap():
    """The upper lid left 6 px above the corners is asked to 14: its landmarks land there, a line drawn along
    the old lid is found along the new one, every column stays in order (no fold), and nothing outside the
    corners' span or far above the lid moves."""
    from fxcli.edit.au_regions import EYES
    from fxcli.edit.lid_shape import BAND, shape_lids

    dst, asked = _one_eye(6.0), _one_eye(14.0)
    upper = list(EYES["Right"][1])
    yy, xx = np.mgrid[0:200, 0:420]
    image = np.stack([np.clip(yy, 0, 255), (xx % 7) * 30, np.zeros_like(yy)], -1).astype(np.uint8)
    lid_row = np.round(100 - 6 * np.sin(np.pi * (xx - 70) / 60)).astype(int)
    image[(yy == lid_row) & (xx > 72) & (xx < 128), 2] = 255  # the old lid's line, in blue
    out, landed = shape_lids(image, dst, asked)
    assert np.allclose(landed[upper], asked[upper], atol=1e-6)
    assert np.array_equal(landed[[i for i in range(468) if i not in upper]],
                          dst[[i for i in range(468) if i not in upper]])
    # the blue line now runs along the asked lid (middle column: 14 px above the corners, not 6)
    column = out[:, 100, 2].astype(int)
    assert abs(int(np.argmax(column)) - 86) <= 1
    # red carried the row number: every column still increases downwards (the remap keeps order)
    red = out[60:110, 75:126, 0].astype(int)
    assert (np.diff(red, axis=0) >= 0).all()
    # outside the corners' span and above the band the photo is untouched
    assert np.array_equal(out[:, :70], image[:, :70]) and np.array_equal(out[:, 131:], image[:, 131:])
    top = int(100 - 14 - BAND * 60) - 2
    assert np.array_equal(out[:top], image[:top])
    # a lid already where it is asked to be: nothing changes
    same, still = shape_lids(image, asked, asked)
    assert same is image and np.array_equal(still, asked)


def test_lid_curve_is_scipys_pchip():
    """The lids' curve, written out to keep scipy.interpolate out of a cold edit, against scipy's PCHIP."""
    from scipy.interpolate import PchipInterpolator

    from fxcli.edit.lid_shape import _curve

    rng = np.random.default_rng(0)
    t = np.linspace(0.0, 1.0, 301)
    for n in (3, 4, 7, 9, 9, 9):
        x = np.r_[0.0, np.sort(rng.uniform(0.05, 0.95, n - 2)), 1.0]
        y = rng.normal(size=n) * 5
        assert np.allclose(_curve(t, x, y), PchipInterpolator(x, y)(t), atol=1e-9)
    # two knots: a straight line
    assert np.allclose(_curve(t, np.array([0.0, 1.0]), np.array([0.0, 2.0])), 2 * t)
