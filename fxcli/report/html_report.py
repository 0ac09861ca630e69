"""One self-contained HTML page (no external file, script or font) for a folder of fxe outputs.

What the folder holds decides the page:
- an index (`fxe.score-index/v1`: an `fxe edit` sweep or an `fxe gen-avatar` set): a grid of the
  images, one row per expression (and identity), one column per alpha, the contact sheet, and the
  score plot when a score file of it lies in the folder;
- anything else (a batch folder): the pictures as thumbnails, tracks as curve plots, score files and
  training logs as plots, videos listed.
Every picture is downscaled and inlined as a data URI; each file's provenance (fxcli.provenance) is
shown in a collapsible block. The page is the same bytes for the same folder.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

from fxcli.errors import InvalidInputError

THUMB = 160
SHEET = 900
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")
VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".gif", ".webm")
TRACK_SUFFIXES = (".npz",)
CSS = """
body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px;color:#222;background:#fafafa}
h1{font-size:22px;margin:0 0 4px} h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.sub{color:#666;font-size:13px} table.grid{border-collapse:collapse} .grid td,.grid th{padding:4px;text-align:center;
font-size:12px;vertical-align:top} .grid th{color:#444} img{display:block;border:1px solid #ccc;background:#fff}
figure{display:inline-block;margin:6px;vertical-align:top} figcaption{font-size:11px;color:#444;max-width:200px;
word-wrap:break-word} details{margin:4px 0;font-size:12px} pre{background:#f0f0f0;padding:6px;overflow-x:auto;
font-size:11px;max-width:1100px} .score{font-size:11px;color:#333}
"""


def data_uri(path: Path, max_side: int) -> str:
    """The picture downscaled to fit max_side, as a PNG (or JPEG for photos) data URI."""
    from PIL import Image

    try:
        with Image.open(path) as im:
            im = im.convert("RGB")
            im.thumbnail((max_side, max_side), Image.LANCZOS)
            buf = io.BytesIO()
            photo = path.suffix.lower() in (".jpg", ".jpeg")
            im.save(buf, format="JPEG" if photo else "PNG", quality=85, optimize=False)
    except OSError as exc:
        raise InvalidInputError(f"{path}: not a readable image ({exc})") from None
    kind = "jpeg" if photo else "png"
    return f"data:image/{kind};base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _img(uri: str, alt: str, width: int | None = None) -> str:
    w = f' width="{width}"' if width else ""
    return f'<img src="{uri}" alt="{html.escape(alt)}"{w}>'


def _provenance(path: Path) -> str:
    from fxcli.provenance import read_provenance

    try:
        records = read_provenance(str(path))
    except InvalidInputError:
        return ""
    if not records:
        return ""
    body = html.escape(json.dumps(records if len(records) > 1 else records[0], indent=1, ensure_ascii=False,
                                  sort_keys=True)[:4000])
    return f"<details><summary>how {html.escape(path.name)} was made</summary><pre>{body}</pre></details>"


def _plot_uri(inputs: list[str], title: str | None = None) -> str | None:
    from fxcli.plot.plots import make_plot

    try:
        png = make_plot(inputs, "plot.png", title=title)
    except (InvalidInputError, ValueError):
        return None
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _index_files(folder: Path) -> list[Path]:
    found = []
    for p in sorted(folder.glob("*.json")):
        try:
            head = p.read_text(encoding="utf-8", errors="replace")[:4000]
        except OSError:
            continue
        if '"fxe.score-index/v1"' in head:
            found.append(p)
    return found


def _score_files(folder: Path) -> list[Path]:
    out = []
    for p in sorted(folder.glob("*.jsonl")):
        first = p.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
        if '"input"' in first or '"summary"' in first:
            out.append(p)
    return out


def _scores_by_image(score_files: list[Path]) -> dict[str, dict[str, Any]]:
    out = {}
    for f in score_files:
        for line in f.read_text(encoding="utf-8").splitlines():
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and "input" in row:
                out[Path(str(row["input"])).name] = row
    return out


def _score_caption(row: dict[str, Any] | None) -> str:
    if not row or row.get("status", "ok") != "ok":
        return ""
    expression = row.get("expression") if isinstance(row.get("expression"), dict) else {}
    bits = []
    if expression.get("label"):
        p = (expression.get("probs") or {}).get(expression["label"])
        bits.append(f"judged {expression['label']}" + (f" {p:.2f}" if isinstance(p, (int, float)) else ""))
    if isinstance(row.get("id_sim"), (int, float)):
        bits.append(f"id {row['id_sim']:.3f}")
    return f'<div class="score">{html.escape(", ".join(bits))}</div>' if bits else ""


def _index_section(index_path: Path, scores: dict[str, dict[str, Any]]) -> str:
    doc = json.loads(index_path.read_text(encoding="utf-8"))
    items = doc.get("items") or []
    meta = doc.get("meta") or {}
    alphas = sorted({float(i["alpha"]) for i in items if isinstance(i.get("alpha"), (int, float))})
    rows: dict[str, dict[float, dict]] = {}
    for item in items:
        label = " / ".join(str(item[k]) for k in ("identity", "expression") if item.get(k) is not None) or "items"
        rows.setdefault(label, {})[float(item.get("alpha", 0.0))] = item
    out = [f"<h2>{html.escape(index_path.name)} <span class='sub'>{html.escape(str(meta.get('generator', '')))}"
           f" · {len(items)} images</span></h2>", '<table class="grid"><tr><th></th>']
    out += [f"<th>&alpha; {a:g}</th>" for a in alphas] + ["</tr>"]
    for label, by_alpha in rows.items():
        out.append(f"<tr><th>{html.escape(label)}</th>")
        for a in alphas:
            item = by_alpha.get(a)
            path = index_path.parent / str(item["path"]) if item else None
            if path is not None and path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
                out.append(f"<td>{_img(data_uri(path, THUMB), path.name)}{_score_caption(scores.get(path.name))}</td>")
            else:
                out.append("<td></td>")
        out.append("</tr>")
    out.append("</table>")
    first = next((index_path.parent / str(i["path"]) for i in items if (index_path.parent / str(i["path"])).is_file()),
                 None)
    if first is not None:
        out.append(_provenance(first))
    return "\n".join(out)


def build_report(folder: str, *, title: str | None = None, output: str | None = None) -> str:
    """The HTML page for `folder` (see the module docstring); `output`, where it goes, must not be a file it reads."""
    from fxcli.io.same_file import refuse_output_is_input

    root = Path(folder)
    if not root.is_dir():
        raise InvalidInputError(f"{folder}: not a folder")
    files = sorted(p for p in root.rglob("*") if p.is_file())
    if not files:
        raise InvalidInputError(f"{folder}: the folder is empty")
    if output is not None:
        read = IMAGE_SUFFIXES + VIDEO_SUFFIXES + TRACK_SUFFIXES + (".json", ".jsonl")  # a report.html is not
        refuse_output_is_input(("-o", output), [("FOLDER's file", p) for p in files if p.suffix.lower() in read])
    indexes = _index_files(root)
    score_files = _score_files(root)
    scores = _scores_by_image(score_files)
    sections: list[str] = []
    listed: set[Path] = set()
    for index in indexes:
        sections.append(_index_section(index, scores))
        doc = json.loads(index.read_text(encoding="utf-8"))
        listed.update((index.parent / str(i.get("path"))).resolve() for i in doc.get("items") or [])
        listed.add(index.resolve())
    sheets = [p for p in files if p.stem.endswith("sheet") and p.suffix.lower() in IMAGE_SUFFIXES]
    if sheets:
        sections.append("<h2>contact sheets</h2>" + "".join(
            f"<figure>{_img(data_uri(p, SHEET), p.name)}<figcaption>{html.escape(p.name)}</figcaption></figure>"
            for p in sheets))
        listed.update(p.resolve() for p in sheets)
    if score_files:
        uri = _plot_uri([str(p) for p in score_files])
        if uri:
            sections.append(f"<h2>scores</h2><figure>{_img(uri, 'score plot', SHEET)}<figcaption>"
                            f"{html.escape(', '.join(p.name for p in score_files))}</figcaption></figure>")
        listed.update(p.resolve() for p in score_files)
    logs = [p for p in files if p.name == "train_log.jsonl"]
    for log in logs:
        uri = _plot_uri([str(log)])
        if uri:
            sections.append(f"<h2>training: {html.escape(str(log.relative_to(root)))}</h2>{_img(uri, 'loss', SHEET)}")
        listed.add(log.resolve())
    rest = [p for p in files if p.resolve() not in listed]
    pictures = [p for p in rest if p.suffix.lower() in IMAGE_SUFFIXES]
    if pictures:
        sections.append("<h2>pictures</h2>" + "".join(
            f"<figure>{_img(data_uri(p, THUMB), p.name)}<figcaption>{html.escape(str(p.relative_to(root)))}"
            f"</figcaption>{_score_caption(scores.get(p.name))}{_provenance(p)}</figure>" for p in pictures))
    tracks = [p for p in rest if p.suffix.lower() in TRACK_SUFFIXES or _is_track_json(p)]
    for track in tracks:
        uri = _plot_uri([str(track)], title=track.name)
        if uri:
            sections.append(f"<h2>track: {html.escape(str(track.relative_to(root)))}</h2>"
                            f"{_img(uri, track.name, SHEET)}{_provenance(track)}")
    videos = [p for p in rest if p.suffix.lower() in VIDEO_SUFFIXES]
    if videos:
        sections.append("<h2>videos</h2>" + "".join(
            f"<div>{html.escape(str(p.relative_to(root)))} ({p.stat().st_size // 1024} KiB){_provenance(p)}</div>"
            for p in videos))
    heading = html.escape(title or root.resolve().name)
    summary = f"{len(files)} files · {len(indexes)} index(es) · {len(pictures)} other pictures · {len(tracks)} tracks"
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{heading}</title><style>{CSS}</style></head><body>"
            f"<h1>{heading}</h1><div class=\"sub\">fxe report · {html.escape(summary)}</div>\n"
            + "\n".join(sections) + "\n</body></html>\n")


def _is_track_json(path: Path) -> bool:
    if path.suffix.lower() not in (".json", ".jsonl"):
        return False
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            head = fh.read(200)
    except OSError:
        return False
    return '"fxe.track/v1"' in head
