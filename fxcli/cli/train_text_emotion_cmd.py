"""`fxe train text-emotion`: the text -> emotion classifier of the embedded text2flame."""

from __future__ import annotations

import json

import click

from fxcli.cli.option_types import FRACTION, POSITIVE_FLOAT, POSITIVE_INT, FiniteFloatRange
from fxcli.cli.options import settings_of
from fxcli.cli.train_cmd import trainer_options


@click.command("text-emotion")
@trainer_options(
    epochs=12, batch_size=256,
    data_help="Corpus folder holding goemotions/original_{train,dev,test}.tsv and, with --corpora xed, "
              "xed/en-annotated.tsv + xed/neu_en.txt.",
    output_help="Model folder: text_emotion.safetensors (weights + settings) and config.json (settings, split "
                "digests, dev scores).")
@click.option("--corpora", type=click.Choice(["goemotions", "goemotions,xed"]), default="goemotions",
              show_default=True, help="Training corpora (their train splits; dev splits for model choice and "
                                      "calibration; test splits are never read).")
@click.option("--cache", default=None, metavar="DIR",
              help="Where the encoder features are cached (default: OUTPUT/cache). Several runs, or several "
                   "processes at once, can share one.")
@click.option("--max-train-lines", type=POSITIVE_INT, default=None, metavar="N",
              help="Use only the first N lines of each train split (file order).")
@click.option("--hidden", type=POSITIVE_INT, default=256, show_default=True, help="Hidden units of the MLP.")
@click.option("--dropout", type=FRACTION, default=0.3, show_default=True, help="Dropout after the hidden layer.")
@click.option("--ensemble", type=POSITIVE_INT, default=3, show_default=True,
              help="MLPs trained one after the other (the seed's random stream) and merged into one that averages "
                   "their logits.")
@click.option("--lr", type=POSITIVE_FLOAT, default=1e-3, show_default=True, help="AdamW learning rate (cosine).")
@click.option("--fine-mix", type=FRACTION, default=None, metavar="W",
              help="Weight of the fine head (28 categories summed per family) in the family decision, the rest "
                   "the basic head's. Default: the best of 0, 0.3, 0.5, 0.7 on dev.")
@click.option("--ngram-weight", type=FiniteFloatRange(0.0, 10.0), default=None, metavar="W",
              help="Weight of the lexical head (logistic regression over hashed word unigrams + bigrams) in the "
                   "family decision; 0 trains no lexical head. Default: the best of 0, 0.5, 0.75, 1, 1.25 on dev "
                   "(with its L2 strength).")
def text_emotion(data: str, output: str, epochs: int, batch_size: int, precision: str, resume: bool,
                 dry_run: bool, corpora: str, cache: str | None, max_train_lines: int | None, hidden: int,
                 dropout: float, ensemble: int, lr: float, fine_mix: float | None,
                 ngram_weight: float | None) -> None:
    """Train the text -> emotion classifier (frozen MiniLM features -> MLP, 7 families + 28 categories).

    The encoder's features are computed once per corpus line and cached (the slow part: about 20 ms
    per line on one CPU core); training the heads then takes a minute per ensemble member. Each member
    keeps its epoch with the best dev macro F1; the family decision mixes the basic head with the fine
    head's per-family sums (--fine-mix, chosen on dev by default) and a lexical head over hashed word
    unigrams + bigrams (--ngram-weight, chosen on dev by default); the merged model's probabilities are
    calibrated on dev (temperature scaling) and per-family decision offsets are fitted on dev for macro
    F1. The same
    --seed gives the same model. Use the result with FXE_MODEL_TEXT_EMOTION=OUTPUT, or copy its
    text_emotion.safetensors over fxcli/assets/text_emotion/ to ship it. Evaluate it on the test
    splits with benchmarks/eval_text_emotion.py.

    \b
    Examples:
      fxe train text-emotion --data text-emotion/ -o ckpt/text-emotion
      fxe train text-emotion --data text-emotion/ -o ckpt/te-xed --corpora goemotions,xed --cache /tmp/te
      fxe --seed 1 train text-emotion --data text-emotion/ -o ckpt/te --max-train-lines 20480 --dry-run

    \b
    Exit status: 2 bad option (--precision other than fp32, --resume), 3 corpus files missing or
    malformed, 4 MiniLM weights missing.
    """
    from fxcli.cli.console import console
    from fxcli.errors import UsageError
    from fxcli.train.text_emotion_trainer import train_text_emotion

    if precision != "fp32":
        raise UsageError("text-emotion trains in fp32 only (the head is small)", hint="drop --precision")
    if resume:
        raise UsageError("text-emotion has nothing to resume: a run takes a minute once features are cached",
                         hint="run again with the same --cache")
    settings = settings_of(click.get_current_context())
    record = train_text_emotion(data, output, corpora=tuple(corpora.split(",")), seed=settings.seed, cache=cache,
                                epochs=epochs, hidden=hidden, dropout=dropout, lr=lr, batch_size=batch_size,
                                max_train_lines=max_train_lines, ensemble=ensemble, fine_mix=fine_mix,
                                ngram=ngram_weight != 0, ngram_weight=ngram_weight, dry_run=dry_run,
                                log=console.info)
    click.echo(json.dumps(record, sort_keys=True))
