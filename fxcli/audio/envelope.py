"""The audio's loudness over time: RMS per analysis frame, as a 0..1 envelope for mouth opening and prosody."""

from __future__ import annotations

import numpy as np


def frame_rms(samples: np.ndarray, rate: int, hop: float = 0.01, win: float = 0.025) -> np.ndarray:
    """RMS of windows of `win` s every `hop` s, centred on k*hop (k = 0..ceil(N/(rate*hop))-1)."""
    h, w = max(1, int(round(hop * rate))), max(1, int(round(win * rate)))
    n = int(np.ceil(len(samples) / h)) if len(samples) else 0
    pad = np.concatenate([np.zeros(w // 2, np.float64), samples.astype(np.float64), np.zeros(w, np.float64)])
    csum = np.concatenate([[0.0], np.cumsum(pad ** 2)])
    starts = np.arange(n) * h
    return np.sqrt(np.maximum(csum[starts + w] - csum[starts], 0.0) / w)


def energy_envelope(samples: np.ndarray, rate: int, hop: float = 0.01, floor_db: float = -45.0) -> np.ndarray:
    """Loudness in [0, 1] per `hop`: dB relative to the clip's loud end (98th percentile), `floor_db` -> 0.

    Relative to the clip, so quiet and loud recordings open the mouth alike; silence stays 0.
    """
    rms = frame_rms(samples, rate, hop)
    if not len(rms) or rms.max() < 1e-4:
        return np.zeros(len(rms), np.float32)
    db = 20 * np.log10(np.maximum(rms, 1e-8))
    top = np.percentile(db, 98)
    db = np.maximum(db, 20 * np.log10(1e-4))  # below -80 dBFS is silence whatever the clip's level
    return np.clip((db - (top + floor_db)) / -floor_db, 0.0, 1.0).astype(np.float32)
