"""What the photo editor adds to a library expression so that its action units read on a photo.

The expression library's ARKit weights are made for animated heads, where every shape moves the whole
mesh. Carried onto a photo through FaceMesh's landmarks, some action units fall short or read as another
expression: an angry mouth opened by mouthUpperUp + jawOpen shows a band of teeth that people and the FER
judge read as a grin; fear's brows need the inner raise (AU1) and the pull together (AU4) at once, with
the lips stretched sideways (AU20) over a jaw only slightly open (AU26) - otherwise it is surprise.
EMPHASIS sets, for a basic library entry, the ARKit channels to use instead (a channel name without
Left/Right sets both sides); everything else stays as the library has it. Blends and free-text mixtures
get each entry's emphasis in proportion to its weight.
"""

from __future__ import annotations

import numpy as np

from fxcli.tracks.channels import ARKIT52

EMPHASIS: dict[str, dict[str, float]] = {
    # AU4 + AU7 with the mouth's corners drawn down and out (AU15, AU20) and a touch of AU9: a snarl, not a
    # grin (the library's open mouth alone reads as happy on most portraits)
    "angry": {"mouthFrown": 0.5, "mouthStretch": 0.4, "noseSneer": 0.3},
    # AU1+4+5 over AU20+25+26: the inner brows raised and drawn together (browDown with browInnerUp), the
    # outer brows left (raised they make surprise), the lower lip drawn down and the corners down rather than
    # up (a stretched mouth with its corners level reads as a grin)
    "fear": {"jawOpen": 0.25, "mouthLowerDown": 0.4, "mouthFrown": 0.5, "browOuterUp": 0.0, "browDown": 0.8},
    # AU26/27 with the lips rounded: the library's jaw drop opens a wide slot that, under a smiling source's
    # corners, reads as a grin; a deeper drop with the lips drawn into an "oh" reads as surprise
    "surprised": {"jawOpen": 0.45, "mouthFunnel": 0.25},
    # AU9 at half strength: at full strength the nose's wings swell and its sides darken into a caricature;
    # the raised upper lip (AU10) and lowered brows carry the expression
    "disgust": {"noseSneer": 0.5},
}


def _channels(name: str) -> list[int]:
    if name in ARKIT52:
        return [ARKIT52.index(name)]
    sides = [ARKIT52.index(name + s) for s in ("Left", "Right") if name + s in ARKIT52]
    if not sides:
        raise KeyError(f"no ARKit channel {name!r}")
    return sides


def emphasised(entry: str, weights: np.ndarray) -> np.ndarray:
    """The library entry's ARKit weights (52,) with the editor's emphasis applied (float64 copy)."""
    out = np.asarray(weights, np.float64).copy()
    for channel, value in EMPHASIS.get(entry, {}).items():
        out[_channels(channel)] = value
    return out
