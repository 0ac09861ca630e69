"""Capture round trip: render known arkit52 tracks on the ICT head, capture them back, report the error.

    python3 benchmarks/eval_capture.py [--out DIR] [--size 384]

Each track is a seeded performance (fxcli.capture.performance: an expression easing into another,
speech-like jaw and lip motion, blinks, a slowly turning head), is rendered with `fxe
render` (front view, a sampled identity per track so the fit does not see the generic head it was
calibrated on), and captured with `fxe track capture`. Prints, per track and overall, the mean absolute
error per channel group (brows, eyes, mouth incl. cheeks/nose, jaw: ARKit weight units) and of the head
pose (degrees, per axis), and the correlation of captured and true curves for channels that move.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def fxe(*args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "fxcli", *args], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"fxe {' '.join(args)}: exit {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def group_errors(true, captured) -> dict[str, float]:
    from fxcli.plot.channel_groups import GROUPS
    from fxcli.tracks.channels import ARKIT52

    a, b = true.as_channels(ARKIT52), captured.as_channels(ARKIT52)
    out = {g: float(np.abs(a[:, [ARKIT52.index(n) for n in names]] - b[:, [ARKIT52.index(n) for n in names]]).mean())
           for g, names in GROUPS.items()}
    pose_true = true.pose if true.pose is not None else np.zeros((true.n_frames, 3))
    err = np.degrees(np.abs(pose_true - captured.pose)).mean(0)
    out.update({"pitch_deg": float(err[0]), "yaw_deg": float(err[1]), "roll_deg": float(err[2])})
    moving = [k for k in range(52) if a[:, k].std() > 0.03]
    # a captured curve that stays flat follows nothing: correlation 0 (corrcoef would divide by 0)
    out["corr_moving"] = float(np.mean([np.corrcoef(a[:, k], b[:, k])[0, 1] if b[:, k].std() > 1e-9 else 0.0
                                        for k in moving])) if moving else float("nan")
    return out


def main() -> None:
    from fxcli.tracks import read_tracks

    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=None)
    ap.add_argument("--size", default="384x384")
    ap.add_argument("-n", type=int, default=6)
    args = ap.parse_args()
    out = Path(args.out or tempfile.mkdtemp(prefix="fxe-capture-"))
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    from fxcli.capture.performance import performance
    from fxcli.tracks import write_tracks

    for i in range(args.n):
        track, video, captured = out / f"true_{i}.json", out / f"render_{i}.mp4", out / f"captured_{i}.json"
        if not (video.is_file() and track.is_file()):  # a kept --out folder is re-captured, not re-rendered
            write_tracks([performance(i)], track)
            fxe("render", str(track), "--size", args.size, "--identity-seed", str(100 + i), "-o", str(video))
        t0 = time.time()
        summary = json.loads(fxe("track", "capture", str(video), "-o", str(captured)))
        seconds = time.time() - t0
        errors = group_errors(read_tracks(str(track))[0], read_tracks(str(captured))[0])
        errors.update({"track": i, "frames": summary["frames"], "seconds": round(seconds, 1),
                       "residual_px": summary["residual_px_median"]})
        rows.append(errors)
        print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in errors.items()}), flush=True)
    keys = ["brows", "eyes", "mouth", "jaw", "pitch_deg", "yaw_deg", "roll_deg", "corr_moving"]
    mean = {k: round(float(np.mean([r[k] for r in rows])), 4) for k in keys}
    worst = {k: round(float(np.max([r[k] for r in rows])), 4) for k in keys}
    print(json.dumps({"tracks": len(rows), "mean": mean, "worst": worst, "folder": str(out)}))


if __name__ == "__main__":
    main()
