"""`fxe stylize`: a portrait as a cartoon: 2D styles that keep the photo, or the fitted avatar (GenEAva)."""

from __future__ import annotations

import click

from fxcli.cli.option_types import STRENGTH
from fxcli.cli.options import command_options, jobs_option, settings_of

STYLIZE_BACKENDS = {"embedded": "fxcli.backends.stylize_embedded:EmbeddedStylizer",
                    "sdxl": "fxcli.backends.stylize_sdxl:SdxlStylizer"}
STYLES_HELP = ("embedded: cartoon (bilateral smoothing, k-means colours, adaptive-threshold lines), comic "
               "(edge-preserving filter, median-cut palette, XDoG ink), sketch (XDoG pencil), avatar / "
               "avatar-shaded (identity, expression and pose fitted to the face, rendered as a toon avatar). "
               "sdxl: any style word, used in the img2img prompt. Comma-separate several.")


@click.command()
@click.argument("source", required=False, metavar="PORTRAIT")
@click.option("-s", "--style", default="cartoon", show_default=True, metavar="NAME[,NAME..]", help=STYLES_HELP)
@click.option("-o", "--output", metavar="FILE|FOLDER/|PATTERN",
              help="Output image; a folder (or several styles) writes one image per style, sheet.png and "
                   "index.json; a pattern may use {style} and {name}.")
@click.option("--colors", type=click.IntRange(2, 64), default=None, metavar="K",
              help="Palette size of cartoon (default 9) and comic (default 8).")
@click.option("--size", default=None, metavar="WxH|N", help="Avatar styles: picture size (default: the photo's).")
@click.option("--face-index", type=click.IntRange(min=0), default=None,
              help="Avatar styles: which face when the photo holds several (0 = largest).")
@click.option("--model", default="embedded", show_default=True, metavar="NAME[:ARG]",
              help="embedded (CPU, no download) or sdxl (SDXL img2img from local weights, GPU).")
@click.option("--strength", type=STRENGTH, default=None,
              help="sdxl: how far img2img departs from the photo (default 0.45).")
@click.option("--prompt", default=None, metavar="TEXT", help="sdxl: extra words for the style prompt.")
@jobs_option
@command_options
def stylize(source: str | None, style: str, output: str | None, colors: int | None, size: str | None,
            face_index: int | None, model: str, strength: float | None, prompt: str | None, jobs: str | None) -> None:
    """Stylize the portrait PORTRAIT as a cartoon.

    The 2D styles keep the photo's geometry pixel for pixel. The avatar styles fit ICT's identity,
    ARKit-52 expression and head pose to the face's FaceMesh landmarks and render the avatar with
    colours sampled from the photo, so the cartoon keeps the person's expression; the landmark fit
    residual is printed and stored in the output. The same inputs and seed give identical files.

    \b
    Examples:
      fxe stylize face.jpg --style cartoon -o face_cartoon.png
      fxe stylize face.jpg --style cartoon,comic,sketch,avatar -o styles/
      fxe stylize face.jpg --style avatar --size 512 -o avatar.png
      fxe stylize face.jpg --model sdxl --style watercolour --strength 0.5 -o sdxl.png   # needs: sdxl-base
      fxe stylize --jobs styles.jsonl      # {"source": "a.jpg", "style": "comic", "output": "a_comic.png"}
      fxe score --index styles/index.json  # expression and identity kept by each style

    \b
    Exit status:
      0 ok · 1 failure · 2 usage (unknown style, with suggestions) · 3 unreadable image
      4 model weights missing (sdxl) · 5 no face (avatar styles) · 6 no renderer / device
    """
    from fxcli.backends import load_backend, split_model_arg
    from fxcli.cli.console import console
    from fxcli.errors import UsageError
    from fxcli.stylize.run_stylize import parse_styles, plan_paths, run_stylize

    ctx = click.get_current_context()
    settings = settings_of(ctx)
    name, arg = split_model_arg(model)
    cls = load_backend("stylize", STYLIZE_BACKENDS, name)
    base = {"source": source, "style": style, "output": output, "colors": colors, "size": size,
            "face_index": face_index, "model": model, "strength": strength, "prompt": prompt}
    if not jobs and not source:
        raise UsageError("no portrait given", hint="fxe stylize PORTRAIT --style cartoon -o out.png")
    stylizer = cls(arg, device=settings.device, dtype=settings.dtype)
    known = tuple(getattr(stylizer, "styles", ()))

    def styles_of(p: dict) -> list[str]:
        return parse_styles(p.get("style") or "cartoon", known) if known else [s.strip() for s in
                                                                               str(p.get("style")).split(",")]

    def run_one(p: dict) -> str:
        if p.get("model", model) != model:
            raise UsageError("'model' cannot change from job to job (the model loads once)")
        if not p.get("source"):
            raise UsageError("a job needs 'source'")
        sz = None
        if p.get("size"):
            from fxcli.render.render_job import parse_size

            sz = parse_size(str(p["size"]))
            if not (32 <= sz[0] <= 4096 and 32 <= sz[1] <= 4096):
                raise UsageError(f"--size {p['size']}: use 32 to 4096 pixels per side")
        out = run_stylize(stylizer, source=p["source"], styles=styles_of(p), output=p.get("output"),
                          seed=int(p.get("seed", settings.seed)), colors=p.get("colors"), size=sz,
                          face_index=p.get("face_index"), strength=p.get("strength"), prompt=p.get("prompt"),
                          report=console.info)
        return f"{p['source']} -> {len(out.paths)} image(s)"

    if jobs:
        from fxcli.cli.jobs_runner import run_jobs

        def outputs(p: dict) -> list[str]:
            if not p.get("source"):
                return []
            paths, sheet, index = plan_paths(p["source"], p.get("output"), styles_of(p))
            return paths + [x for x in (sheet, index) if x]

        run_jobs(ctx, jobs, base, run_one, outputs, show_traceback=settings.traceback)
        return
    run_one(base)
