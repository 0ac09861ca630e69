"""Action-unit PROXIES from FaceMesh's 468 landmarks: geometric measurements, not a trained AU detector.

Each proxy is a dimensionless ratio measured in the face's own frame (eye line horizontal, y up) and
divided by the inter-ocular distance (outer eye corners), so it does not depend on image size, position
or head roll. They follow the muscle actions of the FACS units they are named after, but they respond to
shape only (no wrinkles, no texture) and to head pitch/yaw too: compare a face with itself (before/after
an edit) rather than across people when possible.

| proxy | FACS unit(s) | measurement / IOD |
|---|---|---|
| inner_brow_raise | AU1 | height of the inner brow ends above the upper eyelids |
| outer_brow_raise | AU2 | height of the outer brow ends above the upper eyelids |
| brow_lower | AU4 | minus the gap between the two inner brow ends (knitted brows close it) |
| eye_opening | AU5 (+) / AU43 (−) | eyelid gap (upper to lower lid at the iris) |
| lip_corner_lift | AU12 (+) / AU15 (−) | height of the mouth corners above the mid-point of the lips |
| mouth_width | AU20 | distance between the mouth corners |
| lips_part | AU25 | gap between the inner lips |
| jaw_drop | AU26/27 | distance from the upper lip to the chin |
"""

from __future__ import annotations

import numpy as np

from fxcli.face import Face

# FaceMesh vertex indices ("right" = the person's right, image left)
RIGHT_EYE_OUTER, LEFT_EYE_OUTER = 33, 263
RIGHT_UPPER_LID, RIGHT_LOWER_LID = 159, 145
LEFT_UPPER_LID, LEFT_LOWER_LID = 386, 374
RIGHT_BROW_INNER, RIGHT_BROW_OUTER = 107, 70
LEFT_BROW_INNER, LEFT_BROW_OUTER = 336, 300
MOUTH_RIGHT, MOUTH_LEFT = 61, 291
UPPER_LIP_INNER, LOWER_LIP_INNER = 13, 14
UPPER_LIP_OUTER, LOWER_LIP_OUTER = 0, 17
CHIN = 152

PROXIES: dict[str, str] = {
    "inner_brow_raise": "AU1 inner brow raiser",
    "outer_brow_raise": "AU2 outer brow raiser",
    "brow_lower": "AU4 brow lowerer",
    "eye_opening": "AU5 upper lid raiser (+) / AU43 eyes closed (-)",
    "lip_corner_lift": "AU12 lip corner puller (+) / AU15 lip corner depressor (-)",
    "mouth_width": "AU20 lip stretcher",
    "lips_part": "AU25 lips part",
    "jaw_drop": "AU26 jaw drop / AU27 mouth stretch",
}

# AU -> (proxy, sign, threshold): the AU counts as active when sign × (proxy − neutral) > threshold.
# Neutral values are typical of a relaxed frontal face (medians over neutral-looking photos); thresholds are
# about a third of the range a strong action spans. With a neutral reference of the same person
# (`active_aus(face, neutral=...)`) its own values replace these.
NEUTRAL = {"inner_brow_raise": 0.18, "outer_brow_raise": 0.12, "brow_lower": -0.32, "eye_opening": 0.10,
           "lip_corner_lift": 0.0, "mouth_width": 0.53, "lips_part": 0.01, "jaw_drop": 0.52}
AU_RULES: dict[str, tuple[str, float, float]] = {
    "AU1": ("inner_brow_raise", +1, 0.08),
    "AU2": ("outer_brow_raise", +1, 0.07),
    "AU4": ("brow_lower", +1, 0.05),
    "AU5": ("eye_opening", +1, 0.04),
    "AU12": ("lip_corner_lift", +1, 0.035),
    "AU15": ("lip_corner_lift", -1, 0.035),
    "AU20": ("mouth_width", +1, 0.12),
    "AU25": ("lips_part", +1, 0.05),
    "AU26": ("jaw_drop", +1, 0.15),
    "AU43": ("eye_opening", -1, 0.05),
}


def face_frame(landmarks: np.ndarray) -> np.ndarray:
    """Landmarks (N,2) in the face frame: origin between the outer eye corners, x along the eye line towards
    the person's left eye, y up, unit = inter-ocular distance."""
    pts = np.asarray(landmarks, np.float64)[:, :2]
    right, left = pts[RIGHT_EYE_OUTER], pts[LEFT_EYE_OUTER]
    iod = np.linalg.norm(left - right)
    ex = (left - right) / iod
    ey = np.array([ex[1], -ex[0]])  # image y points down: rotate the eye line by -90° to point up
    rel = pts - (left + right) / 2
    return np.column_stack([rel @ ex, rel @ ey]) / iod


def au_proxies(face: Face | np.ndarray) -> dict[str, float]:
    """The proxies of PROXIES for a face (or a 468×2/3 landmark array)."""
    p = face_frame(face.landmarks if isinstance(face, Face) else face)
    lid_r, lid_l = p[RIGHT_UPPER_LID, 1], p[LEFT_UPPER_LID, 1]
    lips_mid = (p[UPPER_LIP_INNER] + p[LOWER_LIP_INNER]) / 2
    return {
        "inner_brow_raise": float((p[RIGHT_BROW_INNER, 1] - lid_r + p[LEFT_BROW_INNER, 1] - lid_l) / 2),
        "outer_brow_raise": float((p[RIGHT_BROW_OUTER, 1] - lid_r + p[LEFT_BROW_OUTER, 1] - lid_l) / 2),
        "brow_lower": float(-np.linalg.norm(p[LEFT_BROW_INNER] - p[RIGHT_BROW_INNER])),
        "eye_opening": float((np.linalg.norm(p[RIGHT_UPPER_LID] - p[RIGHT_LOWER_LID])
                              + np.linalg.norm(p[LEFT_UPPER_LID] - p[LEFT_LOWER_LID])) / 2),
        "lip_corner_lift": float((p[MOUTH_RIGHT, 1] + p[MOUTH_LEFT, 1]) / 2 - lips_mid[1]),
        "mouth_width": float(np.linalg.norm(p[MOUTH_LEFT] - p[MOUTH_RIGHT])),
        "lips_part": float(np.linalg.norm(p[UPPER_LIP_INNER] - p[LOWER_LIP_INNER])),
        "jaw_drop": float(np.linalg.norm(p[UPPER_LIP_OUTER] - p[CHIN])),
    }


def active_aus(proxies: dict[str, float], neutral: dict[str, float] | None = None) -> set[str]:
    """AUs whose proxy moved past its threshold from the neutral values (NEUTRAL, or the same person's)."""
    base = neutral or NEUTRAL
    return {au for au, (name, sign, thr) in AU_RULES.items() if sign * (proxies[name] - base[name]) > thr}
