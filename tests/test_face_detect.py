"""Face detection, landmarks, face choice and alignment: hand-worked geometry and the 30 portraits."""

from __future__ import annotations

import numpy as np
import pytest

from fxcli.errors import NoFaceError
from fxcli.face import Face, align_crop, detect_faces, select_face
from fxcli.face.blazeface import decode, iou, ssd_anchors, weighted_nms
from fxcli.face.facemesh import Roi, eye_line_angle, roi_from_landmarks
from tests.face_data import faces, image, portrait_paths

# Faces the detector is not expected to find: 024 is a cap pulled over a face turned down (nothing of the
# face shows), 012 a profile under a hat brim that the landmark model rejects.
HARD = {"interfaces-012.jpg", "interfaces-024.jpg"}


def test_anchor_layout_matches_ssd_options():
    a = ssd_anchors()
    assert a.shape == (896, 2)
    # stride 8: 16×16 cells, 2 anchors each, row-major, centres (x + 0.5) / 16
    np.testing.assert_allclose(a[0], [0.5 / 16, 0.5 / 16])
    np.testing.assert_allclose(a[1], [0.5 / 16, 0.5 / 16])
    np.testing.assert_allclose(a[2], [1.5 / 16, 0.5 / 16])
    np.testing.assert_allclose(a[32], [0.5 / 16, 1.5 / 16])
    # the three stride-16 layers share an 8×8 grid with 6 anchors per cell
    np.testing.assert_allclose(a[512:518], [[0.5 / 8, 0.5 / 8]] * 6)
    np.testing.assert_allclose(a[518], [1.5 / 8, 0.5 / 8])
    np.testing.assert_allclose(a[-1], [7.5 / 8, 7.5 / 8])


def test_decode_hand_worked():
    anchors = np.array([[0.25, 0.5]], np.float32)
    reg = np.zeros((1, 16), np.float32)
    reg[0, :4] = [12.8, -6.4, 32, 64]  # centre offset (0.1, -0.05), size (0.25, 0.5) in 128-px units
    reg[0, 4:6] = [-12.8, 0]  # first keypoint 0.1 left of the anchor
    boxes, kps, scores = decode(reg, np.array([0.0]), anchors)
    np.testing.assert_allclose(boxes[0], [0.35 - 0.125, 0.45 - 0.25, 0.35 + 0.125, 0.45 + 0.25], atol=1e-6)
    np.testing.assert_allclose(kps[0, 0], [0.15, 0.5], atol=1e-6)
    np.testing.assert_allclose(kps[0, 1], [0.25, 0.5], atol=1e-6)
    assert scores[0] == pytest.approx(0.5)


def test_iou_and_weighted_nms_hand_worked():
    a = np.array([0, 0, 2, 2], float)
    boxes = np.array([[0, 0, 2, 2], [1, 0, 3, 2], [5, 5, 6, 6]], float)
    np.testing.assert_allclose(iou(a, boxes), [1.0, 2 / 6, 0.0])
    kps = np.zeros((3, 6, 2))
    kps[:, 0, 0] = [0, 3, 9]
    merged = weighted_nms(boxes, kps, np.array([0.9, 0.6, 0.8]))
    assert len(merged) == 2
    box, kp, score = merged[0]
    # boxes 0 and 1 overlap with IoU 1/3 > 0.3: score-weighted mean (0.9·b0 + 0.6·b1) / 1.5
    np.testing.assert_allclose(box, [0.4, 0, 2.4, 2])
    assert kp[0, 0] == pytest.approx(1.2) and score == pytest.approx(0.9)
    np.testing.assert_allclose(merged[1][0], [5, 5, 6, 6])


def test_roi_maps_crop_centre_and_axes():
    roi = Roi(cx=100, cy=50, size=40, angle=np.pi / 2)
    m = roi.crop_to_image(20)
    centre = m[:, :2] @ [10, 10] + m[:, 2]
    np.testing.assert_allclose(centre, [100, 50])
    # the crop's x axis runs along the eye line: rotated 90° it points down the image (y grows)
    step = m[:, :2] @ [1, 0]
    np.testing.assert_allclose(step, [0, 2], atol=1e-12)
    assert eye_line_angle([0, 0], [1, 1]) == pytest.approx(np.pi / 4)


def test_faces_found_in_at_least_27_of_30_portraits():
    paths = portrait_paths()
    assert len(paths) == 30
    missed = {p.rsplit("/", 1)[1] for p in paths if not faces(p)}
    assert len(missed) <= 3, missed
    assert missed <= HARD, missed


def test_landmarks_lie_on_the_face():
    for path in portrait_paths():
        for face in faces(path):
            assert face.landmarks.shape == (468, 3) and face.landmarks.dtype == np.float32
            assert face.keypoints.shape == (6, 2) and face.box.shape == (4,)
            x0, y0, x1, y1 = face.box
            w = x1 - x0
            inside = ((face.landmarks[:, 0] > x0 - 0.3 * w) & (face.landmarks[:, 0] < x1 + 0.3 * w)
                      & (face.landmarks[:, 1] > y0 - 0.5 * w) & (face.landmarks[:, 1] < y1 + 0.3 * w))
            assert inside.mean() > 0.95, path
            # the person's right eye (landmark 33) is on the image's left of the left eye (263)
            assert face.landmarks[33, 0] < face.landmarks[263, 0], path


def test_rolled_head_is_found_through_the_rotated_crop():
    import cv2

    path = portrait_paths()[0]
    upright = faces(path)[0]
    img = image(path)
    h, w = img.shape[:2]
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), -35, 1.0)  # rolls the head 35° clockwise on screen
    rolled = cv2.warpAffine(img, rot, (w, h))
    found = detect_faces(rolled)
    assert len(found) == 1
    a0 = eye_line_angle(upright.landmarks[33, :2], upright.landmarks[263, :2])
    a1 = eye_line_angle(found[0].landmarks[33, :2], found[0].landmarks[263, :2])
    assert np.degrees(a1 - a0) == pytest.approx(35, abs=4)
    # landmarks follow the rotation: map the upright ones and compare (mean error < 3 % of the face)
    moved = upright.landmarks[:, :2] @ rot[:, :2].T + rot[:, 2]
    err = np.linalg.norm(moved - found[0].landmarks[:, :2], axis=1).mean()
    assert err < 0.03 * (upright.box[2] - upright.box[0]), err


def test_two_faces_largest_first_and_face_index():
    import cv2

    a, b = image(portrait_paths()[0]), image(portrait_paths()[6])
    small = cv2.resize(b, (250, 250))
    canvas = np.zeros((500, 750, 3), np.uint8)
    canvas[:, :500], canvas[125:375, 500:] = a, small
    found = detect_faces(canvas)
    assert len(found) == 2
    assert found[0].area > found[1].area and found[0].box[0] < 500 <= found[1].box[0]
    assert select_face(found) is found[0]
    assert select_face(found, 1) is found[1]
    with pytest.raises(NoFaceError, match="face index 2 asked for but only 2"):
        select_face(found, 2)


def test_no_face_is_exit_5_with_the_reason():
    blank = np.full((200, 200, 3), 128, np.uint8)
    with pytest.raises(NoFaceError, match="no face found in blank.png .best detector score") as info:
        select_face(detect_faces(blank), source="blank.png")
    assert info.value.exit_code == 5


def test_align_crop_is_upright_and_centred():
    path = portrait_paths()[0]
    face = faces(path)[0]
    crop = align_crop(image(path), face, size=128)
    assert crop.pixels.shape == (128, 128, 3)
    lm = crop.landmarks(face)
    assert abs(lm[33, 1] - lm[263, 1]) < 1.0  # eye line horizontal
    assert np.all((lm > -1) & (lm < 129))  # margin 1.0: the landmarks fill the crop
    roi = roi_from_landmarks(face.landmarks)
    assert roi.size > 0


def test_face_dataclass_area():
    f = Face(np.array([0, 0, 4, 3], np.float32), 0.9, np.zeros((6, 2), np.float32), np.zeros((468, 3), np.float32))
    assert f.area == 12
