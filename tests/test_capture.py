"""`fxe track capture`: a rendered performance captured back, within the error benchmarks/eval_capture.py
measured on 5 rendered performances (mean absolute weight error per group, mean [worst track]: brows 0.23
[0.33], eyes 0.09 [0.17], mouth 0.13 [0.22], jaw 0.05 [0.06]; head pose 1.9 / 1.5 / 0.6 degrees
pitch / yaw / roll [2.7]); and the solver's priors and its repair of failed frames on landmarks made by
the fit's own forward model."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fxcli.capture.performance import performance
from fxcli.plot.channel_groups import GROUPS
from fxcli.tracks import read_tracks, write_tracks
from fxcli.tracks.channels import ARKIT52
from tests.conftest import assert_one_error_line, run_fxe


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory):
    folder = tmp_path_factory.mktemp("capture")
    true = performance(3, seconds=2.0)
    write_tracks([true], folder / "true.json")
    r = run_fxe("render", str(folder / "true.json"), "--size", "256x256", "--identity-seed", "7",
                "-o", str(folder / "clip.mp4"))
    assert r.code == 0, r.stderr
    r = run_fxe("track", "capture", str(folder / "clip.mp4"), "-o", str(folder / "captured.json"),
                "--save-identity", str(folder / "identity.json"))
    assert r.code == 0, r.stderr
    return true, read_tracks(str(folder / "captured.json"))[0], json.loads(r.out), folder


def test_capture_keeps_the_videos_timing_and_writes_a_valid_track(round_trip):
    true, captured, summary, folder = round_trip
    assert captured.space == "arkit52" and captured.channels == list(ARKIT52)
    assert captured.fps == 25.0 and captured.n_frames == true.n_frames == summary["frames"]
    assert captured.pose is not None and captured.pose.shape == (true.n_frames, 3)
    assert captured.frames.min() >= 0 and captured.frames.max() <= 1
    assert captured.meta["generator"] == "fxe track capture"
    assert summary["lost_frames"] == 0 and summary["residual_iod_median"] < 0.03
    assert len(json.loads((folder / "identity.json").read_text())) == 100


def test_capture_error_per_group_is_within_the_benchmarked_range(round_trip):
    true, captured, _, _ = round_trip
    a, b = true.as_channels(ARKIT52), captured.as_channels(ARKIT52)
    limits = {"brows": 0.35, "eyes": 0.15, "mouth": 0.15, "jaw": 0.10}
    for group, names in GROUPS.items():
        cols = [ARKIT52.index(n) for n in names]
        assert np.abs(a[:, cols] - b[:, cols]).mean() < limits[group], group
    err_deg = np.degrees(np.abs(true.pose - captured.pose)).mean(0)
    assert (err_deg < 3.5).all(), err_deg
    # the head's turns and the blinks come back as curves that follow the true ones
    for axis in (1, 2):  # yaw, roll
        assert np.corrcoef(true.pose[:, axis], captured.pose[:, axis])[0, 1] > 0.9
    for name in ("eyeBlinkLeft", "mouthFunnel"):
        k = ARKIT52.index(name)
        assert np.corrcoef(a[:, k], b[:, k])[0, 1] > 0.6, name


def test_capture_of_a_missing_or_faceless_video_is_one_error_line(tmp_path):
    assert_one_error_line(run_fxe("track", "capture", str(tmp_path / "none.mp4"), "-o", str(tmp_path / "t.json")),
                          3, "no such file")
    import imageio_ffmpeg

    blank = tmp_path / "blank.mp4"
    writer = imageio_ffmpeg.write_frames(str(blank), (64, 64), fps=10, macro_block_size=1)
    writer.send(None)
    for _ in range(3):
        writer.send(np.full((64, 64, 3), 128, np.uint8).tobytes())
    writer.close()
    r = run_fxe("track", "capture", str(blank), "-o", str(tmp_path / "t.json"))
    assert_one_error_line(r, 5, "no face")
    assert not (tmp_path / "t.json").exists()


def _forward_landmarks(weights: np.ndarray, seed: int = 0) -> np.ndarray:
    """FaceMesh-like landmarks (T, 468, 3) of the ICT model for weights (T, 52), a slow turn, 0.3 px noise."""
    from fxcli.face.ict_fit import project_model

    rng = np.random.default_rng(seed)
    out = []
    for k, w in enumerate(weights):
        rotation = np.radians([2.0, 6.0 * np.sin(k / 5), 1.0])
        lm = project_model(None, w, rotation, 9.0, np.array([128.0, 128.0]))
        out.append(lm + rng.normal(0, 0.3, lm.shape))
    return np.stack(out)


def test_capture_prior_penalises_antagonists_together_not_alone():
    from fxcli.capture.video_capture import ANTAGONIST_PRIOR, capture_prior

    p = capture_prior()
    assert np.allclose(p, p.T) and np.linalg.eigvalsh(p).min() > 0
    wide, blink = ARKIT52.index("eyeWideLeft"), ARKIT52.index("eyeBlinkLeft")
    jaw = ARKIT52.index("jawOpen")
    # the cross term 2 * A * w_wide * w_blink is what co-activation costs; unrelated channels are uncoupled
    assert p[wide, blink] == p[blink, wide] > 0
    assert p[wide, jaw] == 0 and p[ARKIT52.index("eyeWideLeft"), ARKIT52.index("eyeBlinkRight")] == 0
    one, two = np.zeros(52), np.zeros(52)
    one[wide], two[blink] = 0.5, 0.5
    both = one + two
    assert both @ p @ both - one @ p @ one - two @ p @ two == pytest.approx(2 * p[wide, blink] * 0.25)
    from fxcli.face.ict_fit import landmark_basis

    basis = landmark_basis()
    energy = (basis.arkit ** 2 * basis.weights).reshape(52, -1).sum(1)
    assert p[wide, blink] == pytest.approx(ANTAGONIST_PRIOR * np.sqrt(energy[wide] * energy[blink]))


def test_solver_reads_a_wide_eye_without_a_blink_and_bridges_a_failed_frame():
    from fxcli.capture.video_capture import solve_landmarks

    n = 20
    weights = np.zeros((n, 52), np.float32)
    weights[:, ARKIT52.index("eyeWideLeft")] = weights[:, ARKIT52.index("eyeWideRight")] = 0.7
    weights[:, ARKIT52.index("jawOpen")] = np.linspace(0, 0.5, n)
    landmarks = _forward_landmarks(weights)
    landmarks[10] += np.random.default_rng(1).normal(0, 6.0, landmarks[10].shape)  # a failed tracking frame
    track, _, _, res_iod = solve_landmarks(landmarks, 25.0, identity=np.zeros(100), smooth_s=0)
    got = track.as_channels(ARKIT52)
    assert res_iod[10] > 2 * np.median(res_iod)
    for name in ("eyeWideLeft", "eyeWideRight"):
        # the priors shrink a lone small shape: 0.7 reads as ~0.48 here (was ~0.04 with absolute priors)
        assert 0.4 < got[:, ARKIT52.index(name)].mean() < 0.75, name
    for name in ("eyeBlinkLeft", "eyeBlinkRight", "jawLeft", "jawRight"):
        assert got[:, ARKIT52.index(name)].max() < 0.1, name
    jaw = got[:, ARKIT52.index("jawOpen")]
    assert np.abs(jaw - weights[:, ARKIT52.index("jawOpen")]).max() < 0.08
    # the failed frame lies on the line between its neighbours (it was interpolated, not fitted)
    np.testing.assert_allclose(got[10], (got[9] + got[11]) / 2, atol=1e-5)
    np.testing.assert_allclose(track.pose[10], (track.pose[9] + track.pose[11]) / 2, atol=1e-5)


def test_neutral_calibration_zeroes_the_rest_level():
    from fxcli.capture.video_capture import solve_landmarks

    n = 20
    weights = np.zeros((n, 52), np.float32)
    k = ARKIT52.index("browInnerUp")
    weights[:, k] = 0.3  # the face's rest shape reads as a little browInnerUp ...
    weights[12:, k] = 0.8  # ... and then the brows really go up
    landmarks = _forward_landmarks(weights)
    plain, *_ = solve_landmarks(landmarks, 25.0, identity=np.zeros(100), smooth_s=0)
    calibrated, *_ = solve_landmarks(landmarks, 25.0, identity=np.zeros(100), smooth_s=0, neutral_s=0.2)
    rest = plain.frames[:5, k].mean()
    assert abs(rest - 0.3) < 0.1
    assert calibrated.frames[:5, k].max() < 0.05
    # the raised part keeps its place in the remaining range: (w - rest) / (1 - rest)
    expected = (plain.frames[12:, k] - rest) / (1 - rest)
    np.testing.assert_allclose(calibrated.frames[12:, k], np.clip(expected, 0, 1), atol=1e-5)
