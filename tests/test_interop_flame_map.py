"""The FLAME <-> ARKit map on a synthetic FLAME-format model built here from ICT geometry by a known mixing.

The synthetic FLAME head is a subset of the ICT head's vertices (every FaceMesh landmark vertex among
them) in metres, scaled by 0.95, turned 4 degrees and moved; its 100 expression components are the ARKit
shapes' deltas mixed by a seeded random matrix M (52 x 100). A FLAME coefficient vector psi therefore moves
the head exactly as ARKit weights M psi do, so the fitted FLAME -> ARKit map must be M and the ARKit ->
FLAME map a right inverse of it, whatever the alignment had to undo.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from fxcli.tracks import Track, dumps_track, read_tracks
from fxcli.tracks.channels import ARKIT52
from tests.conftest import assert_one_error_line, run_fxe

E = 100
SCALE = 0.95
TURN = Rotation.from_euler("y", 4, degrees=True).as_matrix()
SHIFT = np.array([0.004, -0.03, 0.01])


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    from fxcli.edit.facemesh_correspondence import load_correspondence
    from fxcli.rigs.ict_rig import IctRig

    rig = IctRig.load()
    rng = np.random.default_rng(7)
    landmarks = np.unique(load_correspondence())
    lo, hi = rig.neutral[landmarks].min(0) - 1, rig.neutral[landmarks].max(0) + 1
    face = np.flatnonzero(((rig.neutral >= lo) & (rig.neutral <= hi)).all(1))
    extra = rng.choice(np.setdiff1d(face, landmarks), 1500, replace=False)
    keep = np.sort(np.r_[landmarks, extra])
    v = len(keep)
    to_flame = SCALE * TURN / 100.0  # cm -> metres, scaled and turned
    template = rig.neutral[keep].astype(np.float64) @ to_flame.T + SHIFT
    arkit = (rig.mapping @ rig.expression_deltas).reshape(52, rig.n_vertices, 3)[:, keep].astype(np.float64)
    mixing = rng.standard_normal((52, E)) * 0.3
    expr = np.einsum("avd,ae->vde", arkit @ to_flame.T, mixing)  # (V, 3, E)
    shapedirs = np.concatenate([rng.standard_normal((v, 3, 300)) * 1e-3, expr], axis=2).astype(np.float32)
    weights = np.zeros((v, 5))
    weights[:, 1] = 1.0  # all on the neck: the jaw turns nothing in this model
    arrays = {"v_template": template, "f": np.arange(v - v % 3, dtype=np.uint32).reshape(-1, 3),
              "shapedirs": shapedirs, "posedirs": np.zeros((v, 3, 36), np.float32),
              "J_regressor": np.full((5, v), 1.0 / v), "weights": weights,
              "kintree_table": np.array([[4294967295, 0, 1, 1, 1], [0, 1, 2, 3, 4]], np.int64)}
    folder = tmp_path_factory.mktemp("flame")
    path = folder / "generic_model.pkl"
    path.write_bytes(pickle.dumps(arrays, protocol=2))
    return path, mixing


def _observable():
    from fxcli.face.ict_fit import landmark_basis

    return landmark_basis().observable


def test_fitted_map_recovers_the_known_mixing(synthetic, tmp_path, monkeypatch):
    from fxcli.interop.flame_map import fit_map
    from fxcli.rigs.flame_rig import FlameRig

    path, mixing = synthetic
    monkeypatch.setenv("FXE_HOME", str(tmp_path / "home"))
    fmap = fit_map(FlameRig.load(str(path)), E, "synthetic")
    obs = _observable()
    # FLAME -> ARKit: column j is the ARKit weights that move the landmarks as psi_j = 1 does: M[:, j]
    got = fmap.flame_to_arkit[:, :E]
    rel = np.linalg.norm(got[obs] - mixing[obs]) / np.linalg.norm(mixing[obs])
    assert rel < 0.01, rel
    np.testing.assert_allclose(fmap.flame_to_arkit[:, E:], 0, atol=1e-9)  # the jaw moves nothing here
    # ARKit -> FLAME is a right inverse of M on the shapes the landmarks see
    ident = (mixing @ fmap.arkit_to_flame[:E])[np.ix_(obs, obs)]
    assert np.abs(ident - np.eye(obs.sum())).max() < 0.03
    # the alignment undid the scale, turn and shift: landmarks sit on FLAME's vertices
    assert fmap.fit["correspondence_mm"] < 0.01
    assert fmap.fit["arkit_to_flame"]["fraction"] < 0.01 and fmap.fit["flame_to_arkit"]["fraction"] < 0.01


def test_too_few_components_leave_a_stated_error(synthetic, tmp_path, monkeypatch):
    from fxcli.face.ict_fit import landmark_basis
    from fxcli.interop.flame_map import fit_map
    from fxcli.rigs.flame_rig import FlameRig

    path, mixing = synthetic
    monkeypatch.setenv("FXE_HOME", str(tmp_path / "home"))
    fmap = fit_map(FlameRig.load(str(path)), 10, "synthetic")
    # 10 mixtures cannot span the 51 shapes the landmarks see: the stated error is what an orthogonal
    # projection onto their span leaves (computed here by QR, without the ridge)
    d = landmark_basis().arkit.reshape(52, -1).T
    q, _ = np.linalg.qr(d @ mixing[:, :10])
    expected = np.linalg.norm(d - q @ (q.T @ d)) / np.linalg.norm(d)
    assert expected > 0.2
    assert abs(fmap.fit["arkit_to_flame"]["fraction"] - expected) < 0.002, (fmap.fit, expected)
    assert fmap.flame_basis.shape == (468 * 3, 13)


def _arkit_track(n=12, seed=1):
    rng = np.random.default_rng(seed)
    frames = np.clip(rng.uniform(-0.3, 0.8, (n, 52)), 0, 1).astype(np.float32)
    frames[:, ARKIT52.index("tongueOut")] = 0
    pose = rng.normal(0, 0.1, (n, 3)).astype(np.float32)
    return Track("arkit52", list(ARKIT52), 30.0, frames, pose=pose)


def test_cli_round_trip_arkit_flame_arkit_with_cache_and_stated_error(synthetic, tmp_path):
    path, mixing = synthetic
    env = {"FXE_HOME": str(tmp_path / "home")}
    source = _arkit_track()
    r = run_fxe("track", "convert", "--to", "flame", "--flame-model", str(path), "--flame-expressions", str(E),
                "-o", str(tmp_path / "f.json"), input=dumps_track(source), env=env)
    assert r.code == 0, r.stderr
    notes = [ln for ln in r.stderr.splitlines() if "FLAME<->ARKit map" in ln]
    assert len(notes) == 1 and "% of the landmark motion" in notes[0], r.stderr
    flame = read_tracks(str(tmp_path / "f.json"))[0]
    assert flame.space == "flame" and flame.channels[-3:] == ["jaw0", "jaw1", "jaw2"] and len(flame.channels) == E + 3
    assert flame.meta["flame_map"]["direction"] == "arkit52->flame"
    assert flame.meta["flame_map"]["fit_error"]["arkit_to_flame"]["fraction"] < 0.01
    # the FLAME coefficients move the synthetic head as the weights did: M psi ~= w
    obs = _observable()
    recon = flame.frames[:, :E].astype(np.float64) @ mixing.T
    assert np.abs(recon[:, obs] - source.frames[:, obs]).max() < 0.05
    cached = list((tmp_path / "home" / "cache" / "flame").glob("*arkit-map-n100*.npz"))
    assert len(cached) == 1
    # and back to ARKit (bounded solve), reading the map from the cache
    r = run_fxe("track", "convert", str(tmp_path / "f.json"), "--to", "arkit52", "--flame-model", str(path),
                "-o", str(tmp_path / "a.json"), env=env)
    assert r.code == 0, r.stderr
    back = read_tracks(str(tmp_path / "a.json"))[0]
    assert back.space == "arkit52" and back.frames.min() >= 0 and back.frames.max() <= 1
    err = np.abs(back.frames[:, obs] - source.frames[:, obs])
    assert err.mean() < 0.01 and err.max() < 0.08, (err.mean(), err.max())
    np.testing.assert_allclose(back.pose, source.pose, atol=1e-6)


def test_flame_track_to_glb_via_the_map(synthetic, tmp_path):
    path, _ = synthetic
    flame = Track("flame", ["exp00", "exp01", "jaw0"], 25.0, np.array([[0.5, -0.2, 0.1]] * 3, np.float32))
    out = tmp_path / "f.glb"
    r = run_fxe("track", "convert", "--to", "arkit52", "--flame-model", str(path), "-o", str(out),
                input=dumps_track(flame), env={"FXE_HOME": str(tmp_path / "home")})
    assert r.code == 0, r.stderr
    assert out.read_bytes()[:4] == b"glTF"


def test_missing_flame_model_is_exit_4_with_where_to_get_it(tmp_path):
    r = run_fxe("track", "convert", "--to", "flame", "-o", str(tmp_path / "f.json"), input=dumps_track(_arkit_track()),
                env={"FXE_HOME": str(tmp_path / "home")})
    assert_one_error_line(r, 4, "flame.is.tue.mpg.de")
    assert not (tmp_path / "f.json").exists()


def test_flame_output_to_an_arkit_format_is_a_usage_error(synthetic, tmp_path):
    path, _ = synthetic
    r = run_fxe("track", "convert", "--to", "flame", "--flame-model", str(path), "-o", str(tmp_path / "f.csv"),
                input=dumps_track(_arkit_track()), env={"FXE_HOME": str(tmp_path / "home")})
    assert_one_error_line(r, 2, "llf-csv holds arkit52 weights")
    assert not (tmp_path / "f.csv").exists()


def test_flame_model_with_wrong_array_shapes_is_refused(tmp_path):
    bad = tmp_path / "generic_model.pkl"
    bad.write_bytes(pickle.dumps({"v_template": np.zeros((10, 2)), "f": np.zeros((1, 3), np.int64)}, protocol=2))
    r = run_fxe("track", "convert", "--to", "flame", "--flame-model", str(bad), "-o", str(tmp_path / "f.json"),
                input=dumps_track(_arkit_track()), env={"FXE_HOME": str(tmp_path / "home")})
    assert_one_error_line(r, 3, str(bad))
    assert not (tmp_path / "f.json").exists()


def test_bad_component_count_is_a_usage_error(tmp_path):
    r = run_fxe("track", "convert", "--to", "flame", "--flame-expressions", "0", "-o", str(tmp_path / "f.json"),
                input=dumps_track(_arkit_track()))
    assert_one_error_line(r, 2, "--flame-expressions")
