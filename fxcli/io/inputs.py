"""Reading user inputs: files or `-` for stdin, with precise errors."""

from __future__ import annotations

import sys
from pathlib import Path

from fxcli.errors import InvalidInputError


def read_bytes(source: str) -> bytes:
    """Read a file, or stdin when `source` is '-'. Raises InvalidInputError when unreadable or empty."""
    if source == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise InvalidInputError("nothing on stdin", hint="pipe data in or pass a file name")
        data = sys.stdin.buffer.read()
        name = "stdin"
    else:
        path = Path(source).expanduser()
        if not path.exists():
            raise InvalidInputError(f"{source}: no such file")
        if path.is_dir():
            raise InvalidInputError(f"{source}: is a folder, expected a file")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidInputError(f"{source}: cannot read ({exc.strerror})") from exc
        name = source
    if not data.strip():
        raise InvalidInputError(f"{name} is empty")
    return data


def read_text(source: str) -> str:
    data = read_bytes(source)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        name = "stdin" if source == "-" else source
        raise InvalidInputError(f"{name}: not valid UTF-8 (byte {exc.start})") from exc
