"""One rule for "this output would replace one of the run's inputs" (or another output of the run).

Two paths name the same file when both exist and are one file (also through links or hard links), or,
when either is missing, when their normalised absolute paths are equal. Such an output is refused with
one line naming both options (exit 2) before any work is done. Targets that are not replaced
(`-`, /dev/stdout, a FIFO: fxcli.io.atomic.is_direct_target) are never refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from fxcli.errors import UsageError

Named = tuple[str, "str | os.PathLike | None"]  # (the option that names it, e.g. "--audio", the path)


def _norm(path: str | os.PathLike) -> str:
    return os.path.normcase(os.path.abspath(os.path.expanduser(os.fspath(path))))


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """True when `a` and `b` name one file: os.path.samefile when both exist, else equal normalised paths."""
    try:
        return os.path.samefile(os.path.expanduser(os.fspath(a)), os.path.expanduser(os.fspath(b)))
    except (OSError, ValueError):
        return _norm(a) == _norm(b)


def _replaceable(path: str | os.PathLike | None) -> bool:
    if path is None or os.fspath(path) in ("", "-"):
        return False
    from fxcli.io.atomic import is_direct_target

    return not is_direct_target(path)


def refuse_output_is_input(output: Named, inputs: Iterable[Named]) -> None:
    """UsageError (exit 2) when the output `(option, path)` is the same file as one of `inputs`."""
    out_option, out_path = output
    if not _replaceable(out_path):
        return
    for option, path in inputs:
        if path is None or os.fspath(path) in ("", "-"):
            continue
        if same_file(out_path, path):
            raise UsageError(f"{out_option} {os.fspath(out_path)} is the same file as {option} {os.fspath(path)}; "
                             "it would be replaced", hint=f"give {out_option} another name")


def refuse_shared_output(outputs: Iterable[Named]) -> None:
    """UsageError (exit 2) when two outputs of one run are the same file (one of them would be lost)."""
    seen: list[Named] = []
    for option, path in outputs:
        if not _replaceable(path):
            continue
        for other_option, other in seen:
            if same_file(path, other):
                raise UsageError(f"{other_option} {os.fspath(other)} and {option} {os.fspath(path)} are the same "
                                 "file; one output would be lost", hint=f"give {option} another name")
        seen.append((option, path))
