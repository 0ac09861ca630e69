"""`fxe blend`: several expressions at once, each with its own weight."""

from __future__ import annotations

import click

from fxcli.cli.edit_cmd import MODEL_HELP, OFFLOAD_HELP, build_editor, fixed_per_process
from fxcli.cli.option_types import SIMILARITY
from fxcli.cli.options import command_options, jobs_option, refuse_binary_to_terminal, settings_of


@click.command()
@click.argument("source", required=False, metavar="IMAGE|-")
@click.argument("terms", nargs=-1, metavar="NAME:WEIGHT...")
@click.option("-o", "--output", metavar="FILE|FOLDER/|PATTERN|-",
              help="Output image, a folder, a pattern with {name} {expression}, or - (PNG on stdout).")
@click.option("--model", default="embedded", show_default=True, metavar="NAME[:ARG]", help=MODEL_HELP)
@click.option("--face-index", type=click.IntRange(min=0), default=None,
              help="Which face to edit when the photo holds several (0 = largest); required then.")
@click.option("--min-id-sim", type=SIMILARITY, default=None, metavar="X",
              help="Fail (exit 1) when the output's identity similarity to the source is below X (not written).")
@click.option("--all-faces", is_flag=True, help="Edit every face in the photo (strays excepted; see `fxe faces`).")
@click.option("--identity", "identity", is_flag=True,
              help="Measure each output's identity similarity to the source (dlib, ~0.3 s) and record it; "
                   "implied by --min-id-sim.")
@click.option("--offload", type=click.Choice(["none", "model", "sequential"]), default="none", show_default=True,
              help=OFFLOAD_HELP)
@jobs_option
@command_options
def blend(source: str | None, terms: tuple[str, ...], output: str | None, model: str, face_index: int | None,
          min_id_sim: float | None, all_faces: bool, identity: bool, offload: str, jobs: str | None) -> None:
    """Blend expressions: the face in IMAGE moves along the sum of each expression's direction
    times its weight (weights 0..3, summing to at most 3, up to 16 terms; a term without a weight counts 1).

    \b
    Examples:
      fxe blend face.jpg happy:0.6 surprised:0.4 -o out.png
      fxe blend face.jpg sad:0.5 angry:0.5 "a bitter half-smile:0.3" -o mixes/
      fxe blend face.jpg happy:0.7 surprised:0.5 --model pixelsmile -o out.png   # needs: pixelsmile, qwen-image-edit-2511
      fxe blend --jobs blends.jsonl   # {"source": "a.jpg", "terms": ["happy:0.6", "sad:0.2"], "output": "a.png"}
    """
    from fxcli.cli.console import console
    from fxcli.edit.alpha_spec import parse_blend_terms
    from fxcli.edit.run_edit import run_blend
    from fxcli.errors import UsageError

    ctx = click.get_current_context()
    settings = settings_of(ctx)
    base = {"source": source, "terms": terms, "output": output, "model": model, "face_index": face_index,
            "min_id_sim": min_id_sim, "offload": offload, "all_faces": all_faces, "identity": identity}
    if not jobs:
        if not source:
            raise UsageError("no image given", hint="fxe blend IMAGE happy:0.6 surprised:0.4 -o OUT.png")
        if not terms:
            raise UsageError("no expressions given", hint="add NAME:WEIGHT terms, e.g. happy:0.6 surprised:0.4")
        if output == "-":
            refuse_binary_to_terminal(output)
    parsed_base = parse_blend_terms(list(terms))
    editor = build_editor(ctx, "blend", model, offload)

    def run_one(p: dict) -> str:
        fixed_per_process(p, base, ("model", "offload"))
        parsed = parse_blend_terms(p.get("terms") or []) if p is not base else parsed_base
        if not p.get("source") or not parsed:
            raise UsageError("a job needs 'source' and 'terms'")
        run_blend(editor, source=p["source"], terms=parsed, output=p.get("output"), face_index=p.get("face_index"),
                  seed=settings.seed, min_id_sim=p.get("min_id_sim"), report=console.info, force=settings.force,
                  all_faces=bool(p.get("all_faces")), identity=bool(p.get("identity")))
        return p["source"]

    if jobs:
        from fxcli.cli.jobs_runner import run_jobs
        from fxcli.edit.output_names import plan_blend_output

        def outputs(p: dict) -> list[str]:
            if not p.get("source") or not p.get("terms") or not p.get("output"):
                return []
            path = plan_blend_output(p["source"], p["output"], parse_blend_terms(p["terms"]))
            return [path] if path != "-" else []

        run_jobs(ctx, jobs, base, run_one, outputs, show_traceback=settings.traceback, resumes_itself=True)
        return
    run_one(base)
