#!/usr/bin/env python3
"""The README's talking figure: six frames of a talking portrait and six of the talking ICT avatar.

    python3 scripts/talk_demo_tile.py --audio speech.wav --transcript "the words" [-o docs/images/talk-tile.jpg]

Row 1: `fxe talk tests/data/portraits/interfaces-001.jpg --audio AUDIO --transcript TEXT` (the README's figure
uses a LibriVox recording, public domain: "Sense and Sensibility", chapter 1, the 7.1 s clip that ships in
pocketsphinx's test data as sense_and_sensibility_01_austen_64kb-0870.wav). Row 2: `fxe talk ict --text
... -i "talk happily, nod twice, then turn your head to the left"`. Both with the embedded backend, seed 0;
the frames are evenly spaced over each clip, the portrait's cropped around its face.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
PORTRAIT = REPO / "tests" / "data" / "portraits" / "interfaces-001.jpg"
AVATAR_TEXT = "Hello there. I am very happy to see you today, it is a lovely morning."
AVATAR_INSTRUCTION = "talk happily, nod twice, then turn your head to the left"
FRAMES = 6
TILE = 224
FACE_CROP = 2.0  # the portrait's tiles: this many times its face box, square


def fxe(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "fxcli", *args, "--seed", "0", "-q"], check=True, cwd=REPO)


def row(video: str, around_face: bool) -> np.ndarray:
    """FRAMES evenly spaced frames of `video` as TILE-px tiles side by side; `around_face`: each cropped to a
    square FACE_CROP times the first frame's face box (the same crop for all)."""
    from PIL import Image

    from fxcli.metrics.talk_sync import read_video

    frames = read_video(video).frames
    picks = np.round((np.arange(FRAMES) + 0.5) / FRAMES * (len(frames) - 1)).astype(int)
    crop = None
    if around_face:
        from fxcli.face import detect_faces

        x0, y0, x1, y1 = detect_faces(frames[0])[0].box
        half = FACE_CROP * max(x1 - x0, y1 - y0) / 2
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        crop = tuple(int(round(v)) for v in (cx - half, cy - half, cx + half, cy + half))
    tiles = []
    for k in picks:
        image = Image.fromarray(frames[k])
        tiles.append(np.asarray((image.crop(crop) if crop else image).resize((TILE, TILE), Image.LANCZOS)))
    return np.hstack(tiles)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--audio", required=True, help="the portrait's speech (WAV, FLAC, MP3 or OGG)")
    ap.add_argument("--transcript", required=True, help="the words of --audio")
    ap.add_argument("-o", "--output", default=str(REPO / "docs" / "images" / "talk-tile.jpg"))
    args = ap.parse_args()

    from PIL import Image

    with tempfile.TemporaryDirectory() as tmp:
        portrait, avatar = str(Path(tmp) / "portrait.mp4"), str(Path(tmp) / "avatar.mp4")
        fxe("talk", str(PORTRAIT), "--audio", args.audio, "--transcript", args.transcript, "-o", portrait)
        fxe("talk", "ict", "--text", AVATAR_TEXT, "-i", AVATAR_INSTRUCTION, "-o", avatar)
        tile = np.vstack([row(portrait, around_face=True), row(avatar, around_face=False)])
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(tile).save(args.output, quality=90)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
