"""Phone timing + audio energy + emotion + motion actions -> an ARKit-52 track with head pose.

1. Visemes: each phone's mouth/jaw target (fxcli.speech.visemes) at its centre, linear in between, then
   Gaussian smoothing (coarticulation: neighbouring phones blend, lips anticipate rounding and closure).
2. Energy gate (as Rhubarb Lip Sync does): the jaw opens with the viseme's opening scaled by the audio's
   loudness, and every speech channel fades out where the audio is silent, so the mouth follows the sound
   even when the phones are only recognised, and closes in pauses.
3. Emotion: the instruction's expression weights, ramped in at the start, with a small seeded breathing
   of the apex; its lip seal yields where the jaw opens.
4. Motion actions (fxcli.talk.instructions): nod/shake oscillations, held turns/tilts/gaze, blinks,
   closed eyes, brows, smile, open mouth, with smooth onsets and offsets.
5. Prosody head motion (pitch follows the energy's slow rises: nods on stressed syllables; slow seeded
   drift) and blinks (a seeded renewal process, one likely at each long pause).
Everything random comes from one generator seeded by (seed, audio length): the same seed gives the same track.
"""

from __future__ import annotations

import numpy as np

from fxcli.tracks.channels import ARKIT52

RATE = 100.0  # Hz, internal
_I = {n: i for i, n in enumerate(ARKIT52)}
MOUTH = [i for n, i in _I.items() if n.startswith(("mouth", "jaw", "tongue", "cheekPuff"))]
_LIP_SEAL = [_I[n] for n in ("mouthPressLeft", "mouthPressRight", "mouthRollLower", "mouthRollUpper", "mouthClose")]
JAW_MAX = 0.75


def smooth(x: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian smoothing along axis 0 (sigma in samples), edges held."""
    if sigma <= 0 or len(x) == 0:
        return x
    from scipy.ndimage import gaussian_filter1d

    return gaussian_filter1d(x, sigma, axis=0, mode="nearest")


def viseme_curves(phones, n: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """(n, 52) mouth targets at RATE from timed phones (targets at phone centres, smoothed)."""
    from fxcli.speech.visemes import viseme_vector

    t = np.arange(n) / RATE
    centres, targets = [0.0], [viseme_vector("sil")]
    for p in phones:
        v = viseme_vector(p.phone)
        if p.phone == "sil" and p.end - p.start > 0.12:  # a pause: at rest for its whole length
            points = [(p.start + 0.04, v), (p.end - 0.04, v)]
        else:
            points = [(0.5 * (p.start + p.end), v * (rng.uniform(0.9, 1.1) if rng is not None else 1.0))]
        for c, target in points:
            if c > centres[-1]:
                centres.append(c)
                targets.append(target)
    centres.append(max(n / RATE, centres[-1] + 0.01))
    targets.append(viseme_vector("sil"))
    cs, tg = np.asarray(centres), np.stack(targets)
    out = np.stack([np.interp(t, cs, tg[:, c]) for c in range(len(ARKIT52))], 1)
    out = smooth(out, 0.03 * RATE)
    # lips must meet on /p b m/ however short they are (a dominant closure, not an average with neighbours)
    closure = np.zeros(n)
    for p in phones:
        if p.phone in ("P", "B", "M"):
            c, half = 0.5 * (p.start + p.end), max(0.5 * (p.end - p.start), 0.02)
            closure = np.maximum(closure, np.exp(-0.5 * ((t - c) / half) ** 2))
    opening = [_I[n] for n in ("jawOpen", "mouthLowerDownLeft", "mouthLowerDownRight", "mouthFunnel")]
    out[:, opening] *= (1.0 - 0.85 * closure)[:, None]
    return out


def _ramp(t: np.ndarray, start: float, end: float, ramp: float) -> np.ndarray:
    """0 -> 1 -> 0 with smooth (cosine) ramps of `ramp` s at each end."""
    up = np.clip((t - start) / ramp, 0, 1)
    down = np.clip((end - t) / ramp, 0, 1)
    r = np.minimum(up, down)
    return 0.5 - 0.5 * np.cos(np.pi * r)


def _blink_shape(t: np.ndarray, t0: float, rng: np.random.Generator | None, hold: float = 0.03) -> np.ndarray:
    close = rng.uniform(0.06, 0.09) if rng is not None else 0.07
    open_ = rng.uniform(0.12, 0.18) if rng is not None else 0.15
    x = t - t0
    return np.where(x < 0, 0, np.where(x < close, x / close, np.where(
        x < close + hold, 1.0, np.clip(1.0 - (x - close - hold) / open_, 0, 1))))


def apply_actions(actions, t: np.ndarray, frames: np.ndarray, pose: np.ndarray, blink: np.ndarray) -> None:
    """Add the timed motion actions to frames (n, 52), pose (n, 3: pitch, yaw, roll) and blink (n,)."""
    from fxcli.talk.instructions import NOD_PERIOD, RAMP, SHAKE_PERIOD

    def both(stem: str) -> list[int]:
        return [_I[stem + "Left"], _I[stem + "Right"]]

    for a in actions:
        end = a.start + a.duration
        if a.kind in ("nod", "shake"):
            period = NOD_PERIOD if a.kind == "nod" else SHAKE_PERIOD
            x = (t - a.start) / period
            inside = (x >= 0) & (x <= a.count)
            wave = np.where(inside, np.sin(2 * np.pi * x), 0.0)
            if a.kind == "nod":  # down first, then back up past rest a little
                pose[:, 0] += 0.16 * np.where(wave > 0, wave, 0.35 * wave)
            else:
                pose[:, 1] += 0.22 * wave
            continue
        if a.kind == "blink":
            for k in range(a.count):
                blink[:] = np.maximum(blink, _blink_shape(t, a.start + 0.35 * k, None))
            continue
        env = _ramp(t, a.start, end if not a.held_to_end else t[-1] + RAMP + 1.0, RAMP)
        sign = 1.0 if a.side == "left" else -1.0  # the avatar's own left: yaw +, roll -
        if a.kind == "turn":
            pose[:, 1] += 0.4 * sign * env
        elif a.kind == "tilt":
            pose[:, 2] += -0.25 * sign * env
        elif a.kind == "look":
            if a.side in ("left", "right"):
                # the avatar's left: the left eye looks out, the right eye in
                out_, in_ = ("eyeLookOutLeft", "eyeLookInRight") if a.side == "left" else ("eyeLookOutRight", "eyeLookInLeft")
                frames[:, _I[out_]] += 0.8 * env
                frames[:, _I[in_]] += 0.8 * env
                pose[:, 1] += 0.12 * sign * env
            else:
                stem = "eyeLookUp" if a.side == "up" else "eyeLookDown"
                frames[:, both(stem)] += 0.8 * env[:, None]
                pose[:, 0] += (-0.12 if a.side == "up" else 0.12) * env
                if a.side == "up":
                    frames[:, _I["browInnerUp"]] += 0.25 * env
        elif a.kind == "close_eyes":
            blink[:] = np.maximum(blink, env)
        elif a.kind == "raise_brows":
            frames[:, _I["browInnerUp"]] += 0.85 * env
            frames[:, both("browOuterUp")] += 0.8 * env[:, None]
            frames[:, both("eyeWide")] += 0.25 * env[:, None]
        elif a.kind == "furrow_brows":
            frames[:, both("browDown")] += 0.85 * env[:, None]
            frames[:, both("eyeSquint")] += 0.2 * env[:, None]
        elif a.kind == "smile":
            frames[:, both("mouthSmile")] += 0.65 * env[:, None]
            frames[:, both("cheekSquint")] += 0.3 * env[:, None]
        elif a.kind == "open_mouth":
            frames[:, _I["jawOpen"]] += 0.45 * env
            frames[:, both("mouthLowerDown")] += 0.2 * env[:, None]


def perform(phones, energy: np.ndarray, duration: float, *, fps: float, emotion, actions, seed: int,
            speech_gain: float = 1.0) -> tuple[np.ndarray, np.ndarray, dict]:
    """frames (T, 52) and pose (T, 3) at `fps` for a clip of `duration` s; T = round(duration * fps).

    `energy` is the 0..1 loudness at RATE (fxcli.audio.energy_envelope with hop 1/RATE).
    """
    n_out = max(1, int(round(duration * fps)))
    n = max(int(np.ceil(duration * RATE)) + 2, 2)
    t = np.arange(n) / RATE
    rng = np.random.default_rng([seed & 0xFFFFFFFF, n])
    e = np.zeros(n)
    e[: min(n, len(energy))] = energy[:n]
    e_s = smooth(e, 0.015 * RATE)

    # 1-2. speech
    speech = viseme_curves(phones, n, rng) * speech_gain
    gate = np.clip(3.0 * e_s, 0.0, 1.0)[:, None]
    speech[:, MOUTH] *= gate
    jaw = speech[:, _I["jawOpen"]]
    # loudness opens the jaw on top of the viseme's shape: open vowels wide, closures stay nearly shut
    speech[:, _I["jawOpen"]] = np.clip(jaw * (0.45 + 0.9 * e_s) + 0.12 * e_s * (jaw > 0.05), 0, JAW_MAX)

    # 3. emotion, ramped in over 0.4 s, living apex
    ramp_in = np.clip(t / 0.4, 0, 1)
    wobble = smooth(rng.normal(size=n), 0.5 * RATE)
    wobble = 1.0 + 0.06 * wobble / max(float(wobble.std()), 1e-9)
    act = (ramp_in * wobble)[:, None]
    emo = act * emotion.weights[None, :]
    opening = np.clip(2.5 * speech[:, _I["jawOpen"]], 0, 1)[:, None]
    emo[:, _LIP_SEAL] *= 1.0 - opening
    frames = emo + speech
    pose = act * emotion.head[None, :]

    # 4. motion actions
    blink = np.zeros(n)
    apply_actions(actions, t, frames, pose, blink)

    # 5. prosody: stressed syllables (rises of the slow envelope) nod the head slightly; slow drift
    slow = smooth(e, 0.12 * RATE)
    rise = np.clip(np.gradient(slow) * RATE, 0, None)
    pose[:, 0] += 0.05 * smooth(rise / max(float(rise.max()), 1e-6), 0.08 * RATE)
    for axis, amp in enumerate((0.02, 0.03, 0.012)):
        for _ in range(3):
            f, ph = rng.uniform(0.08, 0.5), rng.uniform(0, 2 * np.pi)
            pose[:, axis] += amp / 3 * np.sin(2 * np.pi * f * t + ph) * (0.5 + 0.5 * slow)
    # blinks: renewal (~17/min) plus one likely at the start of each pause of 0.3 s or more
    closed_eyes = any(a.kind == "close_eyes" for a in actions)
    times = []
    s = rng.uniform(0.4, 2.5)
    while s < duration - 0.25:
        times.append(s)
        s += rng.gamma(4.0, 3.5 / 4.0)
    quiet = e_s < 0.05
    edges = np.flatnonzero(np.diff(quiet.astype(int)) == 1)
    for k in edges:
        length = np.argmax(~quiet[k + 1:]) if (~quiet[k + 1:]).any() else n - k
        if length >= 0.3 * RATE and rng.random() < 0.6:
            times.append(t[k] + rng.uniform(0.0, 0.1))
    natural = np.zeros(n)
    for t0 in times:
        natural = np.maximum(natural, _blink_shape(t, t0, rng))
    if closed_eyes:
        natural *= 1.0 - np.clip(blink * 4, 0, 1)  # no extra blinks while the eyes are meant to be shut
    blink = np.maximum(blink, natural)
    for c in (_I["eyeBlinkLeft"], _I["eyeBlinkRight"]):
        frames[:, c] = frames[:, c] + (1.0 - frames[:, c]) * blink

    t_out = np.arange(n_out) / fps
    out = np.stack([np.interp(t_out, t, frames[:, c]) for c in range(len(ARKIT52))], 1)
    out_pose = np.stack([np.interp(t_out, t, pose[:, c]) for c in range(3)], 1)
    info = {"blinks": len(times)}
    return np.clip(out, 0, 1).astype(np.float32), out_pose.astype(np.float32), info
