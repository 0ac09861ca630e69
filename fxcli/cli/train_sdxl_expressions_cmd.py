"""`fxe train sdxl-expressions`: an expression LoRA for SDXL on (image, expression) pairs (GenEAva's recipe)."""

from __future__ import annotations

import json

import click

from fxcli.cli.option_types import POSITIVE_FLOAT, POSITIVE_INT
from fxcli.cli.options import settings_of
from fxcli.cli.train_cmd import trainer_options


@click.command("sdxl-expressions")
@trainer_options(
    epochs=10, batch_size=1, precision="fp32",
    data_help="A gen-avatar index.json (its images and expressions) or JSON Lines of "
              '{"image": PATH, "expression": NAME}.',
    output_help="LoRA folder: pytorch_lora_weights.safetensors (use with gen-avatar --model sdxl --lora DIR) "
                "and train_result.json.")
@click.option("--base", metavar="PATH", default=None,
              help="SDXL in diffusers layout (default: the registry's sdxl-base).")
@click.option("--rank", type=POSITIVE_INT, default=8, show_default=True, help="LoRA rank.")
@click.option("--lr", type=POSITIVE_FLOAT, default=1e-4, show_default=True, help="AdamW learning rate.")
@click.option("--resolution", type=click.IntRange(64, 2048), default=1024, show_default=True,
              help="Training resolution (images are cover-cropped to it).")
def sdxl_expressions(data: str, output: str, epochs: int, batch_size: int, precision: str, resume: bool,
                     dry_run: bool, base: str | None, rank: int, lr: float, resolution: int) -> None:
    """Fine-tune an expression LoRA for SDXL on (image, expression) pairs.

    Each pair's prompt is the expression's library name and AU description, the words
    `gen-avatar --model sdxl` uses, so the LoRA learns what those words should look like. One optimiser
    step per batch, EPOCHS passes over the pairs. A probe loss (fixed noise and timesteps) is reported
    before and after training. Runs on the --device given (GPU recommended; CPU works for tiny models).

    \b
    Examples:
      fxe gen-avatar -n 20 --family emo135 --size 512 -o avatars/
      fxe train sdxl-expressions --data avatars/index.json -o expr_lora/ --resolution 512  # needs: sdxl-base
      fxe gen-avatar -n 4 -e all --model sdxl --lora expr_lora/ -o sdxl_avatars/  # needs: sdxl-base

    \b
    Exit status:
      0 ok · 1 failure · 2 usage · 3 invalid data (pairs file, images) · 4 SDXL weights missing · 6 device
    """
    from fxcli.backends.gen_avatar_sdxl import load_sdxl
    from fxcli.cli.console import console
    from fxcli.errors import UsageError
    from fxcli.train.sdxl_lora import read_examples, train_sdxl_lora

    settings = settings_of(click.get_current_context())
    if resume:
        raise UsageError("--resume is not supported by sdxl-expressions", hint="train again with more --epochs")
    examples = read_examples(data)
    pipe, _ = load_sdxl(base, settings.device, "float32" if precision == "fp32" else settings.dtype)
    steps = 1 if dry_run else max(1, epochs * -(-len(examples) // batch_size))
    mixed = {"fp32": "no", "bf16": "bf16", "fp16": "fp16"}[precision]
    result = train_sdxl_lora(pipe, examples, output=None if dry_run else output, steps=steps, lr=lr, rank=rank,
                             resolution=resolution, batch_size=batch_size, seed=settings.seed, precision=mixed,
                             log=lambda r: console.debug(json.dumps(r)))
    console.info(f"probe loss {result['probe_loss_start']:.4f} -> {result['probe_loss_end']:.4f} "
                 f"({result['steps']} steps)" + ("" if dry_run else f"; LoRA in {output}"))
    click.echo(json.dumps(result))
