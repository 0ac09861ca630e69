"""Audio files for the talk tests, made here with ffmpeg (imageio-ffmpeg) and espeak-ng."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SENTENCE = "Hello there. I would like to tell you about my day at the market."


def ffmpeg(*args: str) -> None:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def lavfi(path: Path, source: str, seconds: float, rate: int, channels: int) -> Path:
    ffmpeg("-f", "lavfi", "-i", source, "-t", str(seconds), "-ar", str(rate), "-ac", str(channels), str(path))
    return path


def espeak(path: Path, text: str = SENTENCE, voice: str = "en-us") -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True)
    return path


def flac_declaring(path: Path, declared_seconds: float, rate: int = 8000) -> Path:
    """A short FLAC whose STREAMINFO declares `declared_seconds` of audio (the header of a long recording)."""
    lavfi(path, "sine=frequency=300", 0.5, rate, 1)
    data = bytearray(path.read_bytes())
    assert data[:4] == b"fLaC" and data[4] & 0x7F == 0  # STREAMINFO comes first
    info = 8  # after "fLaC" and the 4-byte block header
    # bytes 10..17 of STREAMINFO: 20 bits rate, 3 bits channels-1, 5 bits bits-1, 36 bits total samples
    packed = int.from_bytes(data[info + 10: info + 18], "big")
    packed = (packed & ~((1 << 36) - 1)) | int(declared_seconds * rate)
    data[info + 10: info + 18] = packed.to_bytes(8, "big")
    path.write_bytes(bytes(data))
    return path
