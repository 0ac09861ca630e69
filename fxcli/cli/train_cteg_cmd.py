"""`fxe train cteg`: train CTEG (text -> FLAME or ARKit expression sequences)."""

from __future__ import annotations

import json

import click

from fxcli.cli.option_types import (
    D_MODEL,
    FFN,
    FRACTION,
    HEADS,
    LAYERS,
    MAX_LEN,
    NON_NEGATIVE_INT,
    POSITIVE_FLOAT,
    POSITIVE_INT,
)
from fxcli.cli.options import settings_of
from fxcli.cli.train_cmd import trainer_options


@click.command()
@trainer_options(
    epochs=100, batch_size=256,
    data_help="EmoAva pickles ({split}_stage1_text.pkl + {split}_stage1_exps.pkl, split train and optionally val) "
              "or fxe track files (*.jsonl, *.json, *.npz) with texts.",
    output_help="Checkpoint folder (model.safetensors, config.json, training_state.pt), rewritten after every "
                "epoch.")
@click.option("--lr-mul", type=POSITIVE_FLOAT, default=2.0, show_default=True,
              help="Noam schedule: lr = lr_mul * d_model^-0.5 * min(step^-0.5, step * warmup^-1.5).")
@click.option("--warmup", type=POSITIVE_INT, default=4000, show_default=True, help="Noam warm-up steps.")
@click.option("--text-encoder", type=click.Choice(["bert-base-cased", "minilm"]), default="bert-base-cased",
              show_default=True,
              help="Frozen text encoder: bert-base-cased as in the paper (`fxe models pull bert-base-cased`) or "
                   "the shipped MiniLM (no download).")
@click.option("--dev-fraction", type=FRACTION, default=0.05, show_default=True,
              help="Share of the training data held out as the dev set (unused when a val split exists).")
@click.option("--d-model", type=D_MODEL, default=768, show_default=True, help="Hidden width.")
@click.option("--heads", type=HEADS, default=12, show_default=True, help="Attention heads.")
@click.option("--ffn", type=FFN, default=2048, show_default=True, help="Feed-forward inner width.")
@click.option("--layers", type=LAYERS, default=1, show_default=True, help="CVAD layers.")
@click.option("--dropout", type=FRACTION, default=0.1, show_default=True, help="Dropout rate.")
@click.option("--max-len", type=MAX_LEN, default=256, show_default=True,
              help="MSL: longest sequence (longer ones are cut) and the sampling limit.")
@click.option("--metric-samples", type=NON_NEGATIVE_INT, default=16, show_default=True,
              help="Dev texts sampled after each epoch for the CTEG metrics (0: dev loss only).")
def cteg(data: str, output: str, epochs: int, batch_size: int, precision: str, resume: bool, dry_run: bool,
         lr_mul: float, warmup: int, text_encoder: str, dev_fraction: float, d_model: int, heads: int, ffn: int,
         layers: int, dropout: float, max_len: int, metric_samples: int) -> None:
    """Train CTEG (text -> FLAME or ARKit expression sequences) and write a checkpoint folder.

    Progress and per-epoch dev scores go to stderr; the last epoch's record is printed as JSON on stdout
    (with --dry-run: parameter counts, the step's losses and peak memory). Use the result with
    `fxe text2flame --model cteg:CKPT_DIR "text"`. Several processes: run the same command under
    `accelerate launch --multi_gpu --num_processes N` or `torchrun --nproc_per_node N -m fxcli`
    (DDP; with --device cpu the processes talk over gloo); only the main process writes.

    \b
    Examples:
      fxe train cteg --data emoava/ -o ckpt/cteg
      fxe train cteg --data tracks/ -o ckpt/tiny --text-encoder minilm --d-model 64 --heads 4 --ffn 128
      fxe train cteg --data emoava/ -o ckpt/cteg --resume --epochs 120
      fxe train cteg --data emoava/ -o ckpt/cteg --dry-run
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
                        dropout=dropout, max_len=max_len, metric_samples=metric_samples, precision=precision,
                        dry_run=dry_run, log=console.info)
    if record.pop("process_index") == 0:
        click.echo(json.dumps(record, sort_keys=True))
