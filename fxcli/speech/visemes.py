"""Phone classes -> ARKit mouth and jaw targets (visemes).

Grouped by articulation: open, mid and close vowels differ in jaw opening; rounded vowels and /w/
purse the lips; bilabials close them; labiodentals tuck the lower lip; dentals show the tongue;
postalveolars funnel. Values are target weights at the phone's centre; coarticulation comes from
smoothing between neighbouring targets.
"""

from __future__ import annotations

import numpy as np

from fxcli.tracks.channels import ARKIT52

_I = {n: i for i, n in enumerate(ARKIT52)}


def _both(stem: str, v: float) -> dict[str, float]:
    return {stem + "Left": v, stem + "Right": v}


VISEME_CLASSES: dict[str, tuple[tuple[str, ...], dict[str, float]]] = {
    "open": (("AA", "AE", "AW", "AY"), {"jawOpen": 0.5, **_both("mouthLowerDown", 0.25)}),
    "mid": (("AH", "EH", "EY", "HH"), {"jawOpen": 0.33, **_both("mouthStretch", 0.12)}),
    "close-front": (("IH", "IY", "Y"), {"jawOpen": 0.15, **_both("mouthStretch", 0.3), **_both("mouthSmile", 0.08)}),
    "round-open": (("AO", "OW", "OY"), {"jawOpen": 0.38, "mouthFunnel": 0.35, "mouthPucker": 0.2}),
    "round-close": (("UW", "UH", "W"), {"jawOpen": 0.14, "mouthPucker": 0.55, "mouthFunnel": 0.25}),
    "rhotic": (("ER", "R"), {"jawOpen": 0.2, "mouthFunnel": 0.25, "mouthPucker": 0.15}),
    "bilabial": (("P", "B", "M"), {"jawOpen": 0.02, "mouthClose": 0.3, **_both("mouthPress", 0.35)}),
    "labiodental": (("F", "V"), {"jawOpen": 0.08, "mouthRollLower": 0.45, **_both("mouthUpperUp", 0.15)}),
    "dental": (("TH", "DH"), {"jawOpen": 0.12, "tongueOut": 0.25}),
    "alveolar": (("T", "D", "N", "L", "S", "Z"), {"jawOpen": 0.1, **_both("mouthStretch", 0.12)}),
    "postalveolar": (("SH", "ZH", "CH", "JH"), {"jawOpen": 0.1, "mouthFunnel": 0.4, "mouthPucker": 0.2}),
    "velar": (("K", "G", "NG"), {"jawOpen": 0.18}),
}

PHONE_CLASS = {ph: name for name, (phones, _) in VISEME_CLASSES.items() for ph in phones}


def _vector(targets: dict[str, float]) -> np.ndarray:
    v = np.zeros(len(ARKIT52), np.float32)
    for name, w in targets.items():
        v[_I[name]] = w
    return v


VISEME_VECTORS = {name: _vector(t) for name, (_, t) in VISEME_CLASSES.items()}
SILENCE = np.zeros(len(ARKIT52), np.float32)


def viseme_vector(phone: str) -> np.ndarray:
    """ARKit-52 target for an ARPAbet phone ('sil' or unknown -> rest)."""
    cls = PHONE_CLASS.get(phone)
    return VISEME_VECTORS[cls] if cls else SILENCE
