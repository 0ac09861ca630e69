"""`fxe train pixelsmile` and `fxe train pixelsmile-prepare`: the PixelSmile LoRA and its training triplets."""

from __future__ import annotations

import json

import click

from fxcli.cli.options import command_options, settings_of
from fxcli.cli.train_cmd import trainer_options


@click.command()
@trainer_options(
    epochs=100, batch_size=4, precision="bf16",
    data_help="Triplet JSONL (or a folder of them): per line a source photo and two targets of the same person "
              "with category and score in [0, 1]; see `fxe train pixelsmile-prepare`.",
    output_help="Checkpoint folder (pixelsmile_lora.safetensors, config.json, training_state.pt), rewritten after "
                "every epoch; `fxe edit --model pixelsmile:CKPT_DIR` loads it.")
@click.option("--lr", type=float, default=1e-4, show_default=True, help="AdamW learning rate (cosine schedule).")
@click.option("--warmup", type=int, default=500, show_default=True, help="Linear warm-up steps.")
@click.option("--rank", type=int, default=64, show_default=True, help="LoRA rank.")
@click.option("--lora-alpha", type=int, default=128, show_default=True, help="LoRA alpha (scale alpha/rank).")
@click.option("--size", type=int, default=512, show_default=True, help="Training resolution (as `fxe edit`).")
@click.option("--lambda-sc", type=float, default=1.0, show_default=True, help="Weight of the symmetric InfoNCE loss.")
@click.option("--lambda-id", type=float, default=0.1, show_default=True,
              help="Weight of the ArcFace identity loss (applied where t <= 600).")
@click.option("--gradient-checkpointing", is_flag=True, help="Recompute transformer activations (less GPU memory).")
@click.option("--offload", is_flag=True,
              help="Keep the frozen Qwen2.5-VL text encoder in CPU memory, on the GPU only while encoding.")
@click.option("--base", metavar="PATH", default=None, help="Qwen-Image-Edit-2511 folder (default: the registry's).")
@click.option("--clip", "clip_path", metavar="PATH", default=None, help="CLIP ViT-L/14 folder (default: registry).")
@click.option("--arcface", metavar="PACK|FILE", default=None,
              help="ArcFace pack (antelopev2, buffalo_l) or recognition .onnx file (default: antelopev2).")
def pixelsmile(data: str, output: str, epochs: int, batch_size: int, precision: str, resume: bool, dry_run: bool,
               lr: float, warmup: int, rank: int, lora_alpha: int, size: int, lambda_sc: float, lambda_id: float,
               gradient_checkpointing: bool, offload: bool, base: str | None, clip_path: str | None,
               arcface: str | None) -> None:
    """Train the PixelSmile LoRA on Qwen-Image-Edit-2511 from expression triplets.

    Fully symmetric dual-branch training: each branch is conditioned on e(alpha) with alpha = the target's
    annotated score; flow-matching loss on both branches, symmetric InfoNCE (tau 0.07) on CLIP-L features
    of the decoded predictions, ArcFace identity loss (0.1, off for t > 600); LoRA r 64 / alpha 128 on the
    attention and MLP projections; AdamW 1e-4, cosine with warm-up. Needs the base model, CLIP ViT-L/14 and
    an ArcFace pack locally (`fxe models list`); see docs/training.md for the GPU memory it takes.
    Several GPUs: run under `accelerate launch --multi_gpu --num_processes N -m fxcli train pixelsmile ...`.

    \b
    Examples:
      fxe train pixelsmile-prepare photos/ -o photos/triplets.jsonl
      fxe train pixelsmile --data photos/triplets.jsonl -o ckpt/ps --dry-run
      fxe train pixelsmile --data photos/triplets.jsonl -o ckpt/ps --gradient-checkpointing --offload
      fxe edit face.jpg -e happy --model pixelsmile:ckpt/ps -o happy.png

    \b
    Exit status: 2 bad option, 3 invalid triplets or images, 4 weights missing or checkpoint corrupt,
    6 out of GPU memory.
    """
    from fxcli.cli.console import console
    from fxcli.train.pixelsmile_trainer import Settings, train_pixelsmile

    settings = settings_of(click.get_current_context())
    s = Settings(lr=lr, warmup=warmup, rank=rank, alpha=lora_alpha, size=size, lambda_sc=lambda_sc,
                 lambda_id=lambda_id)
    record = train_pixelsmile(data, output, epochs=epochs, batch_size=batch_size, precision=precision, resume=resume,
                              dry_run=dry_run, seed=settings.seed, device=settings.device, settings=s,
                              gradient_checkpointing=gradient_checkpointing, offload=offload, base=base,
                              clip=clip_path, arcface=arcface, log=console.info)
    if record.pop("process_index") == 0:
        click.echo(json.dumps(record, sort_keys=True))


@click.command("pixelsmile-prepare")
@click.argument("photos", metavar="DIR")
@click.option("-o", "--output", required=True, metavar="FILE.jsonl",
              help="Triplet file to write (image paths relative to its folder).")
@click.option("--neutral", default="neutral", show_default=True, help="Category name of the source photos.")
@click.option("--max-pairs", type=int, default=50, show_default=True, help="Most triplets per person.")
@command_options
def pixelsmile_prepare(photos: str, output: str, neutral: str, max_pairs: int) -> None:
    """Build PixelSmile training triplets from a folder of labelled photos, scored by the FER judge.

    Layout: DIR/<person>/<category>/*.jpg (or DIR/<person>/<category>_N.jpg). For each person a photo of
    the neutral category is the source, and every pair of photos with two different other categories is
    a triplet; each target's score is the FER judge's probability of its category (categories FER does
    not know keep 1.0). Prints a JSON summary.

    \b
    Examples:
      fxe train pixelsmile-prepare photos/ -o photos/triplets.jsonl
      fxe train pixelsmile-prepare photos/ -o t.jsonl --neutral calm --max-pairs 10

    \b
    Exit status: 2 not a folder, 3 no usable labelled photos, 5 no face in a photo.
    """
    from fxcli.cli.console import console
    from fxcli.train.pixelsmile_data import prepare_triplets

    if max_pairs < 1:
        raise click.BadParameter("must be >= 1", param_hint="--max-pairs")
    summary = prepare_triplets(photos, output, neutral=neutral.lower(), max_pairs_per_person=max_pairs,
                               log=console.info)
    click.echo(json.dumps(summary, sort_keys=True))
