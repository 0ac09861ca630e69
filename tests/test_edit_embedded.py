"""The embedded editor: ICT shapes on FaceMesh landmarks, the smooth warp, the mouth fill, and the judges."""

from __future__ import annotations

import numpy as np
import pytest

from fxcli.backends.edit_embedded import (
    LOWER_INNER_LIP,
    MOTION_GAIN,
    UPPER_INNER_LIP,
    EmbeddedEditor,
    polygon_area,
    umeyama,
)
from tests.conftest import PORTRAITS


@pytest.fixture(scope="module")
def editor():
    return EmbeddedEditor()


@pytest.fixture(scope="module")
def portrait():
    from fxcli.face import detect_faces, load_image

    image = load_image(str(PORTRAITS / "interfaces-001.jpg"))  # a closed, neutral mouth
    return image, detect_faces(image)[0]


def test_umeyama_recovers_a_known_similarity():
    rng = np.random.default_rng(0)
    src = rng.normal(size=(50, 3))
    angle = 0.4
    rot = np.array([[np.cos(angle), 0, np.sin(angle)], [0, 1, 0], [-np.sin(angle), 0, np.cos(angle)]])
    dst = 2.5 * src @ rot.T + np.array([10.0, -3.0, 1.0])
    s, r, t = umeyama(src, dst)
    assert s == pytest.approx(2.5) and np.allclose(r, rot) and np.allclose(t, [10.0, -3.0, 1.0])


def test_polygon_area_of_a_unit_square():
    assert polygon_area(np.array([[0, 0], [1, 0], [1, 1], [0, 1]], float)) == pytest.approx(1.0)


def test_shipped_correspondence_is_reproduced_from_a_render():
    from fxcli.edit.facemesh_correspondence import derive_correspondence, load_correspondence
    from fxcli.rigs.ict_rig import IctRig

    shipped = load_correspondence()
    assert shipped.shape == (468,)
    v0, v1 = IctRig.load().parts["face"]
    assert ((shipped >= v0) & (shipped <= v1)).all()
    again, residual = derive_correspondence()
    assert (again == shipped).mean() > 0.95
    assert np.median(residual) < 2.0


def test_inner_lip_landmarks_sit_on_their_own_lip():
    """Each inner lip landmark of the shipped correspondence sits on its own lip: ICT's full jawOpen drops the
    lower one's vertex by more than LOWER_LIP_DROP_CM and the upper one's by less, and mirror-image landmarks
    drop alike (402 sat on the upper lip, 0.5 cm against its mirror image 178's 2.9)."""
    from fxcli.edit.facemesh_correspondence import LOWER_LIP_DROP_CM, load_correspondence
    from fxcli.edit.mouth_interior import LOWER_INNER_LIP, UPPER_INNER_LIP
    from fxcli.rigs.ict_rig import IctRig
    from fxcli.tracks.channels import ARKIT52

    rig = IctRig.load()
    jaw = np.zeros(len(ARKIT52), np.float32)
    jaw[ARKIT52.index("jawOpen")] = 1.0
    drop = (rig.vertices(np.zeros_like(jaw)) - rig.vertices(jaw))[load_correspondence(), 1]  # cm, down > 0
    lower, upper = drop[list(LOWER_INNER_LIP[1:-1])], drop[list(UPPER_INNER_LIP[1:-1])]
    assert (lower > LOWER_LIP_DROP_CM).all() and (upper < LOWER_LIP_DROP_CM).all()
    assert np.allclose(lower, lower[::-1], rtol=0.1) and np.allclose(upper, upper[::-1], rtol=0.25)
    assert lower.min() > 1.5 * upper.max()  # the two lips part everywhere between the corners


def test_displacements_scale_with_alpha_and_point_the_right_way(editor, portrait):
    _, face = portrait
    zero = editor.image_displacements(face, [("surprised", 0.0)])
    assert np.abs(zero).max() == 0.0
    one = editor.image_displacements(face, [("surprised", 1.0)])
    half = editor.image_displacements(face, [("surprised", 0.5)])
    # linear in alpha except the brows, whose amplified motion is softly capped (monotone, less than linear),
    # the forehead rows that take a share of that capped motion, and the raised upper lids (with their skin
    # rings), capped the same way below the widest an eye opens
    from fxcli.edit.au_regions import BROWS, EYES, FOREHEAD_ROWS, LID_RINGS

    lids = [i for _, upper, _ in EYES.values() for i in upper]
    lids += [i for upper_rings, _ in LID_RINGS.values() for ring in upper_rings for i in ring]
    capped = list(BROWS) + lids
    rest = np.setdiff1d(np.arange(468), capped + list(sum(FOREHEAD_ROWS, ())))
    assert np.allclose(half[rest], one[rest] / 2)
    h, o = np.linalg.norm(half[capped], axis=1), np.linalg.norm(one[capped], axis=1)
    assert (o >= h - 1e-9).all() and (o <= 2 * h + 1e-9).all()
    # on the head, a blend is the sum of its terms' displacements
    both = editor.landmark_displacements([("surprised", 0.5), ("happy", 0.5)])
    assert np.allclose(both, editor.landmark_displacements([("surprised", 0.5)])
                       + editor.landmark_displacements([("happy", 0.5)]), atol=1e-6)
    # surprise: the jaw drops (lower inner lip moves down in the image more than the upper), brows rise
    assert one[14, 1] - one[13, 1] > 3.0
    assert one[105, 1] < -1.0 and one[334, 1] < -1.0
    # happy: the mouth corners (61, 291) move outward and up
    smile = editor.image_displacements(face, [("happy", 1.0)])
    assert smile[61, 0] < 0 < smile[291, 0]
    assert smile[61, 1] < 0 and smile[291, 1] < 0


def test_a_smile_in_the_photo_is_taken_away_for_other_targets(editor):
    from fxcli.face import detect_faces, load_image

    image = load_image(str(PORTRAITS / "interfaces-010.jpg"))  # a broad smile
    face = detect_faces(image)[0]
    scale, rot, shift = umeyama(
        editor.neutral @ np.diag([1.0, -1.0, -1.0]), face.landmarks.astype(np.float64))
    smile = editor.source_smile(face, scale, rot, shift)
    assert (smile > 0.5).all()
    # sad moves the mouth corners (61, 291) down by more than sad alone would on a neutral mouth
    sad = editor.image_displacements(face, [("sad", 1.0)])
    plain = editor.landmark_displacements([("sad", 1.0)])
    assert sad[61, 1] > 0 and sad[291, 1] > 0
    assert sad[61, 1] > scale * -plain[61, 1]
    neutral_face = detect_faces(load_image(str(PORTRAITS / "interfaces-013.jpg")))[0]
    s2, r2, t2 = umeyama(editor.neutral @ np.diag([1.0, -1.0, -1.0]), neutral_face.landmarks.astype(np.float64))
    assert (editor.source_smile(neutral_face, s2, r2, t2) < 0.1).all()


def test_warp_keeps_background_and_alpha_zero_is_identity(editor, portrait):
    image, face = portrait
    assert np.array_equal(editor.edit(image, [("happy", 0.0)], seed=0, face=face), image)
    out = editor.edit(image, [("surprised", 1.0)], seed=0, face=face)
    assert out.shape == image.shape and out.dtype == np.uint8
    lm = face.landmarks[:, :2]
    far = np.ones(image.shape[:2], bool)
    cx, cy = (lm.min(0) + lm.max(0)) / 2
    hx, hy = (lm.max(0) - lm.min(0)) / 2 * 1.7
    yy, xx = np.mgrid[0:image.shape[0], 0:image.shape[1]]
    far &= ((xx - cx) / hx) ** 2 + ((yy - cy) / hy) ** 2 > 1.0
    assert np.array_equal(out[far], image[far])  # outside the ring nothing moves
    assert np.abs(out.astype(int) - image.astype(int))[~far].mean() > 1.0  # inside, the face changed


def test_opening_a_closed_mouth_paints_a_dark_cavity(editor, portrait, monkeypatch):
    import cv2

    from fxcli.edit import mouth_interior

    image, face = portrait
    out = editor.edit(image, [("surprised", 1.0)], seed=0, face=face)
    dst = editor.last_dst  # where the warp put the lips
    inner = np.vstack([dst[list(UPPER_INNER_LIP)], dst[list(LOWER_INNER_LIP)[-2:0:-1]]])
    mask = np.zeros(image.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(inner).astype(np.int32)], 255)
    mask = cv2.erode(mask, np.ones((3, 3), np.uint8)) > 0
    assert mask.sum() > 30  # the mouth opened
    lips = image[mask].mean()
    inside = out[mask].astype(float)
    # the opening is cavity (dark) and teeth (light), not stretched lip: mostly far darker than the lips
    luma = inside.mean(1)
    assert (luma < 0.6 * lips).mean() > 0.5
    # the painted inside (no longer the default: the ICT head's teeth sit under this photo's upper lip) has a row
    # of upper teeth under the upper lip (fxcli/edit/mouth_interior.py): the top of each column of the opening is
    # much brighter than its middle, the cavity
    monkeypatch.setattr(mouth_interior, "INTERIOR", "painted")
    luma = editor.edit(image, [("surprised", 1.0)], seed=0, face=face)[mask].astype(float).mean(1)
    ys, xs = np.nonzero(mask)
    top = np.full(image.shape[1], 10**6)
    bottom = np.zeros(image.shape[1], int)
    np.minimum.at(top, xs, ys)
    np.maximum.at(bottom, xs, ys)
    height = bottom[xs] - top[xs]
    rel = (ys - top[xs]) / np.maximum(height, 1)
    upper = (rel < 0.25) & (height >= 8)
    middle = (rel > 0.4) & (rel < 0.8) & (height >= 8)
    assert upper.sum() > 10 and middle.sum() > 10
    assert luma[upper].mean() > 1.5 * luma[middle].mean() and luma[upper].max() > lips


def test_fer_judge_sees_the_target_expression_grow_with_alpha(editor):
    from fxcli.face import detect_faces, load_image
    from fxcli.judges.expression import ExpressionJudge

    judge = ExpressionJudge()
    targets = {"happy": "happy", "surprised": "surprise", "sad": "sad"}
    probs = {e: [] for e in targets}
    for n in ("001", "006", "013"):  # portraits the judge calls neutral
        image = load_image(str(PORTRAITS / f"interfaces-{n}.jpg"))
        face = detect_faces(image)[0]
        for expr, label in targets.items():
            k = judge.LABELS.index(label)
            row = []
            for alpha in (0.0, 1.0, 1.5):
                out = editor.edit(image, [(expr, alpha)], seed=0, face=face)
                row.append(judge.probs(out, detect_faces(out)[0])[k])
            probs[expr].append(row)
    for expr, rows in probs.items():
        mean = np.mean(rows, axis=0)  # over portraits: alpha 0, 1, 1.5
        assert mean[1] > mean[0] and mean[2] > mean[0] + 0.1, (expr, mean)
    assert all(r[1] > r[0] for r in probs["happy"] + probs["sad"])


def test_option_errors():
    from fxcli.errors import UsageError

    with pytest.raises(UsageError, match="offload"):
        EmbeddedEditor(offload="model")
    with pytest.raises(UsageError, match="no argument"):
        EmbeddedEditor("x")


def test_the_warp_never_folds(editor, monkeypatch):
    """No tearing or fold-over outside the painted mouth opening, for every basic expression, up to alpha 3.

    The warp is a flow (fxcli/edit/flow.py): one-to-one by construction, so up to alpha 1.5 the whole motion is
    applied. Far past that, where it squeezes skin many-fold, the grid can leave slivers that fold; the editor
    lowers the intensity when they pass FOLD_SHARE of the face. The saturation past alpha 1 is switched off
    here (linear extrapolation), so that alpha 3 really asks for three times the expression."""
    from fxcli.backends import edit_embedded

    monkeypatch.setattr(edit_embedded, "EXAGGERATION", 0.0)
    from fxcli.backends.edit_embedded import FOLD_SHARE, folded_share, jacobian_det, mouth_opening, strength, warp
    from fxcli.edit.lid_shape import shape_lids
    from fxcli.edit.lip_close import close_lips
    from fxcli.face import detect_faces, load_image

    limited = 0
    for n in ("001", "005", "010"):
        image = load_image(str(PORTRAITS / f"interfaces-{n}.jpg"))
        face = detect_faces(image)[0]
        src = face.landmarks[:, :2].astype(np.float64)
        for expr in ("happy", "sad", "angry", "fear", "surprised", "disgust"):
            for alpha in (1.0, 3.0):
                out = editor.edit(image, [(expr, alpha)], seed=0, face=face)
                assert out.shape == image.shape
                limited += editor.last_note is not None
                if alpha == 1.0:
                    assert editor.last_note is None, (n, expr)
                # the warp the editor used, made again from the same motion (at the share it applied)
                share = editor.last_share
                applied = strength(alpha) * share
                moves, still = editor.protect_rigid(image, face, editor.image_displacements(face, [(expr, applied)]))
                map_x, map_y, dst = warp(image.shape, src, src + moves, still, editor.opening(src, moves))
                # then the upper lids are set to their asked-for arch (fxcli/edit/lid_shape.py), and under a target
                # that keeps the lips together they are brought together (fxcli/edit/lip_close.py)
                expected = shape_lids(image, dst, src + moves)[1]
                if not editor.parts_lips([(expr, alpha)]):
                    expected = close_lips(image, expected, min(strength(alpha), 1.0))[1]
                assert np.allclose(expected, editor.last_dst, atol=1e-3)
                assert folded_share(map_x, map_y, src, dst) <= FOLD_SHARE, (n, expr, alpha)
                # at alpha 1 at most a few pixels: a sliver between crossing nose-wing landmarks, or under fear's
                # scream a 2-px sliver where the lower lip's inner edge, near a corner, passes its outer edge (ICT's
                # jawOpen drops the inner edge there 2.1 cm, the outer one 1.7: 15 px on 005, 13 on 010)
                if alpha == 1.0:
                    assert (jacobian_det(map_x, map_y)[~mouth_opening(image.shape, dst)] <= 0).sum() <= 20, (n, expr)
    assert limited >= 1  # alpha 3 is past the limit somewhere: the guard is exercised


def test_fer_judge_sees_more_anger_fear_and_disgust_at_alpha_one(editor):
    """The harder basic expressions: over several portraits the judge's target probability grows by half."""
    from fxcli.face import detect_faces, load_image
    from fxcli.judges.expression import ExpressionJudge

    judge = ExpressionJudge()
    targets = {"angry": "angry", "fear": "fear", "disgust": "disgust"}
    means = {}
    for expr, label in targets.items():
        k = judge.LABELS.index(label)
        rows = []
        for n in ("001", "005", "006", "009", "013", "016"):
            image = load_image(str(PORTRAITS / f"interfaces-{n}.jpg"))
            face = detect_faces(image)[0]
            out = editor.edit(image, [(expr, 1.0)], seed=0, face=face)
            rows.append((judge.probs(image, face)[k], judge.probs(out, detect_faces(out)[0])[k]))
        means[expr] = np.mean(rows, axis=0)
    for expr, (before, after) in means.items():
        assert after > 1.5 * before + 0.005, (expr, before, after)


def test_eyelids_and_brows_move_in_the_face_units():
    """Hand-built landmarks: eyes 100 px apart, lids 10 px apart; AU5 opens, AU7 narrows (not below the floor)."""
    from fxcli.edit import au_regions as ar
    from fxcli.tracks.channels import ARKIT52

    xy = np.zeros((468, 2))
    for (corners, upper, lower), cx in zip(ar.EYES.values(), (150.0, 250.0), strict=True):
        xy[list(corners)] = [[cx - 15, 200], [cx + 15, 200]]
        xy[list(upper)] = np.c_[np.linspace(cx - 12, cx + 12, 7), np.full(7, 195.0)]
        xy[list(lower)] = np.c_[np.linspace(cx - 12, cx + 12, 7), np.full(7, 205.0)]
    assert ar.inter_ocular(xy) == pytest.approx(100.0)
    w = np.zeros(len(ARKIT52))
    w[[ARKIT52.index("eyeWideLeft"), ARKIT52.index("eyeWideRight")]] = 1.0
    wide = ar.eyelid_motion(xy, w)
    mid = list(ar.EYES["Left"][1])[3]  # the middle of the upper lid: up (image y decreases)
    # WIDE_UPPER of the IOD (10 px), softly capped by the room left below WIDEST of the eye's 30 px width
    room = ar.WIDEST * 30.0 - 10.0

    def capped(lift: float) -> float:
        return room * np.tanh(lift / room)

    assert wide[mid] == pytest.approx([0.0, -capped(ar.WIDE_UPPER * 100)])
    assert np.abs(wide[list(ar.EYES["Left"][2])]).max() == 0.0
    # an eye whose photo shows no white is widened by WIDE_UNSEEN of that; the other eye as before
    part = ar.eyelid_motion(xy, w, unseen=("Left",))
    assert part[mid] == pytest.approx([0.0, -capped(ar.WIDE_UNSEEN * ar.WIDE_UPPER * 100)])
    # the cap: rising with the weight, never past WIDEST of the width
    lifts = []
    for weight in (0.5, 1.0, 2.0, 10.0):
        w[[ARKIT52.index("eyeWideLeft"), ARKIT52.index("eyeWideRight")]] = weight
        lifts.append(-ar.eyelid_motion(xy, w)[mid, 1])
    assert np.all(np.diff(lifts) > 0) and lifts[-1] <= room + 1e-9
    right_mid = list(ar.EYES["Right"][1])[3]
    assert part[right_mid] == pytest.approx(wide[right_mid])
    w[:] = 0.0
    w[ARKIT52.index("eyeBlinkLeft")] = 3.0  # far past closed: the aperture keeps MIN_APERTURE of 10 px
    shut = ar.eyelid_motion(xy, w)
    assert shut[mid, 1] == pytest.approx((1 - ar.MIN_APERTURE) * 10.0)
    moves = np.zeros((468, 2))
    moves[list(ar.BROWS)] = [0.0, 1.0]
    small = ar.brow_gain(xy, moves)[list(ar.BROWS)]
    assert small[:, 1] == pytest.approx(ar.BROW_CAP * 100 * np.tanh(ar.BROW_GAIN / (ar.BROW_CAP * 100)))
    moves[list(ar.BROWS)] = [0.0, 500.0]
    assert ar.brow_gain(xy, moves)[list(ar.BROWS)][:, 1].max() <= ar.BROW_CAP * 100 + 1e-9


def test_expression_estimate_recovers_known_weights_on_the_ict_heads_own_landmarks(editor):
    """ICT's landmark vertices posed with known mouth weights, a known identity and a similarity into pixels."""
    from fxcli.edit.expression_fit import FLIP, REMOVED

    fit = editor.fitter
    names = editor.rig.shape_names
    truth = np.zeros(len(names))
    for n, w in (("mouthSmile_L", 0.8), ("mouthSmile_R", 0.7), ("jawOpen", 0.3), ("cheekSquint_L", 0.5)):
        truth[names.index(n)] = w
    ident = np.asarray(editor.rig._identity_f16[:3][:, editor.index], np.float64)  # (3, 468, 3)
    ict = editor.neutral + np.tensordot(truth, editor.deltas, axes=1) + np.tensordot([0.8, -0.5, 0.3], ident, axes=1)
    angle = 0.15
    rot = np.array([[np.cos(angle), -np.sin(angle), 0], [np.sin(angle), np.cos(angle), 0], [0, 0, 1]])
    landmarks = 9.0 * (ict @ FLIP) @ rot.T + np.array([250.0, 240.0, 0.0])  # image px, y down
    est = fit.fit(landmarks)
    for n in ("mouthSmile_L", "mouthSmile_R", "jawOpen", "cheekSquint_L"):
        assert est[names.index(n)] == pytest.approx(truth[names.index(n)], abs=0.08), n
    others = [names.index(n) for n in REMOVED if truth[names.index(n)] == 0]
    assert est[others].max() < 0.1
    # the neutral head: nothing to remove; with a one-standard-deviation identity, at most a trace
    assert fit.removal(fit.fit(9.0 * (editor.neutral @ FLIP) @ rot.T)).max() == 0.0
    plain = 9.0 * ((editor.neutral + np.tensordot([1.0, 1.0, -1.0], ident, axes=1)) @ FLIP) @ rot.T
    assert fit.removal(fit.fit(plain)).max() < 0.12


def test_box_qp_matches_an_exhaustive_search_over_active_sets():
    """The active-set solver against a slow reference: every assignment of each weight to its lower bound,
    its upper bound or free, solved exactly; the minimum is the feasible candidate of least objective."""
    import itertools

    from fxcli.edit.expression_fit import box_qp

    rng = np.random.default_rng(3)
    for n in (1, 2, 4, 6):
        for _ in range(4):
            a = rng.normal(size=(n + 2, n))
            q = a.T @ a + 0.05 * np.eye(n)
            c = rng.normal(size=n) * 2.0
            best, best_value = None, np.inf
            for pattern in itertools.product((0, 1, 2), repeat=n):  # 0: at 0, 1: free, 2: at 1
                pat = np.array(pattern)
                e = np.where(pat == 2, 1.0, 0.0)
                free = pat == 1
                if free.any():
                    e[free] = np.linalg.solve(q[np.ix_(free, free)], c[free] - q[np.ix_(free, ~free)] @ e[~free])
                if e.min() < -1e-12 or e.max() > 1 + 1e-12:
                    continue
                value = e @ q @ e / 2 - c @ e
                if value < best_value:
                    best, best_value = e, value
            got = box_qp(q, c)
            assert got.min() >= 0.0 and got.max() <= 1.0
            np.testing.assert_allclose(got, best, atol=1e-9)
    # a hand-worked case: q = I, c = (2, -1, 0.5): the minimum is c clipped into the box
    np.testing.assert_allclose(box_qp(np.eye(3), np.array([2.0, -1.0, 0.5])), [1.0, 0.0, 0.5])


def test_shading_darkens_skin_to_a_warmer_tone(editor, portrait, monkeypatch):
    """Hand-worked: a ratio of 0.6 under a patch of the cheek, on a flat skin colour, gives each channel
    c * g ** SKIN_TINT[c] (g = 1 + (0.6 - 1) w, w: the skin mask's weight there), scaled so that the luma is g
    times the skin's; red keeps most, blue least; where the ratio is 1 nothing changes."""
    from fxcli.backends.edit_embedded import skin_mask
    from fxcli.edit.shading_ratio import SKIN_TINT

    image, face = portrait
    skin = np.array([200, 150, 120], np.uint8)
    flat = np.broadcast_to(skin, image.shape).copy()
    dst = face.landmarks[:, :2].astype(np.float64)
    x, y = np.round(dst[205]).astype(int)  # a cheek below the eye
    ratio = np.ones(image.shape[:2], np.float32)
    ratio[y - 6:y + 7, x - 6:x + 7] = 0.6
    monkeypatch.setattr(editor, "shading_ratio", lambda shape, face, terms: ratio)
    out = editor.apply_shading(flat, face, [("sad", 1.0)], dst)
    w = float(skin_mask(image.shape, dst)[y, x])
    assert w > 0.95
    g = 1 + (0.6 - 1) * w
    tinted = skin * g ** np.array(SKIN_TINT)
    bt601 = np.array([0.299, 0.587, 0.114])
    expected = np.floor(tinted * g * (skin @ bt601) / (tinted @ bt601) + 0.5)
    np.testing.assert_allclose(out[y, x], expected, atol=1)
    assert SKIN_TINT[0] < SKIN_TINT[1] < SKIN_TINT[2]
    r, gr, b = out[y, x].astype(float) / skin
    assert r > gr > b
    assert out[y, x].astype(float) @ bt601 == pytest.approx(g * (skin @ bt601), abs=0.6)
    assert (out[ratio == 1.0] == flat[ratio == 1.0]).all()


def test_shading_brightens_skin_without_a_tint(editor, portrait, monkeypatch):
    """Hand-worked: a ratio of 1.15 (a stretched cheek) multiplies the three channels alike by
    g = 1 + (1.15 - 1) w: the skin keeps its hue (tinted like a crease, it turned blue-violet)."""
    from fxcli.backends.edit_embedded import skin_mask

    image, face = portrait
    skin = np.array([200, 150, 120], np.uint8)
    flat = np.broadcast_to(skin, image.shape).copy()
    dst = face.landmarks[:, :2].astype(np.float64)
    x, y = np.round(dst[205]).astype(int)
    ratio = np.ones(image.shape[:2], np.float32)
    ratio[y - 6:y + 7, x - 6:x + 7] = 1.15
    monkeypatch.setattr(editor, "shading_ratio", lambda shape, face, terms: ratio)
    out = editor.apply_shading(flat, face, [("sad", 1.0)], dst)
    g = 1 + (1.15 - 1) * float(skin_mask(image.shape, dst)[y, x])
    np.testing.assert_allclose(out[y, x], np.floor(skin * g + 0.5), atol=1)
    assert out[y, x, 2] - skin[2] < out[y, x, 0] - skin[0]  # blue gains least: no violet cast


def test_shading_leaves_glasses_and_occluders_alone(editor, portrait, monkeypatch):
    """A darkening ratio over the whole face: with a frame (two rims drawn as rings) the rims and the lenses they
    enclose keep their pixels exactly (the brows' creases showed through a mirrored lens), the skin between the
    lenses and the cheek below are darkened as without glasses; an occluder's mask keeps the cheek."""
    import cv2

    from fxcli.backends.edit_embedded import RigidParts
    from fxcli.edit.rigid_parts import FramePixels, frame_cover

    image, face = portrait
    skin = np.array([200, 150, 120], np.uint8)
    flat = np.broadcast_to(skin, image.shape).copy()
    dst = face.landmarks[:, :2].astype(np.float64)
    ratio = np.full(image.shape[:2], 0.6, np.float32)
    monkeypatch.setattr(editor, "shading_ratio", lambda shape, face, terms: ratio)
    left, right, cheek = np.round(dst[[159, 386, 205]]).astype(int)  # upper lids and a cheek below the eye
    radius = int(0.35 * np.linalg.norm(right - left))
    x0, y0 = left[0] - 2 * radius, min(left[1], right[1]) - 2 * radius
    rims = np.zeros((4 * radius + abs(int(right[1] - left[1])), right[0] - left[0] + 4 * radius), np.uint8)
    for centre in (left, right):
        cv2.circle(rims, (int(centre[0] - x0), int(centre[1] - y0)), radius, 1, 2)
    frame = FramePixels(rims > 0, int(x0), int(y0))
    from fxcli.edit.polygons import corner_iod

    hull = frame_cover(frame, (0, 0, image.shape[1], image.shape[0]), corner_iod(dst))
    between = (left + right) // 2
    assert hull[left[1], left[0]] == pytest.approx(1.0) and hull[right[1], right[0]] == pytest.approx(1.0)
    assert hull[between[1], between[0]] < 1e-3 and hull[cheek[1], cheek[0]] < 1e-3 and hull[0, 0] == 0.0
    rigid = RigidParts(np.zeros(0, np.int64), np.zeros((0, 2)), frame)
    out = editor.apply_shading(flat, face, [("fear", 1.0)], dst, rigid)
    plain = editor.apply_shading(flat, face, [("fear", 1.0)], dst)
    assert (out[hull >= 1.0] == skin).all() and (plain[hull >= 1.0] != skin).any()
    for x, y in (cheek, between):
        assert (out[y, x] == plain[y, x]).all() and out[y, x, 2] < skin[2]
    occluded = np.zeros(image.shape[:2], np.float32)
    occluded[cheek[1] - 5:cheek[1] + 6, cheek[0] - 5:cheek[0] + 6] = 1.0
    kept = editor.apply_shading(flat, face, [("fear", 1.0)], dst, rigid._replace(frame=None, occluders=occluded))
    assert (kept[occluded == 1.0] == skin).all() and (kept[hull >= 1.0] != skin).any()


@pytest.mark.parametrize("expression", ["surprised", "fear", "angry", "disgust"])
def test_a_black_and_white_portrait_stays_grey(editor, portrait, expression):
    """Nothing the editor adds brings colour into a grey photo: the rendered mouth (red tongue, warm enamel) and
    the creases' warm tint keep the photo's own share of colour, none here (cielab.colour_share)."""
    from fxcli.edit.cielab import colour_share, luma

    image, face = portrait
    grey = np.repeat(np.round(luma(image))[..., None], 3, axis=2).astype(np.uint8)
    assert colour_share(grey[200, 200]) == 0.0 and colour_share(np.array([200, 150, 120])) == 1.0
    out = editor.edit(grey, [(expression, 1.0)], seed=0, face=face).astype(int)
    assert np.abs(out - grey).max() > 60  # an opened mouth or a crease, not an untouched photo
    assert np.abs(out[..., 0] - out[..., 1]).max() <= 1 and np.abs(out[..., 1] - out[..., 2]).max() <= 1


def test_shading_ratio_is_one_where_the_expression_moves_nothing(editor, portrait):
    image, face = portrait
    assert np.all(editor.shading_ratio(image.shape, face, [("angry", 0.0)]) == 1.0)
    ratio = editor.shading_ratio(image.shape, face, [("angry", 1.0)])
    lm = face.landmarks[:, :2]
    # exactly 1 farther than the splats' smoothing from every ICT vertex the expression moves
    from scipy.spatial import cKDTree

    from fxcli.edit.shading_ratio import FLIP, RATIO_RANGE

    shading = editor._shading
    after = editor.rig.arkit52_to_ict(editor.expression_weights("angry").astype(np.float32)).astype(np.float64)
    before = np.zeros_like(after)
    moving = np.linalg.norm(shading.vertices(after) - shading.vertices(before), axis=1) > 1e-6
    scale, rot, shift = editor.pose(face)
    xy = (scale * (shading.vertices(after) @ FLIP) @ rot.T + shift)[moving, :2]
    yy, xx = np.mgrid[0:image.shape[0], 0:image.shape[1]]
    dist, _ = cKDTree(xy).query(np.c_[xx.ravel(), yy.ravel()])
    far = dist.reshape(image.shape[:2]) > 4 * 1.2 * scale * 0.25 + 3
    assert far.mean() > 0.3 and np.all(ratio[far] == 1.0)
    assert RATIO_RANGE[0] <= ratio.min() < 0.9 and ratio.max() <= RATIO_RANGE[1]
    # the glabella, from between the brows (landmark 9) down to the nose bridge (168): a furrow darkens it
    (xa, ya), (xb, yb) = np.round(lm[9]).astype(int), np.round(lm[168]).astype(int)
    assert ratio[min(ya, yb):max(ya, yb) + 1, min(xa, xb) - 3:max(xa, xb) + 4].min() < 0.97


def test_smiling_source_loses_its_smile_for_sad(editor):
    """A broad smile (portrait 010) turned sad: the mouth corners end lower than the lips' middle."""
    from fxcli.face import detect_faces, load_image

    image = load_image(str(PORTRAITS / "interfaces-010.jpg"))
    face = detect_faces(image)[0]
    before, after = editor.ict_change(face, [("sad", 1.0)])
    names = editor.rig.shape_names
    smile = [names.index("mouthSmile_L"), names.index("mouthSmile_R")]
    assert (before[smile] > 0.8).all() and np.allclose(after[smile], 0.0)
    half = editor.ict_change(face, [("sad", 0.5)])[1]
    assert np.allclose(half[smile], before[smile] / 2)


def test_the_photos_own_expression_is_taken_away_down_to_the_targets_amount(editor):
    """A laugh (portrait 004: the lower lip dropped far, ICT mouthLowerDown ~0.8) under targets that use the same
    shapes. What a target uses is added to at most its own amount of the photo's (edited = min(photo, target)
    + target): angry's slightly lowered lip does not keep the laugh's, happy never takes the smile away."""
    from fxcli.face import detect_faces, load_image

    image = load_image(str(PORTRAITS / "interfaces-004.jpg"))
    face = detect_faces(image)[0]
    own = editor.source_expression(face)
    names = editor.shape_names
    lower = [names.index("mouthLowerDown_L"), names.index("mouthLowerDown_R")]
    smile = [names.index("mouthSmile_L"), names.index("mouthSmile_R")]
    angry = editor.to_ict(editor.expression_weights("angry"))
    assert (own[lower] > 2 * angry[lower]).all()  # the case: the laugh lowers the lip more than angry asks
    for expr in ("angry", "happy", "sad"):
        target = editor.to_ict(editor.expression_weights(expr))
        before, after = editor.ict_change(face, [(expr, 1.0)])
        edited = own + after - before
        used = np.abs(target) > 1e-6
        assert np.allclose(edited[~used], 0.0)  # the photo's part the target does not use is gone
        assert (edited[used] <= 2 * target[used] + 1e-9).all() and (edited[used] >= target[used] - 1e-9).all()
        if expr == "happy":
            assert (after[smile] - before[smile] >= 0).all()  # the smile grows
    assert np.allclose((own + np.subtract(*editor.ict_change(face, [("angry", 1.0)])[::-1]))[lower],
                       2 * angry[lower])
    # the landmarks: the laughing mouth parts less under angry than with the laugh's lowered lip kept
    scale, rot, _ = editor.pose(face)
    kept = np.tensordot(angry, editor.deltas, axes=1) @ np.diag([1.0, -1.0, -1.0]) @ rot.T * scale * MOTION_GAIN
    moves = editor.image_displacements(face, [("angry", 1.0)])
    assert moves[14, 1] - moves[13, 1] < (kept[14, 1] - kept[13, 1]) - 5.0


def test_the_photos_squint_is_let_down_as_its_cheeks_relax(editor, monkeypatch):
    """A smile's raised lower lids (portrait 030: ICT cheekSquint_R ~0.4) go back down when the target does
    not squint: the middle of that eye's lower lid moves SQUINT_LOWER x the cheekSquint taken away x IOD
    further down (along the eye's own up direction) than without it; the other eye (no squint) does not."""
    from fxcli.edit.au_regions import EYES, SQUINT_LOWER, inter_ocular
    from fxcli.face import detect_faces, load_image

    image = load_image(str(PORTRAITS / "interfaces-030.jpg"))
    face = detect_faces(image)[0]
    names = editor.shape_names
    right, left = names.index("cheekSquint_R"), names.index("cheekSquint_L")
    own = editor.source_expression(face).copy()
    assert own[right] > 0.2 and own[left] == 0.0
    with_squint = editor.image_displacements(face, [("sad", 1.0)])
    relaxed = own.copy()
    relaxed[right] = 0.0
    monkeypatch.setattr(editor, "source_expression", lambda f: relaxed)
    without = editor.image_displacements(face, [("sad", 1.0)])
    xy = face.landmarks[:, :2].astype(np.float64)
    (outer, inner), _, lower_lid = EYES["Right"]
    axis = xy[inner] - xy[outer]
    up = np.array([axis[1], -axis[0]]) / np.linalg.norm(axis)
    up = -up if up[1] > 0 else up
    middle = lower_lid[3]  # the lid's middle: the sine profile is 1 there
    # ICT's own cheekSquint shape, taken away, moves the landmark too; the rest is the lid's
    scale, rot, _ = editor.pose(face)
    shape = MOTION_GAIN * scale * (editor.deltas[right] @ np.diag([1.0, -1.0, -1.0])) @ rot.T
    drop = -(with_squint[middle] - without[middle] + own[right] * shape[middle, :2]) @ up
    assert drop == pytest.approx(SQUINT_LOWER * own[right] * inter_ocular(xy), rel=1e-6)
    (_, _), _, other = EYES["Left"]
    lid_only = with_squint - without + own[right] * shape[:, :2]
    assert np.abs(lid_only[list(other)]).max() < 1e-6


def test_glasses_stay_rigid_a_straight_bar_stays_straight(editor, portrait, monkeypatch):
    """A dark bar drawn across the eyes and nose bridge (a frame) is found and kept straight by the warp
    (alpha 2, extrapolated linearly: a strong motion around the eyes, which bends an unprotected bar)."""
    from fxcli.backends import edit_embedded
    from fxcli.edit.rigid_parts import has_glasses

    monkeypatch.setattr(edit_embedded, "EXAGGERATION", 0.0)

    image, face = portrait
    assert not has_glasses(image, face.landmarks)
    lm = face.landmarks[:, :2]
    y = int(round(lm[168, 1]))
    x0, x1 = int(lm[:, 0].min()), int(lm[:, 0].max())
    barred = image.copy()
    barred[y - 2:y + 3, x0:x1] = (20, 20, 30)
    assert has_glasses(barred, face.landmarks)

    def bar_rows(img):
        bar = (np.abs(img[y - 15:y + 15, x0 + 5:x1 - 5].astype(int) - (20, 20, 30)).max(2) < 12)
        rows = [np.flatnonzero(bar[:, c]).mean() for c in range(bar.shape[1]) if bar[:, c].sum() >= 3]
        return np.asarray(rows)

    rows = bar_rows(editor.edit(barred, [("surprised", 2.0)], seed=0, face=face))
    assert len(rows) > 0.9 * (x1 - x0 - 10)
    bend = rows.max() - rows.min()
    unprotected = EmbeddedEditor()
    unprotected.rigid_parts = lambda image, face: None  # no still band, points or pinned frame
    loose = bar_rows(unprotected.edit(barred, [("surprised", 2.0)], seed=0, face=face))
    # the 5 px bar: its centre line stays within 3 px (a little is left near the eyes, where the lids would
    # move); the same edit without protection bends it by 6-7 px
    assert bend <= 3.0 and loose.max() - loose.min() > 2 * bend


def test_a_shadows_single_edge_across_the_bridge_is_not_a_frame(portrait):
    """A frame's bridge is a bar: two edges of opposite sign cross the bridge box. A shadow cast over the bridge
    (everything above a row darker) has one edge only and is not taken for glasses; a bar of the same darkness,
    5 px tall, is."""
    from fxcli.edit.rigid_parts import has_glasses

    image, face = portrait
    lm = face.landmarks[:, :2]
    y = int(round(lm[168, 1]))
    x0, x1 = int(lm[:, 0].min()), int(lm[:, 0].max())
    shadow = image.copy()
    shadow[: y + 3, x0:x1] = (shadow[: y + 3, x0:x1] * 0.25).astype(np.uint8)
    bar = image.copy()
    bar[y - 2:y + 3, x0:x1] = (bar[y - 2:y + 3, x0:x1] * 0.25).astype(np.uint8)
    assert not has_glasses(shadow, face.landmarks)
    assert has_glasses(bar, face.landmarks)


def test_a_thin_bridge_above_the_bridge_box_is_found_in_the_tall_box(portrait):
    """An aviator's wire bridge sits at the brows, 0.22 IOD above landmark 168: out of the bridge box (0.15 IOD
    each way) but in the tall box, where both of its edges cross the whole width. A shadow's single edge at the
    same place is not a frame in either box."""
    from fxcli.edit.polygons import corner_iod
    from fxcli.edit.rigid_parts import BAR_SPAN, BRIDGE_H, TALL_H, TALL_SPAN, bar_spans, has_glasses

    image, face = portrait
    lm = face.landmarks[:, :2]
    y = int(round(lm[168, 1] - 0.22 * corner_iod(lm)))
    x0, x1 = int(lm[:, 0].min()), int(lm[:, 0].max())
    wire = image.copy()
    wire[y - 1:y + 2, x0:x1] = (40, 35, 30)
    assert bar_spans(wire, face.landmarks, BRIDGE_H)[1] < BAR_SPAN  # the bridge box alone misses it
    assert bar_spans(wire, face.landmarks, TALL_H)[1] >= TALL_SPAN
    assert has_glasses(wire, face.landmarks)
    shadow = image.copy()
    shadow[: y + 1, x0:x1] = (shadow[: y + 1, x0:x1] * 0.25).astype(np.uint8)
    assert not has_glasses(shadow, face.landmarks)


def test_thin_metal_frames_are_found_and_bare_faces_are_not():
    """The development portraits: interfaces-004 (aviators, the bridge at the brows) and interfaces-029 (a round
    wire frame worn low) are found by the tall box; none of the faces without glasses is taken for one (a turned
    face's brow shadow, interfaces-002, reached 0.44 of the tall box on its weaker side)."""
    from fxcli.edit.rigid_parts import has_glasses
    from fxcli.face import detect_faces, load_image

    wearers = {"004", "008", "010", "015", "016", "020", "023", "026", "029"}
    for path in sorted(PORTRAITS.glob("interfaces-*.jpg")):
        image = load_image(str(path))
        faces = detect_faces(image)
        if faces:
            assert has_glasses(image, faces[0].landmarks) == (path.stem[-3:] in wearers), path.name


def test_a_low_rim_below_the_band_is_pinned_with_the_frame(monkeypatch):
    """interfaces-029's round rims hang 0.7 IOD below the lids, past the band's reach: the strong edges below the
    band that join the frame and run across are pinned with it. Under happy and disgust the rims' pixels below
    the band change by under half as much as when only the band's edges are pinned (happy: mean 5 grey levels
    against 27; disgust 2 against 22)."""
    from fxcli.edit import rigid_parts
    from fxcli.face import detect_faces, load_image

    image = load_image(str(PORTRAITS / "interfaces-029.jpg"))
    face = detect_faces(image)[0]
    bottom = rigid_parts.band_bottom(image, face.landmarks)
    assert bottom == rigid_parts.band_bottom(None, face.landmarks)  # no rim within the band's reach
    frame = rigid_parts.frame_pixels(image, face.landmarks, bottom)
    ys, xs = np.nonzero(frame.mask)
    ys, xs = ys + frame.y0, xs + frame.x0
    low = ys > bottom
    assert low.sum() > 300

    def rim_change(expression: str) -> np.ndarray:
        out = EmbeddedEditor().edit(image, [(expression, 1.0)], seed=0, face=face)
        return np.abs(out.astype(int) - image.astype(int)).max(2)[ys[low], xs[low]]

    pinned = {e: rim_change(e) for e in ("happy", "disgust")}
    monkeypatch.setattr(rigid_parts, "_with_low_rims", lambda image, xy, strong, x0, y0: strong)
    loose = {e: rim_change(e) for e in ("happy", "disgust")}
    for e in pinned:
        assert pinned[e].mean() < 0.5 * loose[e].mean(), e
        assert np.percentile(pinned[e], 99) < 0.5 * np.percentile(loose[e], 99), e


def test_a_pinned_frame_stays_exactly_and_the_motion_returns_without_folding():
    """pin_frame on a hand-made map: a band of motion (10 px down, a Gaussian 20 px wide centred 25 px below a
    frame bar) drags the bar 2.1 px. Pinned, the bar's pixels sample exactly themselves, pixels beyond the
    widest feather keep the warp's map, and the map folds nowhere; at a motion that a full pin would fold (a
    2 px feather under a 6 px step), a weaker pin is kept that folds no more than the warp did."""
    from fxcli.edit.rigid_parts import FEATHER_MAX, FramePixels, _folds, pin_frame

    h = w = 200
    gx, gy = np.meshgrid(np.arange(w, dtype=np.float32), np.arange(h, dtype=np.float32))
    uy = (10.0 * np.exp(-((gy - 125.0) / 20.0) ** 2)).astype(np.float32)
    frame = np.zeros((10, 100), bool)
    frame[3:7] = True  # a 4 px bar at y 98..101, x 50..149
    pinned = FramePixels(frame, 50, 95)
    iod = 100.0
    assert uy[98:102, 50:150].max() > 2.0
    map_x, map_y = pin_frame(gx, gy + uy, pinned, iod)
    assert np.array_equal(map_y[98:102, 50:150], gy[98:102, 50:150])
    assert np.array_equal(map_x, gx)
    far = int(np.ceil(FEATHER_MAX * iod)) + 2
    assert np.array_equal(map_y[101 + far:], (gy + uy)[101 + far:])
    assert _folds(map_x, map_y) == 0 and _folds(gx, gy + uy) == 0

    step = np.where(gy > 103, 6.0, 0.0).astype(np.float32)  # a cliff under the bar: the warp itself folds at it
    before = _folds(gx, gy - step)
    map_x, map_y = pin_frame(gx, gy - step, pinned, 8.0)  # FEATHER_MAX * 8 = 4 px: a full pin would fold
    assert _folds(map_x, map_y) <= before


def test_a_round_lenss_lower_rim_below_the_lids_joins_the_rigid_band(portrait):
    """Round lenses reach below the lids with bare skin between (interfaces-023's tortoise-shell rims, 0.27 IOD
    under the lids' edge). Drawn on smooth skin under each eye: a faint crease at the top of the searched
    rows and a rim 0.2 IOD under the lowest below-eye landmark. The rim is part of the rigid band
    (band_bottom goes below it): the gap to it is counted from the lids' lowest point, which the band holds,
    not from the crease, 0.33 IOD above the rim (a gap wider than RIM_GAP, which had ended the band there)."""
    from fxcli.edit.polygons import corner_iod
    from fxcli.edit.rigid_parts import BELOW_EYES, RIM_GAP, band_bottom

    image, face = portrait
    xy = face.landmarks[:, :2].astype(np.float64)
    iod = corner_iod(xy)
    top = int(xy[list(BELOW_EYES)][:, 1].min())
    y = int(round(xy[list(BELOW_EYES)][:, 1].max() + 0.2 * iod))
    assert (y - top) - 4 > RIM_GAP * iod  # the rim's upper edge from the crease's lower one
    glasses = image.copy()
    for outer, inner in ((33, 133), (263, 362)):
        xa, xb = sorted((int(xy[outer, 0]), int(xy[inner, 0])))
        skin = np.median(image[top:y, xa:xb].reshape(-1, 3), axis=0)
        glasses[top - 2:y + 6, xa - 3:xb + 3] = skin  # smooth skin under the eye
        glasses[top:top + 2, xa - 3:xb + 3] = skin * 0.55  # a crease
        glasses[y - 2:y + 2, xa - 3:xb + 3] = (30, 20, 20)  # the rim
    assert band_bottom(glasses, face.landmarks) > y + 1


def test_a_lower_rim_over_a_wrinkling_nose_is_not_dragged(monkeypatch):
    """interfaces-016's rectangular frame, disgust: the nose wrinkling up under the lenses' inner corners
    dragged the lower rims up to 20 px with the warp (the spline holds its still points only approximately),
    bending them into a wave. With the frame's pixels pinned (rigid_parts.pin_frame) the frame's pixels
    change by under half as much at the 99th percentile (measured: 31 grey levels against 106; what is left
    is the crease shading on the skin beside the frame's edges)."""
    from fxcli.edit import rigid_parts
    from fxcli.face import detect_faces, load_image

    image = load_image(str(PORTRAITS / "interfaces-016.jpg"))
    face = detect_faces(image)[0]
    frame = rigid_parts.frame_pixels(image, face.landmarks, rigid_parts.band_bottom(image, face.landmarks))
    ys, xs = np.nonzero(frame.mask)
    ys, xs = ys + frame.y0, xs + frame.x0

    def frame_change() -> np.ndarray:
        out = EmbeddedEditor().edit(image, [("disgust", 1.0)], seed=0, face=face)
        return np.abs(out.astype(int) - image.astype(int)).max(2)[ys, xs]

    pinned = frame_change()
    monkeypatch.setattr(rigid_parts, "pin_frame", lambda map_x, map_y, frame, iod: (map_x, map_y))
    loose = frame_change()
    assert np.percentile(pinned, 99) < 0.5 * np.percentile(loose, 99)
    assert pinned.mean() < 0.7 * loose.mean()


def test_real_glasses_stay_put_while_the_face_around_them_moves(editor):
    """A photographed frame (Grace Hopper's, public domain): its dark pixels change by a grey level or two under
    edits that move the brows and lids; the same edits without the protection smear them by tens of levels."""
    from fxcli.edit.rigid_parts import has_glasses
    from fxcli.face import detect_faces, load_image

    image = load_image(str(PORTRAITS.parent / "public_domain" / "grace_hopper.jpg"))
    face = detect_faces(image)[0]
    assert has_glasses(image, face.landmarks)
    xy = face.landmarks[:, :2]
    iod = float(np.linalg.norm(xy[263] - xy[33]))
    # the frame's dark top bar and rims: dark pixels in a band around the eyes and the bridge (below the cap)
    x0, x1 = int(xy[33, 0] - 0.3 * iod), int(xy[263, 0] + 0.3 * iod)
    y0, y1 = int(xy[168, 1] - 0.3 * iod), int(xy[168, 1] + 0.2 * iod)
    frame = np.zeros(image.shape[:2], bool)
    frame[y0:y1, x0:x1] = image[y0:y1, x0:x1].astype(float).mean(2) < 60
    assert frame.sum() > 1000
    unprotected = EmbeddedEditor()
    unprotected.rigid_parts = lambda image, face: None  # no still band, points or pinned frame
    face_box = tuple(int(v) for v in face.box)
    for expression in ("surprised", "angry"):
        kept = editor.edit(image, [(expression, 1.0)], seed=0, face=face)
        loose = unprotected.edit(image, [(expression, 1.0)], seed=0, face=face)
        change = np.abs(kept.astype(int) - image.astype(int)).max(2)
        bx0, by0, bx1, by1 = face_box
        assert change[by0:by1, bx0:bx1].mean() > 10  # the face itself changed
        assert change[frame].mean() < 3.0, expression
        assert np.abs(loose.astype(int) - image.astype(int)).max(2)[frame].mean() > 10 * change[frame].mean()


def test_a_closed_mouth_turned_sad_stays_closed(editor, portrait):
    """Sadness does not part the lips: the closed neutral mouth of the test portrait, turned sad, shows no dark
    opening between them (under 6 % of the lips' area darker than luma 50; the source has 1.5 %; the arched
    dark slit this guards against was 22 %)."""
    from fxcli.edit.mouth_interior import OUTER_LIPS
    from fxcli.edit.polygons import poly_mask

    image, face = portrait

    def dark_share(img: np.ndarray, points: np.ndarray) -> float:
        lips = poly_mask(img.shape, points[list(OUTER_LIPS)]) > 0
        return float(((img.astype(float) @ [0.299, 0.587, 0.114]) < 50)[lips].mean())

    assert dark_share(image, face.landmarks[:, :2]) < 0.02
    out = editor.edit(image, [("sad", 1.0)], seed=0, face=face)
    assert dark_share(out, editor.last_dst) < 0.06


def test_a_closed_mouth_turned_sad_shows_no_teeth():
    """Grace Hopper's closed mouth turned sad: the frown curves the lip line, and nothing is painted into it
    (the target does not part the lips and the photo's are together). In the lips' area no pixel is
    teeth-like (luma over 120, chroma under 35 % of it; the source has none) and no more is dark (luma under
    50) than in the source (2.5 %); the fill had painted a pale strip of teeth there (5.6 % teeth-like, 8.2 %
    dark at alpha 1), which the FER judge read as bared teeth (angry)."""
    from fxcli.backends.edit_embedded import EmbeddedEditor
    from fxcli.edit.mouth_interior import OUTER_LIPS
    from fxcli.edit.polygons import poly_mask
    from fxcli.face import detect_faces, load_image

    image = load_image(str(PORTRAITS.parent / "public_domain" / "grace_hopper.jpg"))
    face = detect_faces(image)[0]
    editor = EmbeddedEditor()

    def shares(img: np.ndarray, points: np.ndarray) -> tuple[float, float]:
        px = img[poly_mask(img.shape, points[list(OUTER_LIPS)]) > 0].astype(float)
        luma, chroma = px @ [0.299, 0.587, 0.114], px.max(1) - px.min(1)
        return float(((luma > 120) & (chroma < 0.35 * luma)).mean()), float((luma < 50).mean())

    teeth, dark = shares(image, face.landmarks[:, :2])
    assert teeth == 0.0 and 0.01 < dark < 0.04
    for alpha in (0.75, 1.0, 1.5):
        out = editor.edit(image, [("sad", alpha)], seed=0, face=face)
        assert np.abs(out.astype(int) - image.astype(int)).max(2).mean() > 2  # the face changed
        after = shares(out, editor.last_dst)
        assert after[0] == 0.0 and after[1] <= dark + 0.005, (alpha, after)


def test_a_smile_made_broader_keeps_its_teeth_without_a_dark_band():
    """A smiling photo (the astronaut, teeth showing) made happier: the warp carries the teeth sideways with the
    lips. The lips' area darker than luma 50 stays at the photo's own share (2.3 %, the corners' shadow) or
    below; rigid rows of teeth with the painted socket beside them left a dark band along the lips: 10 % at
    alpha 1, 15 % at alpha 1.5. A mouth opened further (surprised) is still filled."""
    from fxcli.backends.edit_embedded import EmbeddedEditor
    from fxcli.edit.mouth_interior import OUTER_LIPS
    from fxcli.edit.polygons import poly_mask
    from fxcli.face import detect_faces, load_image

    image = load_image(str(PORTRAITS.parent / "public_domain" / "astronaut.jpg"))
    face = detect_faces(image)[0]
    editor = EmbeddedEditor()

    def dark_share(img: np.ndarray, points: np.ndarray) -> float:
        lips = poly_mask(img.shape, points[list(OUTER_LIPS)]) > 0
        return float(((img.astype(float) @ [0.299, 0.587, 0.114]) < 50)[lips].mean())

    own = dark_share(image, face.landmarks[:, :2])
    assert 0.01 < own < 0.04
    for alpha in (1.0, 1.5):
        out = editor.edit(image, [("happy", alpha)], seed=0, face=face)
        assert dark_share(out, editor.last_dst) <= own, alpha
    out = editor.edit(image, [("surprised", 1.0)], seed=0, face=face)
    assert dark_share(out, editor.last_dst) > 0.1  # the cavity of the dropped jaw (15 %; its tongue is lighter)


@pytest.mark.parametrize("expression", ["surprised", "fear", "sad"])
def test_pinned_golden_numbers_of_a_seeded_edit(editor, portrait, expression):
    """Golden numbers of one edit per expression, pinned after checking the pictures by eye (surprised: mouth
    open, brows up; fear: the lids a little wider, brows drawn up and together, the jaw dropped into a scream
    wider and taller than surprise's "oh"; sad: the corners down with the lips together, inner brows up; the open mouths a dark
    red cavity with the tongue lit at its bottom; the hair over the face's side held still)."""
    image, face = portrait
    out = editor.edit(image, [(expression, 1.0)], seed=0, face=face)
    diff = np.abs(out.astype(int) - image.astype(int))
    mean_diff, changed = GOLDEN[expression]
    assert float(diff.mean()) == pytest.approx(mean_diff, abs=0.01)
    assert int((diff.max(2) > 30).sum()) == pytest.approx(changed, rel=0.005)


GOLDEN = {"surprised": (3.424, 8497), "fear": (5.390, 14215), "sad": (2.289, 4718)}


def test_pinned_golden_numbers_of_happy_past_alpha_one(editor, portrait):
    """Happy at alpha 1.5, pinned after checking it by eye: a broader smile than at alpha 1, the cheeks and
    lower lids where alpha 1 put them (HELD), no narrowed eyes."""
    image, face = portrait
    diff = np.abs(editor.edit(image, [("happy", 1.5)], seed=0, face=face).astype(int) - image.astype(int))
    assert float(diff.mean()) == pytest.approx(2.393, abs=0.01)
    assert int((diff.max(2) > 30).sum()) == pytest.approx(6286, rel=0.005)


def test_exaggeration_saturates_past_alpha_one():
    """Hand-worked: 1 + 0.25 tanh(0.5 / 0.25) = 1.2410; identity up to 1; rising, smooth and bounded after."""
    from fxcli.backends.edit_embedded import EXAGGERATION, saturated, strength

    assert EXAGGERATION == 0.25
    assert strength(0.0) == 0.0 and strength(0.7) == 0.7 and strength(1.0) == 1.0
    assert strength(1.5) == pytest.approx(1.0 + 0.25 * np.tanh(2.0)) == pytest.approx(1.24101, abs=1e-5)
    grid = np.linspace(0.0, 3.0, 301)
    values = np.array([strength(a) for a in grid])
    assert (np.diff(values) > 0).all() and values[-1] < 1.0 + EXAGGERATION
    assert (strength(1.001) - 1.0) / 0.001 == pytest.approx(1.0, abs=0.01)  # slope 1 on both sides of alpha 1
    assert strength(3.0, knee=0.0) == 3.0
    # a blend keeps its proportions; below a total of 1 nothing changes
    assert saturated([("happy", 0.3), ("sad", 0.4)]) == [("happy", 0.3), ("sad", 0.4)]
    (_, a), (_, b) = saturated([("happy", 0.6), ("sad", 0.9)])
    assert a / b == pytest.approx(0.6 / 0.9) and a + b == pytest.approx(strength(1.5))


def test_held_channels_stop_growing_at_alpha_one(editor):
    """Hand-worked on happy (HELD: cheekSquint): below alpha 1 every channel is alpha times the entry's;
    past it the cheeks stay at their alpha-1 amount while the smile grows on; a blend holds each term's
    own held channels."""
    from fxcli.edit.au_emphasis import HELD, held
    from fxcli.tracks.channels import ARKIT52

    assert HELD["happy"] == ("cheekSquint",)
    cheeks = [ARKIT52.index("cheekSquintLeft"), ARKIT52.index("cheekSquintRight")]
    smile = ARKIT52.index("mouthSmileLeft")
    assert held("happy")[cheeks].tolist() == [1.0, 1.0] and held("happy").sum() == 2.0 and held("sad").sum() == 0
    unit = editor.expression_weights("happy")
    np.testing.assert_array_equal(editor.weights_of([("happy", 0.5)]), 0.5 * unit)
    past = editor.weights_of([("happy", 1.2)])
    np.testing.assert_array_equal(past[cheeks], unit[cheeks])
    assert past[smile] == pytest.approx(1.2 * unit[smile])
    sad = editor.expression_weights("sad")
    blend = editor.weights_of([("happy", 1.2), ("sad", 1.1)])
    np.testing.assert_allclose(blend[cheeks], unit[cheeks] + 1.1 * sad[cheeks])
    np.testing.assert_allclose(blend[smile], 1.2 * unit[smile] + 1.1 * sad[smile])


def test_late_channels_follow_a_power_of_alpha_up_to_one(editor):
    """Hand-worked on fear (LATE: brows and frown squared): at alpha 0.5 those channels are a quarter of the
    entry's, the jaw half; at alpha 1 and past it (1.3) every channel is alpha times the entry's except the
    held upper-lip raise; in a blend each term keeps its own ramp."""
    from fxcli.edit.au_emphasis import LATE, onset
    from fxcli.tracks.channels import ARKIT52

    assert LATE["fear"] == {"browInnerUp": 2.0, "browDown": 2.0, "mouthFrown": 2.0}
    frown, brow, jaw = ARKIT52.index("mouthFrownLeft"), ARKIT52.index("browInnerUp"), ARKIT52.index("jawOpen")
    lip = ARKIT52.index("mouthUpperUpLeft")
    assert onset("fear")[[frown, brow, jaw]].tolist() == [2.0, 2.0, 1.0] and (onset("sad") == 1.0).all()
    unit = editor.expression_weights("fear")
    half = editor.weights_of([("fear", 0.5)])
    assert half[frown] == pytest.approx(0.25 * unit[frown]) and half[brow] == pytest.approx(0.25 * unit[brow])
    assert half[jaw] == pytest.approx(0.5 * unit[jaw])
    np.testing.assert_allclose(editor.weights_of([("fear", 1.0)]), unit)
    past = editor.weights_of([("fear", 1.3)])
    assert past[frown] == pytest.approx(1.3 * unit[frown]) and past[lip] == pytest.approx(unit[lip])
    sad = editor.expression_weights("sad")
    blend = editor.weights_of([("fear", 0.5), ("sad", 0.5)])  # each term on its own ramp
    assert blend[frown] == pytest.approx(0.25 * unit[frown] + 0.5 * sad[frown])


def test_surprise_past_alpha_one_opens_the_eyes_over_a_held_mouth(editor, portrait):
    """Surprise holds its jaw drop and rounded lips at alpha 1 (HELD): past it, the inner lips part no further
    (hand-worked: the held channels' weights equal alpha 1's) while the upper lids go on rising in the photo
    (the brows' motion is near its cap already)."""
    from fxcli.edit.au_emphasis import HELD
    from fxcli.edit.mouth_interior import LOWER_INNER_LIP, UPPER_INNER_LIP
    from fxcli.tracks.channels import ARKIT52

    assert set(HELD["surprised"]) == {"jawOpen", "mouthLowerDown", "mouthFunnel"}
    unit, past = editor.weights_of([("surprised", 1.0)]), editor.weights_of([("surprised", 1.4)])
    jaw, brow = ARKIT52.index("jawOpen"), ARKIT52.index("browInnerUp")
    assert past[jaw] == unit[jaw] > 0 and past[brow] == pytest.approx(1.4 * unit[brow])
    _, face = portrait
    moves = {a: editor.image_displacements(face, [("surprised", a)]) for a in (1.0, 1.4)}
    middle = slice(3, 8)

    def parting(m):
        return float((m[list(LOWER_INNER_LIP[middle])] - m[list(UPPER_INNER_LIP[middle])])[:, 1].mean())

    assert parting(moves[1.4]) == pytest.approx(parting(moves[1.0]), rel=0.02)
    # the upper lids (FaceMesh 222-225 above them, their mirror images, the margins 159 and 386) go on rising:
    # 1.5 % of the IOD or more from alpha 1 to 1.4
    iod = float(np.linalg.norm(face.landmarks[33, :2] - face.landmarks[263, :2]))
    lids = [222, 223, 224, 225, 442, 443, 444, 445, 159, 386]
    assert (moves[1.4][lids, 1] < moves[1.0][lids, 1] - 0.015 * iod).all()  # higher in the image (y down)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs fork")
def test_a_forked_process_still_edits(editor, portrait):
    """The warp builds its second spline operator on a background thread; a child forked after an edit has the
    parent's executor without its thread and must make its own instead of waiting forever."""
    import multiprocessing

    image, face = portrait
    editor.edit(image, [("surprised", 1.0)], seed=0, face=face)  # the executor exists in this process
    expected = editor.edit(image, [("fear", 1.0)], seed=0, face=face)

    def child(queue):
        queue.put(editor.edit(image, [("fear", 1.0)], seed=0, face=face))

    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=child, args=(queue,))
    proc.start()
    got = queue.get(timeout=120)
    proc.join(timeout=30)
    assert proc.exitcode == 0
    np.testing.assert_array_equal(got, expected)


def test_the_shading_ratio_covers_the_sparse_chin_and_cheeks(editor):
    """ICT's vertices are ~20 times denser on the lips than on the chin: the ratio image must still cover the
    chin and cheeks (a coverage floor relative to the densest pixel left an oval hole there, ringed by the
    change around it). Landmarks: chin 199/200/201, cheeks 50/280 and 205/425."""
    from fxcli.face import detect_faces, load_image

    image = load_image(str(PORTRAITS.parent / "public_domain" / "astronaut.jpg"))
    face = detect_faces(image)[0]
    ratio = editor.shading_ratio(image.shape, face, [("disgust", 1.0)])
    px = np.round(face.landmarks[:, :2]).astype(int)
    for i in (199, 200, 201, 50, 280, 205, 425):
        assert ratio[px[i, 1], px[i, 0]] != 1.0, i


def test_a_large_faces_ratio_on_a_coarser_grid_follows_the_full_resolution_one(editor, monkeypatch):
    """The ratio of a face whose splats are wider than SIGMA_WORK is worked out on a coarser grid and scaled up.
    Forced here on the 512 px portrait (splats 1.9 px wide, worked at 1 px: a grid twice as coarse), it must
    follow the full-resolution ratio: correlated over the face, differing on average by well under the change."""
    from fxcli.edit import shading_ratio
    from fxcli.face import detect_faces, load_image

    image = load_image(str(PORTRAITS.parent / "public_domain" / "astronaut.jpg"))
    face = detect_faces(image)[0]
    for expression in ("disgust", "happy", "angry"):
        monkeypatch.setattr(shading_ratio, "SIGMA_WORK", 1.0)
        coarse = editor.shading_ratio(image.shape, face, [(expression, 1.0)])
        monkeypatch.setattr(shading_ratio, "SIGMA_WORK", 1e9)
        full = editor.shading_ratio(image.shape, face, [(expression, 1.0)])
        face_part = (coarse != 1.0) | (full != 1.0)
        assert face_part.mean() < 0.5  # the photo around the face is left alone by both
        assert np.corrcoef(coarse[face_part], full[face_part])[0, 1] > 0.85, expression
        assert np.abs(coarse - full)[face_part].mean() < 0.5 * np.abs(full - 1.0)[face_part].mean(), expression
