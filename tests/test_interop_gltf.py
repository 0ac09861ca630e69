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


def _accessor(gltf, blob: bytes, index: int) -> np.ndarray:
    acc = gltf.accessors[index]
    width = {"SCALAR": 1, "VEC3": 3, "VEC4": 4}[acc.type]
    if acc.bufferView is None:
        return np.zeros((acc.count, width), np.float32)
    view = gltf.bufferViews[acc.bufferView]
    dtype = np.uint32 if acc.componentType == 5125 else np.float32
    data = np.frombuffer(blob, dtype, acc.count * width, view.byteOffset + (acc.byteOffset or 0))
    return data.reshape(acc.count, width)


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
    np.testing.assert_allclose(positions + jaw, rig.vertices(w)[used] * 0.01, atol=1e-6)
    assert not tongue.any()
    indices = _accessor(gltf, blob, prim.indices).ravel()
    assert indices.max() < len(positions) and len(indices) == 3 * len(rig.triangles)


def test_glb_header_and_chunks_are_well_formed(glb):
    _, path = glb
    data = path.read_bytes()
    magic, version, length = struct.unpack_from("<4sII", data)
    assert (magic, version, length) == (b"glTF", 2, len(data))
    json_len, json_type = struct.unpack_from("<I4s", data, 12)
    assert json_type == b"JSON" and json_len % 4 == 0
    bin_len, bin_type = struct.unpack_from("<I4s", data, 20 + json_len)
    assert bin_type == b"BIN\0" and 28 + json_len + bin_len == len(data)
