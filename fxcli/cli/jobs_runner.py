"""`--jobs FILE|-`: many jobs of one subcommand in one process, the models loaded once.

Each line of the file is a JSON object whose keys are the subcommand's option names (dashes or
underscores), plus `seed` for a per-job random seed. A job's keys override the options given on the
command line. Device and dtype hold for the whole batch (models are loaded once). A job whose outputs all
exist already is skipped, so an interrupted batch resumes where it stopped. One status line per job
on stderr, then a summary; the exit status is 1 if any job failed. Under `torchrun` or
`accelerate launch`, process RANK of WORLD_SIZE takes every WORLD_SIZE-th job.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from fxcli.cli.console import console
from fxcli.cli.options import settings_of
from fxcli.errors import EXIT_FAILURE, FxeError, InvalidInputError, UsageError
from fxcli.io.inputs import read_text

SEED_KEY = "__seed__"


def parse_job_lines(text: str) -> list[tuple[int, dict | None, str | None]]:
    """[(line number, job object or None, error or None)] for every non-blank, non-# line."""
    jobs = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            jobs.append((lineno, None, f"malformed JSON ({exc.msg}, column {exc.colno})"))
            continue
        if not isinstance(obj, dict):
            jobs.append((lineno, None, f"expected a JSON object, got {type(obj).__name__}"))
            continue
        jobs.append((lineno, obj, None))
    return jobs


def convert_job(ctx: click.Context, raw: dict[str, Any], skip: tuple[str, ...] = ("jobs", "recipe")) -> dict:
    """Check a job's keys against the command's parameters and convert values with click's types."""
    params = {p.name: p for p in ctx.command.params if p.name and p.name not in skip and p.expose_value}
    aliases = _argument_aliases(params)
    out = {}
    for key, value in raw.items():
        name = key.replace("-", "_")
        name = aliases.get(name, name)
        if name == "seed":
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidInputError(f"bad value for 'seed': {value!r} is not an integer")
            out[SEED_KEY] = value
            continue
        if name in ("device", "dtype"):
            raise InvalidInputError(f"{key!r} cannot change per job (models are loaded once): give --{key} "
                                    "on the command line")
        if name not in params:
            valid = ", ".join(sorted([n.replace("_", "-") for n in params] + list(aliases) + ["seed"]))
            raise InvalidInputError(f"unknown key {key!r} (valid: {valid})")
        param = params[name]
        try:
            out[name] = None if value is None else param.type_cast_value(ctx, value)
        except click.BadParameter as exc:
            raise InvalidInputError(f"bad value for {key!r}: {exc.format_message()}") from None
    return out


def _argument_aliases(params: dict[str, click.Parameter]) -> dict[str, str]:
    """Positional arguments also answer to the name their usage shows (`IMAGE|-` -> `image`)."""
    aliases = {}
    for name, param in params.items():
        if isinstance(param, click.Argument) and param.metavar:
            alias = param.metavar.split("|")[0].strip("[]. ").lower().replace("-", "_")
            if alias and alias not in params:
                aliases[alias] = name
    return aliases


def _shard() -> tuple[int, int]:
    rank = int(os.environ.get("RANK", os.environ.get("LOCAL_RANK", "0")) or 0)
    world = int(os.environ.get("WORLD_SIZE", "1") or 1)
    return rank, max(world, 1)


def run_jobs(ctx: click.Context, source: str, base: dict[str, Any], run_one: Callable[[dict[str, Any]], str | None],
             outputs: Callable[[dict[str, Any]], list[str]], *, show_traceback: bool = False) -> None:
    """Run every job of `source`; `run_one(params)` does one job and returns a short note (or None).

    `outputs(params)` names the files a job writes: if all exist the job is skipped.
    Raises click.exceptions.Exit(1) at the end if any job failed.
    """
    if source == "-" and base.get("_stdin_used"):
        raise UsageError("--jobs - reads stdin, which another input already uses")
    text = read_text(source)
    jobs = parse_job_lines(text)
    if not jobs:
        raise InvalidInputError(f"{'stdin' if source == '-' else source}: no jobs (empty file)")
    rank, world = _shard()
    mine = [j for i, j in enumerate(jobs) if i % world == rank]
    tag = f"[rank {rank}] " if world > 1 else ""
    counts = {"ok": 0, "skipped": 0, "failed": 0}
    total = len(mine)
    started = time.monotonic()
    for n, (lineno, raw, error) in enumerate(mine, 1):
        where = f"{tag}job {n}/{total} (line {lineno})"
        t0 = time.monotonic()
        try:
            if error is not None:
                raise InvalidInputError(error)
            params = {**base, **convert_job(ctx, raw)}
            seed = params.pop(SEED_KEY, None)
            outs = outputs(params)
            if outs and all(Path(o).exists() for o in outs):
                counts["skipped"] += 1
                if console.verbosity >= 0:
                    console.info(f"{where}: skipped, {outs[0]} exists")
                continue
            note = _run_with_seed(ctx, seed, run_one, params)
        except KeyboardInterrupt:
            console.error(f"{where}: interrupted; {counts['ok']} done; run the same command again to resume")
            raise
        except FxeError as exc:
            counts["failed"] += 1
            console.error(f"{where}: failed: {exc}")
            continue
        except Exception as exc:  # noqa: BLE001 - one job's bug must not stop the batch
            counts["failed"] += 1
            if show_traceback:
                traceback.print_exc()
            console.error(f"{where}: failed: internal error: {type(exc).__name__}: {exc}")
            continue
        counts["ok"] += 1
        if console.verbosity >= 0:
            console.info(f"{where}: ok{' ' + note if note else ''} ({time.monotonic() - t0:.2f} s)")
    elapsed = time.monotonic() - started
    console.info(f"{tag}jobs: {counts['ok']} ok, {counts['skipped']} skipped, {counts['failed']} failed "
                 f"in {elapsed:.1f} s")
    if counts["failed"]:
        raise click.exceptions.Exit(EXIT_FAILURE)


def _run_with_seed(ctx: click.Context, seed: int | None, run_one: Callable, params: dict) -> str | None:
    """Run one job with its own seed (if it names one) in the shared settings, then restore the batch's."""
    settings = settings_of(ctx)
    saved = settings.seed
    if seed is not None:
        settings.seed = seed
    try:
        return run_one(params)
    finally:
        settings.seed = saved

