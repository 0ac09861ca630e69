"""What the photo editor adds to a library expression so that its action units read on a photo.

The expression library's ARKit weights are made for animated heads, where every shape moves the whole
mesh. Carried onto a photo through FaceMesh's landmarks, some action units fall short or read as another
expression: an angry mouth opened by mouthUpperUp + jawOpen shows a band of teeth that people and the FER
judge read as a grin; fear's brows need the inner raise (AU1) and the pull together (AU4) at once, over
the wide-open, stretched mouth of a scream (AU20 + AU26/27) - with a jaw only slightly open it is sadness.
EMPHASIS sets, for a basic library entry, the ARKit channels to use instead (a channel name without
Left/Right sets both sides); everything else stays as the library has it. Blends and free-text mixtures
get each entry's emphasis in proportion to its weight.

HELD names channels of a basic entry that stop growing past alpha 1 (the rest goes on). STRENGTH then
scales a basic entry's whole (emphasised) weights, where alpha 1 should sit elsewhere than
the library's full weights: surprise. Over 28 portraits the FER judge's mean p(surprise) peaked near alpha
0.75 and then fell on many of them as the mouth's "oh" widened into a dark hole that reads as a scream (fear).
Disgust and the earlier, half-open fear 15-25 % stronger read a little more often as themselves (one or two
of 28 more each) but tore the mouth's corners and left grey seams on the cheeks, so they stay at 1.
"""

from __future__ import annotations

import numpy as np

from fxcli.tracks.channels import ARKIT52

EMPHASIS: dict[str, dict[str, float]] = {
    # AU4 + AU7 with the mouth's corners drawn down and out (AU15, AU20) and a touch of AU9: a snarl, not a
    # grin (the library's open mouth alone reads as happy on most portraits). The jaw open further (AU26
    # with the lower lip drawn down, AU25) and the upper lip raised a little less (AU10): a shout with a
    # square mouth, whose lower teeth and dark cavity leave nothing of a smile (the library's slightly
    # parted lips under a raised upper lip showed a band of upper teeth: 15 of 28 portraits judged angry, 19
    # with this). A higher upper lip over the wider jaw drop moves the upper lip's outer landmarks (269, 39)
    # past the ones above them (302, 72): the warp folds there
    "angry": {"mouthFrown": 0.5, "mouthStretch": 0.4, "noseSneer": 0.3, "jawOpen": 0.25, "mouthLowerDown": 0.3,
              "mouthUpperUp": 0.5},
    # AU1+4+5 over AU20+25+26: the inner brows raised and drawn together (browDown with browInnerUp), the
    # outer brows left (raised they make surprise), the lower lip drawn down and the corners down rather than
    # up (a stretched mouth with its corners level reads as a grin). A scream, not a gasp: over 30 portraits
    # the jaw's drop was the one channel that went with the judge's p(fear) (correlation 0.76 over random
    # settings of these nine channels), the eyes' widening went against it (-0.45: wide eyes over an open
    # mouth read as surprise). With the jaw half as open (0.45), the lips stretched to 1.3, no upper-lip
    # raise and the library's eyes, 8 of 30 alpha-1 edits were judged fear (p 0.26); with this, 15 (p 0.42),
    # sweeps rising on 24 of 30 in the face box (23 before). The upper lip raised (AU10) bares the upper teeth
    # of a scream; at 0.1 it showed none (17 judged fear but sweeps rising on 22), at 0.38 a smiling source's
    # upper-lip corner pulls into a notch (interfaces-010)
    "fear": {"jawOpen": 0.74, "mouthLowerDown": 0.88, "mouthFrown": 0.75, "browOuterUp": 0.0, "browDown": 0.91,
             "mouthStretch": 1.1, "browInnerUp": 0.71, "eyeWide": 0.36, "mouthUpperUp": 0.38},
    # AU26/27 with the lips rounded: the library's jaw drop opens a wide slot that, under a smiling source's
    # corners, reads as a grin; a deeper drop with the lips drawn into an "oh" reads as surprise
    "surprised": {"jawOpen": 0.45, "mouthFunnel": 0.25},
    # AU9 at half strength: at full strength the nose's wings swell and its sides darken into a caricature;
    # the raised upper lip (AU10) and lowered brows (AU4, further than the library's) carry the expression.
    # The chin pushed up (AU17) and the lips pressed (AU24): the raised upper lip over a parted mouth showed
    # teeth that read as a grin or a snarl (2 of 28 portraits judged disgust, p(disgust) 0.05; 3 and 0.09
    # with this). A full AU17 read as disgust a little more often but took the identity similarity to the
    # source below 0.94 on average
    # AU15 at full strength: the lip corners drawn down are sadness's main lower-face cue (EMFACS), and the
    # library's 0.7 left a smiling source's corners nearly level (28 portraits, sweeps rising on 21, 19 judged
    # sad at alpha 1, mean p(sad) 0.53; 22, 20 and 0.56 with this). Its inner brows raised further (AU1 1.0,
    # AU4 0.3) read as surprise or neutral (18, 18, 0.47), the chin pushed up (AU17) added nothing
    "sad": {"mouthFrown": 1.0},
    "disgust": {"noseSneer": 0.5, "mouthShrugLower": 0.7, "mouthPress": 0.5, "browDown": 0.8},
}


STRENGTH: dict[str, float] = {"surprised": 0.8}

# Channels of a basic entry that stop growing at alpha 1: past it, the rest of the expression goes on.
# Happy's raised cheeks (AU6): past alpha 1 they went on pushing the lower lids up until the narrowed eyes
# read as anger on profiles (30 portraits: sweeps rising on 26 judged in the face box averaged over shifts, 27
# with this; CLS 0.664 -> 0.668). Held, past alpha 1 only the smile grows. Fear's jaw (the scream) or wide eyes
# held the same way lost sweeps (21 -> 19-20 of 28), as did sad's brows or frown (23 -> 20-22 of 28, judged
# in the face box). Surprise's dropped jaw and rounded lips: past alpha 1 the "oh" went on widening into the
# dark, stretched opening of a scream and the judge's p(surprise) fell (0.87 -> 0.67 at alpha 1.5 on one
# portrait); held, the brows and lids go on rising over a mouth that stays open as at alpha 1 (29 portraits,
# judged in the source's face box: sweeps rising on 23 -> 27, alpha-1 edits judged surprise unchanged).
# The same hold on happy's jaw drop changed nothing clearly (24 -> 23 in the face box, 27 -> 28 averaged).
# Fear's upper-lip raise (AU10) held: sweeps rising on 24 of 30 in the face box, 23 without the hold (25 either
# way averaged over shifted crops): no more than the judge's noise, but past alpha 1 the scream grows by its jaw
HELD: dict[str, tuple[str, ...]] = {"happy": ("cheekSquint",),
                                    "surprised": ("jawOpen", "mouthLowerDown", "mouthFunnel"),
                                    "fear": ("mouthUpperUp",)}


# Channels of a basic entry that come in late along the alpha ramp: the entry's amount times alpha ** exponent
# up to alpha 1 (the same at alpha 1 and beyond). Fear's raised-and-drawn inner brows and its corners drawn
# down are sadness's cues, and with the jaw only a little open the early frames of a fear sweep read as sad
# (or surprised) before the scream reads as fear: the judge's p(fear) rose, fell, then rose again. With these
# cues squared, the mouth leads: over 30 portraits, fear sweeps rising on 25 judged in the source's face box
# (21 linear) and 25 averaged over shifted crops (23); exponent 1.5 gave 24 and 25. Alpha 1 is unchanged.
LATE: dict[str, dict[str, float]] = {"fear": {"browInnerUp": 2.0, "browDown": 2.0, "mouthFrown": 2.0}}


def _channels(name: str) -> list[int]:
    if name in ARKIT52:
        return [ARKIT52.index(name)]
    sides = [ARKIT52.index(name + s) for s in ("Left", "Right") if name + s in ARKIT52]
    if not sides:
        raise KeyError(f"no ARKit channel {name!r}")
    return sides


def emphasised(entry: str, weights: np.ndarray) -> np.ndarray:
    """The library entry's ARKit weights (52,) with the editor's emphasis and strength applied (float64 copy)."""
    out = np.asarray(weights, np.float64).copy()
    for channel, value in EMPHASIS.get(entry, {}).items():
        out[_channels(channel)] = value
    return out * STRENGTH.get(entry, 1.0)


def onset(entry: str) -> np.ndarray:
    """(52,) the exponent of alpha (up to 1) for each channel of the entry: LATE's, else 1."""
    out = np.ones(len(ARKIT52))
    for channel, exponent in LATE.get(entry, {}).items():
        out[_channels(channel)] = exponent
    return out


def held(entry: str) -> np.ndarray:
    """(52,) 1 for the entry's channels held at their alpha-1 amount past alpha 1 (HELD), else 0."""
    out = np.zeros(len(ARKIT52))
    for channel in HELD.get(entry, ()):
        out[_channels(channel)] = 1.0
    return out
