"""ARKit-52 JSON as web face rigs consume it (three.js morph targets, Ready Player Me / Avaturn avatars).

    {
      "fps": 25.0,
      "blendshapeNames": ["eyeBlinkLeft", ..., "tongueOut"],          # Apple's 52 names and order
      "frames": [
        {"time": 0.0,
         "blendshapes": {"eyeBlinkLeft": 0.0, ..., "tongueOut": 0.0},  # all 52, weights in [0, 1]
         "headRotation": {"x": 0.01, "y": -0.05, "z": 0.0, "order": "YXZ"}},
        ...
      ],
      "audio": "speech.wav"                                           # only when the track has audio
    }

A frame's `blendshapes` map straight onto a mesh's `morphTargetDictionary` (three.js) or an avatar's
ARKit blend shapes; `headRotation` is Euler radians (x pitch, y yaw, z roll) in three.js order "YXZ",
so `head.rotation.set(r.x, r.y, r.z, r.order)` applies it. Reading accepts the same shape; names it
does not carry are 0; `fps` may be omitted when frames have times.
"""

from __future__ import annotations

import json

import numpy as np

from fxcli.errors import InvalidInputError
from fxcli.tracks import Track
from fxcli.tracks.channels import ARKIT52


def write_arkit_json(track: Track) -> bytes:
    if track.space != "arkit52":
        raise InvalidInputError(f"ARKit JSON holds arkit52 tracks, this one is {track.space!r}",
                                hint="these formats carry ARKit-52 weights: convert with --to arkit52 --flame-model PATH, or render with --rig flame")
    from fxcli.interop.live_link_face import axis_angle_to_euler

    weights = track.as_channels(ARKIT52)
    ypr = axis_angle_to_euler(track.pose) if track.pose is not None else np.zeros((track.n_frames, 3))
    frames = []
    for k in range(track.n_frames):
        frames.append({"time": round(k / track.fps, 6),
                       "blendshapes": {n: round(float(w), 6) for n, w in zip(ARKIT52, weights[k], strict=True)},
                       "headRotation": {"x": round(float(ypr[k, 1]), 6), "y": round(float(ypr[k, 0]), 6),
                                        "z": round(float(ypr[k, 2]), 6), "order": "YXZ"}})
    doc = {"fps": track.fps, "blendshapeNames": list(ARKIT52), "frames": frames}
    if track.audio:
        doc["audio"] = track.audio
    return (json.dumps(doc, separators=(",", ":")) + "\n").encode("utf-8")


def read_arkit_json(data: bytes, name: str = "input") -> Track:
    from fxcli.interop.live_link_face import euler_to_axis_angle
    from fxcli.io.inputs import loads_json

    doc = loads_json(data, name)
    frames = doc.get("frames") if isinstance(doc, dict) else None
    if not isinstance(frames, list) or not frames:
        raise InvalidInputError(f"{name}: ARKit JSON needs a non-empty \"frames\" list")
    fps = doc.get("fps")
    if fps is None:
        times = [f.get("time") for f in frames[:2] if isinstance(f, dict)]
        if len(times) == 2 and all(isinstance(t, (int, float)) for t in times) and times[1] > times[0]:
            fps = round(1.0 / (times[1] - times[0]), 6)
        else:
            raise InvalidInputError(f"{name}: no \"fps\" and no frame times to tell the frame rate")
    elif isinstance(fps, bool) or not isinstance(fps, (int, float)):
        raise InvalidInputError(f"{name}: \"fps\" must be a number, got {json.dumps(fps)[:40]}")
    weights = np.zeros((len(frames), len(ARKIT52)), np.float32)
    ypr = np.zeros((len(frames), 3))
    has_pose = False
    index = {n: i for i, n in enumerate(ARKIT52)}
    for k, frame in enumerate(frames):
        shapes = frame.get("blendshapes") if isinstance(frame, dict) else None
        if not isinstance(shapes, dict):
            raise InvalidInputError(f"{name}: frame {k} has no \"blendshapes\" object")
        for key, value in shapes.items():
            if key not in index:
                raise InvalidInputError(f"{name}: frame {k}: {key!r} is not an ARKit blend shape name")
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise InvalidInputError(f"{name}: frame {k}: {key} is not a number")
            weights[k, index[key]] = value
        rot = frame.get("headRotation")
        if isinstance(rot, dict):
            if rot.get("order", "YXZ") != "YXZ":
                raise InvalidInputError(f"{name}: frame {k}: headRotation order must be YXZ")
            ypr[k] = [rot.get("y", 0.0), rot.get("x", 0.0), rot.get("z", 0.0)]
            has_pose = True
    pose = euler_to_axis_angle(ypr).astype(np.float32) if has_pose else None
    return Track(space="arkit52", channels=list(ARKIT52), fps=float(fps), frames=weights, pose=pose,
                 audio=doc.get("audio") if isinstance(doc.get("audio"), str) else None,
                 meta={"generator": "ARKit JSON"})
