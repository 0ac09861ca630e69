"""flag > FXE_* variable > recipe > default, for global and command options, before or after the command."""

from __future__ import annotations

import json

import click
import pytest

from fxcli.cli.main import cli, main
from fxcli.cli.options import command_options, settings_of


@click.command("probe")
@click.option("--size", default=256, show_default=True, envvar="FXE_SIZE", type=int)
@command_options
def probe(size: int) -> None:
    s = settings_of(click.get_current_context())
    click.echo(json.dumps({"size": size, "seed": s.seed, "device": s.device, "verbosity": s.verbosity}))


@pytest.fixture(autouse=True)
def _probe_command(monkeypatch):
    for var in ("FXE_SEED", "FXE_SIZE", "FXE_DEVICE", "FXE_RECIPE"):
        monkeypatch.delenv(var, raising=False)
    cli.add_command(probe)
    yield
    cli.commands.pop("probe", None)


def run(capsys, *args):
    with pytest.raises(SystemExit) as exit_info:
        main(list(args))
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def values(capsys, *args):
    code, out, err = run(capsys, *args)
    assert code == 0, err
    return json.loads(out)


def test_defaults(capsys):
    assert values(capsys, "probe") == {"size": 256, "seed": 0, "device": "auto", "verbosity": 0}


def test_recipe_over_default_env_over_recipe_flag_over_env(capsys, tmp_path, monkeypatch):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("command: probe\nsize: 300\nseed: 7\n")
    assert values(capsys, "probe", "--recipe", str(recipe)) == {"size": 300, "seed": 7, "device": "auto",
                                                                "verbosity": 0}
    monkeypatch.setenv("FXE_SEED", "11")
    monkeypatch.setenv("FXE_SIZE", "320")
    got = values(capsys, "probe", "--recipe", str(recipe))
    assert (got["size"], got["seed"]) == (320, 11)
    got = values(capsys, "probe", "--recipe", str(recipe), "--size", "64", "--seed", "5")
    assert (got["size"], got["seed"]) == (64, 5)


def test_global_flag_before_command_beats_env_and_recipe(capsys, tmp_path, monkeypatch):
    recipe = tmp_path / "r.yaml"
    recipe.write_text("seed: 7\n")
    monkeypatch.setenv("FXE_SEED", "11")
    assert values(capsys, "--seed", "3", "probe", "--recipe", str(recipe))["seed"] == 3
    assert values(capsys, "--seed", "3", "probe", "--seed", "4")["seed"] == 4
    assert values(capsys, "-q", "probe")["verbosity"] == -1
    assert values(capsys, "probe", "-vv")["verbosity"] == 2


def test_recipe_for_another_command_and_duplicates(capsys, tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text("command: render\nsize: 3\n")
    code, _, err = run(capsys, "probe", "--recipe", str(other))
    assert code == 2 and "is for command 'render', not 'probe'" in err
    dup = tmp_path / "dup.yaml"
    dup.write_text("size: 3\nsize: 4\n")
    code, _, err = run(capsys, "probe", "--recipe", str(dup))
    assert code == 2 and "duplicate key 'size'" in err


def test_bad_device_is_usage_error(capsys):
    code, out, err = run(capsys, "probe", "--device", "tpu")
    assert code == 2 and out == "" and "invalid device 'tpu'" in err and len(err.strip().splitlines()) == 1
