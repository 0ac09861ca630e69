"""glTF 2.0 export, read back with an independent glTF reader (pygltflib)."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from fxcli.capture.performance import performance
from fxcli.tracks import write_tracks
from fxcli.tracks.channels import ARKIT52
from tests.conftest import run_fxe

pygltflib = pytest.importorskip("pygltflib")


@pytest.fixture(scope="module")
def glb(tmp_path_factory):
    folder = tmp_path_factory.mktemp("glb")
    track = performance(1, seconds=1.2, fps=25.0)
    track.audio = "speech.wav"
    write_tracks([track], folder / "t.json")
    r = run_fxe("track", "convert", str(folder / "t.json"), "-o", str(folder / "t.glb"))
    assert r.code == 0, r.stderr
    return track, folder / "t.glb"


DTYPES = {5120: np.int8, 5121: np.uint8, 5122: np.int16, 5123: np.uint16, 5125: np.uint32, 5126: np.float32}


def _read(blob: bytes, view, component: int, count: int, width: int, offset: int = 0) -> np.ndarray:
    dtype = np.dtype(DTYPES[component])
    stride = view.byteStride or dtype.itemsize * width
    raw = np.frombuffer(blob, np.uint8, stride * (count - 1) + dtype.itemsize * width, view.byteOffset + offset)
    rows = np.lib.stride_tricks.as_strided(raw, (count, dtype.itemsize * width), (stride, 1))
    return np.ascontiguousarray(rows).view(dtype).reshape(count, width)


def _accessor(gltf, blob: bytes, index: int) -> np.ndarray:
    """An accessor's values as the glTF 2.0 specification defines them: strided views, sparse
    substitution, and normalised integers mapped to [-1, 1] (signed: max(c / (2^(b-1) - 1), -1))."""
    acc = gltf.accessors[index]
    width = {"SCALAR": 1, "VEC3": 3, "VEC4": 4}[acc.type]
    dtype = np.dtype(DTYPES[acc.componentType])
    if acc.bufferView is None:
        data = np.zeros((acc.count, width), dtype)
    else:
        data = _read(blob, gltf.bufferViews[acc.bufferView], acc.componentType, acc.count, width, acc.byteOffset or 0)
    if acc.sparse is not None:
        data = data.copy()
        sp = acc.sparse
        rows = _read(blob, gltf.bufferViews[sp.indices.bufferView], sp.indices.componentType, sp.count, 1,
                     sp.indices.byteOffset or 0).ravel()
        assert (np.diff(rows.astype(np.int64)) > 0).all()  # strictly increasing, as the specification asks
        data[rows] = _read(blob, gltf.bufferViews[sp.values.bufferView], acc.componentType, sp.count, width,
                           sp.values.byteOffset or 0)
    if acc.normalized:
        info = np.iinfo(dtype)
        return np.maximum(data.astype(np.float64) / info.max, -1.0)
    return data


def test_glb_has_52_named_morph_targets_and_an_animation_of_the_tracks_length(glb):
    track, path = glb
    gltf = pygltflib.GLTF2().load(str(path))
    blob = gltf.binary_blob()
    mesh = gltf.meshes[0]
    assert mesh.extras["targetNames"] == list(ARKIT52)
    prim = mesh.primitives[0]
    assert len(prim.targets) == 52
    anim = gltf.animations[0]
    times = _accessor(gltf, blob, anim.samplers[0].input).ravel()
    assert times[0] == 0 and times[-1] == pytest.approx(track.duration)
    paths = {c.target.path for c in anim.channels}
    assert paths == {"weights", "rotation"}
    weights = _accessor(gltf, blob, anim.samplers[0].output).reshape(len(times), 52)
    np.testing.assert_allclose(weights[:-1], track.as_channels(ARKIT52), atol=1e-6)  # JSON keeps 6 decimals
    assert gltf.asset.extras["audio"] == "speech.wav"


def test_morph_targets_are_the_rigs_arkit_shapes(glb):
    """jawOpen at weight 1 moves the glTF vertices exactly as IctRig.vertices does (cm -> m)."""
    from fxcli.rigs.ict_rig import IctRig

    _, path = glb
    gltf = pygltflib.GLTF2().load(str(path))
    blob = gltf.binary_blob()
    prim = gltf.meshes[0].primitives[0]
    positions = _accessor(gltf, blob, prim.attributes.POSITION)
    jaw = _accessor(gltf, blob, prim.targets[ARKIT52.index("jawOpen")]["POSITION"])
    tongue = _accessor(gltf, blob, prim.targets[ARKIT52.index("tongueOut")]["POSITION"])
    rig = IctRig.load()
    used = np.unique(rig.triangles)
    w = np.zeros(52, np.float32)
    w[ARKIT52.index("jawOpen")] = 1.0
    # sparse targets drop only deltas under 0.01 mm
    np.testing.assert_allclose(positions + jaw, rig.vertices(w)[used] * 0.01, atol=1e-5 + 1e-6)
    assert np.abs(jaw).max() > 0.005  # the jaw drops by millimetres
    assert not tongue.any()
    indices = _accessor(gltf, blob, prim.indices).ravel()
    assert indices.max() < len(positions) and len(indices) == 3 * len(rig.triangles)


def test_glb_morph_targets_are_sparse(glb):
    _, path = glb
    gltf = pygltflib.GLTF2().load(str(path))
    assert not gltf.extensionsRequired  # core glTF 2.0: every reader opens it
    targets = [gltf.accessors[t["POSITION"]] for t in gltf.meshes[0].primitives[0].targets]
    assert all(t.bufferView is None and t.componentType == 5126 for t in targets)
    moved = [t.sparse.count if t.sparse else 0 for t in targets]
    n = gltf.accessors[gltf.meshes[0].primitives[0].attributes.POSITION].count
    assert max(moved) < n and sum(moved) < 0.5 * 52 * n  # only the vertices each shape moves
    assert moved[ARKIT52.index("tongueOut")] == 0
    assert path.stat().st_size < 6_000_000  # dense float targets were 17 MB


def test_glb_header_and_chunks_are_well_formed(glb):
    _, path = glb
    data = path.read_bytes()
    magic, version, length = struct.unpack_from("<4sII", data)
    assert (magic, version, length) == (b"glTF", 2, len(data))
    json_len, json_type = struct.unpack_from("<I4s", data, 12)
    assert json_type == b"JSON" and json_len % 4 == 0
    bin_len, bin_type = struct.unpack_from("<I4s", data, 20 + json_len)
    assert bin_type == b"BIN\0" and 28 + json_len + bin_len == len(data)
