"""(audio, track, instruction) triples for `fxe train instructavatar`.

A data folder holds either
- `manifest.jsonl`: one object per clip, {"audio": "a.wav", "track": "a.json", "instruction": "talk happily",
  "intensity": 0.8 (optional)}, paths relative to the manifest; or
- track files (*.json, *.jsonl, *.npz, space arkit52) whose `audio` names the speech (relative to the track's
  folder) and whose meta.params.instruction holds the instruction, as `fxe talk -o clip.json` writes them
  (so the embedded backend's output can seed a model before real data exists).
Tracks are resampled to the model's 25 frames/s and cut into windows of at most `max_len` frames. Each
example's motion is the 52 ARKit weights + the head pose (zeros when the track has none).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fxcli.errors import InvalidInputError

# ARKit channels -> the AU each one mostly is (FACS correspondences used by ARKit rigs)
AU_OF_CHANNEL = {"browInnerUp": "AU1", "browOuterUpLeft": "AU2", "browOuterUpRight": "AU2", "browDownLeft": "AU4",
                 "browDownRight": "AU4", "eyeWideLeft": "AU5", "eyeWideRight": "AU5", "cheekSquintLeft": "AU6",
                 "cheekSquintRight": "AU6", "eyeSquintLeft": "AU7", "eyeSquintRight": "AU7",
                 "noseSneerLeft": "AU9", "noseSneerRight": "AU9", "mouthSmileLeft": "AU12",
                 "mouthSmileRight": "AU12", "mouthFrownLeft": "AU15", "mouthFrownRight": "AU15",
                 "mouthShrugLower": "AU17", "mouthStretchLeft": "AU20", "mouthStretchRight": "AU20",
                 "mouthPressLeft": "AU23", "mouthPressRight": "AU23", "jawOpen": "AU26", "eyeBlinkLeft": "AU43",
                 "eyeBlinkRight": "AU43"}
AU_ACTIVE = 0.2  # mean channel weight over the clip above which its AU counts as active


@dataclass
class Example:
    motion: np.ndarray  # (T, 55) float32
    audio: np.ndarray  # (T, audio_dim) float32
    instruction: str
    aus: np.ndarray  # (n_aus,) float32 in {0, 1}
    intensity: float


def active_aus(frames: np.ndarray, au_names: tuple[str, ...]) -> np.ndarray:
    """(n_aus,) 1 where an ARKit channel of that AU averages above AU_ACTIVE (lips part: jaw above 0.1)."""
    from fxcli.tracks.channels import ARKIT52

    mean = frames[:, :52].mean(0)
    out = np.zeros(len(au_names), np.float32)
    for c, name in enumerate(ARKIT52):
        au = AU_OF_CHANNEL.get(name)
        if au in au_names and mean[c] > AU_ACTIVE:
            out[au_names.index(au)] = 1.0
    if "AU25" in au_names and mean[ARKIT52.index("jawOpen")] > 0.1:
        out[au_names.index("AU25")] = 1.0
    return out


def _resample(frames: np.ndarray, fps: float, target: float) -> np.ndarray:
    if abs(fps - target) < 1e-6:
        return frames
    n = max(1, int(round(len(frames) / fps * target)))
    t_src = np.arange(len(frames)) / fps
    t_dst = np.arange(n) / target
    return np.stack([np.interp(t_dst, t_src, frames[:, c]) for c in range(frames.shape[1])], 1).astype(np.float32)


def motion_of(track, fps: float) -> np.ndarray:
    """(T, 55): ARKit weights + pose at `fps`."""
    from fxcli.tracks.channels import ARKIT52

    if track.space != "arkit52":
        raise InvalidInputError(f"instructavatar trains on arkit52 tracks, got space {track.space!r}")
    pose = track.pose if track.pose is not None else np.zeros((track.n_frames, 3), np.float32)
    return _resample(np.concatenate([track.as_channels(list(ARKIT52)), pose], 1).astype(np.float32), track.fps, fps)


def _items(folder: Path) -> list[dict]:
    from fxcli.tracks import read_tracks

    manifest = folder / "manifest.jsonl"
    items = []
    if manifest.is_file():
        for n, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                tracks = read_tracks(str(folder / rec["track"]))
                items.append({"track": tracks[0], "audio": str(folder / rec["audio"]),
                              "instruction": str(rec.get("instruction", "")),
                              "intensity": rec.get("intensity")})
            except (ValueError, KeyError, TypeError) as exc:
                raise InvalidInputError(f"{manifest}: line {n}: {exc}") from None
        return items
    files = sorted(p for p in folder.iterdir() if p.suffix in (".json", ".jsonl", ".npz") and p.name != "config.json")
    for p in files:
        for track in read_tracks(str(p)):
            if not track.audio:
                raise InvalidInputError(f"{p}: a track without `audio`", hint="use a manifest.jsonl (see --help)")
            params = (track.meta or {}).get("params", {})
            emotion = (track.meta or {}).get("emotion", {})
            items.append({"track": track, "audio": str(p.parent / track.audio),
                          "instruction": str(params.get("instruction") or ""),
                          "intensity": emotion.get("intensity")})
    return items


def load_examples(data: str, *, max_len: int, fps: float, audio_features, au_names: tuple[str, ...]) -> list[Example]:
    """Every clip of `data`, cut into windows of at most `max_len` frames; `audio_features(audio, n)` -> (n, D)."""
    from fxcli.audio import load_audio

    folder = Path(data)
    if not folder.is_dir():
        raise InvalidInputError(f"{data}: not a folder", hint="give a folder with manifest.jsonl or talk tracks")
    items = _items(folder)
    if not items:
        raise InvalidInputError(f"{data}: no training clips found (manifest.jsonl or track files)")
    out = []
    for it in items:
        motion = motion_of(it["track"], fps)
        clip = load_audio(it["audio"])
        feats = audio_features(clip, len(motion))  # (T, D)
        intensity = float(it["intensity"]) if it["intensity"] is not None else 0.0
        aus = active_aus(motion, au_names)
        for s in range(0, len(motion), max_len):
            m = motion[s: s + max_len]
            if len(m) >= 2:
                out.append(Example(m, feats[s: s + max_len], it["instruction"], aus, intensity))
    return out


def collate(batch: list[Example], mean: np.ndarray, std: np.ndarray, text_cache: dict):
    """Padded tensors: motion (B, T, M) normalised, audio (B, T, D), pad (B, T), text (B, L, H), mask (B, L),
    aus (B, n_aus), intensity (B,)."""
    import torch

    b = len(batch)
    n = max(len(e.motion) for e in batch)
    m_dim, a_dim = batch[0].motion.shape[1], batch[0].audio.shape[1]
    motion = torch.zeros(b, n, m_dim)
    audio = torch.zeros(b, n, a_dim)
    pad = torch.ones(b, n, dtype=torch.bool)
    for i, e in enumerate(batch):
        k = len(e.motion)
        motion[i, :k] = torch.from_numpy((e.motion - mean) / std)
        audio[i, :k] = torch.from_numpy(e.audio)
        pad[i, :k] = False
    toks = [text_cache[e.instruction] for e in batch]  # (L_i, H) each
    length = max(t.shape[0] for t in toks)
    text = torch.zeros(b, length, toks[0].shape[1])
    mask = torch.zeros(b, length, dtype=torch.long)
    for i, t in enumerate(toks):
        text[i, : t.shape[0]] = t
        mask[i, : t.shape[0]] = 1
    aus = torch.from_numpy(np.stack([e.aus for e in batch]))
    intensity = torch.tensor([e.intensity for e in batch], dtype=torch.float32)
    return motion, audio, pad, text, mask, aus, intensity
