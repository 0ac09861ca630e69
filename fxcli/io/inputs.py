"""Reading user inputs: files or `-` for stdin, with precise errors and a size cap.

Every read is bounded: at most `limit` bytes (default MAX_INPUT_BYTES, raised with FXE_MAX_INPUT_MB) are
read, so endless input (`/dev/zero`, a stream on stdin that never ends) fails with one clear line
(exit 3) instead of filling the memory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from fxcli.errors import InvalidInputError

MAX_INPUT_BYTES = 256 * 2**20  # tracks, job files, images, pickles: far above any real input
MAX_TEXT_BYTES = 16 * 2**20  # text read from stdin or a text file


def input_limit(default: int = MAX_INPUT_BYTES) -> int:
    """The byte cap of one input: `default`, or FXE_MAX_INPUT_MB when set (UsageError unless a positive number)."""
    import math

    from fxcli.errors import UsageError

    raw = os.environ.get("FXE_MAX_INPUT_MB", "").strip()
    if not raw:
        return default
    try:
        mb = float(raw)
    except ValueError:
        mb = math.nan
    if not (math.isfinite(mb) and 0 < mb < 2**40):
        raise UsageError(f"FXE_MAX_INPUT_MB={raw[:40]!r} is not a positive number of MiB",
                         hint="e.g. FXE_MAX_INPUT_MB=1024, or unset it for the default")
    return int(mb * 2**20)


def _size(n: int) -> str:
    return f"{n / 2**20:g} MiB" if n >= 2**20 else f"{n:,} bytes"


def too_large(name: str, limit: int) -> InvalidInputError:
    return InvalidInputError(f"{name}: larger than the {_size(limit)} input limit",
                             hint="set FXE_MAX_INPUT_MB to raise it")


def read_bounded(fh, name: str, limit: int) -> bytes:
    """At most `limit` bytes from a binary file object; InvalidInputError if there is more."""
    data = fh.read(limit + 1)
    if len(data) > limit:
        raise too_large(name, limit)
    return data


def read_bytes(source: str, limit: int | None = None) -> bytes:
    """Read a file, or stdin when `source` is '-'. Raises InvalidInputError when unreadable, empty or too large."""
    limit = input_limit() if limit is None else limit
    if source == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise InvalidInputError("nothing on stdin", hint="pipe data in or pass a file name")
        name = "stdin"
        try:
            data = read_bounded(sys.stdin.buffer, name, limit)
        except OSError as exc:
            raise InvalidInputError(f"stdin: cannot read ({exc.strerror})") from exc
    else:
        path = Path(source).expanduser()
        if not path.exists():
            raise InvalidInputError(f"{source}: no such file")
        if path.is_dir():
            raise InvalidInputError(f"{source}: is a folder, expected a file")
        name = source
        from fxcli.io.atomic import note_input

        note_input(path)  # no output of this run may replace it
        try:
            with open(path, "rb") as fh:
                data = read_bounded(fh, name, limit)
        except OSError as exc:
            raise InvalidInputError(f"{source}: cannot read ({exc.strerror})") from exc
    if not data.strip():
        raise InvalidInputError(f"{name} is empty")
    return data


def read_text(source: str, limit: int | None = None) -> str:
    data = read_bytes(source, input_limit(MAX_TEXT_BYTES) if limit is None else limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        name = "stdin" if source == "-" else source
        raise InvalidInputError(f"{name}: not valid UTF-8 (byte {exc.start})") from exc


def check_utf8_argument(value: str, what: str = "text") -> str:
    """A command-line text argument as given; InvalidInputError if its bytes are not valid UTF-8.

    Python turns undecodable argument bytes into lone surrogates; they cannot be printed or encoded.
    """
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        what = what if what.startswith("command-line") else f"the {what} argument"
        raise InvalidInputError(f"{what} is not valid UTF-8 (character {exc.start})") from None
    return value


MAX_JSON_DEPTH = 1024


def loads_json(text: str | bytes, name: str = "input"):
    """Parse JSON fast (orjson), with the standard library's precise messages for malformed input.

    json.JSONDecodeError propagates (callers word it); what the standard parser would turn into a crash
    (nesting deeper than MAX_JSON_DEPTH, integers of thousands of digits) is InvalidInputError.
    """
    import json

    import orjson

    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if "depth limit" in str(exc) or "recursion" in str(exc).lower():
            raise InvalidInputError(f"{name}: JSON nested more than {MAX_JSON_DEPTH} levels deep") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except RecursionError:
        raise InvalidInputError(f"{name}: JSON nested more than {MAX_JSON_DEPTH} levels deep") from None
    except ValueError as exc:
        if "digits" in str(exc):
            raise InvalidInputError(f"{name}: a number in the JSON has too many digits") from None
        raise InvalidInputError(f"{name}: malformed JSON ({exc})") from None


NUMERIC_KINDS = "biuf"  # numpy dtype kinds fxe reads: bool, signed and unsigned integer, float


def load_npy_bytes(data: bytes, name: str):
    """A .npy array from bytes: numbers only (no pickles, strings, objects or records), a shape that fits the data."""
    import io

    import numpy as np

    fh = io.BytesIO(data)
    try:
        version = np.lib.format.read_magic(fh)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, _, dtype = read_header(fh)
        if dtype.kind not in NUMERIC_KINDS or dtype.fields is not None:
            raise InvalidInputError(f"{name}: .npy array of dtype {dtype.str!r} (an object, string or record type), "
                                    "expected numbers (bool, integer or float)")
        n = 1
        for d in shape:
            n *= int(d)
        if n * dtype.itemsize > len(data) - fh.tell():
            raise InvalidInputError(f"{name}: .npy header declares shape {tuple(shape)}, more than the file holds")
        fh.seek(0)
        return np.load(fh, allow_pickle=False)
    except InvalidInputError:
        raise
    except (ValueError, OSError, EOFError, TypeError) as exc:
        raise InvalidInputError(f"{name}: unreadable .npy array ({exc})") from None
