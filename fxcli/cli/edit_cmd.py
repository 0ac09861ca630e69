"""`fxe edit`: change a portrait's expression, at one intensity or a sweep of intensities."""

from __future__ import annotations

import click

from fxcli.cli.option_types import ALPHA_SPEC, SIMILARITY
from fxcli.cli.options import command_options, jobs_option, refuse_binary_to_terminal, settings_of

# backend name -> "module:class"; --model NAME[:ARG] picks one
EDIT_BACKENDS = {"embedded": "fxcli.backends.edit_embedded:EmbeddedEditor",
                 "pixelsmile": "fxcli.backends.edit_pixelsmile:PixelSmileEditor"}

MODEL_HELP = ("Editor: embedded (landmark-driven warp, CPU, no download) or pixelsmile[:LORA] "
              "(Qwen-Image-Edit-2511 + PixelSmile LoRA; GPU, weights via `fxe models pull`).")
OFFLOAD_HELP = ("pixelsmile on smaller GPUs: model = whole sub-models to the GPU in turn, sequential = layer by "
                "layer (slowest, least memory).")


def build_editor(ctx: click.Context, command: str, model: str, offload: str):
    """Load the chosen backend once (also for --jobs)."""
    from fxcli.backends import load_backend, split_model_arg

    name, arg = split_model_arg(model)
    cls = load_backend(command, EDIT_BACKENDS, name)
    settings = settings_of(ctx)
    return cls(arg, device=settings.device, dtype=settings.dtype, offload=offload)


def fixed_per_process(params: dict, base: dict, names: tuple[str, ...]) -> None:
    from fxcli.errors import UsageError

    for n in names:
        if params.get(n) != base.get(n):
            raise UsageError(f"'{n.replace('_', '-')}' cannot change from job to job (the model loads once)",
                             hint=f"give --{n.replace('_', '-')} on the command line")


@click.command()
@click.argument("source", required=False, metavar="IMAGE|-")
@click.option("-e", "--expression", metavar="NAME|TEXT",
              help="Target expression: a library name (see `fxe expressions list`) or free text.")
@click.option("-a", "--alpha", type=ALPHA_SPEC, default="1", show_default=True, metavar="A|START:STOP:STEP|A,B,..",
              help="Intensity: 0 = unchanged, 1 = full expression, up to 3 extrapolates (the embedded model's "
                   "exaggeration saturates: 1.5 gives 1.24x, 3 gives 1.25x). A range writes one image per value "
                   "(STOP included when on the grid), a contact sheet and a JSON index.")
@click.option("-o", "--output", metavar="FILE|FOLDER/|PATTERN|-",
              help="Output image, folder (for sweeps), pattern with {i} {name} {alpha} {expression}, or - "
                   "(one PNG on stdout).")
@click.option("--model", default="embedded", show_default=True, metavar="NAME[:ARG]", help=MODEL_HELP)
@click.option("--face-index", type=click.IntRange(min=0), default=None,
              help="Which face to edit when the photo holds several (0 = largest); required then.")
@click.option("--min-id-sim", type=SIMILARITY, default=None, metavar="X",
              help="Fail (exit 1) when an output's identity similarity to the source is below X; such an "
                   "output is not written.")
@click.option("--all-faces", is_flag=True, help="Edit every face in the photo (strays excepted; see `fxe faces`).")
@click.option("--identity", "identity", is_flag=True,
              help="Measure each output's identity similarity to the source (dlib, ~0.3 s) and record it; "
                   "implied by --min-id-sim.")
@click.option("--offload", type=click.Choice(["none", "model", "sequential"]), default="none", show_default=True,
              help=OFFLOAD_HELP)
@jobs_option
@command_options
def edit(source: str | None, expression: str | None, alpha: str, output: str | None, model: str,
         face_index: int | None, min_id_sim: float | None, all_faces: bool, identity: bool, offload: str,
         jobs: str | None) -> None:
    """Edit the expression of the face in IMAGE, at intensity --alpha.

    With --identity or --min-id-sim, the identity similarity (dlib descriptors, cosine) of every output to
    its source is printed on stderr and stored in the output's metadata. An output in which no face can be
    found any more is an error (exit 5) and is not written. Outputs that already exist with the same settings are kept,
    so an interrupted sweep resumes when the command is run again.

    \b
    Examples:
      fxe edit face.jpg --expression surprised --alpha 0.7 -o out.png
      fxe edit face.jpg --expression happy --alpha 0:1.5:0.25 -o sweep/
      fxe edit face.jpg -e "smirk" -a 0.5,1,1.5 -o 'out/{name}_{alpha}.jpg'
      fxe edit group.jpg -e sad --face-index 1 -o sad.png --min-id-sim 0.85
      fxe edit group.jpg -e happy --all-faces -o all_happy.png
      fxe edit face.jpg -e happy --model pixelsmile --offload model -o happy.png   # needs: pixelsmile, qwen-image-edit-2511
      fxe edit --jobs edits.jsonl     # {"source": "a.jpg", "expression": "sad", "output": "a_sad.png"}
    """
    from fxcli.cli.console import console
    from fxcli.edit.run_edit import run_edit
    from fxcli.errors import UsageError

    ctx = click.get_current_context()
    settings = settings_of(ctx)
    base = {"source": source, "expression": expression, "alpha": alpha, "output": output, "model": model,
            "face_index": face_index, "min_id_sim": min_id_sim, "offload": offload, "all_faces": all_faces,
            "identity": identity}
    if not jobs:
        if not source:
            raise UsageError("no image given", hint="fxe edit IMAGE --expression NAME -o OUT.png")
        if not expression:
            raise UsageError("no expression given", hint="use --expression NAME (see `fxe expressions list`)")
        if output == "-":
            refuse_binary_to_terminal(output)
    editor = build_editor(ctx, "edit", model, offload)

    def run_one(p: dict) -> str:
        fixed_per_process(p, base, ("model", "offload"))
        if not p.get("source") or not p.get("expression"):
            raise UsageError("a job needs 'source' and 'expression'")
        out = run_edit(editor, source=p["source"], expression=p["expression"], alpha=p.get("alpha") or "1",
                       output=p.get("output"), face_index=p.get("face_index"), seed=settings.seed,
                       min_id_sim=p.get("min_id_sim"), report=console.info, force=settings.force,
                       all_faces=bool(p.get("all_faces")), identity=bool(p.get("identity")))
        return f"{p['source']} -> {len(out.paths)} image(s)"

    if jobs:
        from fxcli.cli.jobs_runner import run_jobs
        from fxcli.edit.alpha_spec import parse_alphas
        from fxcli.edit.output_names import plan_outputs

        def outputs(p: dict) -> list[str]:
            if not p.get("source") or not p.get("expression") or not p.get("output"):
                return []
            return plan_outputs(p["source"], p["output"], p["expression"],
                                parse_alphas(p.get("alpha") or "1")).all_paths()

        run_jobs(ctx, jobs, base, run_one, outputs, show_traceback=settings.traceback, resumes_itself=True)
        return
    run_one(base)
