"""`talk --model embedded`: speech audio + instruction -> ARKit-52 track, on any CPU, no download.

Phone timing from pocketsphinx (forced alignment with a transcript, phone recognition without one;
fxcli.speech.align), visemes with coarticulation gated by the audio energy, the emotion instruction
through the expression library, motion instructions as timed actions, prosody head motion and blinks
(fxcli.talk.performance). Seeded: the same inputs and seed give the same track.
"""

from __future__ import annotations

from fxcli.errors import UsageError


class EmbeddedTalk:
    name = "embedded"
    model_id = "embedded"

    def __init__(self, arg: str | None = None, *, device: str = "auto", dtype: str = "auto"):
        if arg:
            raise UsageError(f"the embedded model takes no argument (got 'embedded:{arg}')")

    def generate(self, audio, *, transcript: str | None, instruction: str | None, seed: int, fps: float = 25.0,
                 alpha: float = 1.0):
        """(Track without `audio` set, notes for the user)."""
        from fxcli.audio.envelope import energy_envelope
        from fxcli.provenance import make_meta
        from fxcli.speech.align import align_transcript, recognise_phones
        from fxcli.talk.emotion import resolve_emotion
        from fxcli.talk.instructions import parse_instruction, schedule
        from fxcli.talk.performance import RATE, perform
        from fxcli.tracks.channels import ARKIT52
        from fxcli.tracks.track import Track

        notes: list[str] = []
        parsed = parse_instruction(instruction)
        emotion = resolve_emotion(parsed.emotion_text, alpha)
        if instruction and instruction.strip() and not parsed.actions and emotion.family == "neutral":
            notes.append(f"the instruction {instruction.strip()!r} names no emotion or motion fxe knows; "
                         "the face speaks neutrally (see `fxe talk --help` for what it understands)")
        elif emotion.unknown:
            notes.append(f"ignored the part of the instruction that names nothing known: {'; '.join(emotion.unknown)!r}")
        if audio.silent:
            timing_method, phones = "silence", []
            notes.append("the audio is silent: the mouth stays at rest (instructions still play)")
        elif transcript and transcript.strip():
            timing = align_transcript(audio.samples, audio.rate, transcript)
            timing_method, phones = timing.method, timing.phones
        else:
            timing = recognise_phones(audio.samples, audio.rate)
            timing_method, phones = timing.method, timing.phones
        energy = energy_envelope(audio.samples, audio.rate, hop=1.0 / RATE)
        actions = schedule(parsed, audio.duration)
        frames, pose, info = perform(phones, energy, audio.duration, fps=fps, emotion=emotion, actions=actions,
                                     seed=seed)
        meta = make_meta("talk", model="embedded", seed=seed,
                         params={"fps": fps, "alpha": alpha, "instruction": instruction, "transcript": transcript},
                         backend="embedded",
                         timing=timing_method,
                         emotion={"family": emotion.family, "mixture": [[n, w] for n, w in emotion.mixture],
                                  "intensity": emotion.intensity},
                         actions=[{"kind": a.kind, "start": round(a.start, 3), "duration": round(a.duration, 3),
                                   "count": a.count, "side": a.side} for a in actions],
                         phones=[[p.phone, round(p.start, 3), round(p.end, 3)] for p in phones],
                         audio_duration=round(audio.duration, 4))
        track = Track(space="arkit52", channels=list(ARKIT52), fps=float(fps), frames=frames, pose=pose,
                      text=transcript, meta=meta)
        return track, notes
