"""`fxe train instructavatar`: train InstructAvatar's two-branch motion generator on (audio, track, instruction)."""

from __future__ import annotations

import json

import click

from fxcli.cli.option_types import FiniteFloatRange
from fxcli.cli.options import settings_of
from fxcli.cli.train_cmd import trainer_options


@click.command()
@trainer_options(
    epochs=100, batch_size=16,
    data_help="Folder with manifest.jsonl ({\"audio\", \"track\", \"instruction\"} per line) or arkit52 tracks "
              "with `audio` and meta.params.instruction (what `fxe talk -o clip.json` writes).",
    output_help="Checkpoint folder (model.safetensors + config.json, optimizer.pt), rewritten after every epoch.")
@click.option("--lr", type=FiniteFloatRange(min=0, min_open=True), default=1e-4, show_default=True,
              help="AdamW learning rate.")
@click.option("--d-model", type=click.IntRange(min=8), default=768, show_default=True, help="Hidden width.")
@click.option("--layers", type=click.IntRange(min=1), default=12, show_default=True, help="Conformer blocks.")
@click.option("--heads", type=click.IntRange(min=1), default=12, show_default=True, help="Attention heads.")
@click.option("--ffn", type=click.IntRange(min=8), default=2048, show_default=True, help="Feed-forward width.")
@click.option("--kernel", type=click.IntRange(min=1), default=13, show_default=True,
              help="Depth-wise convolution kernel (odd).")
@click.option("--dropout", type=FiniteFloatRange(0, 1, max_open=True), default=0.1, show_default=True,
              help="Dropout rate.")
@click.option("--max-len", type=click.IntRange(min=2), default=250, show_default=True,
              help="Frames per training window (25 frames/s).")
@click.option("--sample-steps", type=click.IntRange(min=1), default=150, show_default=True,
              help="Denoising steps used when the checkpoint generates.")
@click.option("--text-encoder", type=click.Choice(["minilm", "clip-vit-large-patch14"]), default="minilm",
              show_default=True, help="Frozen instruction encoder: shipped MiniLM, or CLIP ViT-L/14 text (local "
                                      "weights, `fxe models pull clip-vit-large-patch14`) as in the paper.")
@click.option("--audio-features", type=click.Choice(["logmel", "wav2vec2"]), default="logmel", show_default=True,
              help="Audio features: log-mel (no download) or wav2vec2 (`fxe models pull wav2vec2-base-960h`).")
def instructavatar(data: str, output: str, epochs: int, batch_size: int, precision: str, resume: bool, dry_run: bool,
                   lr: float, d_model: int, layers: int, heads: int, ffn: int, kernel: int, dropout: float,
                   max_len: int, sample_steps: int, text_encoder: str, audio_features: str) -> None:
    """Train InstructAvatar's motion generator and write a checkpoint for `fxe talk --model instructavatar:CKPT`.

    The paper's generator (Conformer blocks with audio in every block, emotion and motion instruction
    branches with adapters and zero-initialised gates, VP-SDE x0 prediction, AU and intensity heads,
    head-pose loss) produces fxe tracks (52 ARKit weights + head pose) instead of the withheld GAIA
    latent. Several processes: run it under `accelerate launch --multi_gpu --num_processes N -m fxcli
    train instructavatar ...` or `torchrun --nproc_per_node N -m fxcli train instructavatar ...`
    (with --device cpu they talk over gloo); only the main process writes.

    \b
    Examples:
      fxe train instructavatar --data clips/ -o ckpt/ia
      fxe train instructavatar --data clips/ -o ckpt/tiny --d-model 64 --layers 2 --heads 4 --ffn 128
      fxe train instructavatar --data clips/ -o ckpt/ia --text-encoder clip-vit-large-patch14 --audio-features wav2vec2
      fxe talk ict --audio s.wav -i "talk happily" --model instructavatar:ckpt/ia -o t.json

    \b
    Exit status: 2 bad option, 3 unreadable or invalid data, 4 encoder weights missing or checkpoint to
    resume corrupt.
    """
    from fxcli.cli.console import console
    from fxcli.train.instructavatar_trainer import train_instructavatar

    settings = settings_of(click.get_current_context())
    record = train_instructavatar(data, output, epochs=epochs, batch_size=batch_size, lr=lr, seed=settings.seed,
                                  device=settings.device, d_model=d_model, layers=layers, heads=heads, ffn=ffn,
                                  kernel=kernel, dropout=dropout, max_len=max_len, sample_steps=sample_steps,
                                  text_encoder=text_encoder, audio_features=audio_features, precision=precision,
                                  resume=resume, dry_run=dry_run, log=console.info)
    if record.pop("process_index") == 0:
        click.echo(json.dumps(record, sort_keys=True))
