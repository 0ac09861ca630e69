"""`--jobs FILE|-`: many jobs of one subcommand in one process, the models loaded once.

Each line of the file is a JSON object whose keys are the subcommand's option names (dashes or
underscores), plus `seed` for a per-job random seed. A job's keys override the options given on the
command line. Device and dtype hold for the whole batch (models are loaded once).

Resume that cannot lie: beside every output a job writes, a small record says what made it (the job's input
files' contents, its options and seed, the model id and hash, the fxe version; see fxcli.io.record). A rerun skips a job
only when all its outputs exist with a matching record, and says why it makes the others again ("no
record", "input changed", "options changed", "model changed", "made by another version"); `--force`
makes everything again. Two jobs naming one output is a usage error (exit 2) before any job runs.
One status line per job on stderr, then a summary; the exit status is 1 if any job failed. Under `torchrun` or
`accelerate launch`, process RANK of WORLD_SIZE takes every WORLD_SIZE-th job.
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable
from typing import Any

import click

from fxcli.cli.console import console
from fxcli.cli.options import settings_of
from fxcli.errors import EXIT_FAILURE, FxeError, InvalidInputError, UsageError
from fxcli.io import record
from fxcli.io.inputs import loads_json, read_text

SEED_KEY = "__seed__"


def parse_job_lines(text: str) -> list[tuple[int, dict | None, str | None]]:
    """[(line number, job object or None, error or None)] for every non-blank, non-# line."""
    jobs = []
    for lineno, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            obj = loads_json(line, "job")
        except InvalidInputError as exc:
            jobs.append((lineno, None, exc.message))
            continue
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
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 2**32 - 1:
                raise InvalidInputError(f"bad value for 'seed': {str(value)[:40]} is not an integer in 0..4294967295")
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
        except (TypeError, ValueError, OverflowError):
            raise InvalidInputError(f"bad value for {key!r}: {str(value)[:40]} has the wrong type") from None
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
             outputs: Callable[[dict[str, Any]], list[str]], *, show_traceback: bool = False,
             model: Callable[[], tuple[str | None, str | None]] | None = None, resumes_itself: bool = False,
             plan: Callable[[list[dict[str, Any]]], None] | None = None) -> None:
    """Run every job of `source`; `run_one(params)` does one job and returns a short note (or None).

    `outputs(params)` names the files (or folders) a job writes: a job is skipped when every one exists
    with a record that matches the job (see the module's text). `model()` gives the (id, hash) of the
    loaded model for that record. A command whose `run_one` already keeps matching outputs by itself (an
    edit sweep) passes `resumes_itself`: its jobs always run. `plan(jobs)`, if given, receives this
    process's job objects (in order, malformed lines left out) once the source is read, before the first
    job runs: a file and stdin alike (text2flame encodes the texts ahead, in batches). Raises
    click.exceptions.Exit(1) at the end if any job failed.
    """
    if source == "-" and base.get("_stdin_used"):
        raise UsageError("--jobs - reads stdin, which another input already uses")
    text = read_text(source)
    jobs = parse_job_lines(text)
    if not jobs:
        raise InvalidInputError(f"{'stdin' if source == '-' else source}: no jobs (empty file)")
    _check_distinct_outputs(ctx, jobs, base, outputs)
    settings = settings_of(ctx)
    force = bool(getattr(settings, "force", False))
    rank, world = _shard()
    mine = [j for i, j in enumerate(jobs) if i % world == rank]
    if plan is not None:
        plan([raw for _, raw, error in mine if error is None])
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
            job_record = _job_record(ctx, params, outs, settings.seed if seed is None else seed, model)
            why = None
            if outs and not resumes_itself:
                why = "--force" if force else _why_redo(outs, job_record)
                if why is None:
                    counts["skipped"] += 1
                    if console.verbosity >= 0:
                        console.info(f"{where}: skipped, {outs[0]} made the same way")
                    continue
            token = record.current_job.set(job_record)
            done = {"made": 0, "kept": 0}
            token_done = record.outputs_done.set(done)
            try:
                note = _run_with_seed(ctx, seed, run_one, params)
            finally:
                record.current_job.reset(token)
                record.outputs_done.reset(token_done)
            if resumes_itself and done["kept"] and not done["made"]:
                counts["skipped"] += 1  # every output was kept: it said so, output by output
                if console.verbosity >= 0:
                    console.info(f"{where}: skipped, every output made the same way")
                continue
            for out in outs if not resumes_itself else ():  # the record, beside each output
                record.write_sidecar(out, record.JOB_KEY, job_record)
            if why and why != "missing":
                note = f"{note or ''} (made again: {why})".strip()
        except KeyboardInterrupt:
            console.error(f"{where}: interrupted; {counts['ok']} done; run the same command again to resume")
            raise
        except FxeError as exc:
            counts["failed"] += 1
            console.error(f"{where}: failed: {exc}")
            continue
        except Exception as exc:  # noqa: BLE001 - one job's bug must not stop the batch
            from fxcli.io.signals import is_broken_pipe

            if is_broken_pipe(exc):
                raise  # the reader of stdout went away: the whole batch stops (exit 141)
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


def _out_key(path: str) -> str:
    return os.path.normcase(os.path.realpath(os.path.expanduser(path.rstrip("/") or "/")))


def _check_distinct_outputs(ctx: click.Context, jobs: list, base: dict[str, Any],
                            outputs: Callable[[dict[str, Any]], list[str]]) -> None:
    """Two jobs (of the whole file, every rank) naming one output: a usage error before anything runs."""
    seen: dict[str, int] = {}
    for lineno, raw, error in jobs:
        if error is not None:
            continue
        try:
            params = {**base, **convert_job(ctx, raw)}
            params.pop(SEED_KEY, None)
            outs = outputs(params)
        except FxeError:
            continue  # reported when the job runs
        for out in {_out_key(o): o for o in outs if o and o != "-"}.items():
            key, name = out
            if key in seen:
                raise UsageError(f"jobs on lines {seen[key]} and {lineno} both write {name}",
                                 hint="give every job its own output")
            seen[key] = lineno


def _job_record(ctx: click.Context, params: dict[str, Any], outs: list[str], seed: int,
                model: Callable[[], tuple[str | None, str | None]] | None) -> dict[str, Any]:
    """What makes this job's outputs: its input files' contents, its options and seed, the model, fxe's version."""
    out_keys = {_out_key(o) for o in outs if o and o != "-"}
    inputs: list[str] = []
    options: dict[str, Any] = {"command": ctx.command_path, "seed": seed}
    for name, value in sorted(params.items()):
        if name.startswith("_"):
            continue
        options[name] = value
        for v in value if isinstance(value, (list, tuple)) else [value]:
            if not isinstance(v, str) or not v or "\n" in v or len(v) > 4096:
                continue
            if v == "-" and name not in ("output",):
                inputs.append("-")
            elif os.path.isfile(v) and _out_key(v) not in out_keys:
                inputs.append(v)
    model_id, model_hash = model() if model is not None else (None, None)
    return record.make_record(inputs=inputs, options=options, model=model_id, model_hash=model_hash)


def _why_redo(outs: list[str], job_record: dict[str, Any]) -> str | None:
    for out in outs:
        why = record.why_redo_output(out, record.JOB_KEY, job_record)
        if why:
            return why
    return None


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

