"""Speed of the embedded scoring pipeline on the shared portraits (faces per second).

    python3 benchmarks/bench_score.py [--repeat N]

Per stage, mean milliseconds per face over the portraits with a face: BlazeFace detection, FaceMesh
landmarks (two crops), the expression judge, the identity judge (dlib, two descriptors for the flip
average), the AU proxies; then faces/s for the whole chain, and the wall time of one cold
`fxe score --images` call on all 30 photos.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PORTRAITS = REPO / "tests" / "data" / "portraits"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from fxcli.face import load_image
    from fxcli.face.blazeface import run_detector
    from fxcli.face.detect import MIN_PRESENCE, Face
    from fxcli.face.facemesh import fit_landmarks
    from fxcli.judges.expression import ExpressionJudge
    from fxcli.judges.geometry import au_proxies
    from fxcli.judges.identity import IdentityJudge

    paths = sorted(PORTRAITS.glob("interfaces-*.jpg"))
    images = [load_image(str(p)) for p in paths]
    expr, ident = ExpressionJudge(), IdentityJudge()
    # warm-up: loads every model once
    dets, _ = run_detector(images[0])
    lms, _ = fit_landmarks(images[0], dets[0].box, dets[0].keypoints)
    f0 = Face(dets[0].box, dets[0].score, dets[0].keypoints, lms)
    expr.probs(images[0], f0)
    ident.embed(images[0], f0)

    stages = {"detect": 0.0, "landmarks": 0.0, "expression": 0.0, "identity": 0.0, "au_proxies": 0.0}
    n_faces = 0
    for _ in range(args.repeat):
        for img in images:
            t = time.perf_counter()
            dets, _ = run_detector(img)
            stages["detect"] += time.perf_counter() - t
            if not dets:
                continue
            t = time.perf_counter()
            fits = [(d, *fit_landmarks(img, d.box, d.keypoints)) for d in dets]  # as detect_faces does
            stages["landmarks"] += time.perf_counter() - t
            fits = [(d, lms) for d, lms, presence in fits if presence >= MIN_PRESENCE]
            if not fits:
                continue
            det, lms = fits[0]
            face = Face(det.box, det.score, det.keypoints, lms)
            t = time.perf_counter()
            expr.probs(img, face)
            stages["expression"] += time.perf_counter() - t
            t = time.perf_counter()
            ident.embed(img, face)
            stages["identity"] += time.perf_counter() - t
            t = time.perf_counter()
            au_proxies(face)
            stages["au_proxies"] += time.perf_counter() - t
            n_faces += 1
    total = sum(stages.values())
    print(f"portraits: {len(images)} photos, {n_faces // args.repeat} with a face, {args.repeat} passes")
    for name, secs in stages.items():
        print(f"  {name:<11} {1000 * secs / n_faces:8.2f} ms/face")
    print(f"  chain       {1000 * total / n_faces:8.2f} ms/face = {n_faces / total:6.2f} faces/s")
    no_id = total - stages["identity"]
    print(f"  without the identity judge: {n_faces / no_id:6.1f} faces/s")

    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "fxcli", "score", "--images", str(PORTRAITS), "--json"],
                          capture_output=True, cwd=REPO)
    wall = time.perf_counter() - t
    print(f"cold `fxe score --images portraits/` (30 photos, exit {proc.returncode}): {wall:.2f} s "
          f"({30 / wall:.1f} photos/s incl. start-up)")


if __name__ == "__main__":
    main()
