"""The FLAME rig on a synthetic FLAME-format model built here (FLAME 2020 keys and shapes)."""

from __future__ import annotations

import json
import pickle
import sys
import types

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.spatial.transform import Rotation

from fxcli.tracks import Track, dumps_track
from fxcli.tracks.channels import CTEG53
from tests.conftest import assert_one_error_line, run_fxe

V = 5023


def _synthetic_arrays(seed: int = 0) -> dict:
    """A closed sphere head of 5023 vertices with FLAME's array layout and plausible skinning."""
    from scipy.spatial import ConvexHull

    rng = np.random.default_rng(seed)
    pts = rng.standard_normal((V, 3))
    pts /= np.linalg.norm(pts, axis=1, keepdims=True)
    hull = ConvexHull(pts)
    faces = hull.simplices.astype(np.uint32)
    v = (pts * [0.08, 0.11, 0.09]).astype(np.float64)  # metres, like FLAME
    weights = np.zeros((V, 5))
    jaw = v[:, 1] < -0.03
    leye = (np.linalg.norm(v - [0.03, 0.03, 0.09], axis=1) < 0.02)
    reye = (np.linalg.norm(v - [-0.03, 0.03, 0.09], axis=1) < 0.02)
    weights[:, 1] = 1.0
    weights[jaw, 1], weights[jaw, 2] = 0.3, 0.7
    weights[leye] = [0, 0, 0, 1, 0]
    weights[reye] = [0, 0, 0, 0, 1]
    centres = {0: [0, -0.12, 0], 1: [0, -0.08, -0.01], 2: [0, -0.02, 0.0], 3: [0.03, 0.03, 0.07], 4: [-0.03, 0.03, 0.07]}
    rows = []
    for _k, c in centres.items():  # each joint = mean of its 8 nearest vertices to a chosen centre
        near = np.argsort(np.linalg.norm(v - c, axis=1))[:8]
        rows.append(sp.csc_matrix((np.full(8, 1 / 8), (np.zeros(8, int), near)), shape=(1, V)))
    return {
        "v_template": v, "f": faces, "shapedirs": rng.standard_normal((V, 3, 400)) * 1e-3,
        "posedirs": rng.standard_normal((V, 3, 36)) * 1e-3, "J_regressor": sp.vstack(rows).tocsc(),
        "weights": weights, "kintree_table": np.array([[4294967295, 0, 1, 1, 1], [0, 1, 2, 3, 4]], np.int64),
        "bs_style": "lbs", "bs_type": "lrotmin",
    }


class _Ch:
    """Pickles like chumpy.ch.Ch: a plain object whose state holds the array as `x`."""

    def __init__(self, x):
        self.x = x
        self._dirty_vars = set()

    def __reduce__(self):
        import copyreg

        return copyreg._reconstructor, (type(self), object, None), self.__dict__


def _chumpy_pickle(arrays: dict) -> bytes:
    """FLAME 2020-style bytes: chumpy Ch objects (module 'chumpy.ch') and a scipy CSC J_regressor."""
    module = types.ModuleType("chumpy.ch")
    ch = type("Ch", (_Ch,), {"__module__": "chumpy.ch"})
    module.Ch = ch
    saved = {k: sys.modules.get(k) for k in ("chumpy", "chumpy.ch")}
    sys.modules["chumpy"] = types.ModuleType("chumpy")
    sys.modules["chumpy.ch"] = module
    try:
        obj = {k: (ch(val) if k in ("v_template", "shapedirs", "posedirs", "weights") else val)
               for k, val in arrays.items()}
        return pickle.dumps(obj, protocol=2)
    finally:
        for k, old in saved.items():
            if old is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = old


@pytest.fixture(scope="module")
def flame_file(tmp_path_factory):
    arrays = _synthetic_arrays()
    folder = tmp_path_factory.mktemp("flame")
    path = folder / "generic_model.pkl"
    path.write_bytes(_chumpy_pickle(arrays))
    return path, arrays


@pytest.fixture(scope="module")
def rig(flame_file, tmp_path_factory):
    import os

    from fxcli.rigs.flame_rig import FlameRig

    os.environ["FXE_HOME"] = str(tmp_path_factory.mktemp("home"))
    try:
        return FlameRig.load(str(flame_file[0]))
    finally:
        del os.environ["FXE_HOME"]


def _reference_lbs(arrays, expr, pose):
    """A slow per-vertex FLAME skinning with scipy's rotations, written independently."""
    v = arrays["v_template"] + np.einsum("vcn,n->vc", arrays["shapedirs"][:, :, 300:300 + len(expr)], expr)
    J = arrays["J_regressor"].toarray() @ v
    R = [Rotation.from_rotvec(p).as_matrix() for p in pose]
    feat = np.concatenate([(R[k] - np.eye(3)).ravel() for k in range(1, 5)])
    v = v + np.einsum("vcn,n->vc", arrays["posedirs"], feat)
    parents = [-1, 0, 1, 1, 1]
    G = []
    for k in range(5):
        T = np.eye(4)
        T[:3, :3] = R[k]
        T[:3, 3] = J[k] - (J[parents[k]] if k else 0)
        G.append(T if k == 0 else G[parents[k]] @ T)
    out = np.zeros_like(v)
    for i in range(len(v)):
        M = np.zeros((4, 4))
        for k in range(5):
            rest = np.eye(4)
            rest[:3, 3] = -J[k]
            M += arrays["weights"][i, k] * (G[k] @ rest)
        out[i] = (M @ np.r_[v[i], 1])[:3]
    return out


def test_chumpy_pickle_loads_and_skinning_matches_a_reference(rig, flame_file):
    _, arrays = flame_file
    assert rig.n_vertices == V and rig.n_expression == 100
    rng = np.random.default_rng(3)
    expr = rng.standard_normal(50)
    pose = rng.standard_normal((5, 3)) * 0.3
    got = rig.vertices(expr, pose)
    np.testing.assert_allclose(got, _reference_lbs(arrays, expr, pose), atol=2e-5)
    # rest pose, no expression: the template itself
    np.testing.assert_allclose(rig.vertices(), arrays["v_template"], atol=1e-6)


def test_jaw_rotation_moves_only_jaw_skinned_vertices(rig, flame_file):
    _, arrays = flame_file
    pose = np.zeros((5, 3))
    pose[2, 0] = 0.3
    moved = rig.vertices(None, pose) - rig.vertices(None, np.zeros((5, 3)))
    jaw = arrays["weights"][:, 2] > 0
    # vertices not skinned to the jaw move only by the pose correctives (posedirs times R_jaw - I)
    feature = np.zeros(36)
    feature[9:18] = (Rotation.from_rotvec([0.3, 0, 0]).as_matrix() - np.eye(3)).ravel()
    corrective = np.einsum("vcn,n->vc", arrays["posedirs"], feature)
    np.testing.assert_allclose(moved[~jaw], corrective[~jaw], atol=1e-6)
    assert np.linalg.norm(moved[jaw] - corrective[jaw], axis=1).mean() > 5e-3  # the jaw swings (metres)


def _cteg_track(n=4):
    frames = np.zeros((n, 53), np.float32)
    frames[:, CTEG53.index("jaw0")] = np.linspace(0, 0.4, n)
    frames[:, 0] = 1.0
    return Track("flame", list(CTEG53), 25.0, frames)


def test_cteg_track_renders_on_flame_and_cache_is_written(tmp_path, flame_file):
    path, _ = flame_file
    home = tmp_path / "home"
    out = tmp_path / "f.mp4"
    r = run_fxe("render", "--flame-model", str(path), "-o", str(out), "--size", "96", "--renderer", "software",
                input=dumps_track(_cteg_track()), env={"FXE_HOME": str(home)})
    assert r.code == 0, r.stderr
    assert json.loads(r.out)["frames"] == 4
    assert len(list((home / "cache" / "flame").glob("*.npz"))) == 1
    r = run_fxe("render", "--flame-model", str(path), "-o", str(tmp_path / "g.png"), "--frame", "3", "--size", "96",
                input=dumps_track(_cteg_track()), env={"FXE_HOME": str(home)})
    assert r.code == 0, r.stderr
    from PIL import Image

    img = np.asarray(Image.open(tmp_path / "g.png").convert("RGB"))
    assert (img != 255).any(2).mean() > 0.1  # a head is drawn


def test_malicious_pickle_is_refused_with_exit_3(tmp_path):
    class Evil:
        def __reduce__(self):
            import os

            return os.system, ("touch " + str(tmp_path / "pwned"),)

    bad = tmp_path / "generic_model.pkl"
    bad.write_bytes(pickle.dumps({"v_template": Evil()}, protocol=2))
    r = run_fxe("render", "--flame-model", str(bad), "-o", str(tmp_path / "o.mp4"), input=dumps_track(_cteg_track()),
                env={"FXE_HOME": str(tmp_path / "home")})
    assert_one_error_line(r, 3, "refusing to unpickle", "system")
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "o.mp4").exists()


def test_no_flame_configured_is_exit_4_with_where_to_get_it(tmp_path):
    r = run_fxe("render", "-o", str(tmp_path / "o.mp4"), input=dumps_track(_cteg_track()),
                env={"FXE_HOME": str(tmp_path / "home")})
    assert_one_error_line(r, 4, "flame.is.tue.mpg.de", str(tmp_path / "home" / "models" / "flame-2020"))


def test_flame_track_with_more_expressions_than_the_model(rig):
    from fxcli.errors import InvalidInputError

    track = Track("flame", ["exp99", "jaw0"], 25.0, np.zeros((2, 2), np.float32))
    small = type(rig).__new__(type(rig))
    small.__dict__.update(rig.__dict__)
    small.n_expression = 50
    with pytest.raises(InvalidInputError, match="exp99"):
        small.frame_parameters(track)
