"""Channel vocabularies of the track spaces.

- `arkit52`: Apple ARKit's 52 blendshape names (ARFaceAnchor.BlendShapeLocation), in Apple's order.
  Values are weights, nominally in [0, 1].
- `flame`: FLAME expression coefficients `exp00..exp99` (the 2020/2023 basis, nominally N(0, 1)) and
  axis-angle rotations in radians: `jaw0..2`, `neck0..2`, `leye0..2`, `reye0..2`. CTEG's 53-dim
  frame is `exp00..exp49, jaw0..jaw2` (EmoAva / EMOCA v2 layout).
"""

from __future__ import annotations

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

assert len(ARKIT52) == 52 and len(set(ARKIT52)) == 52
assert len(CTEG53) == 53
