"""Embedded judges on the 30 portraits: expression calls smiles happy, identity separates people."""

from __future__ import annotations

import numpy as np
import pytest

from fxcli.face import detect_faces
from fxcli.judges.expression import ExpressionJudge
from fxcli.judges.identity import SAME_PERSON_DISTANCE, IdentityJudge, distance, similarity
from tests.face_data import faces, image, portrait_paths

# Portraits with a broad open-mouthed smile (looked at by eye): 009, 010, 030.
SMILING = ("interfaces-009.jpg", "interfaces-010.jpg", "interfaces-030.jpg")
NEUTRAL = "interfaces-001.jpg"


def _path(name: str) -> str:
    return next(p for p in portrait_paths() if p.endswith(name))


@pytest.fixture(scope="module")
def expression():
    return ExpressionJudge()


@pytest.mark.parametrize("name", SMILING)
def test_smiling_portrait_is_happy(expression, name):
    p = expression.probs(image(_path(name)), faces(_path(name))[0])
    assert p.shape == (7,) and p.sum() == pytest.approx(1.0)
    assert expression.label(p) == "happy" and p[3] > 0.9


def test_neutral_portrait_is_not_happy(expression):
    p = expression.probs(image(_path(NEUTRAL)), faces(_path(NEUTRAL))[0])
    assert expression.label(p) == "neutral"


def test_classifier_input_is_an_upright_grey_crop(expression):
    x = expression.face_input(image(_path(NEUTRAL)), faces(_path(NEUTRAL))[0])
    assert x.shape == (64, 64) and x.dtype == np.float32
    assert -1.0 <= x.min() < x.max() <= 1.0


def test_similarity_and_distance_hand_worked():
    a, b = np.array([3.0, 4.0]), np.array([4.0, 3.0])
    assert similarity(a, b) == pytest.approx(24 / 25)
    assert distance(a, b) == pytest.approx(np.sqrt(2))
    assert similarity(a, -a) == pytest.approx(-1.0)


def test_identity_separates_same_from_different_people():
    """Same person = the photo mirrored, and cropped around the face; different = every other portrait.
    Every same-person distance must be below every different-person distance, and below dlib's 0.6."""
    judge = IdentityJudge()
    own, same = {}, []
    for path in portrait_paths():
        found = faces(path)
        if not found:
            continue
        img = image(path)
        own[path] = e = judge.embed(img, found[0])
        mirrored = np.ascontiguousarray(img[:, ::-1])
        x0, y0, x1, y1 = found[0].box
        side = max(x1 - x0, y1 - y0)
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        h, w = img.shape[:2]
        crop = np.ascontiguousarray(img[int(max(cy - side, 0)):int(min(cy + side, h)),
                                        int(max(cx - side, 0)):int(min(cx + side, w))])
        for copy in (mirrored, crop):
            copies = detect_faces(copy)
            if copies:  # a copy where the face is lost cannot be compared
                same.append(distance(e, judge.embed(copy, copies[0])))
    keys = list(own)
    different = [distance(own[a], own[b]) for i, a in enumerate(keys) for b in keys[i + 1:]]
    assert len(same) >= 2 * 27 - 2 and len(different) >= 27 * 26 / 2
    assert max(same) < min(different), (max(same), min(different))
    assert max(same) < SAME_PERSON_DISTANCE
    assert judge.same_person(own[keys[0]], own[keys[0]])
