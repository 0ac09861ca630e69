#!/usr/bin/env python3
"""The README's editing figure: two public-domain portraits, the six basic expressions at alpha 1, a sad sweep.

    python3 scripts/edit_demo_sheet.py [-o docs/images/edit-astronaut.jpg]

Row 1: the source and happy, sad, surprised, angry, fear, disgust at alpha 1. Row 2: sad at alpha 0 .. 1.5
(a smiling source turned sad). Row 3: close-ups of the mouth (surprised, angry, fear at alpha 1, then the
source's) and of the second portrait's glasses (the source's, then surprised and angry at alpha 1: the frame,
and the band of the face behind it from the brows to the lower rims, stays as it is while the face below moves). Row 4: the second portrait (glasses and a cap) with the six
expressions. All with the embedded editor (`fxe edit --model embedded`), cropped around the face.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "tests" / "data" / "public_domain" / "astronaut.jpg"
GLASSES = REPO / "tests" / "data" / "public_domain" / "grace_hopper.jpg"
BASIC = ("happy", "sad", "surprised", "angry", "fear", "disgust")
SWEEP = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5)


def crop(image: np.ndarray, centre: np.ndarray, half: float) -> np.ndarray:
    x0, y0 = np.maximum(np.round(centre - half).astype(int), 0)
    x1, y1 = np.minimum(np.round(centre + half).astype(int), image.shape[1::-1])
    return image[y0:y1, x0:x1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output", default=str(REPO / "docs" / "images" / "edit-astronaut.jpg"))
    args = ap.parse_args()

    from fxcli.backends.edit_embedded import EmbeddedEditor
    from fxcli.edit.contact_sheet import contact_sheet
    from fxcli.face import detect_faces, load_image

    editor = EmbeddedEditor()

    def portrait(path: Path):
        image = load_image(str(path))
        face = detect_faces(image)[0]
        lm = face.landmarks[:, :2].astype(np.float64)
        return image, face, lm.mean(0), float(np.linalg.norm(lm[263] - lm[33])), lm

    def edit(image: np.ndarray, face, expr: str, alpha: float) -> np.ndarray:
        return editor.edit(image, [(expr, alpha)], seed=0, face=face)

    image, face, centre, iod, lm = portrait(SOURCE)
    mouth = lm[[61, 291, 0, 17]].mean(0)
    images, labels = [crop(image, centre, 1.6 * iod)], ["source"]
    for expr in BASIC:
        images.append(crop(edit(image, face, expr, 1.0), centre, 1.6 * iod))
        labels.append(f"{expr} 1")
    for alpha in SWEEP:
        images.append(crop(edit(image, face, "sad", alpha), centre, 1.6 * iod))
        labels.append(f"sad {alpha:g}")
    for expr in ("surprised", "angry", "fear"):
        images.append(crop(edit(image, face, expr, 1.0), mouth, 0.75 * iod))
        labels.append(f"{expr} mouth")
    images.append(crop(image, mouth, 0.75 * iod))
    labels.append("source mouth")

    image, face, centre, iod, lm = portrait(GLASSES)
    eyes = lm[[33, 263, 168]].mean(0)
    edits = {expr: edit(image, face, expr, 1.0) for expr in BASIC}
    for name, picture in (("source", image), ("surprised", edits["surprised"]), ("angry", edits["angry"])):
        images.append(crop(picture, eyes, 0.8 * iod))
        labels.append(f"{name} glasses")
    images.append(crop(image, centre, 1.6 * iod))
    labels.append("source")
    for expr in BASIC:
        images.append(crop(edits[expr], centre, 1.6 * iod))
        labels.append(f"{expr} 1")
    sheet = contact_sheet(images, labels, tile=192, columns=7)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    sheet.convert("RGB").save(args.output, quality=88)
    print(f"wrote {args.output} ({sheet.width}x{sheet.height})")


if __name__ == "__main__":
    main()
