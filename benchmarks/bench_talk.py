"""`fxe talk` speed: 10 s of speech -> track, -> 512x512 portrait video, -> 3D avatar video (2-core CPU figures).

Prints, per stage, the median over --repeat runs: seconds for the track (with the transcript: forced
alignment; without: phone recognition), and frames per second for the videos (warping alone, and
end to end with H.264 encoding and the audio muxed). Loading (pocketsphinx, the expression library,
the portrait's dense fields) is timed separately: a `--jobs` batch pays it once.

Run: python3 benchmarks/bench_talk.py [--repeat 3] [--portrait tests/data/portraits/interfaces-001.jpg]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

TEXT = ("I went down to the harbour this morning, and the boats were already coming in. The fishermen "
        "were shouting, the gulls were everywhere, and the air smelled of salt and diesel. "
        "I bought two fish and walked home.")


_CPU: list[float] = []  # CPU seconds (this process + children such as ffmpeg) of the last median_time runs


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def median_time(fn, repeat: int) -> float:
    """Median wall seconds of fn(); the median CPU seconds go to _CPU (a busy machine inflates wall time,
    CPU time much less)."""
    times, cpu = [], []
    for _ in range(repeat):
        c0, t0 = _cpu_seconds(), time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(_cpu_seconds() - c0)
    _CPU[:] = [statistics.median(cpu)]
    return statistics.median(times)


def avatar_breakdown(talker, track, out: str) -> None:
    """CPU ms per frame of each stage of the 3D avatar video, one stage after the other on this thread:
    posing (blendshapes, head pose, brows), normals, OpenGL draw + readback, H.264 (ffmpeg, from memory)."""
    from fxcli.provenance import make_meta
    from fxcli.render import Camera
    from fxcli.render.video_writer import encode_video
    from fxcli.render.visible_set import frame_meshes
    from fxcli.rigs.ict_extras import browed

    rig, renderer = talker._ict, talker._renderers[(512, 512)]
    extra = browed(rig)
    mesh = extra.mesh
    camera = Camera.framing(mesh.frame_box, renderer.size)
    n = track.n_frames
    c0 = _cpu_seconds()
    posed = [extra.extend(v) for _, v in rig.sequence(track)]
    c1 = _cpu_seconds()
    normals = [mesh.vertex_normals(v) for v in posed]
    c2 = _cpu_seconds()
    frames = [renderer.render(v, mesh, camera, normals=nv) for v, nv in zip(posed, normals, strict=True)]
    c3 = _cpu_seconds()
    drawn = frame_meshes(rig, mesh, track, camera, renderer.size)
    c4 = _cpu_seconds()
    culled = [renderer.render(v, m, camera, normals=nv) for v, m, nv in zip(posed, drawn, normals, strict=True)]
    c5 = _cpu_seconds()
    encode_video(frames, out, size=renderer.size, fps=track.fps, meta=make_meta("render"))
    c6 = _cpu_seconds()
    stages = {"posing": c1 - c0, "normals": c2 - c1, "draw + readback, full mesh": c3 - c2,
              "choosing the visible set": c4 - c3, "draw + readback, visible set": c5 - c4, "H.264": c6 - c5}
    same = sum(int((a != b).any(2).sum()) for a, b in zip(frames, culled, strict=True))
    counts = sorted(len(m.triangles) for m in drawn)
    print("3D avatar 512x512 CPU per frame by stage (serial): " + ", ".join(
        f"{name} {sec / n * 1000:.1f} ms" for name, sec in stages.items())
          + f" ({len(mesh.triangles)} triangles, visible set {counts[0]}..{counts[-1]}, {same} px differ; "
          f"{renderer.device_name})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--portrait", default=str(Path(__file__).resolve().parent.parent / "tests/data/portraits/interfaces-001.jpg"))
    args = ap.parse_args()

    from fxcli.audio.decode import write_wav
    from fxcli.audio.tts import synthesize
    from fxcli.backends.talk_embedded import EmbeddedTalk
    from fxcli.render.visible_set import whole_head
    from fxcli.talk.run_talk import Talker
    from fxcli.tracks.channels import ARKIT52

    speech = synthesize(TEXT, speed=150)
    n = int(10.0 * speech.rate)
    speech.samples = speech.samples[:n]  # exactly 10 s
    print(f"speech: {speech.duration:.2f} s (espeak-ng, en-us, 150 wpm)")
    backend = EmbeddedTalk()
    t0 = time.perf_counter()
    backend.generate(speech, transcript=TEXT, instruction="talk happily, nod twice", seed=0)
    print(f"first track (loads pocketsphinx, MiniLM, library): {time.perf_counter() - t0:.2f} s")
    for label, transcript in (("with transcript", TEXT), ("without transcript", None)):
        backend.generate(speech, transcript=transcript, instruction="talk happily, nod twice", seed=0)  # warm
        s = median_time(lambda t=transcript: backend.generate(speech, transcript=t, instruction="talk happily, nod twice",
                                                             seed=0), args.repeat)
        print(f"10 s speech -> track, {label}: {s:.3f} s wall, {_CPU[0]:.3f} s CPU (target <= 1 s)")

    track, _ = backend.generate(speech, transcript=TEXT, instruction="talk happily, nod twice, then turn your "
                                "head to the left", seed=0)
    talker = Talker(backend)
    t0 = time.perf_counter()
    rig = talker.portrait_rig(args.portrait, (512, 512))
    print(f"portrait set-up (face, landmarks, 52 dense fields): {time.perf_counter() - t0:.2f} s")
    from fxcli.talk.portrait import animate

    weights = track.as_channels(list(ARKIT52))
    s = median_time(lambda: [None for _ in animate(rig, weights, track.pose)], args.repeat)
    print(f"portrait 512x512 warping only: {track.n_frames / s:.1f} frames/s wall, "
          f"{_CPU[0] / track.n_frames * 1000:.1f} ms CPU per frame (target >= 25 frames/s)")
    with tempfile.TemporaryDirectory() as tmp:
        wav = os.path.join(tmp, "s.wav")
        write_wav(wav, speech.samples, speech.rate)
        out = os.path.join(tmp, "p.mp4")
        s = median_time(lambda: talker._portrait_video(args.portrait, track, out, wav, (512, 512), 20, None),
                        args.repeat)
        print(f"portrait 512x512 video end to end (H.264 + audio): {track.n_frames / s:.1f} frames/s wall, "
              f"{_CPU[0] / track.n_frames * 1000:.1f} ms CPU per frame")
        out3 = os.path.join(tmp, "a.mp4")
        talker._avatar_video(None, track, out3, wav, (512, 512), 20, None)  # warm: EGL context, rig
        results = {}
        for label in ("full mesh", "visible set", "full mesh", "visible set"):  # interleaved: load drifts
            with whole_head() if label == "full mesh" else contextlib.nullcontext():
                s = median_time(lambda: talker._avatar_video(None, track, out3, wav, (512, 512), 20, None),
                                args.repeat)
            results.setdefault(label, []).append((s, _CPU[0]))
        for label, runs in results.items():
            s, cpu = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
            results[label] = (s, cpu)
            print(f"3D avatar 512x512 video end to end (H.264 + audio), {label}: {track.n_frames / s:.1f} frames/s "
                  f"wall, {cpu / track.n_frames * 1000:.1f} ms CPU per frame (target >= 60 frames/s)")
        (s0, c0), (s1, c1) = results["full mesh"], results["visible set"]
        print(f"3D avatar, visible set vs full mesh: {s0 / s1:.2f}x frames/s wall, {c0 / c1:.2f}x less CPU per frame")
        avatar_breakdown(talker, track, os.path.join(tmp, "b.mp4"))
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
