"""Speech from text with espeak-ng (a program, GPL-3; installed by scripts/setup.sh), decoded to 16 kHz float by
ffmpeg. The same text and voice give the same speech: espeak-ng's WAV is byte-identical run to run in practice,
though a full test run has twice seen two decodes differ slightly in amplitude (same length, same timing)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from fxcli.audio.decode import Audio, load_audio
from fxcli.errors import FxeError, UsageError

MAX_TEXT_CHARS = 10_000


def espeak_voice(lang: str | None, voice: str | None) -> str:
    """espeak-ng's -v argument: LANG (default en-us), with +VARIANT for a voice such as f3 or m2."""
    base = lang or "en-us"
    if voice and "+" not in base:
        return f"{base}+{voice}"
    return base


def synthesize(text: str, *, lang: str | None = None, voice: str | None = None, speed: int | None = None) -> Audio:
    """Speak `text` with espeak-ng; returns the decoded audio (its WAV lives in a temporary folder)."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise FxeError("espeak-ng is not installed, so --text cannot be spoken",
                       hint="install it (apt-get install espeak-ng, or scripts/setup.sh), or give --audio FILE")
    if not text.strip():
        raise UsageError("--text is empty", hint="give the words to speak")
    if len(text) > MAX_TEXT_CHARS:
        raise UsageError(f"--text is too long ({len(text):,} characters, at most {MAX_TEXT_CHARS:,})")
    with tempfile.TemporaryDirectory(prefix="fxe-tts-") as tmp:
        wav = Path(tmp) / "speech.wav"
        cmd = [exe, "-v", espeak_voice(lang, voice), "-w", str(wav)]
        if speed is not None:
            cmd += ["-s", str(int(speed))]
        proc = subprocess.run(cmd + ["--", text], capture_output=True, timeout=300)
        err = proc.stderr.decode("utf-8", "replace").strip()
        if proc.returncode != 0 or not wav.is_file() or wav.stat().st_size <= 44 or err:
            raise UsageError(f"espeak-ng could not speak with voice {espeak_voice(lang, voice)!r}"
                             + (f" ({err.splitlines()[0]})" if err else ""),
                             hint="list voices with `espeak-ng --voices`; --lang en-us --voice f3 for example")
        audio = load_audio(str(wav))
    audio.path = None
    return audio
