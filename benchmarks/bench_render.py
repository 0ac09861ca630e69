"""Render speed: 512x512 ICT frames per second through EGL (render only and with H.264), and the software fallback.

Prints, per measurement, the median over --repeat runs of frames/s and the CPU time per frame (this process
plus ffmpeg). "serial" is the plain loop `renderer.render(rig.vertices(w), ...)` one frame after the other;
"pipelined" is `render_frames` (posing on a worker thread while the renderer draws), which `fxe render` uses;
it draws only the ICT triangles of the visible set (fxcli.render.visible_set), and is timed again drawing them all.

Run: python3 benchmarks/bench_render.py [--frames 150] [--repeat 3] [--size 512]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def _cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _measure(run, n: int, repeat: int) -> tuple[float, float]:
    """(median frames/s, median CPU ms per frame) of `run()` rendering n frames."""
    fps, cpu = [], []
    for _ in range(repeat):
        c0, t0 = _cpu_seconds(), time.perf_counter()
        run()
        fps.append(n / (time.perf_counter() - t0))
        cpu.append((_cpu_seconds() - c0) / n * 1000)
    return statistics.median(fps), statistics.median(cpu)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--software-frames", type=int, default=10)
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    from fxcli.render import Camera, make_renderer, render_frames
    from fxcli.render.render_job import render_track
    from fxcli.render.visible_set import whole_head
    from fxcli.rigs.ict_rig import IctRig
    from fxcli.tracks import Track
    from fxcli.tracks.channels import ARKIT52

    rig = IctRig.load()
    rng = np.random.default_rng(0)
    weights = np.clip(rng.random((args.frames, 52)) * 0.6, 0, 1).astype(np.float32)
    size = (args.size, args.size)
    camera = Camera.framing(rig.mesh.frame_box, size)
    label = f"{args.size}x{args.size}"
    with tempfile.TemporaryDirectory() as tmp:
        for backend, n in (("egl", args.frames), ("software", args.software_frames)):
            try:
                renderer = make_renderer(size, backend)
            except Exception as exc:  # noqa: BLE001
                print(f"{backend}: unavailable ({exc})")
                continue
            track = Track("arkit52", list(ARKIT52), 25.0, weights[:n])
            out = str(Path(tmp) / f"{backend}.mp4")
            render_track(Track("arkit52", list(ARKIT52), 25.0, weights[:2]), out, rig=rig, renderer=renderer)  # warm-up
            repeat = args.repeat if backend == "egl" else 1

            def serial(renderer=renderer, n=n) -> None:
                for w in weights[:n]:
                    renderer.render(rig.vertices(w), rig.mesh, camera)

            def pipelined(renderer=renderer, track=track) -> None:
                for _ in render_frames(rig, track, renderer):
                    pass

            def encoded(renderer=renderer, track=track, out=out) -> None:
                render_track(track, out, rig=rig, renderer=renderer)

            s_fps, s_cpu = _measure(serial, n, repeat)
            p_fps, p_cpu = _measure(pipelined, n, repeat)
            e_fps, e_cpu = _measure(encoded, n, repeat)
            print(f"{backend} ({renderer.device_name}) {label}, {n} frames, median of {repeat}:")
            print(f"  render only, serial:    {s_fps:6.1f} frames/s  {s_cpu:5.1f} ms CPU/frame")
            print(f"  render only, pipelined: {p_fps:6.1f} frames/s  {p_cpu:5.1f} ms CPU/frame  "
                  f"({p_fps / s_fps:.2f}x serial)")
            print(f"  with H.264 encoding:    {e_fps:6.1f} frames/s  {e_cpu:5.1f} ms CPU/frame (incl. ffmpeg)")
            if backend == "egl":  # the same two runs drawing every triangle (no visible set)
                with whole_head():
                    fp_fps, fp_cpu = _measure(pipelined, n, repeat)
                    fe_fps, fe_cpu = _measure(encoded, n, repeat)
                print(f"  pipelined, full mesh:   {fp_fps:6.1f} frames/s  {fp_cpu:5.1f} ms CPU/frame  "
                      f"(visible set: {p_fps / fp_fps:.2f}x frames/s, {fp_cpu / p_cpu:.2f}x less CPU)")
                print(f"  H.264, full mesh:       {fe_fps:6.1f} frames/s  {fe_cpu:5.1f} ms CPU/frame  "
                      f"(visible set: {e_fps / fe_fps:.2f}x frames/s, {fe_cpu / e_cpu:.2f}x less CPU)")


if __name__ == "__main__":
    main()
