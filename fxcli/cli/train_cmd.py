"""`fxe train NAME`: one lazy group over every trainer, and the options all trainers share.

A trainer is a click command in its own module `fxcli/cli/train_<name>_cmd.py` and ONE line in TRAINERS.
Its module is imported only when that trainer runs, so `fxe train --help` stays light. Plugins add
trainers through the `fxe_register_trainers` hook (fxcli/plugins.py).
"""

from __future__ import annotations

from collections.abc import Callable

import click

from fxcli.cli.lazy_group import LazyGroup
from fxcli.cli.option_types import POSITIVE_INT
from fxcli.cli.options import command_options

# name -> ("module:attribute" of the click command, one-line summary shown by `fxe train --help`)
TRAINERS: dict[str, tuple[str, str]] = {
    "cteg": ("fxcli.cli.train_cteg_cmd:cteg", "CTEG: text -> FLAME/ARKit expression sequences."),
    "instructavatar": ("fxcli.cli.train_instructavatar_cmd:instructavatar",
                       "InstructAvatar: audio + instruction -> talking motion (ARKit + head pose)."),
    "pixelsmile": ("fxcli.cli.train_pixelsmile_cmd:pixelsmile",
                   "PixelSmile: LoRA on Qwen-Image-Edit for expression edits at an intensity."),
    "pixelsmile-prepare": ("fxcli.cli.train_pixelsmile_cmd:pixelsmile_prepare",
                           "PixelSmile: build training triplets from a folder of labelled photos."),
    "text-emotion": ("fxcli.cli.train_text_emotion_cmd:text_emotion", "Text -> emotion classifier of text2flame."),
    "sdxl-expressions": ("fxcli.cli.train_sdxl_expressions_cmd:sdxl_expressions",
                         "SDXL: an expression LoRA on (image, expression) pairs (GenEAva)."),
}

PRECISIONS = ("fp32", "bf16", "fp16")


def trainer_options(*, epochs: int, batch_size: int, precision: str = "fp32", data_help: str,
                    output_help: str) -> Callable[[Callable], Callable]:
    """The options every trainer takes, in one place: --data, -o/--output, --epochs, --batch-size,
    --precision, --resume, --dry-run (plus the global options and --recipe). Defaults differ per trainer.

    The command function receives data, output, epochs, batch_size, precision, resume, dry_run.
    """
    options = [
        click.option("--data", required=True, metavar="PATH", help=data_help),
        click.option("-o", "--output", required=True, metavar="CKPT_DIR",
                     help=output_help + " The folder also gets train_log.jsonl (one JSON object per logged step "
                                        "and epoch) and loss.png (the loss curve)."),
        click.option("--epochs", type=POSITIVE_INT, default=epochs, show_default=True,
                     help="Total epochs (with --resume: up to this many)."),
        click.option("--batch-size", type=POSITIVE_INT, default=batch_size, show_default=True,
                     help="Examples per optimiser step in each process (n processes: n x this per step)."),
        click.option("--precision", type=click.Choice(PRECISIONS), default=precision, show_default=True,
                     help="Training precision (bf16/fp16: mixed precision through accelerate)."),
        click.option("--resume", is_flag=True, help="Continue the checkpoint in -o (model options come from it)."),
        click.option("--dry-run", is_flag=True,
                     help="Build everything, run one optimiser step, print parameter counts and peak memory as "
                          "JSON; writes nothing."),
    ]

    def decorate(f: Callable) -> Callable:
        f = command_options(f)
        for option in reversed(options):
            f = option(f)
        return f

    return decorate


class TrainGroup(LazyGroup):
    """The TRAINERS table plus trainers registered by plugins (read when a name or the list is asked for)."""

    def _merged(self) -> None:
        if getattr(self, "_plugins_merged", False):
            return
        self._plugins_merged = True
        from fxcli.plugins import plugin_trainers

        for name, entry in plugin_trainers().items():
            self.lazy_commands.setdefault(name, entry)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._merged()
        return super().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.lazy_commands:
            self._merged()
        return super().get_command(ctx, name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self._merged()
        super().format_commands(ctx, formatter)


@click.group(cls=TrainGroup, lazy_commands=dict(TRAINERS))
@command_options
def train() -> None:
    """Train a learned model from a data folder; every trainer takes the same core options.

    Every trainer takes --data, -o/--output, --epochs, --batch-size, --precision, --resume and --dry-run,
    and writes train_log.jsonl and loss.png into its output folder. See docs/training.md.

    \b
    Examples:
      fxe train cteg --data emoava/ -o ckpt/cteg
      fxe train cteg --data tracks/ -o ckpt/small --text-encoder minilm --epochs 20 --batch-size 32
      fxe train pixelsmile-prepare photos/ -o triplets.jsonl
      fxe train pixelsmile --data triplets.jsonl -o ckpt/pixelsmile --dry-run
      accelerate launch --multi_gpu --num_processes 2 -m fxcli train cteg --data emoava/ -o ckpt/cteg

    \b
    Exit status: 2 bad option or unknown trainer, 3 invalid data, 4 weights missing or checkpoint corrupt.
    """
