"""The embedded editor: ICT shapes on FaceMesh landmarks, the smooth warp, the mouth fill, and the judges."""

from __future__ import annotations

import numpy as np
import pytest

from fxcli.backends.edit_embedded import (
    LOWER_INNER_LIP,
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


def test_displacements_scale_with_alpha_and_point_the_right_way(editor, portrait):
    _, face = portrait
    zero = editor.image_displacements(face, [("surprised", 0.0)])
    assert np.abs(zero).max() == 0.0
    one = editor.image_displacements(face, [("surprised", 1.0)])
    half = editor.image_displacements(face, [("surprised", 0.5)])
    assert np.allclose(half, one / 2)
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


def test_opening_a_closed_mouth_paints_a_dark_cavity(editor, portrait):
    import cv2

    image, face = portrait
    src = face.landmarks[:, :2]
    dst = src + editor.image_displacements(face, [("surprised", 1.0)])
    inner = np.vstack([dst[list(UPPER_INNER_LIP)], dst[list(LOWER_INNER_LIP)[-2:0:-1]]])
    mask = np.zeros(image.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(inner).astype(np.int32)], 255)
    mask = cv2.erode(mask, np.ones((3, 3), np.uint8)) > 0
    assert mask.sum() > 30  # the mouth opened
    out = editor.edit(image, [("surprised", 1.0)], seed=0, face=face)
    lips = image[mask].mean()
    inside = out[mask].astype(float)
    # the opening is cavity (dark) and teeth (light), not stretched lip: far from the lip colour on average
    dark = (inside.mean(1) < 0.6 * lips).mean()
    light = (inside.mean(1) > max(1.1 * lips, 150)).mean()
    assert dark > 0.3 and light > 0.05 and dark + light > 0.7


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


def test_the_warp_never_folds(editor):
    """No tearing or fold-over outside the painted mouth opening, for every basic expression, up to alpha 3."""
    from fxcli.backends.edit_embedded import backward_map, jacobian_det, mouth_opening
    from fxcli.face import detect_faces, load_image

    limited = 0
    for n in ("001", "005", "010"):
        image = load_image(str(PORTRAITS / f"interfaces-{n}.jpg"))
        face = detect_faces(image)[0]
        src = face.landmarks[:, :2].astype(np.float64)
        for expr in ("happy", "sad", "angry", "fear", "surprised", "disgust"):
            for alpha in (1.0, 3.0):
                out = editor.edit(image, [(expr, alpha)], seed=0, face=face)
                limited += editor.last_note is not None
                # the warp the editor used: recover its scale from the note, else the full motion
                scale = float(editor.last_note.split()[3]) if editor.last_note else 1.0
                dst = src + scale * editor.image_displacements(face, [(expr, alpha)])
                det = jacobian_det(*backward_map(image.shape, src, dst))
                assert det[~mouth_opening(image.shape, dst)].min() >= 0.05, (n, expr, alpha)
                assert out.shape == image.shape
    assert limited >= 1  # alpha 3 is past the one-to-one limit somewhere: the guard is exercised


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
