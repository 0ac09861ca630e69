"""The `stylize` procedure: read the portrait, find its face when a style needs it, write every style asked.

One style and a file output writes that file; several styles (`--style cartoon,comic,avatar`) or a
folder output write one image per style, a contact sheet (the photo, then each style) and a JSON index
(`fxe.score-index/v1`: `fxe score --index` compares each style with the photo: expression and identity).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fxcli.errors import UsageError

Report = Callable[[str], None]
FACE_STYLES = ("avatar", "avatar-shaded")


@dataclass
class StylizeOutcome:
    paths: list[str] = field(default_factory=list)
    sheet: str | None = None
    index: str | None = None


def parse_styles(spec: str, known: tuple[str, ...]) -> list[str]:
    styles = [s.strip() for s in str(spec).split(",") if s.strip()]
    if not styles:
        raise UsageError("no style given", hint=f"use --style one of {', '.join(known)}")
    for s in styles:
        if s not in known:
            import difflib

            near = difflib.get_close_matches(s, known, n=2)
            raise UsageError(f"unknown style {s!r}" + (f" (did you mean {' or '.join(near)}?)" if near else ""),
                             hint=f"styles: {', '.join(known)}")
    if len(set(styles)) != len(styles):
        raise UsageError(f"--style {spec!r}: a style is repeated")
    return styles


def plan_paths(source: str, output: str | None, styles: list[str]) -> tuple[list[str], str | None, str | None]:
    """Output files per style, plus sheet and index paths when the styles go to a folder.

    The rules of `edit` (fxcli.edit.output_names): a name ending in / or an existing folder is a folder, a
    pattern may use {style} and {name}, anything else is one image file (one style only).
    """
    from fxcli.edit.output_names import check_name_length, check_suffix, format_pattern, is_folder, source_name

    stem = source_name(source)
    if output == "-":
        raise UsageError("-o -: stylize writes image files, not stdout", hint="give a file name such as out.png")
    if output is not None and "{" in output:
        paths = [format_pattern(output, ("style", "name"), style=s, name=stem) for s in styles]
        if len(set(paths)) != len(paths):
            raise UsageError(f"-o {output!r} names every style the same file", hint="put {style} in it")
        for p in paths:
            check_suffix(p)
        return paths, None, None
    if output is not None and not is_folder(output):
        if len(styles) > 1:
            raise UsageError(f"-o {output!r} is one file but --style gives {len(styles)} styles",
                             hint="use -o FOLDER/ or a pattern with {style}")
        check_suffix(output)
        return [output], None, None
    base = Path(output or f"{stem}_stylized")
    paths = [str(base / f"{stem}_{s}.png") for s in styles]
    for p in paths:
        check_name_length(p)
    return paths, str(base / "sheet.png"), str(base / "index.json")


def run_stylize(stylizer, *, source: str, styles: list[str], output: str | None, seed: int = 0,
                colors: int | None = None, size: tuple[int, int] | None = None, face_index: int | None = None,
                strength: float | None = None, prompt: str | None = None,
                report: Report = lambda _: None) -> StylizeOutcome:
    from fxcli.edit.faces_list import choose_face
    from fxcli.edit.output_names import ensure_folders
    from fxcli.face import detect_faces, load_image
    from fxcli.provenance import make_meta, save_image

    paths, sheet, index = plan_paths(source, output, styles)
    image = load_image(source)
    face = None
    if any(s in FACE_STYLES for s in styles) or getattr(stylizer, "needs_face", False):
        face = choose_face(detect_faces(image), face_index, source, task="stylize")
    ensure_folders(paths + [x for x in (sheet, index) if x])
    out = StylizeOutcome()
    images = []
    for style, path in zip(styles, paths, strict=True):
        result = stylizer.stylize(image, style, face=face, seed=seed, colors=colors, size=size, source=source,
                                  strength=strength, prompt=prompt)
        info = dict(getattr(stylizer, "last_info", {}) or {})
        meta = make_meta("stylize", model=stylizer.model_id, model_hash=getattr(stylizer, "model_hash", None),
                         seed=seed, params={"source": source, "style": style, "colors": colors,
                                            "size": f"{size[0]}x{size[1]}" if size else None, "strength": strength,
                                            "prompt": prompt, "face_index": face_index}, **info)
        from PIL import Image

        save_image(Image.fromarray(result), path, meta)
        extra = f" (fit residual {info['fit_residual_px']:.2f} px)" if "fit_residual_px" in info else ""
        report(f"{style}: {path}{extra}")
        out.paths.append(path)
        images.append(result)
    if sheet and index:
        from fxcli.edit.contact_sheet import contact_sheet
        from fxcli.io.atomic import write_text_atomic

        save_image(contact_sheet([image] + images, ["source"] + styles),
                   sheet, make_meta("stylize", model=stylizer.model_id, seed=seed,
                                    params={"source": source, "styles": styles, "contact_sheet": True}))
        src = str(Path(source).resolve())
        items = [{"path": Path(p).name, "source": src, "group": Path(source).stem, "text": f"{s} style"}
                 for s, p in zip(styles, out.paths, strict=True)]
        write_text_atomic(index, json.dumps({"format": "fxe.score-index/v1", "source": src, "items": items,
                                             "meta": {"generator": "fxe stylize", "styles": styles}},
                                            indent=1) + "\n")
        out.sheet, out.index = sheet, index
        report(f"contact sheet {sheet}; index {index}")
    return out
