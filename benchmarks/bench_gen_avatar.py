"""Benchmark: `fxe gen-avatar` at GenEAva's size (135 Emo135 expressions x 98 identities = 13,230 images, 256 px).

    python3 benchmarks/bench_gen_avatar.py                 # 8 identities x 135, extrapolated to 98
    python3 benchmarks/bench_gen_avatar.py --identities 98 # the full GenEAva-sized set
    python3 benchmarks/bench_gen_avatar.py --fer           # also: FER, FaceMesh and identity judges
    python3 benchmarks/bench_gen_avatar.py --judge-only DIR   # judge an existing gen-avatar folder

Prints wall time, CPU time (this process and its children: the render workers), the machine's load
average (on a shared machine wall time is CPU time stretched by the other load), images per second and,
for a subset, the wall time extrapolated to 13,230 images at the measured rate.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

FULL = 135 * 98


def cpu_seconds() -> float:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


# expressions asked by a FER class's own name: the targets the FER judge can name (contempt and confused
# have no FER class; their library entries' basic class is only a neighbour)
FER_NAMED = {"angry", "anger", "disgust", "disgusted", "fear", "afraid", "scared", "happy", "happiness", "sad",
             "sadness", "surprise", "surprised", "neutral"}


def judge_set(folder: str, limit: int = 400) -> dict:
    """Over the index's images (the first `limit`): FaceMesh detection rate, FER top-1 hit rate (over all
    targets by their library entry's basic class, per expression asked, and over the targets asked by a
    FER class's name), and dlib identity cosine within an identity vs across identities (and the margin)."""
    import numpy as np

    from fxcli.face import detect_faces, load_image
    from fxcli.judges.expression import ExpressionJudge
    from fxcli.judges.identity import IdentityJudge

    index = json.load(open(os.path.join(folder, "index.json")))
    fer, ident = ExpressionJudge(), IdentityJudge()
    items = index["items"][:limit]
    asked = [r["expression"] for r in index["meta"]["records"][:limit]]
    found, hits, judged = 0, 0, 0
    per: dict[str, list[int]] = {}
    per_asked: dict[str, list[int]] = {}
    embeds, groups = [], []
    for item, label_asked in zip(items, asked, strict=True):
        img = load_image(os.path.join(folder, item["path"]))
        faces = detect_faces(img)
        if not faces:
            continue
        found += 1
        embeds.append(ident.embed(img, faces[0]))
        groups.append(item["group"])
        if item["expression"] in fer.LABELS:
            label = fer.LABELS[int(np.argmax(fer.probs(img, faces[0])))]
            judged += 1
            hits += label == item["expression"]
            per.setdefault(item["expression"], []).append(int(label == item["expression"]))
            per_asked.setdefault(label_asked, []).append(int(label == item["expression"]))
    e = np.asarray(embeds)
    e = e / np.linalg.norm(e, axis=1, keepdims=True)
    sim = e @ e.T
    g = np.asarray(groups)
    same = (g[:, None] == g[None, :]) & ~np.eye(len(g), dtype=bool)
    diff = g[:, None] != g[None, :]
    within, across = float(sim[same].mean()), float(sim[diff].mean()) if diff.any() else float("nan")
    # per image: is its nearest other image (cosine) one of its own identity?
    masked = np.where(np.eye(len(g), dtype=bool), -np.inf, sim)
    nearest_same = float(np.mean(g[masked.argmax(1)] == g))
    return {"images": len(items), "facemesh_found": found, "fer_judged": judged,
            "fer_hit_rate": round(hits / max(judged, 1), 3),
            "per_class": {k: f"{sum(v)}/{len(v)}" for k, v in sorted(per.items())},
            "per_expression": {k: f"{sum(v)}/{len(v)}" for k, v in per_asked.items()},
            "fer_named_hit_rate": round(sum(sum(v) for k, v in per_asked.items() if k.lower() in FER_NAMED)
                                        / max(1, sum(len(v) for k, v in per_asked.items() if k.lower() in FER_NAMED)),
                                        3),
            "id_within": round(within, 4), "id_across": round(across, 4), "id_margin": round(within - across, 4),
            "id_nearest_is_same_identity": round(nearest_same, 3), "identity_judge": "dlib (embedded)",
            "expression_judge": "FER mini-Xception (embedded)"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--identities", type=int, default=8)
    ap.add_argument("--size", default="256")
    ap.add_argument("--style", default="toon")
    ap.add_argument("--workers", type=int, default=0)
    ap.add_argument("--keep", metavar="DIR", help="write here and keep the images")
    ap.add_argument("--fer", action="store_true", help="also judge up to 400 images (FER, FaceMesh, dlib)")
    ap.add_argument("--judge-only", metavar="DIR", help="only judge an existing gen-avatar output folder")
    ap.add_argument("--limit", type=int, default=400)
    args = ap.parse_args()
    if args.judge_only:
        print(json.dumps(judge_set(args.judge_only, args.limit), indent=1))
        return
    out = args.keep or tempfile.mkdtemp(prefix="fxe-bench-avatar-")
    cmd = [sys.executable, "-m", "fxcli", "gen-avatar", "-n", str(args.identities), "--family", "emo135",
           "--size", args.size, "--style", args.style, "--workers", str(args.workers), "-o", out + "/", "-q"]
    load0 = os.getloadavg()[0]
    c0, t0 = cpu_seconds(), time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    if proc.returncode != 0:
        sys.exit(f"gen-avatar failed ({proc.returncode}): {proc.stderr.strip()}")
    summary = json.loads(proc.stdout)
    n = summary["images"] + summary["identities"]  # the neutral references are rendered too
    result = {"command": " ".join(cmd[2:]), "images": summary["images"], "renders": n, "wall_s": round(wall, 1),
              "cpu_s": round(cpu, 1), "cpu_ms_per_image": round(1000 * cpu / n, 1),
              "images_per_s": round(summary["images"] / wall, 1), "load_avg_start": round(load0, 2),
              "load_avg_end": round(os.getloadavg()[0], 2), "cores": os.cpu_count()}
    if summary["images"] < FULL:
        result["extrapolated_wall_s_13230"] = round(wall * FULL / summary["images"], 0)
        result["extrapolated_cpu_bound_wall_s_13230"] = round(cpu / min(2, os.cpu_count() or 1) * FULL / n, 0)
    if args.fer:
        result["judges"] = judge_set(out)
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
