"""Where the outputs of an edit go: one file, a folder, or a pattern with {i} {name} {alpha} {expression}.

    -o out.png                 one alpha -> that file
    -o sweep/                  (or an existing folder) -> sweep/{name}_{expression}_{alpha}.png per alpha
    -o 'out/{name}-{i}.jpg'    a pattern; {i} counts from 0, {alpha} has two decimals
    -o -                       one PNG on stdout (one alpha only)

A sweep (several alphas) also writes a contact sheet `{name}_{expression}_sheet.png` and the JSON index
`{name}_{expression}_sweep.json` into the folder of its first output.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from fxcli.edit.alpha_spec import format_alpha
from fxcli.errors import UsageError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
PLACEHOLDERS = ("i", "name", "alpha", "expression")


@dataclass
class OutputPlan:
    files: list[str]  # one per alpha, in order
    sheet: str | None  # contact sheet (sweeps only)
    index: str | None  # JSON sweep index (sweeps only)

    def all_paths(self) -> list[str]:
        return [p for p in (*self.files, self.sheet, self.index) if p and p != "-"]


def slug(text: str) -> str:
    """A file-name-safe form of an expression name or free text: 'very happy!' -> 'very-happy'."""
    s = re.sub(r"[^A-Za-z0-9._+-]+", "-", text.strip()).strip("-.")
    return s[:60] or "expression"


def source_name(source: str) -> str:
    return "stdin" if source == "-" else Path(source).stem


def is_folder(output: str) -> bool:
    return output.endswith(("/", os.sep)) or Path(output).is_dir()


def _format(pattern: str, **values) -> str:
    try:
        return pattern.format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        raise UsageError(f"-o {pattern!r}: bad pattern ({exc})",
                         hint="placeholders are {i}, {name}, {alpha}, {expression}") from None


def _check_suffix(path: str) -> None:
    if Path(path).suffix.lower() not in IMAGE_SUFFIXES:
        raise UsageError(f"-o {path!r}: unknown image type", hint=f"end the name with {', '.join(IMAGE_SUFFIXES)}")


def plan_outputs(source: str, output: str | None, expression: str, alphas: list[float]) -> OutputPlan:
    """Name every output of editing `source` toward `expression` at each alpha."""
    if not output:
        raise UsageError("no output given", hint="use -o FILE, -o FOLDER/ or -o 'PATTERN_{alpha}.png'")
    name, expr = source_name(source), slug(expression)
    many = len(alphas) > 1
    if output == "-":
        if many:
            raise UsageError("a sweep writes several files and cannot go to stdout", hint="use -o FOLDER/")
        return OutputPlan(["-"], None, None)
    if "{" in output:
        files = [_format(output, i=i, name=name, alpha=format_alpha(a), expression=expr) for i, a in enumerate(alphas)]
        if len(set(files)) != len(files):
            raise UsageError(f"-o {output!r} names every alpha the same file", hint="put {alpha} or {i} in it")
        for f in files:
            _check_suffix(f)
        folder = Path(files[0]).parent
    elif is_folder(output):
        folder = Path(output)
        files = [str(folder / f"{name}_{expr}_{format_alpha(a)}.png") for a in alphas]
    else:
        if many:
            raise UsageError(f"-o {output!r} is one file but --alpha gives {len(alphas)} values",
                             hint="use -o FOLDER/ or a pattern with {alpha}")
        _check_suffix(output)
        return OutputPlan([output], None, None)
    if not many:
        return OutputPlan(files, None, None)
    return OutputPlan(files, str(folder / f"{name}_{expr}_sheet.png"), str(folder / f"{name}_{expr}_sweep.json"))


def plan_blend_output(source: str, output: str | None, terms: list[tuple[str, float]]) -> str:
    """The one file a blend writes ({expression} in a pattern or folder name = the terms, e.g. happy0.60+sad0.40)."""
    label = "+".join(f"{slug(n)}{format_alpha(w)}" for n, w in terms)
    if output and "{" not in output and is_folder(output):
        return str(Path(output) / f"{source_name(source)}_{label}.png")
    total = sum(w for _, w in terms)
    return plan_outputs(source, output, label, [total]).files[0]


def ensure_folders(paths: list[str]) -> None:
    """Create the folders outputs go into (an -o FOLDER/ the user named may not exist yet)."""
    from fxcli.io.atomic import make_folders

    for p in {str(Path(p).parent) for p in paths if p != "-"}:
        make_folders(p)
