"""Audio in: any file ffmpeg reads -> mono float32 at a fixed rate; energy envelope; speech from text (espeak-ng)."""

from fxcli.audio.decode import SAMPLE_RATE, Audio, load_audio
from fxcli.audio.envelope import energy_envelope

__all__ = ["SAMPLE_RATE", "Audio", "energy_envelope", "load_audio"]
