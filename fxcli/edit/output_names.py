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
    check_name_length(output)
    return output.endswith(("/", os.sep)) or Path(output).is_dir()


# a plain format spec: [[fill]align][sign][#][0][width][,|_][.precision][type]; no nested {fields}
_SPEC = re.compile(r"(?:[^{}]?[<>=^])?[+\- ]?#?0?(?P<width>\d*)[,_]?(?:\.(?P<precision>\d+))?[a-zA-Z%]?")
MAX_WIDTH = 64  # of one placeholder (`{i:04d}`, `{alpha:>6}`)
MAX_NAME_BYTES = 255  # of one file or folder name (NAME_MAX of Linux and macOS file systems)


def format_pattern(pattern: str, placeholders: tuple[str, ...] = PLACEHOLDERS, **values) -> str:
    """`pattern` with its placeholders filled; UsageError for anything but plain `{field}` / `{field:spec}`.

    Attribute and index access (`{name.__class__}`, `{name[0]}`), conversions (`{name!r}`), nested fields
    and widths above MAX_WIDTH are refused: an output name is not a place to run format code.
    """
    import string

    hint = "placeholders are " + ", ".join(f"{{{p}}}" for p in placeholders)
    try:
        fields = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise UsageError(f"-o {pattern!r}: bad pattern ({exc})", hint=hint) from None
    for _, field, spec, conversion in fields:
        if field is None:
            continue
        if field not in placeholders:
            raise UsageError(f"-o {pattern!r}: bad pattern (unknown placeholder {{{field}}})", hint=hint)
        match = _SPEC.fullmatch(spec or "")
        if conversion is not None or match is None:
            raise UsageError(f"-o {pattern!r}: bad pattern ({{{field}{'!' + conversion if conversion else ''}"
                             f"{':' + spec if spec else ''}}} is not a plain placeholder)",
                             hint=hint + ", with an optional simple format such as {i:03d}")
        for part in ("width", "precision"):
            if match.group(part) and int(match.group(part)) > MAX_WIDTH:
                raise UsageError(f"-o {pattern!r}: bad pattern ({part} {match.group(part)} in {{{field}:{spec}}} "
                                 f"is above {MAX_WIDTH})", hint=f"use a {part} of at most {MAX_WIDTH}")
    try:
        path = pattern.format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        raise UsageError(f"-o {pattern!r}: bad pattern ({exc})", hint=hint) from None
    check_name_length(path)
    return path


def check_name_length(path: str) -> None:
    """UsageError when a file or folder name in `path` is longer than the file system allows."""
    for part in Path(path).parts:
        if len(part.encode("utf-8", "surrogateescape")) > MAX_NAME_BYTES:
            raise UsageError(f"-o: output name {part[:40]!r}... is longer than {MAX_NAME_BYTES} bytes",
                             hint="use a shorter name or pattern")


def check_suffix(path: str) -> None:
    """UsageError unless `path` ends with an image type fxe writes."""
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
        files = [format_pattern(output, i=i, name=name, alpha=format_alpha(a), expression=expr)
                 for i, a in enumerate(alphas)]
        if len(set(files)) != len(files):
            raise UsageError(f"-o {output!r} names every alpha the same file", hint="put {alpha} or {i} in it")
        for f in files:
            check_suffix(f)
        folder = Path(files[0]).parent
    elif is_folder(output):
        folder = Path(output)
        files = [str(folder / f"{name}_{expr}_{format_alpha(a)}.png") for a in alphas]
        for f in files:
            check_name_length(f)
    else:
        if many:
            raise UsageError(f"-o {output!r} is one file but --alpha gives {len(alphas)} values",
                             hint="use -o FOLDER/ or a pattern with {alpha}")
        check_suffix(output)
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
