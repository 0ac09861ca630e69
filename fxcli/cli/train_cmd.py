"""`fxe train`: train the learned models (CTEG)."""

from __future__ import annotations

import json

import click

from fxcli.cli.options import command_options, settings_of


@click.group()
@command_options
def train() -> None:
    """Train a learned model from a data folder.

    \b
    Examples:
      fxe train cteg --data emoava/ -o ckpt/cteg
      fxe train cteg --data tracks/ -o ckpt/small --text-encoder minilm --epochs 20 --batch-size 32
      accelerate launch --multi_gpu --num_processes 2 -m fxcli train cteg --data emoava/ -o ckpt/cteg
    """


@train.command()
@click.option("--data", required=True, metavar="DIR",
              help="EmoAva pickles ({split}_stage1_text.pkl + {split}_stage1_exps.pkl, split train and "
                   "optionally val) or fxe track files (*.jsonl, *.json, *.npz) with texts.")
@click.option("-o", "--output", required=True, metavar="CKPT_DIR",
              help="Checkpoint folder (model.safetensors, config.json, training_state.pt), rewritten after "
                   "every epoch.")
@click.option("--epochs", type=int, default=100, show_default=True, help="Total epochs (with --resume: up to).")
@click.option("--batch-size", type=int, default=256, show_default=True,
              help="Sequences per optimiser step in each process (n processes: n x this per step).")
@click.option("--lr-mul", type=float, default=2.0, show_default=True,
              help="Noam schedule: lr = lr_mul * d_model^-0.5 * min(step^-0.5, step * warmup^-1.5).")
@click.option("--warmup", type=int, default=4000, show_default=True, help="Noam warm-up steps.")
@click.option("--text-encoder", type=click.Choice(["bert-base-cased", "minilm"]), default="bert-base-cased",
              show_default=True,
              help="Frozen text encoder: bert-base-cased as in the paper (`fxe models pull bert-base-cased`) or "
                   "the shipped MiniLM (no download).")
@click.option("--resume", is_flag=True, help="Continue the checkpoint in -o (model options come from it).")
@click.option("--dev-fraction", type=float, default=0.05, show_default=True,
              help="Share of the training data held out as the dev set (unused when a val split exists).")
@click.option("--d-model", type=int, default=768, show_default=True, help="Hidden width.")
@click.option("--heads", type=int, default=12, show_default=True, help="Attention heads.")
@click.option("--ffn", type=int, default=2048, show_default=True, help="Feed-forward inner width.")
@click.option("--layers", type=int, default=1, show_default=True, help="CVAD layers.")
@click.option("--dropout", type=float, default=0.1, show_default=True, help="Dropout rate.")
@click.option("--max-len", type=int, default=256, show_default=True,
              help="MSL: longest sequence (longer ones are cut) and the sampling limit.")
@click.option("--metric-samples", type=int, default=16, show_default=True,
              help="Dev texts sampled after each epoch for the CTEG metrics (0: dev loss only).")
@command_options
def cteg(data: str, output: str, epochs: int, batch_size: int, lr_mul: float, warmup: int, text_encoder: str,
         resume: bool, dev_fraction: float, d_model: int, heads: int, ffn: int, layers: int, dropout: float,
         max_len: int, metric_samples: int) -> None:
    """Train CTEG (text -> FLAME or ARKit expression sequences) and write a checkpoint folder.

    Progress and per-epoch dev scores go to stderr; the last epoch's record is printed as JSON on stdout.
    Use the result with `fxe text2flame --model cteg:CKPT_DIR "text"`. Several processes: run the same
    command under `accelerate launch --multi_gpu --num_processes N` or `torchrun --nproc_per_node N -m fxcli`
    (DDP; with --device cpu the processes talk over gloo); only the main process writes.

    \b
    Examples:
      fxe train cteg --data emoava/ -o ckpt/cteg
      fxe train cteg --data tracks/ -o ckpt/tiny --text-encoder minilm --d-model 64 --heads 4 --ffn 128
      fxe train cteg --data emoava/ -o ckpt/cteg --resume --epochs 120
      accelerate launch --multi_gpu --num_processes 2 -m fxcli train cteg --data emoava/ -o ckpt/cteg

    \b
    Exit status: 2 bad option, 3 unreadable/invalid data (forbidden pickle content, wrong frame width,
    empty dataset), 4 text encoder weights missing or checkpoint to resume corrupt.
    """
    from fxcli.cli.console import console
    from fxcli.train.cteg_trainer import train_cteg

    settings = settings_of(click.get_current_context())
    record = train_cteg(data, output, epochs=epochs, batch_size=batch_size, lr_mul=lr_mul, warmup=warmup,
                        text_encoder=text_encoder, resume=resume, dev_fraction=dev_fraction, seed=settings.seed,
                        device=settings.device, d_model=d_model, heads=heads, ffn=ffn, layers=layers,
                        dropout=dropout, max_len=max_len, metric_samples=metric_samples, log=console.info)
    if record.pop("process_index") == 0:
        click.echo(json.dumps(record, sort_keys=True))
