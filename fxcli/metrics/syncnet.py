"""SyncNet (Chung & Zisserman 2016, "Out of time: automated lip sync in the wild") for Sync-D.

InstructAvatar reports Sync-D, the audio-visual distance of SyncNet's published `syncnet_v2.model`
(the weights the syncnet_python project distributes; registry entry `syncnet-v2`, user-supplied). This
module is fxe's own torch implementation of that network and of its evaluation, written from the
published description so that the user's state dict loads into it unchanged:

- Audio branch: 13 MFCCs per 10 ms (25 ms windows, 26 mel filters, 512-point FFT, pre-emphasis 0.97,
  lifter 22, the first coefficient replaced by the log frame energy), computed on 16 kHz speech at
  16-bit integer scale; a window is 20 MFCC frames (0.2 s) = 5 video frames at 25 frames/s.
  Conv2d stack 1-64-192-384-256-256-512 (the last 5x4 kernel reduces 13x20 to 1x1), then 512-512-1024.
- Video branch: 5 consecutive 224x224 face crops (colour, BGR channel order, pixel values 0-255).
  Conv3d stack 3-96-256-256-256-256-512 (the first kernel spans the 5 frames), then 512-512-1024.
- Face crops as the published pipeline takes them: the detector box's half side s and centre, median
  filtered over 13 frames (ends repeated); a square of side 2s(1 + 0.4) centred horizontally, from s above the box centre
  to 1.8 s below it (the mouth and chin sit in its lower half), grey (110) beyond the frame; resized to 224.
  fxe's detector is BlazeFace (the published pipeline used S3FD), so crops can differ slightly in scale.
- Offsets: video window i against audio window i + d for d in -15..15 (audio beyond either end counts as
  zero features). dist[i, d] is the euclidean distance of the two 1024-d embeddings. The frame-mean
  distance per offset is m[d] = mean_i dist[i, d]; Sync-D is its minimum (the published "min dist",
  called LSE-D by later papers), the offset is -argmin d (positive: the mouth moves after the sound, the
  sign of `sync_lag`), and the confidence is median_d m[d] - min_d m[d].

Key names of the published state dict (verified against public code): netcnnaud.*, netfcaud.*,
netcnnlip.*, netfclip.* with nn.Sequential indices (convolutions at 0, 4, 8, 11, 14, 18, batch norms one
after each; linear 0 and 3, batch norm 1 in the heads). A "module." or "__S__." prefix is accepted.
"""

from __future__ import annotations

import math

import numpy as np

VSHIFT = 15  # offsets searched, in video frames each way
FPS = 25.0
AUDIO_RATE = 16_000
MFCC_PER_FRAME = 4  # 10 ms MFCC frames per 40 ms video frame
WINDOW = 5  # video frames per window (20 MFCC frames, 0.2 s)
CROP = 224
CROP_SCALE = 0.40
CROP_PAD_VALUE = 110
BOX_MEDIAN = 13  # frames
EMBED = 1024
PUBLISHED_WIDTHS = {"audio": (64, 192, 384, 256, 256, 512), "lip": (96, 256, 256, 256, 256, 512)}
_PUBLISHED_TO_OURS = {"netcnnaud": "audio_conv", "netfcaud": "audio_fc", "netcnnlip": "lip_conv",
                      "netfclip": "lip_fc"}
_PREFIXES = ("module.", "__S__.")


# ---------------------------------------------------------------- audio features

def mel_filterbank(nfilt: int = 26, nfft: int = 512, rate: int = AUDIO_RATE, low: float = 0.0,
                   high: float | None = None) -> np.ndarray:
    """(nfilt, nfft // 2 + 1) triangular filters, evenly spaced in mel, edges on whole FFT bins."""
    high = rate / 2 if high is None else high

    def to_mel(hz):
        return 2595.0 * np.log10(1.0 + np.asarray(hz, np.float64) / 700.0)

    mels = np.linspace(to_mel(low), to_mel(high), nfilt + 2)
    hz = 700.0 * (10.0 ** (mels / 2595.0) - 1.0)
    edge = np.floor((nfft + 1) * hz / rate)
    bins = np.arange(nfft // 2 + 1, dtype=np.float64)[None, :]
    lo, mid, hi = edge[:-2, None], edge[1:-1, None], edge[2:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        rise = np.where((bins >= lo) & (bins < mid), (bins - lo) / (mid - lo), 0.0)
        fall = np.where((bins >= mid) & (bins < hi), (hi - bins) / (hi - mid), 0.0)
    return rise + fall


def mfcc(signal: np.ndarray, rate: int = AUDIO_RATE, *, numcep: int = 13, nfilt: int = 26, nfft: int = 512,
         winlen: float = 0.025, winstep: float = 0.01, preemph: float = 0.97, lifter: int = 22) -> np.ndarray:
    """(frames, numcep) MFCCs as SyncNet's audio branch was trained on (see the module docstring).

    Frames: 1 + ceil((N - win) / step) (one when N <= win), the last one zero-padded; no window function."""
    x = np.asarray(signal, np.float64).ravel()
    if not len(x):
        x = np.zeros(1)
    x = np.concatenate([x[:1], x[1:] - preemph * x[:-1]])
    win, step = int(math.floor(winlen * rate + 0.5)), int(math.floor(winstep * rate + 0.5))
    n = 1 if len(x) <= win else 1 + int(math.ceil((len(x) - win) / step))
    x = np.concatenate([x, np.zeros((n - 1) * step + win - len(x))])
    frames = np.lib.stride_tricks.sliding_window_view(x, win)[::step][:n]
    power = np.abs(np.fft.rfft(frames, nfft)) ** 2 / nfft
    tiny = np.finfo(np.float64).eps
    energy = power.sum(1)
    energy = np.where(energy == 0, tiny, energy)
    bands = power @ mel_filterbank(nfilt, nfft, rate).T
    bands = np.where(bands == 0, tiny, bands)
    logb = np.log(bands)
    k = np.arange(nfilt)
    basis = np.cos(np.pi * np.arange(numcep)[:, None] * (2 * k[None, :] + 1) / (2 * nfilt))
    basis *= np.where(np.arange(numcep) == 0, np.sqrt(1.0 / nfilt), np.sqrt(2.0 / nfilt))[:, None]
    cep = logb @ basis.T
    if lifter > 0:
        cep *= 1 + (lifter / 2.0) * np.sin(np.pi * np.arange(numcep) / lifter)
    cep[:, 0] = np.log(energy)
    return cep


def pcm16(samples: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1] at 16-bit integer scale (what the published weights saw)."""
    return np.clip(np.round(np.asarray(samples, np.float64) * 32768.0), -32768, 32767)


# ---------------------------------------------------------------- network

def build_syncnet(embed: int = EMBED, audio_widths=PUBLISHED_WIDTHS["audio"], lip_widths=PUBLISHED_WIDTHS["lip"]):
    """SyncNet v2 (torch). Widths other than the published ones give small test instances of the same
    geometry (224x224x5 video, 13x20 MFCC windows in; `embed`-d embeddings out)."""
    import torch
    from torch import nn

    def conv_block(conv, bn, ch_in, ch_out, pool=None, **kw):
        layers = [conv(ch_in, ch_out, **kw), bn(ch_out), nn.ReLU()]
        return layers + ([pool] if pool is not None else [])

    a = audio_widths
    audio = nn.Sequential(
        *conv_block(nn.Conv2d, nn.BatchNorm2d, 1, a[0], nn.MaxPool2d(1, 1), kernel_size=3, padding=1),
        *conv_block(nn.Conv2d, nn.BatchNorm2d, a[0], a[1], nn.MaxPool2d(3, (1, 2)), kernel_size=3, padding=1),
        *conv_block(nn.Conv2d, nn.BatchNorm2d, a[1], a[2], kernel_size=3, padding=1),
        *conv_block(nn.Conv2d, nn.BatchNorm2d, a[2], a[3], kernel_size=3, padding=1),
        *conv_block(nn.Conv2d, nn.BatchNorm2d, a[3], a[4], nn.MaxPool2d(3, 2), kernel_size=3, padding=1),
        *conv_block(nn.Conv2d, nn.BatchNorm2d, a[4], a[5], kernel_size=(5, 4)))
    v = lip_widths
    lip = nn.Sequential(
        *conv_block(nn.Conv3d, nn.BatchNorm3d, 3, v[0], nn.MaxPool3d((1, 3, 3), (1, 2, 2)),
                    kernel_size=(5, 7, 7), stride=(1, 2, 2)),
        *conv_block(nn.Conv3d, nn.BatchNorm3d, v[0], v[1], nn.MaxPool3d((1, 3, 3), (1, 2, 2), (0, 1, 1)),
                    kernel_size=(1, 5, 5), stride=(1, 2, 2), padding=(0, 1, 1)),
        *conv_block(nn.Conv3d, nn.BatchNorm3d, v[1], v[2], kernel_size=(1, 3, 3), padding=(0, 1, 1)),
        *conv_block(nn.Conv3d, nn.BatchNorm3d, v[2], v[3], kernel_size=(1, 3, 3), padding=(0, 1, 1)),
        *conv_block(nn.Conv3d, nn.BatchNorm3d, v[3], v[4], nn.MaxPool3d((1, 3, 3), (1, 2, 2)),
                    kernel_size=(1, 3, 3), padding=(0, 1, 1)),
        *conv_block(nn.Conv3d, nn.BatchNorm3d, v[4], v[5], kernel_size=(1, 6, 6)))

    def head(width):
        return nn.Sequential(nn.Linear(width, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Linear(512, embed))

    class SyncNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.audio_conv, self.audio_fc = audio, head(a[5])
            self.lip_conv, self.lip_fc = lip, head(v[5])

        def embed_audio(self, x: torch.Tensor) -> torch.Tensor:  # (N, 1, 13, 20) -> (N, embed)
            return self.audio_fc(self.audio_conv(x).flatten(1))

        def embed_video(self, x: torch.Tensor) -> torch.Tensor:  # (N, 3, 5, 224, 224) -> (N, embed)
            return self.lip_fc(self.lip_conv(x).flatten(1))

    return SyncNet()


def map_state_dict(state: dict) -> dict:
    """The published key names (netcnnaud.*, ...; optional module./__S__. prefix) -> this module's names.

    KeyError naming the first key that is not SyncNet's."""
    out = {}
    for key, value in state.items():
        name = key
        for prefix in _PREFIXES:
            if name.startswith(prefix):
                name = name[len(prefix):]
        head, dot, rest = name.partition(".")
        if head not in _PUBLISHED_TO_OURS or not dot:
            raise KeyError(f"unexpected key {key!r}")
        out[f"{_PUBLISHED_TO_OURS[head]}.{rest}"] = value
    return out


def load_syncnet(path: str, device: str = "cpu"):
    """The published weights in `path` loaded into `build_syncnet()`, in eval mode.

    ValueError with the reason when the file is not SyncNet v2's state dict (wrong or missing keys,
    wrong shapes, not a torch file)."""
    import pickle
    import struct

    import torch

    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except (RuntimeError, OSError, ValueError, EOFError, pickle.UnpicklingError, struct.error, AttributeError) as exc:
        raise ValueError(f"not a torch state dict ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") \
            from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError("not a state dict of tensors")
    try:
        mapped = map_state_dict(state)
    except KeyError as exc:
        raise ValueError(exc.args[0]) from None
    net = build_syncnet()
    own = net.state_dict()
    missing = [k for k in own if k not in mapped and not k.endswith("num_batches_tracked")]
    if missing:
        raise ValueError(f"{len(missing)} tensors missing, e.g. {missing[0]}")
    for k, v in mapped.items():
        if k not in own:
            raise ValueError(f"unexpected key {k!r}")
        if tuple(v.shape) != tuple(own[k].shape):
            raise ValueError(f"{k}: shape {tuple(v.shape)}, SyncNet v2 has {tuple(own[k].shape)}")
    net.load_state_dict(mapped, strict=False)
    return net.eval().to(device)


# ---------------------------------------------------------------- video crops

def _median_filter(x: np.ndarray, k: int = BOX_MEDIAN) -> np.ndarray:
    """Running median over k samples, the end values repeated beyond the ends (the published pipeline pads
    with zeros, harmless on its tracks of 100 frames or more, wrong on a clip shorter than k / 2)."""
    half = k // 2
    padded = np.concatenate([np.full(half, x[0]), x, np.full(half, x[-1])])
    return np.median(np.lib.stride_tricks.sliding_window_view(padded, k), axis=1)


def _fill_missing(values: np.ndarray) -> np.ndarray:
    """Linear interpolation over NaN rows (nearest value beyond the ends)."""
    t = np.arange(len(values))
    ok = np.isfinite(values)
    return np.interp(t, t[ok], values[ok])


def crop_boxes(boxes: np.ndarray) -> np.ndarray:
    """(T, 3) smoothed (cx, cy, s) from detector boxes (T, 4) x0, y0, x1, y1 (NaN rows: no face)."""
    boxes = np.asarray(boxes, np.float64)
    if not np.isfinite(boxes).all(1).any():
        raise ValueError("no face in any frame")
    half = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]) / 2
    cx, cy = (boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2
    return np.stack([_median_filter(_fill_missing(v)) for v in (cx, cy, half)], 1)


def face_crop(frame_rgb: np.ndarray, cx: float, cy: float, s: float) -> np.ndarray:
    """(224, 224, 3) float32 BGR crop of one frame (see the module docstring for its placement)."""
    import cv2

    cs = CROP_SCALE
    pad = int(s * (1 + 2 * cs))
    padded = cv2.copyMakeBorder(np.ascontiguousarray(frame_rgb[..., ::-1]), pad, pad, pad, pad,
                                cv2.BORDER_CONSTANT, value=(CROP_PAD_VALUE,) * 3)
    my, mx = cy + pad, cx + pad
    face = padded[int(my - s):int(my + s * (1 + 2 * cs)), int(mx - s * (1 + cs)):int(mx + s * (1 + cs))]
    return cv2.resize(face, (CROP, CROP), interpolation=cv2.INTER_LINEAR).astype(np.float32)


def frames_at(n_frames: int, fps: float, rate: float = FPS) -> np.ndarray:
    """Indices of a clip's frames shown at each 1/rate s step (a clip of another frame rate at 25 fps)."""
    n = int(math.floor(n_frames / fps * rate + 1e-6))
    return np.minimum(np.floor(np.arange(n) * fps / rate + 1e-6).astype(int), n_frames - 1)


# ---------------------------------------------------------------- offsets and scores

def offset_distances(video: np.ndarray, audio: np.ndarray, vshift: int = VSHIFT) -> np.ndarray:
    """(N, 2 vshift + 1): dist[i, j] = |video[i] - audio[i + j - vshift] + 1e-6| (zero audio beyond the ends;
    the 1e-6 as torch's pairwise_distance adds)."""
    video, audio = np.asarray(video, np.float64), np.asarray(audio, np.float64)
    n = len(video)
    padded = np.concatenate([np.zeros((vshift, audio.shape[1])), audio[:n], np.zeros((vshift, audio.shape[1]))])
    out = np.empty((n, 2 * vshift + 1))
    for j in range(2 * vshift + 1):
        out[:, j] = np.linalg.norm(video - padded[j:j + n] + 1e-6, axis=1)
    return out


def sync_scores(dists: np.ndarray, vshift: int = VSHIFT) -> dict:
    """Sync-D (min over offsets of the frame-mean distance), offset (frames; + = mouth after sound), confidence."""
    mean = np.asarray(dists, np.float64).mean(0)
    best = int(np.argmin(mean))
    return {"sync_d": round(float(mean[best]), 4), "syncnet_offset": vshift - best,
            "syncnet_conf": round(float(np.median(mean) - mean[best]), 4)}


def embeddings(net, crops: np.ndarray, cepstra: np.ndarray, n_windows: int, batch: int = 20,
               device: str = "cpu") -> tuple[np.ndarray, np.ndarray]:
    """(video, audio) embeddings of windows 0..n_windows-1: frames i..i+4 and MFCC frames 4i..4i+19."""
    import torch

    vids, auds = [], []
    with torch.inference_mode():
        for start in range(0, n_windows, batch):
            idx = range(start, min(n_windows, start + batch))
            v = np.stack([crops[i:i + WINDOW] for i in idx])  # (B, 5, H, W, 3)
            v = torch.from_numpy(np.ascontiguousarray(v.transpose(0, 4, 1, 2, 3))).float().to(device)
            a = np.stack([cepstra[MFCC_PER_FRAME * i:MFCC_PER_FRAME * i + MFCC_PER_FRAME * WINDOW].T for i in idx])
            a = torch.from_numpy(a[:, None]).float().to(device)
            vids.append(net.embed_video(v).double().cpu().numpy())
            auds.append(net.embed_audio(a).double().cpu().numpy())
    return np.concatenate(vids), np.concatenate(auds)


def syncnet_evaluate(net, frames: np.ndarray, fps: float, boxes: np.ndarray, samples: np.ndarray,
                     rate: int = AUDIO_RATE, vshift: int = VSHIFT, device: str = "cpu") -> dict:
    """Sync-D, offset and confidence of a talking clip: RGB frames (T, H, W, 3) at `fps`, detector boxes
    (T, 4), mono speech `samples` in [-1, 1] at 16 kHz. ValueError when too short or faceless."""
    if rate != AUDIO_RATE:
        raise ValueError(f"SyncNet needs {AUDIO_RATE} Hz audio, got {rate}")
    pick = frames_at(len(frames), fps)
    track = crop_boxes(np.asarray(boxes)[pick])
    pcm = pcm16(samples)
    n = min(len(pick), len(pcm) // (AUDIO_RATE // int(FPS)))
    n_windows = n - WINDOW
    if n_windows < 1:
        raise ValueError(f"too short for SyncNet: {n} frames at 25 frames/s, it needs {WINDOW + 1}")
    crops = np.stack([face_crop(frames[pick[i]], *track[i]) for i in range(n)])
    video, audio = embeddings(net, crops, mfcc(pcm, AUDIO_RATE), n_windows, device=device)
    out = sync_scores(offset_distances(video, audio, vshift), vshift)
    out["syncnet_windows"] = n_windows
    return out
