"""`gen-avatar`'s procedure: identities × expressions × alphas → images, identity files, index, sheet.

Output folder layout:

    OUT/id00_happy.png ...            one image per identity, expression (and alpha when several)
    OUT/identities/id00.json          the identity (coefficients + colours), reusable with --identity
    OUT/identities/id00.png           its neutral face: the identity reference the ID metrics compare with
    OUT/index.json                    fxe.score-index/v1: `fxe score --index OUT/index.json`
    OUT/sheet.png                     identities (rows) × expressions (columns)

The index's `items` carry what `fxe score` reads (path, expression = the FER class of the target,
alpha, group = identity, source = its neutral image, text); `meta.records` holds one full record per
image (identity, expression asked, resolved mixture, alpha, seed, path, colours).

An image depends only on (identity, expression, alpha, style, size): the work is split by identity
over `workers` processes, each with its own renderer, and the bytes do not depend on the split.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from fxcli.avatar.identity import AvatarIdentity
from fxcli.avatar.targets import Target

STYLES = ("toon", "shaded")
BACKGROUND = (247, 245, 240)
PNG_LEVEL = 3  # zlib level: files ~7 % larger than at 6, two thirds of the encode time
SHEET_MAX_ROWS, SHEET_MAX_COLS = 12, 16
Report = Callable[[str], None]


@dataclass
class GenRequest:
    identities: list[AvatarIdentity]
    targets: list[Target]
    alphas: list[float]
    style: str
    size: tuple[int, int]
    output: str
    seed: int
    model_id: str = "ict-face-light"
    model_hash: str | None = None
    workers: int = 1
    renderer: str = "auto"
    extra_params: dict = field(default_factory=dict)


def alpha_tag(alpha: float) -> str:
    from fxcli.edit.alpha_spec import format_alpha

    return format_alpha(alpha)


def image_name(identity: str, target: Target, alpha: float, several_alphas: bool) -> str:
    return f"{identity}_{target.slug}" + (f"_a{alpha_tag(alpha)}" if several_alphas else "") + ".png"


def image_meta(req: GenRequest, ident: AvatarIdentity, target: Target | None, alpha: float) -> dict[str, Any]:
    from fxcli.provenance import make_meta

    params = {"identity": ident.name, "identity_seed": ident.seed, "expression": target.label if target else "neutral",
              "mixture": [[n, w] for n, w in target.mixture] if target else None, "alpha": alpha, "style": req.style,
              "size": f"{req.size[0]}x{req.size[1]}", **req.extra_params}
    return make_meta("gen-avatar", model=req.model_id, model_hash=req.model_hash, seed=req.seed, params=params)


def encode_png(image: np.ndarray, meta: dict[str, Any]) -> bytes:
    import io

    from PIL import Image

    from fxcli.provenance import png_info

    buf = io.BytesIO()
    Image.fromarray(image).save(buf, format="PNG", pnginfo=png_info(meta), compress_level=PNG_LEVEL)
    return buf.getvalue()


class AvatarPainter:
    """Renders one identity's images: the model, a renderer and the camera, made once per process."""

    def __init__(self, size: tuple[int, int], style: str, renderer: str = "auto"):
        from fxcli.avatar.builder import AvatarModel
        from fxcli.render import make_renderer

        self.model = AvatarModel.load()
        self.style = style
        bg = tuple(c / 255 for c in BACKGROUND)
        self.renderer = make_renderer(size, renderer, bg=bg, style=style)
        self.camera = self.model.camera(size)

    def images(self, ident: AvatarIdentity, weights: np.ndarray, heads: np.ndarray, recentre: bool = False):
        """Yield one RGB picture per row of weights (T, 52) / heads (T, 3) (see Avatar.vertices)."""
        from fxcli.render.pipeline import run_ahead
        from fxcli.render.toon import ink_outline

        avatar = self.model.build(ident.coefficients, ident.appearance)
        mesh = avatar.mesh

        def posed():
            for start in range(0, len(weights), 32):
                for v in avatar.vertices(weights[start:start + 32], heads[start:start + 32], recentre):
                    yield v, mesh.vertex_normals(v)

        for v, n in run_ahead(posed(), depth=4, name="fxe-avatar-pose"):
            img = self.renderer.render(v, mesh, self.camera, normals=n)
            if self.style == "toon":
                img = ink_outline(img, BACKGROUND, width=max(1, round(self.renderer.size[1] / 256)))
            yield img


def _plan(req: GenRequest, ident: AvatarIdentity):
    """[(path, target, alpha)] of one identity, and the stacked weights / heads."""
    several = len(req.alphas) > 1
    rows, weights, heads = [], [], []
    for target in req.targets:
        for alpha in req.alphas:
            w, h = target.at(alpha)
            rows.append((str(Path(req.output) / image_name(ident.name, target, alpha, several)), target, alpha))
            weights.append(w)
            heads.append(h)
    return rows, np.stack(weights), np.stack(heads)


def render_identities(req: GenRequest, idents: list[AvatarIdentity], progress: Callable[[int], None] | None = None,
                      painter: AvatarPainter | None = None) -> int:
    """Render and write every image of `idents` (plus each one's neutral reference); the number written."""
    from fxcli.io.atomic import write_bytes_atomic
    from fxcli.render.pipeline import BackgroundWriter

    painter = painter or AvatarPainter(req.size, req.style, req.renderer)
    writer = BackgroundWriter(lambda job: write_bytes_atomic(job[0], encode_png(job[1], job[2])), depth=8,
                              name="fxe-avatar-png")
    count = 0
    try:
        for ident in idents:
            rows, weights, heads = _plan(req, ident)
            weights = np.concatenate([np.zeros((1, 52), np.float32), weights])
            heads = np.concatenate([np.zeros((1, 3), np.float32), heads])
            paths = [str(Path(req.output) / "identities" / f"{ident.name}.png")] + [r[0] for r in rows]
            metas = [image_meta(req, ident, None, 0.0)] + [image_meta(req, ident, t, a) for _, t, a in rows]
            for path, meta, img in zip(paths, metas, painter.images(ident, weights, heads), strict=True):
                writer.put((path, img, meta))
                if writer.error is not None:
                    raise writer.error
                count += 1
                if progress:
                    progress(1)
    finally:
        writer.close()
    if writer.error is not None:
        raise writer.error
    return count


def _worker(args) -> int:
    from fxcli.expressions import resolve

    req, idents, resolved = args
    resolve.RESOLVED.update(resolved)  # how the parent read each expression, for the images' provenance
    os.environ.setdefault("LP_NUM_THREADS", "1")
    return render_identities(req, idents)


def run_generation(req: GenRequest, report: Report = lambda _: None,
                   progress: Callable[[int], None] | None = None,
                   render: Callable[[GenRequest, Callable[[int], None] | None], None] | None = None) -> dict[str, Any]:
    """Write everything for `req`; returns a summary (counts, paths).

    `render(req, progress)` writes the images and each identity's reference (identities/NAME.png) under
    the names `image_name` gives; the default renders the ICT avatars.
    """
    from fxcli.avatar.identity import save_identity
    from fxcli.io.atomic import make_folders, write_text_atomic

    out = Path(req.output)
    make_folders(out / "identities")
    for ident in req.identities:
        save_identity(ident, str(out / "identities" / f"{ident.name}.json"))
    workers = max(1, min(req.workers, len(req.identities)))
    if render is not None:
        render(req, progress)
    elif workers == 1:
        render_identities(req, req.identities, progress)
    else:
        _run_parallel(req, workers, progress)
    records, items = index_records(req)
    index = {"format": "fxe.score-index/v1",
             "meta": {"generator": "fxe gen-avatar", "model": req.model_id, "seed": req.seed, "style": req.style,
                      "size": f"{req.size[0]}x{req.size[1]}", "alphas": req.alphas,
                      "identities": [i.name for i in req.identities],
                      "expressions": [t.label for t in req.targets], "records": records},
             "items": items}
    import json

    write_text_atomic(out / "index.json", json.dumps(index, ensure_ascii=False, indent=1) + "\n")
    sheet = write_sheet(req)
    n_ids = len(req.identities)
    report(f"{len(items)} image{'s' * (len(items) != 1)}, {n_ids} identit{'y' if n_ids == 1 else 'ies'} -> {out}/ "
           "(index.json, sheet.png)")
    return {"output": str(out), "images": len(items), "identities": len(req.identities),
            "expressions": len(req.targets), "alphas": req.alphas, "index": str(out / "index.json"), "sheet": sheet}


def _run_parallel(req: GenRequest, workers: int, progress: Callable[[int], None] | None) -> None:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from fxcli.expressions import resolve

    # identities dealt round-robin into small chunks: both workers stay busy to the end
    chunks = [req.identities[i:i + 2] for i in range(0, len(req.identities), 2)]
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("spawn")) as pool:
        futures = [pool.submit(_worker, (req, chunk, dict(resolve.RESOLVED))) for chunk in chunks]
        for f in as_completed(futures):
            n = f.result()
            if progress:
                progress(n)


def index_records(req: GenRequest) -> tuple[list[dict], list[dict]]:
    several = len(req.alphas) > 1
    records, items = [], []
    for ident in req.identities:
        colors = ident.appearance.to_dict()
        for target in req.targets:
            for alpha in req.alphas:
                name = image_name(ident.name, target, alpha, several)
                records.append({"path": name, "identity": ident.name, "identity_file": f"identities/{ident.name}.json",
                                "identity_seed": ident.seed, "expression": target.label, "resolved": target.how,
                                "mixture": [[n, w] for n, w in target.mixture], "basic": target.basic,
                                "alpha": alpha, "seed": req.seed, "style": req.style, "colors": colors})
                items.append({"path": name, "expression": target.basic, "alpha": alpha, "group": ident.name,
                              "source": f"identities/{ident.name}.png",
                              "text": f"a cartoon avatar with a {target.label} expression"})
    return records, items


def write_sheet(req: GenRequest) -> str:
    """Identities (rows) × expressions (columns) at the largest alpha; at most 12 × 16 tiles."""
    from fxcli.edit.contact_sheet import contact_sheet
    from fxcli.face import load_image
    from fxcli.provenance import make_meta, save_image

    several = len(req.alphas) > 1
    alpha = max(req.alphas)
    idents = req.identities[:SHEET_MAX_ROWS]
    targets = req.targets[:SHEET_MAX_COLS]
    images, labels = [], []
    for ident in idents:
        for t in targets:
            images.append(load_image(str(Path(req.output) / image_name(ident.name, t, alpha, several))))
            labels.append(f"{ident.name} {t.label}"[:22])
    tile = 160 if len(targets) > 8 else 200
    sheet = contact_sheet(images, labels, tile=tile, columns=len(targets))
    path = str(Path(req.output) / "sheet.png")
    save_image(sheet, path, make_meta("gen-avatar", model=req.model_id, seed=req.seed,
                                      params={"contact_sheet": True, "alpha": alpha,
                                              "rows": [i.name for i in idents],
                                              "columns": [t.label for t in targets]}))
    return path
