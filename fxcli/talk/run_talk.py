"""One `fxe talk` job: source + audio (or text) + instruction -> a track, a portrait video or an avatar video."""

from __future__ import annotations

import functools
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from fxcli.errors import InvalidInputError, UsageError
from fxcli.io.same_file import refuse_output_is_input

TRACK_SUFFIXES = (".json", ".jsonl", ".npz")
PORTRAIT_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp")
IDENTITY_SUFFIXES = (".npy", ".json")
MAX_FPS = 120.0


def output_is_track(output: str) -> bool:
    return output == "-" or Path(output).suffix.lower() in TRACK_SUFFIXES


def source_kind(source: str) -> str:
    """'portrait' (a photo), 'ict' (the ICT head) or 'identity' (ICT identity coefficients, .npy or JSON)."""
    if source.lower() == "ict":
        return "ict"
    suffix = Path(source).suffix.lower()
    if suffix in PORTRAIT_SUFFIXES:
        return "portrait"
    if suffix in IDENTITY_SUFFIXES:
        return "identity"
    raise UsageError(f"cannot tell what SOURCE {source!r} is",
                     hint="give a portrait photo (.jpg/.png), `ict`, or an identity file (.npy or JSON list)")


def check_options(fps: float, alpha: float) -> None:
    from fxcli.render.video_writer import MIN_FPS

    if not (math.isfinite(fps) and MIN_FPS <= fps <= MAX_FPS):
        raise UsageError(f"--fps must be in [{MIN_FPS:g}, {MAX_FPS:g}], got {fps!r}")
    if not (math.isfinite(alpha) and 0 <= alpha <= 3):
        raise UsageError(f"--alpha must be in [0, 3], got {alpha!r}")


def espeak_variants() -> list[str] | None:
    """The voice variants espeak-ng has (`espeak-ng --voices=variant`: f3, m2, adam ...), or None without it."""
    import shutil
    import subprocess

    exe = shutil.which("espeak-ng")
    if exe is None:
        return None
    listing = subprocess.run([exe, "--voices=variant"], capture_output=True, text=True, check=False).stdout
    return [field[3:] for line in listing.splitlines()[1:] for field in line.split() if field.startswith("!v/")]


def check_voice(voice: str | None) -> None:
    """UsageError unless `voice` is one of espeak-ng's voice variants (espeak-ng itself ignores unknown ones)."""
    if voice is None:
        return
    variants = espeak_variants()
    if variants is not None and voice.lower() not in {v.lower() for v in variants}:
        raise UsageError(f"unknown --voice {voice!r}",
                         hint="choose a variant `espeak-ng --voices=variant` lists, e.g. f3, m2 or adam")


class Talker:
    """Holds what a batch loads once: the backend, the editor, renderers and rigs."""

    def __init__(self, backend) -> None:
        self.backend = backend
        self._editor = None
        self._ict = None
        self._renderers: dict[tuple, Any] = {}
        self._portraits: dict[tuple, Any] = {}

    def editor(self):
        if self._editor is None:
            from fxcli.backends.edit_embedded import EmbeddedEditor

            self._editor = EmbeddedEditor()
        return self._editor

    def portrait_rig(self, source: str, size: tuple[int, int]):
        key = (os.path.abspath(source), size)
        if key not in self._portraits:
            from fxcli.face import find_face, load_image
            from fxcli.io.atomic import note_input
            from fxcli.talk.portrait import build_rig, fit_image

            image = fit_image(load_image(source), size)
            note_input(source)  # later jobs of a batch may not write over it either
            face = find_face(image, source=source)
            self._portraits = {key: build_rig(image, face, self.editor())}  # keep one: photos are large
        return self._portraits[key]

    def run(self, *, source: str, output: str, audio: str | None, text: str | None, transcript: str | None,
            instruction: str | None, fps: float, alpha: float, size: tuple[int, int], voice: str | None,
            lang: str | None, crf: int, seed: int, warn, progress=None) -> dict[str, Any]:
        from fxcli.audio import load_audio
        from fxcli.audio.tts import synthesize

        check_options(fps, alpha)
        if audio and text is not None:
            raise UsageError("give --audio or --text, not both", hint="--transcript gives the words of --audio")
        if not audio and text is None:
            raise UsageError("nothing to say", hint="give --audio FILE or --text TEXT")
        if (voice or lang) and audio:
            raise UsageError("--voice and --lang choose espeak-ng's voice for --text; they do not apply to --audio")
        check_voice(voice)
        kind = source_kind(source)
        is_track = output_is_track(output)
        if kind != "ict" and not Path(source).is_file():
            raise InvalidInputError(f"{source}: no such file")
        refuse_output_is_input(("-o", output), [("SOURCE", source if kind != "ict" else None), ("--audio", audio)])
        if not is_track:
            from fxcli.render.video_writer import output_kind

            if output_kind(output) not in ("video", "gif"):
                raise UsageError(f"talk writes a video (.mp4/.mov/.mkv/.gif) or a track (.json/.jsonl/.npz), "
                                 f"not {output!r}")
        if kind == "portrait" and not is_track:
            self.portrait_rig(source, size)  # no face -> exit 5 before any audio work
        if audio:
            clip = load_audio(audio)
        else:
            clip = synthesize(text, lang=lang, voice=voice)
            transcript = transcript or text
        track, notes = self.backend.generate(clip, transcript=transcript, instruction=instruction, seed=seed,
                                             fps=fps, alpha=alpha)
        for note in notes:
            warn(note)
        track.meta["params"]["source"] = Path(source).name if kind != "ict" else "ict"
        with tempfile.TemporaryDirectory(prefix="fxe-talk-") as tmp:
            wav = audio
            if is_track:
                wav = self._keep_audio(clip, audio, output)
                track.audio = wav
                from fxcli.tracks import write_tracks
                from fxcli.tracks.track_io import dumps_track

                if output == "-":
                    import sys

                    sys.stdout.write(dumps_track(track) + "\n")
                    sys.stdout.flush()
                else:
                    write_tracks([track], output)
                return {"output": output, "frames": track.n_frames, "fps": fps, "duration": track.duration,
                        "audio_duration": round(clip.duration, 4), "timing": track.meta.get("timing")}
            if wav is None:
                from fxcli.audio.decode import write_wav

                wav = str(Path(tmp) / "speech.wav")
                write_wav(wav, clip.samples, clip.rate)
            if progress is not None:  # the frame count is known once the track is made
                progress = functools.partial(_with_total, progress, track.n_frames)
            if kind == "portrait":
                summary = self._portrait_video(source, track, output, wav, size, crf, progress)
            else:
                summary = self._avatar_video(source if kind == "identity" else None, track, output, wav, size, crf,
                                             progress)
        summary.update({"audio_duration": round(clip.duration, 4), "timing": track.meta.get("timing")})
        return summary

    @staticmethod
    def _keep_audio(clip, audio: str | None, output: str) -> str | None:
        """The audio path a track records: the given file, or the spoken text saved beside the track."""
        if output == "-":
            return os.path.abspath(audio) if audio else None
        out_dir = Path(output).resolve().parent
        if audio is None:
            from fxcli.audio.decode import write_wav

            wav = Path(output).with_suffix(".wav")
            write_wav(wav, clip.samples, clip.rate)
            return wav.name
        return os.path.relpath(os.path.abspath(audio), out_dir)

    def _portrait_video(self, source, track, output, wav, size, crf, progress) -> dict[str, Any]:
        from fxcli.provenance import make_meta
        from fxcli.render.video_writer import encode_video
        from fxcli.talk.portrait import animate

        rig = self.portrait_rig(source, size)
        frames = animate(rig, track.as_channels(_arkit()), track.pose)
        meta = make_meta("talk", model=track.meta.get("model"), seed=track.meta.get("seed"),
                         params={**track.meta.get("params", {}), "size": f"{size[0]}x{size[1]}", "crf": crf},
                         timing=track.meta.get("timing"), emotion=track.meta.get("emotion"),
                         actions=track.meta.get("actions"))
        count = encode_video(_ahead(frames), output, size=size, fps=track.fps, meta=meta, crf=crf, audio=wav,
                             n_frames=track.n_frames, progress=progress)
        return {"output": output, "frames": count, "fps": track.fps, "duration": count / track.fps}

    def _avatar_video(self, identity_file, track, output, wav, size, crf, progress) -> dict[str, Any]:
        from fxcli.render import make_renderer
        from fxcli.render.render_job import load_identity, render_track

        if self._ict is None:
            from fxcli.rigs.ict_rig import IctRig

            self._ict = IctRig.load()
        if size not in self._renderers:
            self._renderers[size] = make_renderer(size, "auto")
        ident = load_identity(identity_file)
        summary = render_track(track, output, rig=self._ict, renderer=self._renderers[size], identity=ident,
                               crf=crf, audio=wav, progress=progress)
        return summary


def _with_total(progress, total: int, done: int) -> None:
    progress(done, total)


def _arkit() -> list[str]:
    from fxcli.tracks.channels import ARKIT52

    return list(ARKIT52)


def _ahead(frames):
    from fxcli.render.pipeline import run_ahead

    return run_ahead(frames, depth=3, name="fxe-talk-warp")


__all__ = ["Talker", "np"]
