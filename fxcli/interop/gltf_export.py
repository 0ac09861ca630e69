"""A track as glTF 2.0 binary (.glb): the ICT head with its 52 ARKit morph targets, the track as a
morph-weight animation, the head pose as a rotation animation. Opens in Blender, three.js, Unity.

Scene layout:

    node "head"  (translation = the rig's neck pivot; its rotation is animated by the track's pose)
      node "face" (translation = -pivot; mesh "ict_head" with 52 morph targets)

- mesh.extras.targetNames: the 52 ARKit names in Apple's order (three.js builds morphTargetDictionary
  from it; Blender names its shape keys after it). ICT has no tongue shape: `tongueOut` is a target that
  moves nothing.
- Units: metres, y up, the face looks toward +z (glTF's convention).
- Vertex colours (COLOR_0, unsigned bytes) carry the rig's skin, eye, teeth and mouth colours.
- Size (~5 MB instead of 17 MB of dense targets), core glTF 2.0 only: each morph target is a sparse
  accessor holding only the vertices it moves by more than 0.01 mm (float deltas, 16-bit vertex
  indices); colours are normalised bytes; triangle indices 16-bit while the head has < 65536 vertices.
  Deltas are not quantised: three.js (r160) mis-reads sparse accessors of normalised integers (it
  normalises the stored integers a second time), and KHR_mesh_quantization would be a required extension.
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

FLOAT, UINT32, UINT16, UINT8 = 5126, 5125, 5123, 5121
ARRAY_BUFFER, ELEMENT_ARRAY_BUFFER = 34962, 34963
CM_TO_M = 0.01
SPARSE_MIN_M = 1e-5  # morph deltas below 0.01 mm are dropped


class _Bin:
    """The binary chunk: buffer views appended 4-byte aligned."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.views: list[dict[str, Any]] = []
        self.accessors: list[dict[str, Any]] = []

    def view(self, array: np.ndarray, target: int | None = None, stride: int | None = None) -> int:
        """A buffer view over `array`'s bytes (rows padded to `stride` bytes when given)."""
        array = np.ascontiguousarray(array)
        if stride is not None:
            rows = array.reshape(len(array), -1).view(np.uint8)
            padded = np.zeros((len(rows), stride), np.uint8)
            padded[:, : rows.shape[1]] = rows
            data = padded.tobytes()
        else:
            data = array.tobytes()
        view: dict[str, Any] = {"buffer": 0, "byteOffset": self.size, "byteLength": len(data)}
        if target is not None:
            view["target"] = target
        if stride is not None:
            view["byteStride"] = stride
        self.views.append(view)
        self.chunks.append(data)
        self.size += len(data)
        pad = (-self.size) % 4
        if pad:
            self.chunks.append(b"\0" * pad)
            self.size += pad
        return len(self.views) - 1

    def sparse(self, dense: np.ndarray) -> int:
        """A VEC3 float morph-target accessor: zeros except the rows `dense` moves by more than 0.01 mm."""
        values = dense.astype(np.float32)
        rows = np.flatnonzero(np.abs(values).max(1) > SPARSE_MIN_M)
        kept = np.zeros_like(values)
        kept[rows] = values[rows]
        acc: dict[str, Any] = {"componentType": FLOAT, "count": int(len(dense)), "type": "VEC3",
                               "min": [float(x) for x in kept.min(0)], "max": [float(x) for x in kept.max(0)]}
        if len(rows):
            index_type, index_dtype = (UINT16, np.uint16) if len(dense) < 65536 else (UINT32, np.uint32)
            acc["sparse"] = {"count": int(len(rows)),
                             "indices": {"bufferView": self.view(rows.astype(index_dtype)), "componentType": index_type},
                             "values": {"bufferView": self.view(values[rows])}}
        self.accessors.append(acc)
        return len(self.accessors) - 1

    def add(self, array: np.ndarray, component: int, kind: str, target: int | None = None,
            minmax: bool = False, stride: int | None = None) -> int:
        self.view(array, target, stride)
        count = array.shape[0]
        acc: dict[str, Any] = {"bufferView": len(self.views) - 1, "componentType": component, "count": int(count),
                               "type": kind}
        if component in (UINT8, UINT16) and target == ARRAY_BUFFER:
            acc["normalized"] = True
        if minmax:
            flat = array.reshape(count, -1)
            kind_of = float if component == FLOAT else int
            acc["min"] = [kind_of(x) for x in flat.min(0)]
            acc["max"] = [kind_of(x) for x in flat.max(0)]
        self.accessors.append(acc)
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
    triangles = triangles.reshape(-1, 3).astype(np.uint16 if len(used) < 65536 else np.uint32)
    pivot = rig.mesh.pivot.astype(np.float64) * CM_TO_M
    positions = (base[used] * CM_TO_M).astype(np.float32)
    normals = rig.mesh.vertex_normals(base)[used].astype(np.float32)
    colors = rig.mesh.colors[used].astype(np.float32)
    deltas = (rig.mapping @ rig.expression_deltas).reshape(len(ARKIT52), rig.n_vertices, 3)[:, used] * CM_TO_M

    out = _Bin()
    colors = np.c_[np.clip(np.round(colors * 255), 0, 255), np.full(len(colors), 255)].astype(np.uint8)
    attributes = {"POSITION": out.add(positions, FLOAT, "VEC3", ARRAY_BUFFER, minmax=True),
                  "NORMAL": out.add(normals, FLOAT, "VEC3", ARRAY_BUFFER),
                  "COLOR_0": out.add(colors, UINT8, "VEC4", ARRAY_BUFFER)}
    indices = out.add(triangles.reshape(-1), UINT16 if triangles.dtype == np.uint16 else UINT32, "SCALAR",
                      ELEMENT_ARRAY_BUFFER, minmax=True)
    targets = [{"POSITION": out.sparse(deltas[k].astype(np.float64))} for k in range(len(ARKIT52))]

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
