"""Embedded editor: speed, and what the FER judge and the identity judge say about its edits.

    python3 benchmarks/bench_edit.py            # timing (in process and cold CLI) + FER/identity on the portraits
    python3 benchmarks/bench_edit.py --timing   # timing only

FER part: for each of the shared portraits with a detectable face and each basic expression, the
judge's label of the source and of the edit at alpha 1; reports how often each is labelled as the
target, the mean target probability, the identity similarity of the edits, and the mean target
probability along an alpha sweep 0..1.5.

The cold CLI runs are new processes with Python's bytecode cache written, as after `pip install` or any
earlier run (PYTHONDONTWRITEBYTECODE is dropped from their environment and one untimed run comes first):
compiling fxcli's and its dependencies' sources anew on every run would add ~0.1 s that users never see.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
PORTRAITS = REPO / "tests" / "data" / "portraits"
TARGETS = {"happy": "happy", "sad": "sad", "angry": "angry", "fear": "fear", "surprised": "surprise",
           "disgust": "disgust"}
SWEEP = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5)
# `python -m fxcli`, with `edit` registered should the command table not list it
ENTRY = ("import sys\nfrom fxcli.cli.main import COMMANDS, main\n"
         "COMMANDS.setdefault('edit', ('fxcli.cli.edit_cmd:edit', 'Edit a portrait expression.'))\n"
         "sys.argv[0] = 'fxe'\nmain()\n")


def _child_cpu() -> float:
    """CPU seconds (user + system) used so far by finished child processes: the cost on a busy machine."""
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timing() -> None:
    from PIL import Image

    from fxcli.backends.edit_embedded import EmbeddedEditor
    from fxcli.face import detect_faces, load_image

    image = np.asarray(Image.fromarray(load_image(str(PORTRAITS / "interfaces-001.jpg"))).resize((512, 512)))
    t0 = time.perf_counter()
    editor = EmbeddedEditor()
    face = detect_faces(image)[0]
    editor.edit(image, [("surprised", 1.0)], seed=0, face=face)
    first = time.perf_counter() - t0
    times, detect, cpu = [], [], []
    for expr in TARGETS:
        t = time.perf_counter()
        face = detect_faces(image)[0]
        detect.append(time.perf_counter() - t)
        t, c = time.perf_counter(), time.process_time()
        editor.edit(image, [(expr, 1.0)], seed=0, face=face)
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    print(f"in process, 512x512: first edit incl. loading {first:.3f} s; edit {np.median(times):.3f} s median "
          f"(min {min(times):.3f}, max {max(times):.3f}; CPU {np.median(cpu):.3f} s); detection + landmarks "
          f"{np.median(detect):.3f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    child_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "face.png"
        Image.fromarray(image).save(src)
        subprocess.run([sys.executable, "-c", ENTRY, "edit", str(src), "-e", "surprised", "-o",
                        str(Path(tmp) / "warm.png"), "-q"], check=True, cwd=REPO, env=child_env)  # writes bytecode
        big = Path(tmp) / "face2000.jpg"  # the same face as a 2000 x 2000 photo (the cost that grows with pixels)
        Image.fromarray(image).resize((2000, 2000), Image.LANCZOS).save(big, quality=92)
        walls = []
        for k in range(3):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", ENTRY, "edit", str(big), "-e", "surprised", "-o",
                            str(Path(tmp) / f"big{k}.jpg"), "-q"], check=True, cwd=REPO, env=child_env)
            walls.append(time.perf_counter() - t)
        print(f"cold CLI on a 2000x2000 JPEG (surprised): {np.median(walls):.2f} s median of 3; "
              f"load average {os.getloadavg()[0]:.1f}")
        for extra, what in (((), "identity not checked (default)"), (("--identity",), "with --identity")):
            walls, cpus = [], []
            for k in range(3):
                t, c = time.perf_counter(), _child_cpu()
                subprocess.run([sys.executable, "-c", ENTRY, "edit", str(src), "-e", "surprised", "-a", "0.7",
                                "-o", str(Path(tmp) / f"o{k}.png"), "-q", *extra], check=True, cwd=REPO,
                               env=child_env)
                walls.append(time.perf_counter() - t)
                cpus.append(_child_cpu() - c)
            print(f"cold CLI `fxe edit face.png -e surprised -a 0.7 -o out.png` ({what}): "
                  f"{np.median(walls):.2f} s median of 3 (CPU user+sys {np.median(cpus):.2f} s); "
                  f"load average {os.getloadavg()[0]:.1f}")
        # --jobs: one process, the editor loaded once; per image = (N jobs - 1 job) / (N - 1)
        import json

        portraits = sorted(PORTRAITS.glob("*.jpg"))[:12]
        exprs = list(TARGETS)

        def jobs_wall(n: int, tag: str, world: int = 1) -> tuple[float, float, int]:
            """Wall and CPU seconds of `fxe edit --jobs` over the first n portraits, in `world` processes that share
            the jobs as under `torchrun --nproc_per_node world` (RANK / WORLD_SIZE in their environment, and
            OMP_NUM_THREADS=1 unless set, as torchrun sets it for more than one process)."""
            lines = [json.dumps({"source": str(p), "expression": exprs[k % len(exprs)],
                                 "output": str(Path(tmp) / f"{tag}{k}.png")})
                     for k, p in enumerate(portraits[:n]) if p.name != "interfaces-024.jpg"]
            jobs = Path(tmp) / f"{tag}.jsonl"
            jobs.write_text("\n".join(lines) + "\n")
            t, c = time.perf_counter(), _child_cpu()
            procs = [subprocess.Popen([sys.executable, "-c", ENTRY, "edit", "--jobs", str(jobs), "-q"], cwd=REPO,
                                      stderr=subprocess.DEVNULL,
                                      env={**child_env, "RANK": str(rank), "WORLD_SIZE": str(world),
                                           **({"OMP_NUM_THREADS": child_env.get("OMP_NUM_THREADS", "1")}
                                              if world > 1 else {})})
                     for rank in range(world)]
            for proc in procs:
                proc.wait()
            return time.perf_counter() - t, _child_cpu() - c, len(lines)

        for world in (1, 2):
            one, one_cpu, n1 = jobs_wall(world, f"a{world}", world)
            many, many_cpu, n2 = jobs_wall(len(portraits), f"b{world}", world)
            how = "one process" if world == 1 else f"{world} processes (RANK/WORLD_SIZE, OMP_NUM_THREADS=1, as under torchrun)"
            print(f"--jobs, {how}: {n2} images in {many:.2f} s; per image after the first {world} "
                  f"{(many - one) / (n2 - n1):.3f} s (CPU {(many_cpu - one_cpu) / (n2 - n1):.3f} s); "
                  f"load average {os.getloadavg()[0]:.1f}")


def judged() -> None:
    from fxcli.backends.edit_embedded import EmbeddedEditor
    from fxcli.face import detect_faces, load_image
    from fxcli.judges.expression import ExpressionJudge
    from fxcli.judges.identity import IdentityJudge, similarity

    editor, fer, ident = EmbeddedEditor(), ExpressionJudge(), IdentityJudge()
    stats = {e: {"src": 0, "edit": 0, "p_src": [], "p_edit": [], "id": [], "sweep": []} for e in TARGETS}
    used = 0
    for path in sorted(PORTRAITS.glob("*.jpg")):
        image = load_image(str(path))
        faces = detect_faces(image)
        if not faces:
            print(f"  {path.name}: no face, skipped")
            continue
        used += 1
        face = faces[0]
        p0 = fer.probs(image, face)
        e0 = ident.embed(image, face)
        for expr, label in TARGETS.items():
            k = fer.LABELS.index(label)
            s = stats[expr]
            s["src"] += int(np.argmax(p0) == k)
            s["p_src"].append(p0[k])
            curve = []
            for a in SWEEP:
                out = editor.edit(image, [(expr, a)], seed=0, face=face)
                of = detect_faces(out)
                if not of:
                    curve.append(np.nan)
                    continue
                p = fer.probs(out, of[0])
                curve.append(p[k])
                if a == 1.0:
                    s["edit"] += int(np.argmax(p) == k)
                    s["p_edit"].append(p[k])
                    s["id"].append(similarity(e0, ident.embed(out, of[0])))
            s["sweep"].append(curve)
    print(f"FER judge on {used} portraits (alpha 1): labelled as target, source -> edit; mean target prob; identity")
    for expr, s in stats.items():
        curve = np.nanmean(np.array(s["sweep"]), 0)
        print(f"  {expr:9s} {s['src']:2d} -> {s['edit']:2d} of {used}   p {np.mean(s['p_src']):.3f} -> "
              f"{np.mean(s['p_edit']):.3f}   id-sim {np.mean(s['id']):.3f} (min {np.min(s['id']):.3f})   "
              f"sweep p(target) " + " ".join(f"{a:g}:{v:.3f}" for a, v in zip(SWEEP, curve, strict=True)))


if __name__ == "__main__":
    timing()
    if "--timing" not in sys.argv:
        judged()
