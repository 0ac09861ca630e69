"""PixelSmile training data: JSONL triplets, and building them from a folder of labelled photos.

One line per triplet; image paths are relative to the JSONL file's folder:

    {"source": "p01/neutral.jpg",
     "targets": [{"image": "p01/happy.jpg", "category": "happy", "score": 0.8},
                 {"image": "p01/surprised.jpg", "category": "surprised", "score": 0.6}]}

`source` is the input photo, the two targets are photos of the same person with two (ideally
confusable) expressions; `score` in [0, 1] is the annotated intensity and becomes alpha of the text
conditioning e(alpha) = e_neutral + alpha (e_category - e_neutral) of that branch.

`prepare_triplets` builds such a file from a folder of labelled photos `DIR/<person>/<category>/*.jpg`
(or `DIR/<person>/<category>_*.jpg`): per person, a neutral photo is the source and every pair of photos
with different non-neutral categories is a triplet; each target's score is the FER judge's probability
of its category (so intensities are measured, not guessed).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np

from fxcli.errors import InvalidInputError, UsageError

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".bmp")
MAX_LINES = 1_000_000


@dataclass(frozen=True)
class Target:
    image: Path
    category: str
    score: float


@dataclass(frozen=True)
class Triplet:
    source: Path
    a: Target
    b: Target


def _bad(path: str | Path, line: int, why: str) -> InvalidInputError:
    return InvalidInputError(f"{path}:{line}: {why}")


def _target(obj: Any, base: Path, path: Path, line: int, which: str) -> Target:
    if not isinstance(obj, dict):
        raise _bad(path, line, f"{which} must be an object with image, category and score")
    image, category, score = obj.get("image"), obj.get("category"), obj.get("score")
    if not isinstance(image, str) or not image:
        raise _bad(path, line, f"{which}.image must be a file name")
    if not isinstance(category, str) or not category.strip():
        raise _bad(path, line, f"{which}.category must be an expression word such as happy")
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score) \
            or not 0.0 <= score <= 1.0:
        raise _bad(path, line, f"{which}.score must be a number in [0, 1], got {str(score)[:40]}")
    file = (base / image).expanduser()
    if not file.is_file():
        raise _bad(path, line, f"{which}.image {image} not found")
    return Target(file, " ".join(category.strip().lower().split()), float(score))


def load_triplets(path: str | Path) -> list[Triplet]:
    """Read and check a triplet JSONL file (every image must exist); InvalidInputError names the line."""
    path = Path(path)
    if path.is_dir():
        files = sorted(path.glob("*.jsonl"))
        if not files:
            raise InvalidInputError(f"{path}: no *.jsonl triplet file in this folder",
                                    hint="build one with `fxe train pixelsmile-prepare PHOTOS -o triplets.jsonl`")
        return [t for f in files for t in load_triplets(f)]
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInputError(f"{path}: no such triplet file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path}: unreadable ({exc})") from None
    base = path.parent
    out = []
    for number, line in enumerate(text.splitlines(), 1):
        if number > MAX_LINES:
            raise _bad(path, number, f"more than {MAX_LINES} lines")
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _bad(path, number, f"not JSON ({exc.msg})") from None
        if not isinstance(obj, dict):
            raise _bad(path, number, "each line must be an object")
        source, targets = obj.get("source"), obj.get("targets")
        if not isinstance(source, str) or not (base / source).is_file():
            raise _bad(path, number, f"source image {str(source)[:80]} not found")
        if not isinstance(targets, list) or len(targets) != 2:
            raise _bad(path, number, "targets must be a list of exactly two objects")
        a, b = (_target(t, base, path, number, f"targets[{i}]") for i, t in enumerate(targets))
        out.append(Triplet(base / source, a, b))
    if not out:
        raise InvalidInputError(f"{path}: no triplets")
    return out


def load_image(path: Path, size: int) -> np.ndarray:
    """An RGB uint8 (size, size, 3) image: resized to cover size x size and centre-cropped (as `edit` does)."""
    from PIL import Image, UnidentifiedImageError

    from fxcli.backends.edit_pixelsmile import cover_crop

    try:
        with Image.open(path) as im:
            rgb = np.asarray(im.convert("RGB"))
    except (OSError, UnidentifiedImageError) as exc:
        raise InvalidInputError(f"{path}: not a readable image ({exc})") from None
    return np.asarray(cover_crop(rgb, size))


# -------------------------------------------------------------------------- building triplets from photos


def _labelled_photos(folder: Path) -> dict[str, list[tuple[Path, str]]]:
    """{person: [(photo, category)]} from DIR/person/category/*.jpg or DIR/person/category_*.jpg."""
    people: dict[str, list[tuple[Path, str]]] = {}
    for person in sorted(p for p in folder.iterdir() if p.is_dir()):
        photos = []
        for item in sorted(person.rglob("*")):
            if item.suffix.lower() not in IMAGE_SUFFIXES or not item.is_file():
                continue
            rel = item.relative_to(person).parts
            category = rel[0] if len(rel) > 1 else item.stem.split("_")[0]
            photos.append((item, category.strip().lower()))
        if photos:
            people[person.name] = photos
    return people


def prepare_triplets(folder: str | Path, output: str | Path, *, judge: Any = None, neutral: str = "neutral",
                     max_pairs_per_person: int = 50, log=lambda _m: None) -> dict[str, Any]:
    """Write a triplet JSONL for the photos in `folder` (layout in the module docstring); returns a summary.

    `judge` scores a photo: an object with `probabilities(image) -> {category: p}` (default: the FER
    expression judge). A category the judge does not know keeps score 1.0 (labelled at full intensity).
    """
    from fxcli.io.atomic import write_text_atomic
    from fxcli.io.same_file import refuse_output_is_input

    folder, output = Path(folder), Path(output)
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder of labelled photos",
                         hint="give DIR with DIR/<person>/<category>/*.jpg")
    people = _labelled_photos(folder)
    if not people:
        raise InvalidInputError(f"{folder}: no labelled photos (expected DIR/<person>/<category>/*.jpg)")
    refuse_output_is_input(("-o", output), [("DIR's photo", p) for photos in people.values() for p, _ in photos])
    if judge is None:
        judge = _fer_judge()
    base = output.expanduser().resolve().parent
    lines, skipped = [], []
    for person, photos in people.items():
        sources = [p for p, c in photos if c == neutral]
        expressive = [(p, c) for p, c in photos if c != neutral]
        if not sources or len({c for _, c in expressive}) < 2:
            skipped.append(person)
            continue
        scored = []
        for photo, category in expressive:
            probs = judge.probabilities(load_image(photo, 256))
            scored.append((photo, category, float(probs.get(category, 1.0))))
        pairs = [(x, y) for x, y in combinations(scored, 2) if x[1] != y[1]][:max_pairs_per_person]
        for i, (x, y) in enumerate(pairs):
            source = sources[i % len(sources)]
            lines.append({"source": _rel(source, base),
                          "targets": [{"image": _rel(x[0], base), "category": x[1], "score": round(x[2], 4)},
                                      {"image": _rel(y[0], base), "category": y[1], "score": round(y[2], 4)}]})
        log(f"{person}: {len(pairs)} triplets")
    if not lines:
        raise InvalidInputError(f"{folder}: no person has a {neutral} photo and two other expressions")
    write_text_atomic(output, "".join(json.dumps(x, sort_keys=True) + "\n" for x in lines))
    return {"triplets": len(lines), "people": len(people) - len(skipped), "skipped_people": skipped,
            "output": str(output)}


def _rel(path: Path, base: Path) -> str:
    import os

    return os.path.relpath(path.resolve(), base)


class _FerScores:
    """The FER judge as {category: probability}, with PixelSmile's category words."""

    WORDS = {"happy": "happy", "happiness": "happy", "sad": "sad", "sadness": "sad", "angry": "angry",
             "anger": "angry", "fear": "fear", "surprise": "surprised", "surprised": "surprised",
             "disgust": "disgust", "neutral": "neutral"}

    def __init__(self) -> None:
        from fxcli.judges.expression import ExpressionJudge

        self.judge = ExpressionJudge()

    def probabilities(self, image: np.ndarray) -> dict[str, float]:
        from fxcli.face import find_face

        face = find_face(image)  # NoFaceError (exit 5) names the photo's problem
        probs = np.asarray(self.judge.probs(image, face), float).ravel()
        return {self.WORDS.get(k, k): float(v) for k, v in zip(self.judge.LABELS, probs, strict=True)}


def _fer_judge() -> _FerScores:
    return _FerScores()
