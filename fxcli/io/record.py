"""Resume records: what made an output, so that a rerun skips it only when nothing has changed.

An edit sweep keeps its record in each picture's provenance (the PNG text chunk; EDIT_KEY). A --jobs
batch keeps the record of each output in a sidecar `.NAME.fxe-record.json` beside it (so that a job's
output stays byte-identical to the same single command's, and every format has room), together with the
output's size and modification time (for a folder output: those of its FOLDER_RECORD), so a record never
vouches for an output that was changed or replaced after it was made:

    {"inputs": "sha256 of the input files' contents", "options": "sha256 of the options",
     "model": "model id@model hash", "version": "fxe version"}

`why_redo(old, new)` says why an existing output must be made again ("no record", "made by another
version", "input changed", "model changed", "options changed"), or None when it may be kept.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fxcli import __version__

FOLDER_RECORD = ".fxe.json"  # the provenance of a folder output (PNG frames), written into it last
JOB_KEY = "job"  # provenance key of the record a --jobs batch checks
EDIT_KEY = "made_from"  # provenance key of the record an edit sweep checks
STDIN = "stdin"  # the inputs of a record made from stdin: never equal to anything  # provenance key of the record an edit sweep checks

# the record of the --jobs job now running (for code that wants to know what it is making)
current_job: contextvars.ContextVar[dict[str, Any] | None] = contextvars.ContextVar("fxe_job_record", default=None)
# counts of outputs made and kept by a command that resumes by itself (an edit sweep), for the batch summary
outputs_done: contextvars.ContextVar[dict[str, int] | None] = contextvars.ContextVar("fxe_outputs", default=None)


def count_output(kept: bool) -> None:
    counts = outputs_done.get()
    if counts is not None:
        counts["kept" if kept else "made"] += 1


def file_sha256(path: str | os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def make_record(*, inputs: Iterable[str] = (), options: dict[str, Any] | None = None, model: str | None = None,
                model_hash: str | None = None) -> dict[str, Any]:
    """The record of an output made from the files `inputs` ('-' = stdin) with `options` and a model."""
    h = hashlib.sha256()
    stdin = False
    for src in inputs:
        if src == "-":
            stdin = True
        else:
            h.update(file_sha256(src).encode() + b"\n")
    options_hash = hashlib.sha256(_canonical(options or {}).encode()).hexdigest()
    return {"inputs": STDIN if stdin else h.hexdigest(), "options": options_hash,
            "model": f"{model}@{model_hash}" if model or model_hash else None, "version": __version__}


def why_redo(old: dict[str, Any] | None, new: dict[str, Any]) -> str | None:
    """Why an output whose stored record is `old` must be made again under `new`; None to keep it."""
    if not isinstance(old, dict):
        return "no record"
    if old.get("version") != new.get("version"):
        return "made by another version"
    if new.get("inputs") == STDIN:
        return "input read from stdin"
    if old.get("inputs") != new.get("inputs"):
        return "input changed"
    if old.get("model") != new.get("model"):
        return "model changed"
    if old.get("options") != new.get("options"):
        return "options changed"
    return None


def stored_records(path: str | os.PathLike, key: str) -> list[Any]:
    """The records under `key` in the provenance of the output `path` (a file or a folder output)."""
    p = Path(path)
    if p.is_dir():
        try:
            meta = json.loads((p / FOLDER_RECORD).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [meta.get(key)] if isinstance(meta, dict) else []
    if not p.is_file():
        return []
    from fxcli.io.atomic import reading_outputs
    from fxcli.provenance import read_provenance

    try:
        with reading_outputs():
            metas = read_provenance(str(p))
    except Exception:  # noqa: BLE001 - an unreadable earlier output is simply made again
        return []
    return [m.get(key) if isinstance(m, dict) else None for m in metas]


def sidecar_path(path: str | os.PathLike) -> Path:
    p = Path(path)
    return p.parent / f".{p.name}.fxe-record.json"


def _stamp(p: Path) -> list[int] | None:
    target = p / FOLDER_RECORD if p.is_dir() else p
    try:
        st = target.stat()
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def write_sidecar(path: str | os.PathLike, key: str, rec: dict[str, Any]) -> None:
    """Record `rec` beside the file `path` (whose own format holds no record)."""
    from fxcli.io.atomic import is_direct_target, write_text_atomic

    p = Path(path)
    if is_direct_target(p) or _stamp(p) is None:
        return
    write_text_atomic(sidecar_path(p), json.dumps({key: rec, "file": _stamp(p)}, sort_keys=True) + "\n")


def _sidecar_record(p: Path, key: str) -> list[Any]:
    try:
        side = json.loads(sidecar_path(p).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    if not isinstance(side, dict) or side.get("file") is None or side.get("file") != _stamp(p):
        return []  # the output changed after its record was written
    return [side.get(key)]


def why_redo_output(path: str | os.PathLike, key: str, new: dict[str, Any]) -> str | None:
    """None when `path` exists and every record in it matches `new`; else the reason to make it again."""
    p = Path(path)
    if not p.exists():
        return "missing"
    records = [r for r in stored_records(p, key) if r is not None] if key != JOB_KEY else []
    if not records:
        records = _sidecar_record(p, key)
        if not records and sidecar_path(p).exists():
            return "output changed after it was made"
    if not records:
        return "no record"
    for old in records:
        reason = why_redo(old, new)
        if reason:
            return reason
    return None
