"""What `fxe score` reads: lists of images, JSON Lines of pairs, and the JSON index an edit sweep writes.

Edit-sweep index (`fxe.score-index/v1`; the `format` key is optional):

    {"format": "fxe.score-index/v1",
     "source": "portrait.jpg",                       # the unedited photo (identity reference)
     "text": "optional instruction or prompt",
     "items": [{"path": "out/happy_0.50.png", "alpha": 0.5, "expression": "happy"}, ...]}

Item keys: `path` (required), `alpha`, `expression`, and optionally `source`, `reference`, `text`,
`group`, `aus` as in pairs. Relative paths are relative to the index file's folder.

Pairs (JSON Lines, one object per line; `#` lines and blank lines are skipped):

    {"image": "edit.png", "source": "src.jpg", "expression": "happy", "alpha": 1.0,
     "reference": "expr_ref.png", "text": "a smiling person", "group": "id7", "aus": ["AU12", "AU25"]}

`image` (alias `path`) is required. `source` is the identity reference, `reference` the expression
reference (or ground-truth frame), `group` names an identity set or clip (defaults to the source),
`aus` lists reference action units. Relative paths are relative to the pairs file's folder.
"""

from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from fxcli.errors import InvalidInputError
from fxcli.io.inputs import loads_json, read_text

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff", ".gif"}
ITEM_KEYS = {"image", "path", "source", "reference", "expression", "alpha", "text", "group", "aus"}


@dataclass
class ScoreItem:
    image: str
    source: str | None = None
    reference: str | None = None
    expression: str | None = None
    alpha: float | None = None
    text: str | None = None
    group: str | None = None
    aus: list[str] | None = None
    origin: str = ""  # where the item came from, for messages ("pairs.jsonl:3")
    error: str | None = field(default=None)  # a problem found while reading the item itself


def expand_images(specs: list[str]) -> list[str]:
    """Files, folders (their images, sorted) and quoted glob patterns -> image paths, in order."""
    out: list[str] = []
    for spec in specs:
        p = Path(spec).expanduser()
        if p.is_dir():
            found = sorted(str(f) for f in p.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES and f.is_file())
            if not found:
                raise InvalidInputError(f"{spec}: folder holds no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
            out.extend(found)
        elif any(ch in spec for ch in "*?[") and not p.exists():
            found = sorted(glob.glob(os.path.expanduser(spec)))
            if not found:
                raise InvalidInputError(f"{spec}: pattern matches no file")
            out.extend(found)
        else:
            out.append(spec)  # a missing file is reported for that item, the others are still scored
    return out


def _resolve(base: Path, value, key: str, origin: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise InvalidInputError(f"{origin}: {key!r} must be a file path (a non-empty string)")
    p = Path(value).expanduser()
    return str(p if p.is_absolute() else base / p)


def item_from_object(obj: dict, base: Path, origin: str, defaults: dict | None = None) -> ScoreItem:
    """A ScoreItem from one pairs line or index item; raises InvalidInputError naming `origin`."""
    if not isinstance(obj, dict):
        raise InvalidInputError(f"{origin}: expected a JSON object, got {type(obj).__name__}")
    unknown = set(obj) - ITEM_KEYS
    if unknown:
        raise InvalidInputError(f"{origin}: unknown key(s) {', '.join(sorted(unknown))} "
                                f"(valid: {', '.join(sorted(ITEM_KEYS))})")
    merged = {**(defaults or {}), **{k: v for k, v in obj.items() if v is not None}}
    image = merged.get("image", merged.get("path"))
    if image is None:
        raise InvalidInputError(f"{origin}: missing key 'image' (or 'path')")
    alpha = merged.get("alpha")
    if alpha is not None:
        alpha = check_alpha(alpha, origin)
    for key in ("expression", "text", "group"):
        if merged.get(key) is not None and not isinstance(merged[key], str):
            raise InvalidInputError(f"{origin}: {key!r} must be a string")
    if merged.get("expression") is not None:
        check_expression(merged["expression"], origin)
    aus = merged.get("aus")
    if aus is not None and not (isinstance(aus, list) and all(isinstance(a, str) for a in aus)):
        raise InvalidInputError(f"{origin}: 'aus' must be a list of AU names such as [\"AU12\", \"AU25\"]")
    return ScoreItem(
        image=_resolve(base, image, "image", origin), source=_resolve(base, merged.get("source"), "source", origin),
        reference=_resolve(base, merged.get("reference"), "reference", origin),
        expression=merged.get("expression"), alpha=alpha,
        text=merged.get("text"), group=merged.get("group"), aus=aus, origin=origin)


def check_alpha(value, origin: str) -> float:
    """An item's alpha as a float; InvalidInputError unless a finite number in edit's range [0, MAX_ALPHA]."""
    import math

    from fxcli.contracts import MAX_ALPHA

    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInputError(f"{origin}: 'alpha' must be a number, got {value!r}")
    try:
        alpha = float(value)
    except OverflowError:
        alpha = math.inf
    if not (math.isfinite(alpha) and 0 <= alpha <= MAX_ALPHA):
        shown = repr(value) if len(repr(value)) <= 20 else repr(value)[:17] + "..."
        raise InvalidInputError(f"{origin}: 'alpha' must be a finite number from 0 to {MAX_ALPHA:g} (as edit "
                                f"--alpha), got {shown}")
    return alpha


def check_expression(name: str, origin: str) -> None:
    """InvalidInputError unless `name` resolves the way `edit --expression` resolves it (library name or text)."""
    from fxcli.errors import UsageError
    from fxcli.expressions.resolve import resolve_expression

    try:
        resolve_expression(name)
    except UsageError as exc:
        raise InvalidInputError(f"{origin}: {exc.message}", hint=exc.hint) from None


def read_pairs(src: str) -> list[ScoreItem]:
    """Items of a pairs file; a bad line becomes an item carrying its error (the others are still scored)."""
    text = read_text(src)
    base = Path.cwd() if src == "-" else Path(src).expanduser().resolve().parent
    name = "stdin" if src == "-" else src
    items = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        origin = f"{name}:{lineno}"
        try:
            obj = loads_json(line, origin)
            items.append(item_from_object(obj, base, origin))
        except json.JSONDecodeError as exc:
            items.append(ScoreItem(image="", origin=origin, error=f"{origin}: malformed JSON ({exc.msg})"))
        except InvalidInputError as exc:
            items.append(ScoreItem(image="", origin=origin, error=exc.message))
    if not items:
        raise InvalidInputError(f"{name}: no pairs in the file")
    return items


def read_index(src: str) -> list[ScoreItem]:
    """Items of an edit-sweep index (see the module docstring)."""
    text = read_text(src)
    name = "stdin" if src == "-" else src
    base = Path.cwd() if src == "-" else Path(src).expanduser().resolve().parent
    try:
        obj = loads_json(text, name)
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{name}: malformed JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(obj, dict):
        raise InvalidInputError(f"{name}: expected a JSON object with 'source' and 'items'")
    fmt = obj.get("format", "fxe.score-index/v1")
    if fmt != "fxe.score-index/v1":
        raise InvalidInputError(f"{name}: unknown format {fmt!r}, expected 'fxe.score-index/v1'")
    unknown = set(obj) - {"format", "source", "text", "items", "meta"}
    if unknown:
        raise InvalidInputError(f"{name}: unknown key(s) {', '.join(sorted(unknown))} "
                                f"(valid: format, source, text, items, meta)")
    entries = obj.get("items")
    if not isinstance(entries, list) or not entries:
        raise InvalidInputError(f"{name}: 'items' must be a non-empty list of {{\"path\": ..., \"alpha\": ...}}")
    defaults = {k: obj[k] for k in ("source", "text") if obj.get(k) is not None}
    items = []
    for i, entry in enumerate(entries):
        origin = f"{name}: items[{i}]"
        try:
            items.append(item_from_object(entry, base, origin, defaults))
        except InvalidInputError as exc:
            items.append(ScoreItem(image="", origin=origin, error=exc.message))
    return items
