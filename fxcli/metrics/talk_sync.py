"""Metrics of talking-head videos, measured on the output frames (no SyncNet, no download).

- Lip sync: the audio's loudness envelope (fxcli.audio) against the mouth opening that FaceMesh measures
  on every frame (inner-lip gap / inter-ocular distance). Both are z-scored; their Pearson correlation is
  taken at every lag within +-max_lag frames. `sync_lag` is the best lag (positive: the mouth moves after
  the sound), `sync_corr` its correlation and `sync_conf` the peak minus the median over lags (as SyncNet
  reports an offset and a confidence).
- Jitter: mean landmark acceleration |x[t+1] - 2 x[t] + x[t-1]| over the 468 landmarks and frames, in %
  of the inter-ocular distance per frame^2.
- Identity: cosine similarity (dlib descriptors) of the source photo's face and frames spread over the clip.
- Eyes (with the source photo): `eye_shown` per frame (fxcli.metrics.eye_visibility: the share of the photo's
  open-eye pixels the frame still shows at the same place; ~1 open as in the photo, ~0 shut), the source
  brought to the frames' size as `fxe talk` does (scaled to cover, centre-cropped); `eye_shown` is its mean over
  the frames with a face, `eye_shown_late` over their second half ("close your eyes"), `eye_shown_min` the
  lowest (a blink's peak).
- AUs: FaceMesh proxy AUs active on 3 frames (at 1/4, 1/2, 3/4 of the clip; their intersection, as
  InstructAvatar takes it), relative to the source photo's own neutral when given. AU precision / recall /
  F1 (InstructAvatar's AU_F1) against the AUs of a ground-truth video (`reference`, taken the same way),
  else against the AUs the instruction (`text`) asks for (fxcli.metrics.instructavatar.instruction_aus).
  AU-Emo (recall of the emotion's typical AUs) for `emotion`, else for the instruction's emotion.
- Full judges from local weights (`--judge`): CLIP-S with `clip` (InstructAvatar's definition: the highest
  CLIP cosine between a frame and the instruction over the clip's frames, CLIP_S_FRAMES spread evenly);
  Sync-D with `syncnet`: SyncNet v2 (fxcli.metrics.syncnet) run on the clip's face crops and speech with
  the user's `syncnet_v2.model` (registry entry syncnet-v2; exit 4 with how to get it when missing):
  `sync_d` (min over offsets +-15 of the frame-mean embedding distance), `syncnet_offset` (frames, + =
  mouth after sound) and `syncnet_conf` (median minus min over offsets).
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass

import numpy as np

from fxcli.errors import InvalidInputError, NoFaceError

MAX_LAG = 8  # frames
TALK_JUDGES = ("clip", "syncnet")
CLIP_S_FRAMES = 16
MAX_VIDEO_FRAMES = 18_000  # 10 minutes at 30 fps


@dataclass
class Video:
    frames: np.ndarray  # (T, H, W, 3) uint8
    fps: float


def read_video(path: str, max_frames: int = MAX_VIDEO_FRAMES) -> Video:
    from fxcli.render.video_writer import ffmpeg_exe

    probe = subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", path], capture_output=True, timeout=60)
    info = probe.stderr.decode("utf-8", "replace")
    m = re.search(r"Video: .*?, (\d{2,5})x(\d{2,5})", info)
    f = re.search(r"([\d.]+) fps", info)
    if not m or not f:
        raise InvalidInputError(f"{path}: not a readable video")
    w, h = int(m.group(1)), int(m.group(2))
    proc = subprocess.run([ffmpeg_exe(), "-v", "error", "-nostdin", "-i", path, "-frames:v", str(max_frames),
                           "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"], capture_output=True, timeout=600)
    if proc.returncode != 0:
        raise InvalidInputError(f"{path}: not a readable video ({proc.stderr.decode('utf-8', 'replace').strip()[-200:]})")
    frames = np.frombuffer(proc.stdout, np.uint8)
    n = len(frames) // (w * h * 3)
    return Video(frames[: n * w * h * 3].reshape(n, h, w, 3), float(f.group(1)))


def track_faces(frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(T, 468, 2) FaceMesh landmarks and (T, 4) detector boxes per frame (the largest face; NaN where none)."""
    from fxcli.face import detect_faces

    out = np.full((len(frames), 468, 2), np.nan)
    boxes = np.full((len(frames), 4), np.nan)
    for i, frame in enumerate(frames):
        faces = detect_faces(np.ascontiguousarray(frame))
        if faces:
            out[i] = faces[0].landmarks[:, :2]
            boxes[i] = faces[0].box
    return out, boxes


def track_landmarks(frames: np.ndarray) -> np.ndarray:
    """(T, 468, 2) FaceMesh landmarks per frame (the largest face; NaN where no face was found)."""
    return track_faces(frames)[0]


def mouth_opening(landmarks: np.ndarray) -> np.ndarray:
    """(T,) inner-lip gap over the inter-ocular distance."""
    from fxcli.judges.geometry import LEFT_EYE_OUTER, LOWER_LIP_INNER, RIGHT_EYE_OUTER, UPPER_LIP_INNER

    iod = np.linalg.norm(landmarks[:, LEFT_EYE_OUTER] - landmarks[:, RIGHT_EYE_OUTER], axis=-1)
    gap = np.linalg.norm(landmarks[:, LOWER_LIP_INNER] - landmarks[:, UPPER_LIP_INNER], axis=-1)
    return gap / iod


def lag_correlation(mouth: np.ndarray, envelope: np.ndarray, max_lag: int = MAX_LAG) -> dict[str, float | int]:
    """Correlation of mouth[t] with envelope[t - lag] for lag in [-max_lag, max_lag] (NaNs skipped)."""
    n = min(len(mouth), len(envelope))
    mouth, envelope = np.asarray(mouth[:n], np.float64), np.asarray(envelope[:n], np.float64)
    corrs = {}
    for lag in range(-max_lag, max_lag + 1):
        a = mouth[max(lag, 0): n + min(lag, 0)]
        b = envelope[max(-lag, 0): n - max(lag, 0)]
        ok = np.isfinite(a) & np.isfinite(b)
        if ok.sum() < 5 or a[ok].std() < 1e-9 or b[ok].std() < 1e-9:
            corrs[lag] = np.nan
            continue
        corrs[lag] = float(np.corrcoef(a[ok], b[ok])[0, 1])
    values = np.array([corrs[k] for k in sorted(corrs)])
    if not np.isfinite(values).any():
        return {"sync_lag": None, "sync_corr": None, "sync_conf": None}
    best = int(np.nanargmax(values)) - max_lag
    return {"sync_lag": best, "sync_corr": round(float(corrs[best]), 4),
            "sync_conf": round(float(corrs[best] - np.nanmedian(values)), 4)}


def jitter(landmarks: np.ndarray) -> float | None:
    from fxcli.judges.geometry import LEFT_EYE_OUTER, RIGHT_EYE_OUTER

    if len(landmarks) < 3:
        return None
    iod = np.nanmedian(np.linalg.norm(landmarks[:, LEFT_EYE_OUTER] - landmarks[:, RIGHT_EYE_OUTER], axis=-1))
    acc = np.linalg.norm(landmarks[2:] - 2 * landmarks[1:-1] + landmarks[:-2], axis=-1)  # (T-2, 468)
    value = np.nanmean(acc) / iod * 100
    return round(float(value), 4) if np.isfinite(value) else None


def talk_judges(specs, text: str | None, device: str = "cpu") -> dict:
    """The full judges of `fxe score --talk --judge NAME[:ARG]`, loaded before any video work.

    UsageError for a judge that does not apply to talking videos or CLIP-S without --text; ModelMissingError
    (exit 4, with how to get them) when the weights are not on this machine."""
    from fxcli.errors import ModelMissingError, UsageError

    wanted: dict[str, str | None] = {}
    for spec in specs:
        name, sep, arg = spec.partition(":")
        if name not in TALK_JUDGES:
            raise UsageError(f"judge {name!r} does not apply to --talk", hint=f"use {' or '.join(TALK_JUDGES)}")
        wanted[name] = arg if sep else None
    out: dict = {}
    if "syncnet" in wanted:
        from fxcli import registry

        found = registry.resolve("syncnet-v2", wanted["syncnet"])
        path = found.file("syncnet_v2.model")
        dev = _torch_device(device)
        try:
            from fxcli.metrics.syncnet import load_syncnet

            out["syncnet"] = (load_syncnet(str(path), dev), dev)
        except ValueError as exc:
            raise ModelMissingError(f"model syncnet-v2 at {path} is not usable ({exc})",
                                    hint=registry.fix_hint(found.spec)) from None
    if "clip" in wanted:
        if not (text and text.strip()):
            raise UsageError("CLIP-S compares the frames with the instruction", hint="add --text INSTRUCTION")
        from fxcli.judges.image_features import ClipJudge

        out["clip"] = ClipJudge(wanted["clip"], device=device)
    return out


def clip_s_of(frames: np.ndarray, text: str, judge, n: int = CLIP_S_FRAMES) -> float | None:
    """InstructAvatar's CLIP-S: the highest cosine between the instruction and `n` evenly spread frames."""
    from fxcli.metrics.instructavatar import clip_s

    t = judge.text_embed(text)
    picks = np.unique(np.linspace(0, len(frames) - 1, min(n, len(frames))).astype(int))
    value = clip_s([float(np.dot(judge.image_embed(np.ascontiguousarray(frames[i])), t)) for i in picks])
    return None if value is None else round(value, 4)


def score_talk(video: str, *, audio: str | None = None, source: str | None = None, emotion: str | None = None,
               max_lag: int = MAX_LAG, judges: dict | None = None, text: str | None = None,
               reference: str | None = None) -> dict:
    """The metrics of the module docstring for one video (its own audio stream unless `audio` is given).

    `judges`: from `talk_judges` (CLIP-S needs `text`, the instruction); `reference`: a ground-truth video
    for AU precision / recall / F1."""
    from fxcli.audio import energy_envelope, load_audio

    clip = Video_or_error(video)
    ref_clip = Video_or_error(reference) if reference is not None else None
    try:
        sound = load_audio(audio or video)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{video}: no usable audio ({exc.message})",
                                hint="give --audio FILE with the speech") from None
    lms, boxes = track_faces(clip.frames)
    found = np.isfinite(lms[:, 0, 0])
    if not found.any():
        raise NoFaceError(f"no face found in any frame of {video}")
    env = energy_envelope(sound.samples, sound.rate, hop=1.0 / clip.fps)
    result: dict = {"video": video, "frames": len(clip.frames), "fps": clip.fps,
                    "duration": round(len(clip.frames) / clip.fps, 4), "audio_duration": round(sound.duration, 4),
                    "face_frames": int(found.sum())}
    result.update(lag_correlation(mouth_opening(lms), env, max_lag))
    result["jitter"] = jitter(lms)
    neutral = None
    if source is not None:
        result.update(_identity(source, clip, lms))
        from fxcli.face import find_face, load_image
        from fxcli.judges.geometry import au_proxies

        neutral = au_proxies(find_face(load_image(source), source=source))
        result.update(_eyes_shown(source, clip, lms, found))
    ref_aus = None
    if ref_clip is not None:
        ref_lms = track_landmarks(ref_clip.frames)
        ref_found = np.isfinite(ref_lms[:, 0, 0])
        if not ref_found.any():
            raise NoFaceError(f"no face found in any frame of {reference}")
        ref_aus = clip_aus(ref_lms, ref_found, neutral)
    result.update(au_scores(clip_aus(lms, found, neutral), emotion=emotion, reference_aus=ref_aus,
                            instruction=text))
    if judges and "clip" in judges:
        result["clip_s"] = clip_s_of(clip.frames, text or "", judges["clip"])
    if judges and "syncnet" in judges:
        from fxcli.metrics.syncnet import syncnet_evaluate

        net, dev = judges["syncnet"]
        try:
            result.update(syncnet_evaluate(net, clip.frames, clip.fps, boxes, sound.samples, sound.rate, device=dev))
        except ValueError as exc:
            raise InvalidInputError(f"{video}: Sync-D not measurable ({exc})") from None
    return result


def _torch_device(device: str | None) -> str:
    from fxcli.devices import resolve_device

    return str(resolve_device(device or "auto"))


def Video_or_error(path: str) -> Video:  # noqa: N802 - reads like a constructor
    from pathlib import Path

    if not Path(path).is_file():
        raise InvalidInputError(f"{path}: no such file")
    clip = read_video(path)
    if len(clip.frames) < 3:
        raise InvalidInputError(f"{path}: too few frames ({len(clip.frames)}) to measure motion")
    return clip


def _identity(source: str, clip: Video, lms: np.ndarray) -> dict:
    from fxcli.face import detect_faces, find_face, load_image
    from fxcli.judges.identity import IdentityJudge, similarity

    judge = IdentityJudge()
    image = load_image(source)
    ref = judge.embed(image, find_face(image, source=source))
    sims = []
    for i in np.linspace(0, len(clip.frames) - 1, 5).astype(int):
        faces = detect_faces(np.ascontiguousarray(clip.frames[i]))
        if faces:
            sims.append(similarity(ref, judge.embed(np.ascontiguousarray(clip.frames[i]), faces[0])))
    return {"identity": round(float(np.mean(sims)), 4) if sims else None}


def _eyes_shown(source: str, clip: Video, lms: np.ndarray, found: np.ndarray) -> dict:
    from fxcli.face import find_face, load_image
    from fxcli.metrics.eye_visibility import eye_shown
    from fxcli.talk.portrait import fit_image

    h, w = clip.frames.shape[1:3]
    photo = fit_image(load_image(source), (w, h))
    face = find_face(photo, source=source)
    shown = np.array([eye_shown(photo, face.landmarks, clip.frames[i], lms[i]) if found[i] else None
                      for i in range(len(clip.frames))], dtype=object)
    values = np.array([v for v in shown if v is not None], float)
    late = np.array([v for v in shown[np.flatnonzero(found)[len(np.flatnonzero(found)) // 2:]] if v is not None], float)
    if not len(values):
        return {"eye_shown": None, "eye_shown_late": None, "eye_shown_min": None}
    return {"eye_shown": _round(float(values.mean())), "eye_shown_late": _round(float(late.mean())) if len(late) else None,
            "eye_shown_min": _round(float(values.min()))}


def clip_aus(lms: np.ndarray, found: np.ndarray, neutral: dict | None) -> set[str]:
    """AUs active on all of 3 frames with a face (at 1/4, 1/2 and 3/4 of them), relative to `neutral`."""
    from fxcli.judges.geometry import active_aus, au_proxies

    idx = np.flatnonzero(found)
    picks = idx[np.linspace(len(idx) * 0.25, len(idx) * 0.75, 3).astype(int).clip(0, len(idx) - 1)]
    sets = [active_aus(au_proxies(lms[i]), neutral) for i in picks]
    return set.intersection(*sets) if sets else set()


def au_scores(aus: set[str], *, emotion: str | None = None, reference_aus: set[str] | None = None,
              instruction: str | None = None) -> dict:
    """The AU fields of a record: `aus`; AU P/R/F1 against `reference_aus` (a ground-truth video's), else
    against the instruction's AUs; AU-Emo for `emotion`, else for the instruction's emotion family."""
    from fxcli.metrics.instructavatar import au_emo, au_prf, instruction_aus

    out: dict = {"aus": sorted(aus)}
    family = None
    reference, kind = reference_aus, "reference video"
    if instruction and instruction.strip():
        asked, family = instruction_aus(instruction)
        if reference is None:
            reference, kind = asked, "instruction"
    if reference is not None:
        m = au_prf([(aus, reference)])
        out.update({"au_reference": kind, "reference_aus": sorted(reference),
                    "au_precision": _round(m["precision"]), "au_recall": _round(m["recall"]), "au_f1": _round(m["f1"])})
    if emotion or family:
        out["au_emo"] = _round(au_emo(aus, emotion or family))
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)
