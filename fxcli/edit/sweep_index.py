"""The JSON index of an alpha sweep, in the format `fxe score --index` reads (`fxe.score-index/v1`).

    {"format": "fxe.score-index/v1",
     "source": "../face.jpg",
     "items": [{"path": "face_happy_0.00.png", "alpha": 0.0, "expression": "happy"}, ...],
     "meta": {"generator": "fxe edit", "expression": "happy", "model": "embedded", "seed": 0,
              "face_index": null, "source_as_given": "face.jpg", "identity_similarity": [0.99, ...]}}

Paths (`source` and each item's `path`) are relative to the folder of the index file, so a sweep
folder moves as a whole and `fxe score --index` finds everything. `meta.identity_similarity` lists,
item by item, the cosine similarity of dlib face descriptors of the output and the source face (null
when no face was found in the output).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from fxcli.errors import InvalidInputError

SWEEP_FORMAT = "fxe.score-index/v1"


def _relative(path: str, folder: Path) -> str:
    if path == "-":
        return path
    return Path(os.path.relpath(Path(path).resolve(), folder.resolve())).as_posix()


def sweep_index(source: str, expression: str, model: str, seed: int, face_index: int | None,
                items: list[dict[str, Any]], index_path: str) -> dict[str, Any]:
    folder = Path(index_path).parent
    rows = [{"path": _relative(i["path"], folder), "alpha": i["alpha"], "expression": expression} for i in items]
    meta = {"generator": "fxe edit", "expression": expression, "model": model, "seed": seed,
            "face_index": face_index, "source_as_given": source,
            "identity_similarity": [i.get("identity_similarity") for i in items]}
    return {"format": SWEEP_FORMAT, "source": _relative(source, folder), "items": rows, "meta": meta}


def write_sweep_index(index: dict[str, Any], path: str) -> None:
    from fxcli.io.atomic import write_text_atomic

    write_text_atomic(path, json.dumps(index, indent=1, ensure_ascii=False) + "\n")


def read_sweep_index(path: str) -> dict[str, Any]:
    """Read a sweep index written here; `source` and item paths come back resolved against its folder."""
    from fxcli.io.inputs import loads_json, read_text

    try:
        data = loads_json(read_text(path), str(path))
    except json.JSONDecodeError as exc:
        raise InvalidInputError(f"{path}: malformed JSON ({exc.msg}, line {exc.lineno})") from None
    if not isinstance(data, dict) or data.get("format") != SWEEP_FORMAT:
        raise InvalidInputError(f"{path}: not an fxe sweep index (format {SWEEP_FORMAT!r} expected)")
    items = data.get("items")
    if not isinstance(items, list) or not all(isinstance(i, dict) and "alpha" in i and "path" in i for i in items):
        raise InvalidInputError(f"{path}: 'items' must be a list of objects with 'alpha' and 'path'")
    folder = Path(path).parent
    data["items"] = [{**i, "path": str(folder / i["path"])} for i in items]
    if data.get("source") not in (None, "-"):
        data["source"] = str(folder / data["source"])
    return data
