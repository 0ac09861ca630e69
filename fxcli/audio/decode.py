"""Decode WAV/FLAC/MP3/OGG (any rate, any channel count) to mono float32 at SAMPLE_RATE.

The ffmpeg binary that imageio-ffmpeg ships runs as a subprocess: it reads the file, downmixes and
resamples, and writes raw float32 to a pipe. Bounded: a duration cap (default 10 minutes, environment
FXE_MAX_AUDIO_SECONDS) checked against the duration the file's header declares before decoding, and
against what was decoded (ffmpeg stops one second past the cap), so neither a long file nor a header
that lies makes fxe read hours of audio.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from fxcli.errors import InvalidInputError, UsageError

SAMPLE_RATE = 16_000  # Hz: what pocketsphinx's acoustic model expects
DEFAULT_MAX_SECONDS = 600.0
SILENCE_RMS = 1e-4  # below this (about -80 dBFS) a file counts as silent
_DURATION = re.compile(rb"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")


@dataclass
class Audio:
    samples: np.ndarray  # (N,) float32 in [-1, 1], mono
    rate: int
    path: str | None = None

    @property
    def duration(self) -> float:
        return len(self.samples) / self.rate

    @property
    def silent(self) -> bool:
        return not len(self.samples) or float(np.sqrt(np.mean(self.samples.astype(np.float64) ** 2))) < SILENCE_RMS


def max_seconds() -> float:
    """The duration cap: FXE_MAX_AUDIO_SECONDS, else 10 minutes."""
    raw = os.environ.get("FXE_MAX_AUDIO_SECONDS")
    if raw is None:
        return DEFAULT_MAX_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value > 0:
        raise UsageError(f"FXE_MAX_AUDIO_SECONDS must be a positive number of seconds, got {raw!r}")
    return value


def _ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _ffmpeg_reason(stderr: bytes) -> str:
    lines = [ln.strip() for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1] if lines else "ffmpeg could not read it"


def load_audio(path: str, *, rate: int = SAMPLE_RATE, cap: float | None = None) -> Audio:
    """Decode `path` to mono float32 at `rate`. Raises InvalidInputError for what is not usable audio."""
    cap = max_seconds() if cap is None else cap
    p = Path(path)
    if not p.is_file():
        raise InvalidInputError(f"audio file {path}: no such file" if not p.exists() else f"{path}: not a file")
    if p.stat().st_size == 0:
        raise InvalidInputError(f"audio file {path} is empty (0 bytes)")
    from fxcli.io.atomic import note_input

    note_input(path)
    ff = _ffmpeg()
    # the header's declared duration first: refuse before decoding anything long
    probe = subprocess.run([ff, "-hide_banner", "-nostdin", "-i", str(p)], capture_output=True, timeout=60)
    m = _DURATION.search(probe.stderr)
    if m:
        declared = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
        if declared > cap:
            raise InvalidInputError(f"audio file {path} lasts {_hms(declared)}, over the {_hms(cap)} limit",
                                    hint="cut it (e.g. ffmpeg -t 600) or raise FXE_MAX_AUDIO_SECONDS")
    cmd = [ff, "-hide_banner", "-loglevel", "error", "-nostdin", "-i", str(p), "-map", "0:a:0", "-vn",
           "-t", f"{cap + 1.0:.3f}", "-ac", "1", "-ar", str(rate), "-f", "f32le", "pipe:1"]
    proc = subprocess.run(cmd, capture_output=True, timeout=max(120.0, cap))
    if proc.returncode != 0:
        reason = _ffmpeg_reason(proc.stderr)
        if "matches no streams" in reason or "Stream map" in reason:
            reason = "it has no audio stream"
        raise InvalidInputError(f"audio file {path} is not readable audio ({reason})",
                                hint="give a WAV, FLAC, MP3 or OGG file")
    samples = np.frombuffer(proc.stdout, dtype="<f4").astype(np.float32)
    if not len(samples):
        raise InvalidInputError(f"audio file {path} holds no audio samples")
    if len(samples) > cap * rate:
        raise InvalidInputError(f"audio file {path} lasts over the {_hms(cap)} limit",
                                hint="cut it (e.g. ffmpeg -t 600) or raise FXE_MAX_AUDIO_SECONDS")
    if not np.isfinite(samples).all():
        raise InvalidInputError(f"audio file {path} decodes to non-finite samples")
    return Audio(np.clip(samples, -1.0, 1.0), rate, str(p))


def _hms(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def write_wav(path: str | os.PathLike, samples: np.ndarray, rate: int) -> None:
    """16-bit PCM mono WAV (used for speech made from text, muxed into videos)."""
    import io
    import wave

    pcm = (np.clip(samples, -1, 1) * 32767).round().astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    from fxcli.io.atomic import write_bytes_atomic

    write_bytes_atomic(path, buf.getvalue())
