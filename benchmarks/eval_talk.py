"""Evaluate `fxe talk` (embedded) on the CC0 test portraits with espeak-ng speech in two voices.

1. Sync: per portrait and voice, a video with and without the transcript: duration vs the audio (frames),
   audio stream present, and the lip-sync metric (best lag in frames, correlation, confidence).
2. Emotion: the same speech under "speak angrily" / "happily" / "sadly" / "with surprise"; the FER
   judge's mean probability of each class over the clip's frames; a clip counts as a hit when the
   instructed class is more probable under its own instruction than under the three others.
3. Motion: "nod twice", "turn your head to the left", "close your eyes", "raise your eyebrows" measured
   on the frames with FaceMesh (face centre motion, eye opening, brow raise proxies) against no instruction.
A tile of frames is written to --tiles.

Run: nice -n 10 python3 benchmarks/eval_talk.py [--portraits 8] [--tiles /tmp/talk_tiles.png]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SENTENCES = ["Good morning. I walked to the market today, and it was busy. Then I met an old friend by the river.",
             "The weather changed quickly this afternoon. We waited under a bridge, talking about music and books."]
VOICES = ["en-us", "en-us+f3"]
EMOTIONS = {"angry": "speak angrily", "happy": "speak happily", "sad": "speak sadly", "surprise": "speak with surprise"}
MOTIONS = ["nod twice", "turn your head to the left", "close your eyes", "raise your eyebrows"]


def espeak(path: Path, text: str, voice: str) -> Path:
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True)
    return path


def has_audio(path: str) -> bool:
    from fxcli.render.video_writer import ffmpeg_exe

    info = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", path], capture_output=True, text=True).stderr
    return bool(re.search(r"Stream .*Audio:", info))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--portraits", type=int, default=8)
    ap.add_argument("--tiles", default="/tmp/talk_tiles.png")
    ap.add_argument("--skip", default="", help="comma list of parts to skip: sync,emotion,motion")
    args = ap.parse_args()
    skip = set(args.skip.split(","))

    from fxcli.audio import load_audio
    from fxcli.backends.talk_embedded import EmbeddedTalk
    from fxcli.face import detect_faces
    from fxcli.judges.expression import ExpressionJudge
    from fxcli.judges.geometry import au_proxies
    from fxcli.metrics.talk_sync import read_video, score_talk, track_landmarks
    from fxcli.talk.run_talk import Talker

    # 24 has no face; in 3 a camera hides the face (FaceMesh fits the hand holding it)
    names = [f"interfaces-{i:03d}.jpg" for i in range(1, 31) if i not in (3, 24)][: args.portraits]
    portraits = [str(REPO / "tests/data/portraits" / n) for n in names]
    talker = Talker(EmbeddedTalk())
    tmp = Path(tempfile.mkdtemp(prefix="fxe-eval-talk-"))
    wavs = {(v, k): espeak(tmp / f"s{k}_{v.replace('+', '_')}.wav", s, v)
            for v in VOICES for k, s in enumerate(SENTENCES)}

    def make(portrait, wav, out, transcript=None, instruction=None):
        return talker.run(source=portrait, output=str(out), audio=str(wav), text=None, transcript=transcript,
                          instruction=instruction, fps=25.0, alpha=1.0, size=(512, 512), voice=None, lang=None,
                          crf=20, seed=0, warn=lambda note: None)

    tiles = []
    if "sync" not in skip:
        rows = []
        for i, p in enumerate(portraits):
            voice = VOICES[i % 2]
            k = i % 2
            wav = wavs[(voice, k)]
            dur = load_audio(str(wav)).duration
            for label, transcript in (("transcript", SENTENCES[k]), ("no-transcript", None)):
                out = tmp / f"sync_{i}_{label}.mp4"
                summary = make(p, wav, out, transcript)
                s = score_talk(str(out))
                rows.append({"portrait": Path(p).name, "voice": voice, "mode": label, "timing": summary["timing"],
                             "frames_vs_audio": round(s["frames"] - dur * 25, 2), "audio": has_audio(str(out)),
                             "lag": s["sync_lag"], "corr": s["sync_corr"], "conf": s["sync_conf"],
                             "jitter": s["jitter"]})
                print(json.dumps(rows[-1]), flush=True)
                if label == "transcript" and len(tiles) < 8:
                    frames = read_video(str(out)).frames
                    tiles.append(frames[len(frames) // 3])
        for mode in ("transcript", "no-transcript"):
            sel = [r for r in rows if r["mode"] == mode]
            print(f"SYNC {mode}: n={len(sel)} lag in [-1,1]: {sum(abs(r['lag']) <= 1 for r in sel)}/{len(sel)}, "
                  f"lags {[r['lag'] for r in sel]}, mean corr {np.mean([r['corr'] for r in sel]):.3f}, "
                  f"mean conf {np.mean([r['conf'] for r in sel]):.3f}, "
                  f"max |frames - audio*25| {max(abs(r['frames_vs_audio']) for r in sel):.2f}, "
                  f"audio present {sum(r['audio'] for r in sel)}/{len(sel)}", flush=True)

    if "emotion" not in skip:
        judge = ExpressionJudge()
        hits, total = 0, 0
        for i, p in enumerate(portraits):
            wav = wavs[(VOICES[i % 2], 0)]
            probs = {}
            for emo, instruction in EMOTIONS.items():
                out = tmp / f"emo_{i}_{emo}.mp4"
                make(p, wav, out, SENTENCES[0], instruction)
                frames = read_video(str(out)).frames
                ps = []
                for f in frames[5::6]:
                    faces = detect_faces(np.ascontiguousarray(f))
                    if faces:
                        ps.append(judge.probs(np.ascontiguousarray(f), faces[0]))
                probs[emo] = np.mean(ps, 0)
                if i == 0:
                    tiles.append(frames[len(frames) // 2])
            for emo in EMOTIONS:
                c = judge.LABELS.index(emo)
                own = probs[emo][c]
                win = all(own > probs[o][c] for o in EMOTIONS if o != emo)
                hits += win
                total += 1
                print(json.dumps({"portrait": Path(p).name, "instructed": emo, "p_own": round(float(own), 3),
                                  "p_under_others": [round(float(probs[o][c]), 3) for o in EMOTIONS if o != emo],
                                  "hit": win}), flush=True)
        print(f"EMOTION: instructed class most probable under its own instruction on {hits}/{total} clips "
              f"({100 * hits / total:.0f} %)", flush=True)

    if "motion" not in skip:
        for i, p in enumerate(portraits[:2]):
            wav = wavs[(VOICES[0], 1)]
            base_out = tmp / f"mot_{i}_none.mp4"
            make(p, wav, base_out, SENTENCES[1], None)
            base = track_landmarks(read_video(str(base_out)).frames)
            for instruction in MOTIONS:
                out = tmp / f"mot_{i}_{instruction.split()[0]}.mp4"
                make(p, wav, out, SENTENCES[1], instruction)
                frames = read_video(str(out)).frames
                lms = track_landmarks(frames)
                iod = np.nanmedian(np.linalg.norm(base[:, 263] - base[:, 33], axis=-1))
                centre = np.nanmean(lms, 1) - np.nanmean(base, 1)  # (T, 2) px
                prox = [au_proxies(x) for x in lms]
                prox0 = [au_proxies(x) for x in base]
                late = slice(len(lms) // 2, None)
                m = {"portrait": Path(p).name, "instruction": instruction,
                     "max_down_shift_iod": round(float(np.nanmax(centre[:40, 1]) / iod), 3),
                     "mean_x_shift_late_iod": round(float(np.nanmean(centre[late, 0]) / iod), 3),
                     "eye_opening_late": round(float(np.mean([q["eye_opening"] for q in prox[late]])), 3),
                     "eye_opening_late_base": round(float(np.mean([q["eye_opening"] for q in prox0[late]])), 3),
                     "inner_brow_late": round(float(np.mean([q["inner_brow_raise"] for q in prox[late]])), 3),
                     "inner_brow_late_base": round(float(np.mean([q["inner_brow_raise"] for q in prox0[late]])), 3)}
                print(json.dumps(m), flush=True)
                if i == 0:
                    tiles.append(frames[int(len(frames) * 0.7)])
    if tiles:
        import cv2

        small = [cv2.resize(t, (256, 256)) for t in tiles[:16]]
        while len(small) % 4:
            small.append(np.zeros_like(small[0]))
        grid = np.vstack([np.hstack(small[k:k + 4]) for k in range(0, len(small), 4)])
        cv2.imwrite(args.tiles, cv2.cvtColor(grid, cv2.COLOR_RGB2BGR))
        print(f"tiles: {args.tiles}")


if __name__ == "__main__":
    main()
