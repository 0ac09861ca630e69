"""FACS Action Units -> ARKit-52 blendshape weights, head rotation and gaze.

The table follows common practice (and ICT-FaceKit's own shape list agrees): each AU drives one or more
ARKit shapes with a gain; bilateral AUs drive the Left and Right shapes alike, and an 'L'/'R' prefix on
the AU key ('R12') drives one side only. Head AUs 51-58 are not shapes: they become an axis-angle head
rotation; gaze AUs 61-64 drive the eyeLook shapes.

Head rotation convention (radians, axis-angle, the avatar looking along +z with +y up):
x > 0 pitches the head down (AU54), y > 0 turns it to the avatar's left (AU51), z > 0 rolls it toward
the avatar's right shoulder (AU56).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from fxcli.tracks.channels import ARKIT52

_INDEX = {name: i for i, name in enumerate(ARKIT52)}

# AU -> [(shape stem or full name, gain)]; a stem ending in '*' takes the Left/Right suffix.
AU_TO_ARKIT: dict[int, list[tuple[str, float]]] = {
    1: [("browInnerUp", 1.0)],
    2: [("browOuterUp*", 1.0)],
    4: [("browDown*", 1.0)],
    5: [("eyeWide*", 1.0)],
    6: [("cheekSquint*", 1.0)],
    7: [("eyeSquint*", 1.0)],
    9: [("noseSneer*", 1.0)],
    10: [("mouthUpperUp*", 1.0)],
    12: [("mouthSmile*", 1.0)],
    14: [("mouthDimple*", 1.0)],
    15: [("mouthFrown*", 1.0)],
    16: [("mouthLowerDown*", 1.0)],
    17: [("mouthShrugLower", 1.0), ("mouthShrugUpper", 0.3)],
    18: [("mouthPucker", 1.0)],
    20: [("mouthStretch*", 1.0)],
    22: [("mouthFunnel", 1.0)],
    23: [("mouthPress*", 0.7), ("mouthRollUpper", 0.2), ("mouthRollLower", 0.2)],
    24: [("mouthPress*", 1.0)],
    25: [("jawOpen", 0.12), ("mouthLowerDown*", 0.3)],
    26: [("jawOpen", 0.45)],
    27: [("jawOpen", 0.85), ("mouthStretch*", 0.3)],
    28: [("mouthRollLower", 1.0), ("mouthRollUpper", 1.0)],
    34: [("cheekPuff", 1.0)],
    41: [("eyeBlink*", 0.35)],
    43: [("eyeBlink*", 0.7)],
    45: [("eyeBlink*", 1.0)],
    # gaze: AU61 eyes left, 62 right, 63 up, 64 down (the avatar's left/right)
    61: [("eyeLookOutLeft", 1.0), ("eyeLookInRight", 1.0)],
    62: [("eyeLookInLeft", 1.0), ("eyeLookOutRight", 1.0)],
    63: [("eyeLookUp*", 1.0)],
    64: [("eyeLookDown*", 1.0)],
}

# head AUs -> (axis, radians at intensity 1) in the convention above
AU_TO_HEAD: dict[int, tuple[int, float]] = {
    51: (1, 0.40), 52: (1, -0.40),  # turn left / right
    53: (0, -0.30), 54: (0, 0.30),  # head up / down
    55: (2, -0.25), 56: (2, 0.25),  # tilt left / right
    57: (0, -0.10), 58: (0, 0.10),  # forward / back (a small pitch stands in for translation)
}


def parse_au_key(key: str) -> tuple[int, str | None]:
    """'12' -> (12, None); 'R12' -> (12, 'Right'); 'L2' -> (2, 'Left')."""
    side = {"L": "Left", "R": "Right"}.get(key[:1])
    number = int(key[1:] if side else key)
    if number not in AU_TO_ARKIT and number not in AU_TO_HEAD:
        raise ValueError(f"AU {key!r} has no ARKit mapping")
    return number, side


def au_recipe_to_arkit(aus: dict[str, float], *, au_gain: Callable[[int, str | None], float] | None = None,
                       head_gain: float = 1.0, max_weight: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """ARKit-52 weights (52,) clipped to [0, max_weight] and head rotation (3,) radians for an AU recipe.

    `au_gain(number, side)` scales each AU's intensity and `head_gain` the head AUs (gen-avatar's
    exaggerated avatars); the library uses neither.
    """
    weights = np.zeros(len(ARKIT52), np.float64)
    head = np.zeros(3, np.float64)
    for key, intensity in aus.items():
        number, side = parse_au_key(key)
        if number in AU_TO_HEAD:
            axis, rad = AU_TO_HEAD[number]
            head[axis] += rad * intensity * head_gain
            continue
        if au_gain is not None:
            intensity = intensity * au_gain(number, side)
        for stem, gain in AU_TO_ARKIT[number]:
            if stem.endswith("*"):
                sides = [side] if side else ["Left", "Right"]
                names = [stem[:-1] + s for s in sides]
            else:
                names = [stem]
            for name in names:
                weights[_INDEX[name]] += gain * intensity
    return np.clip(weights, 0.0, max_weight).astype(np.float32), head.astype(np.float32)

AU_NAMES: dict[int, str] = {
    1: "inner brow raiser", 2: "outer brow raiser", 4: "brow lowerer", 5: "upper lid raiser", 6: "cheek raiser",
    7: "lid tightener", 9: "nose wrinkler", 10: "upper lip raiser", 12: "lip corner puller", 14: "dimpler",
    15: "lip corner depressor", 16: "lower lip depressor", 17: "chin raiser", 18: "lip pucker", 20: "lip stretcher",
    22: "lip funneler", 23: "lip tightener", 24: "lip pressor", 25: "lips part", 26: "jaw drop", 27: "mouth stretch",
    28: "lip suck", 34: "puff", 41: "lid droop", 43: "eyes closed", 45: "blink", 51: "head turn left",
    52: "head turn right", 53: "head up", 54: "head down", 55: "head tilt left", 56: "head tilt right",
    57: "head forward", 58: "head back", 61: "eyes turn left", 62: "eyes turn right", 63: "eyes up", 64: "eyes down",
}
