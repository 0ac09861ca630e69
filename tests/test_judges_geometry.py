"""AU proxies: hand-worked landmark layouts, invariance to position/scale/roll, AU activation rules."""

from __future__ import annotations

import numpy as np
import pytest

from fxcli.judges import geometry as g


def layout() -> np.ndarray:
    """A synthetic face in image coordinates (y down), inter-ocular distance 100, eyes at y = 0."""
    lm = np.zeros((468, 3))
    pts = {
        g.RIGHT_EYE_OUTER: (-50, 0), g.LEFT_EYE_OUTER: (50, 0),
        g.RIGHT_UPPER_LID: (-30, -5), g.RIGHT_LOWER_LID: (-30, 5),
        g.LEFT_UPPER_LID: (30, -5), g.LEFT_LOWER_LID: (30, 5),
        g.RIGHT_BROW_INNER: (-15, -25), g.LEFT_BROW_INNER: (15, -25),
        g.RIGHT_BROW_OUTER: (-45, -20), g.LEFT_BROW_OUTER: (45, -20),
        g.MOUTH_RIGHT: (-25, 96), g.MOUTH_LEFT: (25, 96),
        g.UPPER_LIP_INNER: (0, 99), g.LOWER_LIP_INNER: (0, 101),
        g.UPPER_LIP_OUTER: (0, 92), g.CHIN: (0, 150),
    }
    for i, (x, y) in pts.items():
        lm[i, :2] = (x, y)
    return lm


def test_proxies_hand_worked():
    p = g.au_proxies(layout())
    assert p["inner_brow_raise"] == pytest.approx(0.20)  # brows 25 px up, lids 5 px up: 20 / 100
    assert p["outer_brow_raise"] == pytest.approx(0.15)
    assert p["brow_lower"] == pytest.approx(-0.30)
    assert p["eye_opening"] == pytest.approx(0.10)
    assert p["lip_corner_lift"] == pytest.approx(0.04)  # corners at 96, lip mid-point at 100 (y down)
    assert p["mouth_width"] == pytest.approx(0.50)
    assert p["lips_part"] == pytest.approx(0.02)
    assert p["jaw_drop"] == pytest.approx(0.58)


def test_proxies_ignore_position_scale_and_roll():
    base = g.au_proxies(layout())
    lm = layout()
    t = np.radians(30)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    lm[:, :2] = 2.5 * lm[:, :2] @ rot.T + [300, 200]
    moved = g.au_proxies(lm)
    for k in base:
        assert moved[k] == pytest.approx(base[k], abs=1e-9)


def test_active_aus_rules():
    lm = layout()
    assert "AU12" in g.active_aus(g.au_proxies(lm))  # 0.04 over neutral 0.0 > 0.035
    lm[g.MOUTH_RIGHT, 1] = lm[g.MOUTH_LEFT, 1] = 105  # corners drop below the lips
    active = g.active_aus(g.au_proxies(lm))
    assert "AU15" in active and "AU12" not in active
    # with the person's own neutral values nothing has moved
    own = g.au_proxies(lm)
    assert g.active_aus(own, neutral=own) == set()
