"""A track as glTF 2.0 binary (.glb): the ICT head with its 52 ARKit morph targets, the track as a
morph-weight animation, the head pose as a rotation animation. Opens in Blender, three.js, Unity.

Scene layout:

    node "head"  (translation = the rig's neck pivot; its rotation is animated by the track's pose)
      node "face" (translation = -pivot; mesh "ict_head" with 52 morph targets)

- mesh.extras.targetNames: the 52 ARKit names in Apple's order (three.js builds morphTargetDictionary
  from it; Blender names its shape keys after it). ICT has no tongue shape: `tongueOut` is a target that
  moves nothing.
- Units: metres, y up, the face looks toward +z (glTF's convention).
- Vertex colours (COLOR_0) carry the rig's skin, eye, teeth and mouth colours.
- Animation "track": keys at frame k / fps, and one more key holding the last frame at T / fps, so
  the animation lasts exactly the track's duration. Weights are LINEAR, rotation LINEAR (quaternion).
- asset.extras: fps, frames, duration and the track's audio path (glTF has no audio; players play it
  beside the animation), and the track's provenance.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import numpy as np

from fxcli.errors import InvalidInputError
from fxcli.tracks import Track
from fxcli.tracks.channels import ARKIT52

FLOAT, UINT32 = 5126, 5125
ARRAY_BUFFER, ELEMENT_ARRAY_BUFFER = 34962, 34963
CM_TO_M = 0.01


class _Bin:
    """The binary chunk: buffer views appended 4-byte aligned."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.views: list[dict[str, Any]] = []
        self.accessors: list[dict[str, Any]] = []

    def add(self, array: np.ndarray, component: int, kind: str, target: int | None = None,
            minmax: bool = False) -> int:
        data = np.ascontiguousarray(array).tobytes()
        view: dict[str, Any] = {"buffer": 0, "byteOffset": self.size, "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        self.views.append(view)
        self.chunks.append(data)
        self.size += len(data)
        pad = (-self.size) % 4
        if pad:
            self.chunks.append(b"\0" * pad)
            self.size += pad
        count = array.shape[0]
        acc: dict[str, Any] = {"bufferView": len(self.views) - 1, "componentType": component, "count": int(count),
                               "type": kind}
        if minmax:
            flat = array.reshape(count, -1)
            acc["min"] = [float(x) for x in flat.min(0)]
            acc["max"] = [float(x) for x in flat.max(0)]
        self.accessors.append(acc)
        return len(self.accessors) - 1

    def zeros(self, count: int, kind: str) -> int:
        """An accessor with no buffer view: all zeros by the specification (a target that moves nothing)."""
        width = {"SCALAR": 1, "VEC3": 3, "VEC4": 4}[kind]
        self.accessors.append({"componentType": FLOAT, "count": count, "type": kind,
                               "min": [0.0] * width, "max": [0.0] * width})
        return len(self.accessors) - 1


def quaternions(pose: np.ndarray) -> np.ndarray:
    """(T, 4) x, y, z, w unit quaternions of axis-angle rotations (T, 3)."""
    from scipy.spatial.transform import Rotation

    return Rotation.from_rotvec(np.asarray(pose, np.float64)).as_quat().astype(np.float32)


def write_glb(track: Track, identity: np.ndarray | None = None) -> bytes:
    """The ICT head (generic, or `identity`'s shape) animated by an arkit52 track, as .glb bytes."""
    from fxcli.rigs.ict_rig import IctRig

    if track.space != "arkit52":
        raise InvalidInputError(f"the glTF export animates arkit52 tracks, this one is {track.space!r}",
                                hint="these formats carry ARKit-52 weights: convert with --to arkit52 --flame-model PATH, or render with --rig flame")
    rig = IctRig.load()
    base = rig.base(identity)
    used, triangles = np.unique(rig.triangles, return_inverse=True)
    triangles = triangles.reshape(-1, 3).astype(np.uint32)
    pivot = rig.mesh.pivot.astype(np.float64) * CM_TO_M
    positions = (base[used] * CM_TO_M).astype(np.float32)
    normals = rig.mesh.vertex_normals(base)[used].astype(np.float32)
    colors = rig.mesh.colors[used].astype(np.float32)
    deltas = (rig.mapping @ rig.expression_deltas).reshape(len(ARKIT52), rig.n_vertices, 3)[:, used] * CM_TO_M

    out = _Bin()
    attributes = {"POSITION": out.add(positions, FLOAT, "VEC3", ARRAY_BUFFER, minmax=True),
                  "NORMAL": out.add(normals, FLOAT, "VEC3", ARRAY_BUFFER),
                  "COLOR_0": out.add(colors, FLOAT, "VEC3", ARRAY_BUFFER)}
    indices = out.add(triangles.reshape(-1), UINT32, "SCALAR", ELEMENT_ARRAY_BUFFER, minmax=True)
    targets = []
    for k in range(len(ARKIT52)):
        d = deltas[k].astype(np.float32)
        targets.append({"POSITION": out.add(d, FLOAT, "VEC3", ARRAY_BUFFER, minmax=True) if np.any(d)
                        else out.zeros(len(used), "VEC3")})

    n = track.n_frames
    times = np.append(np.arange(n, dtype=np.float64) / track.fps, n / track.fps).astype(np.float32)
    weights = track.as_channels(ARKIT52).astype(np.float32)
    weights = np.vstack([weights, weights[-1:]])
    time_acc = out.add(times, FLOAT, "SCALAR", minmax=True)
    weight_acc = out.add(weights.reshape(-1), FLOAT, "SCALAR")
    samplers = [{"input": time_acc, "output": weight_acc, "interpolation": "LINEAR"}]
    channels = [{"sampler": 0, "target": {"node": 1, "path": "weights"}}]
    if track.pose is not None:
        quats = quaternions(np.vstack([track.pose, track.pose[-1:]]))
        samplers.append({"input": time_acc, "output": out.add(quats, FLOAT, "VEC4"), "interpolation": "LINEAR"})
        channels.append({"sampler": 1, "target": {"node": 0, "path": "rotation"}})

    extras: dict[str, Any] = {"fps": track.fps, "frames": n, "duration": n / track.fps}
    if track.audio:
        extras["audio"] = track.audio
    if track.text:
        extras["text"] = track.text
    if track.meta:
        extras["meta"] = track.meta
    doc = {
        "asset": {"version": "2.0", "generator": "fxe track convert", "extras": extras},
        "scene": 0,
        "scenes": [{"name": "fxe", "nodes": [0]}],
        "nodes": [{"name": "head", "translation": [float(x) for x in pivot], "children": [1]},
                  {"name": "face", "mesh": 0, "translation": [float(-x) for x in pivot]}],
        "meshes": [{"name": "ict_head", "primitives": [{"attributes": attributes, "indices": indices,
                                                        "material": 0, "mode": 4, "targets": targets}],
                    "weights": [0.0] * len(ARKIT52), "extras": {"targetNames": list(ARKIT52)}}],
        "materials": [{"name": "skin", "pbrMetallicRoughness": {"baseColorFactor": [1.0, 1.0, 1.0, 1.0],
                                                                "metallicFactor": 0.0, "roughnessFactor": 0.6}}],
        "animations": [{"name": "track", "samplers": samplers, "channels": channels}],
        "accessors": out.accessors,
        "bufferViews": out.views,
        "buffers": [{"byteLength": out.size}],
    }
    text = json.dumps(doc, separators=(",", ":")).encode("utf-8")
    text += b" " * ((-len(text)) % 4)
    binary = b"".join(out.chunks)
    total = 12 + 8 + len(text) + 8 + len(binary)
    return b"".join([struct.pack("<4sII", b"glTF", 2, total), struct.pack("<I4s", len(text), b"JSON"), text,
                     struct.pack("<I4s", len(binary), b"BIN\0"), binary])
