"""Known `arkit52` performances to check capture against: an expression change, speech-like jaw and lip
motion, blinks and a slowly turning head, all seeded. `benchmarks/eval_capture.py` renders them with the
ICT head and captures them back."""

from __future__ import annotations

import numpy as np

from fxcli.tracks import Track
from fxcli.tracks.channels import ARKIT52

PAIRS = [("happiness", "surprise"), ("anger", "sadness"), ("disgust", "joy"), ("fear", "contempt"),
         ("sadness", "happiness"), ("surprise", "anger")]


def performance(seed: int, seconds: float = 4.0, fps: float = 25.0, expressions: tuple[str, str] | None = None,
                head_deg: float = 8.0) -> Track:
    """A seeded performance: expression A eases into B mid-clip; jaw and lips move as in speech; blinks."""
    from fxcli.expressions import load_library

    rng = np.random.default_rng(seed)
    first, second = expressions or PAIRS[seed % len(PAIRS)]
    library = {e.name: e for e in load_library().select(None)}
    a, b = library[first].weights, library[second].weights
    n = int(round(seconds * fps))
    t = np.arange(n) / fps
    mix = np.clip((t - 0.35 * seconds) / (0.3 * seconds), 0, 1)
    mix = mix * mix * (3 - 2 * mix)  # smoothstep
    frames = ((1 - mix)[:, None] * a + mix[:, None] * b).astype(np.float32)
    syllable = rng.uniform(3.0, 4.5)  # syllables per second
    jaw = 0.25 * np.abs(np.sin(np.pi * syllable * t + rng.uniform(0, np.pi)))
    frames[:, ARKIT52.index("jawOpen")] = np.maximum(frames[:, ARKIT52.index("jawOpen")], jaw)
    funnel = 0.4 * np.clip(np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6)), 0, None) ** 2
    frames[:, ARKIT52.index("mouthFunnel")] = np.maximum(frames[:, ARKIT52.index("mouthFunnel")], funnel)
    for start in rng.uniform(0.3, seconds - 0.3, 2):  # two blinks, ~0.2 s each
        blink = np.clip(1 - np.abs(t - start) / 0.1, 0, 1)
        for side in ("Left", "Right"):
            k = ARKIT52.index(f"eyeBlink{side}")
            frames[:, k] = np.maximum(frames[:, k], blink)
    phase = rng.uniform(0, 2 * np.pi, 3)
    rate = rng.uniform(0.15, 0.35, 3)
    amp = np.radians(head_deg) * np.array([0.6, 1.0, 0.4])
    pose = (amp * np.sin(2 * np.pi * rate * t[:, None] + phase)).astype(np.float32)
    return Track(space="arkit52", channels=list(ARKIT52), fps=fps, frames=np.clip(frames, 0, 1), pose=pose,
                 text=f"{first} -> {second}", meta={"generator": "fxcli.capture.performance", "seed": seed})
