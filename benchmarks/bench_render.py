"""Render speed: 512x512 ICT frames per second through EGL including H.264 encoding, and the software fallback.

Run: python3 benchmarks/bench_render.py [--frames 150]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--size", type=int, default=512)
    args = ap.parse_args()
    from fxcli.render import make_renderer
    from fxcli.render.render_job import render_track
    from fxcli.rigs.ict_rig import IctRig
    from fxcli.tracks import Track
    from fxcli.tracks.channels import ARKIT52

    rig = IctRig.load()
    rng = np.random.default_rng(0)
    frames = np.clip(rng.random((args.frames, 52)) * 0.6, 0, 1).astype(np.float32)
    Track("arkit52", list(ARKIT52), 25.0, frames)
    size = (args.size, args.size)
    with tempfile.TemporaryDirectory() as tmp:
        for backend, n in (("egl", args.frames), ("software", 10)):
            try:
                renderer = make_renderer(size, backend)
            except Exception as exc:  # noqa: BLE001
                print(f"{backend}: unavailable ({exc})")
                continue
            sub = Track("arkit52", list(ARKIT52), 25.0, frames[:n])
            t0 = time.perf_counter()
            render_track(sub, str(Path(tmp) / f"{backend}.mp4"), rig=rig, renderer=renderer)
            dt = time.perf_counter() - t0
            t1 = time.perf_counter()
            camera = __import__("fxcli.render", fromlist=["Camera"]).Camera.framing(rig.mesh.frame_box, size)
            for w in frames[:n]:
                renderer.render(rig.vertices(w), rig.mesh, camera)
            dr = time.perf_counter() - t1
            print(f"{backend} ({renderer.device_name}) {args.size}x{args.size}: {n / dt:.1f} frames/s with H.264 "
                  f"encoding, {n / dr:.1f} frames/s render only ({n} frames)")


if __name__ == "__main__":
    main()
