"""`fxe gen-avatar`: many avatars × many expressions in one call (GenEAva, Gen-AFFECT)."""

from __future__ import annotations

import json
import os

import click

from fxcli.cli.option_types import SIGMA
from fxcli.cli.options import command_options, jobs_option, settings_of

# backend name -> "module:class"; --model NAME[:ARG]
GEN_AVATAR_BACKENDS = {"embedded": "fxcli.backends.gen_avatar_embedded:EmbeddedAvatarGenerator",
                       "sdxl": "fxcli.backends.gen_avatar_sdxl:SdxlAvatarGenerator"}
MAX_IDENTITIES = 10000


def _size(value: str) -> tuple[int, int]:
    from fxcli.errors import UsageError
    from fxcli.render.render_job import parse_size

    w, h = parse_size(value)
    if not (32 <= w <= 4096 and 32 <= h <= 4096):
        raise UsageError(f"--size {value}: use 32 to 4096 pixels per side")
    return w, h


def _output_folder(value: str) -> str:
    """The output folder as given; a file, a device or stdout is a usage error (gen-avatar writes many files)."""
    from pathlib import Path

    from fxcli.errors import UsageError

    if value == "-":
        raise UsageError("-o -: gen-avatar writes a folder of images, not stdout", hint="use -o FOLDER/")
    path = Path(value).expanduser()
    if path.exists() and not path.is_dir():
        raise UsageError(f"-o {value}: is not a folder", hint="give a folder name such as avatars/")
    return value.rstrip("/") or "/"


def build_identities(count: int | None, files: tuple[str, ...], portraits: tuple[str, ...], seed: int,
                     sigma: float, report) -> list:
    from fxcli.avatar.identity import load_identity_file, sample_identity
    from fxcli.errors import UsageError

    idents = []
    if count:
        idents += [sample_identity(seed, k, sigma) for k in range(count)]
    for path in files:
        idents.append(load_identity_file(path))
    if portraits:
        from fxcli.avatar.from_photo import identity_from_portrait

        for path in portraits:
            fit = identity_from_portrait(path)
            report(f"{path}: identity fitted, landmark residual {fit.residual_px:.2f} px "
                   f"({fit.residual_iod:.4f} of the eye distance)")
            idents.append(fit.identity)
    if not idents:
        raise UsageError("no identity given", hint="use --identities N, --identity FILE or --identity-from PHOTO")
    names, unique = set(), []
    for i, ident in enumerate(idents):  # names become file names: keep them unique and plain
        base = "".join(c if c.isalnum() or c in "-_" else "-" for c in ident.name)[:40] or f"id{i:02d}"
        name, k = base, 1
        while name in names:
            k += 1
            name = f"{base}-{k}"
        names.add(name)
        ident.name = name
        unique.append(ident)
    return unique


@click.command("gen-avatar")
@click.option("-n", "--identities", "identities", type=click.IntRange(1, MAX_IDENTITIES), default=None, metavar="N",
              help="Sample N identities (ICT identity modes and colours) from --seed.")
@click.option("--identity", "identity_files", multiple=True, metavar="FILE",
              help="A saved identity (.json or .npz with 100 coefficients and colours); repeatable.")
@click.option("--identity-from", "identity_from", multiple=True, metavar="PORTRAIT",
              help="Fit an identity (shape and colours) to the face in a photo; repeatable.")
@click.option("--sigma", type=SIGMA, default=0.8, show_default=True,
              help="Spread of sampled identities, in standard deviations of ICT's identity modes.")
@click.option("-e", "--expressions", metavar="NAMES|TEXT|all",
              help="Comma-separated library names, synonyms or free text; 'all' for the whole library.")
@click.option("--family", metavar="NAME",
              help="Every library expression of a Shaver family (joy, anger, ...), basic class or vocabulary "
                   "(emo135, basic, compound, pixelsmile).")
@click.option("-a", "--alpha", default="1", show_default=True, metavar="A|START:STOP:STEP|A,B,..",
              help="Expression intensity (0 neutral, 1 full, up to 3 extrapolates); several values write one "
                   "image per value.")
@click.option("--style", type=click.Choice(["toon", "shaded"]), default="toon", show_default=True,
              help="toon: banded cel shading with ink outlines; shaded: smooth lighting.")
@click.option("--size", default="256", show_default=True, metavar="WxH|N", help="Image size in pixels.")
@click.option("-o", "--output", metavar="FOLDER/", help="Output folder (images, identities/, index.json, sheet.png).")
@click.option("--model", default="embedded", show_default=True, metavar="NAME[:ARG]",
              help="embedded (ICT head, CPU, no download) or sdxl (SDXL from local weights, GPU).")
@click.option("--workers", type=click.IntRange(0, 64), default=0, show_default=True,
              help="Rendering processes (0: one per CPU core, at most 4).")
@click.option("--renderer", type=click.Choice(["auto", "egl", "software"]), default="auto", show_default=True,
              help="embedded: OpenGL through EGL, the numpy software rasteriser, or auto.")
@click.option("--lora", metavar="PATH", default=None, help="sdxl: an expression LoRA (fxe train sdxl-expressions).")
@click.option("--steps", type=click.IntRange(1, 500), default=30, show_default=True, help="sdxl: denoising steps.")
@click.option("--consistent/--no-consistent", default=True, show_default=True,
              help="sdxl: consistent self-attention across the images of one identity (Gen-AFFECT).")
@jobs_option
@command_options
def gen_avatar(identities: int | None, identity_files: tuple[str, ...], identity_from: tuple[str, ...], sigma: float,
               expressions: str | None, family: str | None, alpha: str, style: str, size: str, output: str | None,
               model: str, workers: int, renderer: str, lora: str | None, steps: int, consistent: bool,
               jobs: str | None) -> None:
    """Generate avatars: identities × expressions (× alphas), an index for `fxe score` and a contact sheet.

    Identities are sampled (--identities N, from --seed), read (--identity FILE) or fitted to photos
    (--identity-from PORTRAIT); each gets skin, eye, lip, brow and hair colours from realistic ranges
    (recorded in identities/NAME.json and in the index). Expressions come from the library: names,
    synonyms, free text (resolved to the nearest entries), families, or all of them. The same seed and
    options give byte-identical files. One JSON summary line is printed on stdout.

    \b
    Output folder:
      NAME_EXPRESSION[_aALPHA].png    the avatars
      identities/NAME.json, .png      each identity and its neutral face (the ID reference)
      index.json                      one record per image (fxe score --index FOLDER/index.json)
      sheet.png                       identities (rows) x expressions (columns), at most 12 x 16

    \b
    Examples:
      fxe gen-avatar --identities 4 --expressions happy,sad,angry,surprised,contempt,confused -o a/
      fxe gen-avatar -n 98 --family emo135 --size 256 -o geneava/
      fxe gen-avatar --identity a/identities/id01.json -e "a bitter half-smile" -a 0:1:0.25 -o sweep/
      fxe gen-avatar --identity-from portrait.jpg -e all --style shaded -o me/
      fxe score --index a/index.json
      fxe gen-avatar -n 2 -e happy,sad --model sdxl --steps 30 -o sdxl/   # needs: sdxl-base

    \b
    Exit status:
      0 ok · 1 failure · 2 usage (unknown expression: nearest names suggested; --identities 0; bad alpha)
      3 invalid input (identity file of the wrong shape or not finite) · 4 model weights missing (sdxl)
      5 no face in an --identity-from portrait · 6 no renderer / device
    """
    from fxcli.backends import load_backend, split_model_arg
    from fxcli.cli.console import console
    from fxcli.errors import UsageError

    ctx = click.get_current_context()
    settings = settings_of(ctx)
    base = {"identities": identities, "identity_files": list(identity_files), "identity_from": list(identity_from),
            "sigma": sigma, "expressions": expressions, "family": family, "alpha": alpha, "style": style,
            "size": size, "output": output, "model": model, "workers": workers, "renderer": renderer,
            "lora": lora, "steps": steps, "consistent": consistent}
    name, arg = split_model_arg(model)
    cls = load_backend("gen-avatar", GEN_AVATAR_BACKENDS, name)

    def prepare(p: dict):
        from fxcli.avatar.generate import GenRequest
        from fxcli.avatar.targets import resolve_targets
        from fxcli.edit.alpha_spec import parse_alphas

        if not p.get("output"):
            raise UsageError("no output folder given", hint="use -o FOLDER/")
        output = _output_folder(str(p["output"]))
        alphas = parse_alphas(str(p.get("alpha") or "1"))
        targets = resolve_targets(p.get("expressions"), p.get("family"))
        seed = int(p.get("seed", settings.seed)) if p.get("seed") is not None else settings.seed
        files = p.get("identity_files") or p.get("identity") or []
        portraits = p.get("identity_from") or []
        idents = build_identities(p.get("identities"), tuple([files] if isinstance(files, str) else files),
                                  tuple([portraits] if isinstance(portraits, str) else portraits), seed,
                                  float(p.get("sigma", 0.8)), console.info)
        n_workers = int(p.get("workers") or 0) or min(4, os.cpu_count() or 1)
        return GenRequest(identities=idents, targets=targets, alphas=alphas, style=p.get("style") or "toon",
                          size=_size(str(p.get("size") or "256")), output=output,
                          seed=seed, workers=n_workers, renderer=p.get("renderer") or "auto")

    backend = None

    def run_one(p: dict) -> str:
        nonlocal backend
        req = prepare(p)
        if backend is None:
            backend = cls(arg, device=settings.device, dtype=settings.dtype, lora=p.get("lora"),
                          steps=p.get("steps", 30), consistent=p.get("consistent", True))
        total = len(req.identities) * (len(req.targets) * len(req.alphas) + 1)
        with console.progress("avatars", total) as update:
            done = 0

            def progress(n: int) -> None:
                nonlocal done
                done += n
                update(done)

            summary = backend.generate(req, console.info, progress)
        if not jobs:
            click.echo(json.dumps(summary, ensure_ascii=False))
        return f"{summary['images']} images -> {summary['output']}/"

    if jobs:
        from fxcli.cli.jobs_runner import run_jobs

        def outputs(p: dict) -> list[str]:
            return [str(p["output"]).rstrip("/") + "/index.json"] if p.get("output") else []

        run_jobs(ctx, jobs, base, run_one, outputs, show_traceback=settings.traceback)
        return
    run_one(base)
