"""Landmarks -> ICT fit: recover known identity, expression and pose; residuals on real portraits."""

from __future__ import annotations

import numpy as np
import pytest

from fxcli.errors import InvalidInputError
from fxcli.face.ict_fit import fit_face, fit_identity, landmark_basis, project_model, umeyama
from fxcli.rigs.mesh import posed, rodrigues
from fxcli.tracks.channels import ARKIT52

PORTRAITS = "tests/data/portraits/interfaces-{:03d}.jpg"


def _observable(threshold_cm: float = 0.4) -> np.ndarray:
    """Channels whose landmark motion has at least `threshold_cm` (norm over all landmarks) that no
    combination of the other channels can produce: an independent measure of what landmarks can tell."""
    b = landmark_basis()
    a = (b.arkit[:51].reshape(51, -1) * np.sqrt(b.weights).reshape(-1)).T
    unique = 1 / np.sqrt(np.diag(np.linalg.inv(a.T @ a)))
    gaze = np.array([n.startswith("eyeLook") for n in ARKIT52[:51]])  # held near 0 by a prior (no iris)
    return np.flatnonzero((unique >= threshold_cm) & ~gaze)


def _random_expression(rng: np.random.Generator, n: int = 8) -> np.ndarray:
    w = np.zeros(52)
    w[rng.choice(51, n, replace=False)] = rng.uniform(0.2, 0.9, n)
    return w


def _angle_deg(a: np.ndarray, b: np.ndarray) -> float:
    r = rodrigues(np.asarray(a, np.float64)) @ rodrigues(np.asarray(b, np.float64)).T
    return float(np.degrees(np.arccos(np.clip((np.trace(r) - 1) / 2, -1, 1))))


def test_umeyama_recovers_a_known_similarity():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(50, 3))
    r = rodrigues(np.array([0.3, -0.2, 0.5]))
    y = 2.5 * x @ r.T + np.array([1.0, -2.0, 3.0])
    s, r_est, t = umeyama(x, y)
    assert s == pytest.approx(2.5, rel=1e-9)
    np.testing.assert_allclose(r_est, r, atol=1e-9)
    np.testing.assert_allclose(t, [1.0, -2.0, 3.0], atol=1e-9)


def test_known_expression_and_pose_are_recovered_with_the_identity_fixed():
    rng = np.random.default_rng(0)
    observable = _observable()
    assert {"jawOpen", "mouthSmileLeft", "browInnerUp", "eyeBlinkLeft"} <= {ARKIT52[i] for i in observable}
    for _ in range(4):
        ident = rng.standard_normal(100)
        arkit = _random_expression(rng)
        rot = np.radians(rng.uniform(-15, 15, 3))
        landmarks = project_model(ident, arkit, rot, 12.0, np.array([250.0, 260.0]))
        landmarks += rng.normal(0, 0.3, landmarks.shape)  # FaceMesh-like jitter, px
        fit = fit_face(landmarks, identity=ident, fit_identity=False)
        assert fit.arkit.shape == (52,) and fit.arkit.min() >= 0 and fit.arkit.max() <= 1
        np.testing.assert_array_less(np.abs(fit.arkit - arkit)[observable], 0.1)
        assert _angle_deg(fit.rotation, rot) < 2.0
        assert fit.scale == pytest.approx(12.0, rel=0.02)
        np.testing.assert_allclose(fit.translation, [250.0, 260.0], atol=2.0)
        assert fit.residual_px < 0.6 and fit.residual_iod < 0.01


def test_noise_free_landmarks_are_fitted_exactly():
    rng = np.random.default_rng(5)
    ident, arkit, rot = rng.standard_normal(100), _random_expression(rng), np.radians([8.0, -12.0, 4.0])
    fit = fit_face(project_model(ident, arkit, rot, 10.0, np.array([100.0, 120.0])), identity=ident,
                   fit_identity=False)
    assert fit.residual_px < 0.02
    free = [k for k, n in enumerate(ARKIT52) if not n.startswith("eyeLook")]
    np.testing.assert_allclose(fit.arkit[free], arkit[free], atol=0.03)  # the small L2 prior biases weak channels
    assert _angle_deg(fit.rotation, rot) < 0.05


def test_rotation_is_a_track_pose():
    """Landmarks from the rig posed the way `fxe render` poses a track give back that pose."""
    from fxcli.edit.facemesh_correspondence import load_correspondence
    from fxcli.rigs.ict_rig import IctRig

    rig = IctRig.load()
    pose = np.array([0.15, -0.25, 0.05], np.float32)  # pitch, yaw, roll (axis-angle)
    arkit = np.zeros(52, np.float32)
    arkit[ARKIT52.index("jawOpen")] = 0.4
    # where FaceMesh sees each landmark: its vertex plus the calibrated offset, then the head pose
    on_face = rig.vertices(arkit)[load_correspondence()] + (landmark_basis().neutral - rig.neutral[load_correspondence()])
    vertices = posed(on_face.astype(np.float32), rig.mesh.pivot, pose)
    landmarks = 9.0 * vertices * np.array([1.0, -1.0, -1.0]) + np.array([256.0, 256.0, 0.0])  # y down, z near<0
    fit = fit_face(landmarks, identity=np.zeros(100), fit_identity=False)
    assert _angle_deg(fit.rotation, pose) < 0.1
    assert abs(fit.arkit[ARKIT52.index("jawOpen")] - 0.4) < 0.02


def test_identity_from_several_frames():
    rng = np.random.default_rng(1)
    ident = rng.standard_normal(100)
    frames = [project_model(ident, _random_expression(rng, 5) * 0.7, np.radians(rng.uniform(-12, 12, 3)), 12.0,
                            np.array([250.0, 260.0])) + rng.normal(0, 0.3, (468, 3)) for _ in range(5)]
    est = fit_identity(frames, rounds=2)
    assert est.shape == (100,)

    def shape_error(coefficients: np.ndarray) -> float:
        zero = np.zeros(52)
        return float(np.linalg.norm(project_model(coefficients, zero, np.zeros(3), 1.0, np.zeros(2))
                                    - project_model(ident, zero, np.zeros(3), 1.0, np.zeros(2)), axis=1).mean())

    # the recovered head is much nearer the true one than the generic head is (cm, mean over landmarks)
    assert shape_error(est) < 0.5 * shape_error(np.zeros(100))


@pytest.mark.parametrize("number, limit", [(1, 0.04), (3, 0.05), (5, 0.05), (2, 0.12), (8, 0.12)])
def test_real_portraits_fit_within_a_few_percent_of_the_eye_distance(number, limit):
    from fxcli.face import find_face, load_image

    face = find_face(load_image(PORTRAITS.format(number)))
    fit = fit_face(face.landmarks)
    assert fit.residual_iod < limit
    assert np.isfinite(fit.identity).all() and fit.arkit.min() >= 0 and fit.arkit.max() <= 1


def test_bad_landmarks_are_invalid_input():
    with pytest.raises(InvalidInputError):
        fit_face(np.zeros((68, 2)))
    bad = np.zeros((468, 3))
    bad[0, 0] = np.nan
    with pytest.raises(InvalidInputError):
        fit_face(bad)
