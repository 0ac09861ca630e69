#!/usr/bin/env python3
"""text2flame speed and quality figures (no asserts: numbers to read and compare within one run).

- cold: median wall time of `python -m fxcli text2flame "..."` (interpreter, encoder load, one track);
  target <= 2 s on a 2-core CPU;
- warm: sentences per second through `--jobs` (1,500 distinct sentences in one process, --seed 1), wall
  time including start-up and per sentence after start-up, and per CPU-second; target >= 50/s (the
  encoder runs in batches of the planned texts, see EmbeddedText2Flame.plan);
- the load average, since other work on the machine inflates wall times;
- CTEG metrics on 1,500 tracks (750 texts x seeds 1 and 2, so MModality has pairs): `score_tracks`
  in-process, and `fxe score --tracks` when present (target < 5 s);
- dominant-family accuracy on tests/data/emotion_sentences.jsonl.

Usage: python3 benchmarks/bench_text2flame.py [--sentences 1500] [--cold-runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OPENERS = ["", "Honestly, ", "Well, ", "You know, ", "Oh, ", "Listen, ", "So ", "Wow, "]
CORES = ["I am so happy to see you", "I can't believe you did that to me", "there's a spider in my bed",
         "this sandwich smells like old socks", "my best friend moved away today", "the meeting starts at noon",
         "we won the final game", "you lied to me again", "I heard a noise downstairs", "that was unexpected",
         "I am not angry with you", "the train was slightly late", "I passed the exam", "I lost my keys again",
         "nobody came to my party", "what a gorgeous sunset", "the dog ate my homework", "my flight got cancelled",
         "she finally said yes", "the soup is cold and slimy", "someone is knocking at midnight",
         "the printer jammed again", "grandpa is in the hospital", "we are having a baby",
         "the bridge looks like it might collapse", "he forgot my birthday", "the package is on the table",
         "I found twenty dollars in my coat"]
ENDINGS = [".", "!", "?", ", but it's fine.", ", and I am really worried.", ", which is great news!", "..."]


def sentences(n: int) -> list[str]:
    """n distinct everyday sentences (openers x cores x endings, 1,568 combinations), 5-15 words each."""
    combos = [(o, c, e) for e in ENDINGS for o in OPENERS for c in CORES]
    if n > len(combos):
        raise SystemExit(f"at most {len(combos)} distinct sentences")
    return [f"{o}{c}{e}" for o, c, e in combos[:n]]


CPU_TIMES: list[float] = []  # CPU seconds (user + sys) of each timed child: steadier than wall time on a busy machine


def timed(cmd: list[str], **kw) -> tuple[float, subprocess.CompletedProcess]:
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, check=True, **kw)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU_TIMES.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return wall, proc


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentences", type=int, default=1500, help="sentences in the --jobs run")
    ap.add_argument("--cold-runs", type=int, default=5)
    ap.add_argument("--no-metrics", action="store_true", help="skip the CTEG metrics and the labelled-set accuracy")
    args = ap.parse_args()
    py = sys.executable
    import os

    print("load average at start: {:.2f} {:.2f} {:.2f} (2 cores: above 2, wall times are inflated; CPU times are "
          "steadier)".format(*os.getloadavg()))

    timed([py, "-m", "fxcli", "text2flame", "Warm the file cache."])
    colds = [timed([py, "-m", "fxcli", "text2flame", "I am so dead.", "--seed", "1"])[0] for _ in range(args.cold_runs)]
    cold_cpu = statistics.median(CPU_TIMES[-args.cold_runs:])
    bare = statistics.median(timed([py, "-c", "pass"])[0] for _ in range(5))
    print(f"cold `fxe text2flame`: median {statistics.median(colds):.2f} s over {args.cold_runs} runs "
          f"(min {min(colds):.2f}, max {max(colds):.2f}; bare python {bare:.2f} s); CPU time {cold_cpu:.2f} s")

    with tempfile.TemporaryDirectory() as tmp:
        jobs = Path(tmp) / "jobs.jsonl"
        texts = sentences(args.sentences)
        jobs.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts))
        wall, proc = timed([py, "-m", "fxcli", "--seed", "1", "text2flame", "--jobs", str(jobs), "-q"])
        first = proc.stdout.splitlines(keepends=True)
        n = len(texts)
        print(f"warm --jobs CPU time: {CPU_TIMES[-1]:.1f} s = {n / max(CPU_TIMES[-1] - cold_cpu, 1e-9):.1f} "
              f"sentences per CPU-second after start-up (wall-clock figures below depend on the machine's load)")
        print(f"warm --jobs: {n} sentences in one process in {wall:.1f} s = {n / wall:.1f} sentences/s including "
              f"start-up; {n / max(wall - statistics.median(colds), 1e-9):.1f} sentences/s after start-up")
        print("load average after --jobs: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        if args.no_metrics:
            return
        # a second seed for half of the texts: 1,500 tracks with two generations per text (MModality)
        half = Path(tmp) / "half.jsonl"
        half.write_text("".join(json.dumps({"text": t}) + "\n" for t in texts[: n // 2]))
        _, proc2 = timed([py, "-m", "fxcli", "--seed", "2", "text2flame", "--jobs", str(half), "-q"])
        both = Path(tmp) / "all.jsonl"
        both.write_bytes(b"".join(first[: n // 2]) + proc2.stdout)

        sys.path.insert(0, str(REPO))
        from fxcli.metrics.cteg_metrics import score_tracks
        from fxcli.tracks import read_tracks

        t0 = time.perf_counter()
        tracks = read_tracks(str(both))
        t1 = time.perf_counter()
        metrics = score_tracks(tracks)
        t2 = time.perf_counter()
        print(f"CTEG metrics on {len(tracks)} tracks: read {t1 - t0:.2f} s + score {t2 - t1:.2f} s; "
              + ", ".join(f"{k} {v:.4f}" for k, v in metrics.items()))
        try:
            wall, proc = timed([py, "-m", "fxcli", "score", "--tracks", str(both)])
            print(f"`fxe score --tracks` on {len(tracks)} tracks: {wall:.2f} s wall")
        except subprocess.CalledProcessError as exc:
            print(f"`fxe score --tracks` not available: {exc.stderr.decode(errors='replace').strip()[:200]}")

    from fxcli.backends.text2flame_embedded import EmbeddedText2Flame

    rows = [json.loads(x) for x in (REPO / "tests/data/emotion_sentences.jsonl").read_text().splitlines()]
    got = [t.meta["emotion"]["dominant"] for t in EmbeddedText2Flame(None).generate([r["text"] for r in rows], seed=0)]
    acc = sum(g == r["label"] for g, r in zip(got, rows, strict=False)) / len(rows)
    print(f"dominant-family accuracy: {acc:.3f} on {len(rows)} labelled sentences (chance 0.143)")


if __name__ == "__main__":
    main()
