"""Channel vocabularies of the track spaces.

- `arkit52`: Apple ARKit's 52 blendshape names (ARFaceAnchor.BlendShapeLocation), in Apple's order.
  Values are weights, nominally in [0, 1]; a track may hold [-2, 3] (exaggeration, solver overshoot).
- `flame`: FLAME expression coefficients `exp00..exp99` (the 2020/2023 basis, nominally N(0, 1);
  a track may hold ±10) and axis-angle rotations in radians: `jaw0..2`, `neck0..2`, `leye0..2`,
  `reye0..2` (like the head pose, at most two full turns). CTEG's 53-dim frame is
  `exp00..exp49, jaw0..jaw2` (EmoAva / EMOCA v2 layout).

Values outside these ranges are not expressions but corrupt data: a track holding one is invalid.
"""

from __future__ import annotations

import math

ARKIT52: tuple[str, ...] = (
    "eyeBlinkLeft", "eyeLookDownLeft", "eyeLookInLeft", "eyeLookOutLeft", "eyeLookUpLeft",
    "eyeSquintLeft", "eyeWideLeft",
    "eyeBlinkRight", "eyeLookDownRight", "eyeLookInRight", "eyeLookOutRight", "eyeLookUpRight",
    "eyeSquintRight", "eyeWideRight",
    "jawForward", "jawLeft", "jawRight", "jawOpen",
    "mouthClose", "mouthFunnel", "mouthPucker", "mouthLeft", "mouthRight",
    "mouthSmileLeft", "mouthSmileRight", "mouthFrownLeft", "mouthFrownRight",
    "mouthDimpleLeft", "mouthDimpleRight", "mouthStretchLeft", "mouthStretchRight",
    "mouthRollLower", "mouthRollUpper", "mouthShrugLower", "mouthShrugUpper",
    "mouthPressLeft", "mouthPressRight", "mouthLowerDownLeft", "mouthLowerDownRight",
    "mouthUpperUpLeft", "mouthUpperUpRight",
    "browDownLeft", "browDownRight", "browInnerUp", "browOuterUpLeft", "browOuterUpRight",
    "cheekPuff", "cheekSquintLeft", "cheekSquintRight",
    "noseSneerLeft", "noseSneerRight",
    "tongueOut",
)  # fmt: skip

FLAME_EXPRESSION = tuple(f"exp{i:02d}" for i in range(100))
FLAME_POSE = tuple(f"{joint}{axis}" for joint in ("jaw", "neck", "leye", "reye") for axis in range(3))
FLAME_ALL: tuple[str, ...] = FLAME_EXPRESSION + FLAME_POSE

# CTEG / EmoAva frame: 50 expression coefficients then 3 jaw axis-angle values.
CTEG53: tuple[str, ...] = FLAME_EXPRESSION[:50] + ("jaw0", "jaw1", "jaw2")

SPACES: dict[str, tuple[str, ...]] = {
    "arkit52": ARKIT52,
    "flame": FLAME_ALL,
}

DEFAULT_CHANNELS: dict[str, tuple[str, ...]] = {
    "arkit52": ARKIT52,
    "flame": CTEG53,
}

ARKIT_WEIGHT_RANGE = (-2.0, 3.0)
FLAME_EXPRESSION_RANGE = (-10.0, 10.0)  # standard deviations of each basis direction
MAX_ROTATION = 4 * math.pi  # radians: two full turns, for joint rotations and the head pose


def channel_range(space: str, name: str) -> tuple[float, float]:
    """The plausible range of a channel's values (see the module docstring)."""
    if space == "arkit52":
        return ARKIT_WEIGHT_RANGE
    if name.startswith("exp"):
        return FLAME_EXPRESSION_RANGE
    return (-MAX_ROTATION, MAX_ROTATION)


assert len(ARKIT52) == 52 and len(set(ARKIT52)) == 52
assert len(CTEG53) == 53
