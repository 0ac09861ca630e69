"""--jobs: Ctrl-C in the middle leaves no partial file, exits 130, and the next run resumes."""

from __future__ import annotations

import json
import os

import click
import pytest

from fxcli.cli.jobs_runner import run_jobs
from fxcli.cli.main import cli, main
from fxcli.cli.options import command_options, jobs_option
from fxcli.io.atomic import atomic_path

CALLS: list[str] = []
INTERRUPTED: list[str] = []  # interrupt once: the rerun is the same command, which resumes


@click.command("slowwrite")
@click.option("-o", "--output")
@click.option("--interrupt-at", default="")
@jobs_option
@command_options
def slowwrite(output, interrupt_at, jobs):
    def run_one(params):
        CALLS.append(params["output"])
        with atomic_path(params["output"]) as tmp:
            tmp.write_text("half")
            if os.path.basename(params["output"]) == params["interrupt_at"] and not INTERRUPTED:
                INTERRUPTED.append(params["output"])
                raise KeyboardInterrupt
            tmp.write_text("complete")
        return None

    run_jobs(click.get_current_context(), jobs, {"output": output, "interrupt_at": interrupt_at}, run_one,
             outputs=lambda p: [p["output"]])


@pytest.fixture(autouse=True)
def _command():
    cli.add_command(slowwrite)
    CALLS.clear()
    INTERRUPTED.clear()
    yield
    cli.commands.pop("slowwrite", None)


def test_interrupt_then_resume(tmp_path, capsys):
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("".join(json.dumps({"output": str(tmp_path / f"{i}.txt")}) + "\n" for i in range(4)))
    with pytest.raises(SystemExit) as first:
        main(["slowwrite", "--jobs", str(jobs), "--interrupt-at", "2.txt"])
    assert first.value.code == 130
    # no temp file, no half file; a plain text output has its resume record beside it
    assert sorted(os.listdir(tmp_path)) == [".0.txt.fxe-record.json", ".1.txt.fxe-record.json", "0.txt", "1.txt",
                                            "jobs.jsonl"]
    assert "run the same command again to resume" in capsys.readouterr().err
    CALLS.clear()
    with pytest.raises(SystemExit) as second:
        main(["slowwrite", "--jobs", str(jobs), "--interrupt-at", "2.txt"])
    assert second.value.code == 0
    assert [os.path.basename(c) for c in CALLS] == ["2.txt", "3.txt"]  # only the unfinished jobs ran
    assert all((tmp_path / f"{i}.txt").read_text() == "complete" for i in range(4))
    assert "jobs: 2 ok, 2 skipped, 0 failed" in capsys.readouterr().err


def test_sharding_across_processes(tmp_path, capsys, monkeypatch):
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("".join(json.dumps({"output": str(tmp_path / f"{i}.txt")}) + "\n" for i in range(5)))
    monkeypatch.setenv("WORLD_SIZE", "2")
    monkeypatch.setenv("RANK", "1")
    with pytest.raises(SystemExit):
        main(["slowwrite", "--jobs", str(jobs)])
    assert [os.path.basename(c) for c in CALLS] == ["1.txt", "3.txt"]


def test_per_job_seed_matches_the_single_command(tmp_path):
    from tests.conftest import run_fxe

    text = "I can't believe we finally made it."
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text("".join(json.dumps({"text": text, "seed": s, "output": str(tmp_path / f"{i}.json")}) + "\n"
                            for i, s in enumerate([1, 1, 2])))
    batch = run_fxe("text2flame", "--jobs", str(jobs), "--seed", "7")
    assert batch.code == 0, batch.stderr
    single = run_fxe("text2flame", text, "--seed", "1")
    one, again, two = ((tmp_path / f"{i}.json").read_bytes() for i in range(3))
    assert one == again == single.stdout and one != two
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"text": text, "seed": "x", "output": str(tmp_path / "b.json")}) + "\n"
                   + json.dumps({"text": text, "device": "cuda", "output": str(tmp_path / "c.json")}) + "\n")
    result = run_fxe("text2flame", "--jobs", str(bad))
    assert result.code == 1 and "bad value for 'seed': x is not an integer" in result.stderr
    assert "give --device" in result.stderr


def test_job_keys_accept_the_argument_name_shown_in_usage(tmp_path):
    from fxcli.tracks import Track, write_tracks
    from tests.conftest import run_fxe

    write_tracks([Track.zeros("arkit52", 2, 25)], tmp_path / "t.json")
    jobs = tmp_path / "jobs.jsonl"
    jobs.write_text(json.dumps({"track": str(tmp_path / "t.json"), "output": str(tmp_path / "a.npz")}) + "\n"
                    + json.dumps({"source": str(tmp_path / "t.json"), "output": str(tmp_path / "b.npz")}) + "\n")
    result = run_fxe("track", "convert", "--jobs", str(jobs))  # usage: fxe track convert [TRACK|-]
    assert result.code == 0, result.stderr
    assert (tmp_path / "a.npz").exists() and (tmp_path / "b.npz").exists()
