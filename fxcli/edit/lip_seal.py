"""Lips that stay together when the target expression does not part them.

The photo's own mouth expression is taken away as the target is added (fxcli/edit/expression_fit.py): a
slightly parted mouth is closed, a smile's corners come down. Carried through ICT's shapes, neither lands the
inner lips where a closed mouth has them: taking a photo's parted lips away asks the middle of the lower lip
to pass through the upper one (by up to 8 px on a 500 px portrait), while sadness's drawn-down corners
(mouthFrown) part the lips near the corners. The warp stops short where lips would cross, and the mouth's fill
(fxcli/edit/mouth_interior.py) paints a dark cavity into every gap: a sad face got an arched dark slit that the
FER judge read as fear or surprise, more so as alpha grew.

So when the target's own shapes do not part the middle of the inner lips (they close it or leave it), each
pair of inner-lip landmarks (upper, lower at the same place along the mouth) is asked to end with a gap
between 0 and the photo's own gap there: the two move toward (or away from) each other by halves of the
excess, along the face's down direction. Targets that open the mouth are left as they are. What the warp
leaves open of the mouth under such a target is then closed in the picture (fxcli/edit/lip_close.py), not
filled.
"""

from __future__ import annotations

import numpy as np

from fxcli.edit.mouth_interior import LOWER_INNER_LIP, UPPER_INNER_LIP
from fxcli.edit.polygons import upward

PAIRS = tuple(zip(UPPER_INNER_LIP[1:-1], LOWER_INNER_LIP[1:-1], strict=True))  # the corners are shared
MIDDLE = slice(2, 7)  # the pairs around the lips' middle (of the nine above)


def target_parts_lips(target_motion: np.ndarray) -> bool:
    """Whether a target's own landmark motion (468, 3) on the ICT head (cm, y up) parts the inner lips' middle."""
    upper, lower = (np.array(side)[MIDDLE] for side in zip(*PAIRS, strict=True))
    return float((target_motion[upper, 1] - target_motion[lower, 1]).mean()) > 0.0


def face_down(xy: np.ndarray) -> np.ndarray:
    """The face's down direction in the image (unit, y mostly positive): perpendicular to the eye line."""
    return -upward(xy[263] - xy[33])


def seal_lips(xy: np.ndarray, moves: np.ndarray) -> np.ndarray:
    """`moves` (468, 2) with every inner-lip pair's gap after the motion kept between 0 and the photo's gap
    (landmarks `xy`, (468, 2))."""
    down = face_down(xy)
    upper, lower = (list(side) for side in zip(*PAIRS, strict=True))
    photo = (xy[lower] - xy[upper]) @ down
    after = ((xy + moves)[lower] - (xy + moves)[upper]) @ down
    excess = after - np.clip(after, 0.0, np.maximum(photo, 0.0))
    out = moves.copy()
    out[upper] += (excess / 2)[:, None] * down
    out[lower] -= (excess / 2)[:, None] * down
    return out
