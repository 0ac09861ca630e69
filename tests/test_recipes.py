"""Every recipe shipped in recipes/ is accepted by the command it names, and its values become that command's
options (the same conversion as flags: fxcli/cli/option_types.py)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
import yaml

from tests.conftest import REPO

RECIPES = sorted((REPO / "recipes").glob("*.yaml"))


def _command_named(name: str) -> tuple[list[str], click.Command]:
    from fxcli.cli.completion_cmd import _walk
    from fxcli.cli.main import cli

    found = [(path, cmd) for path, cmd in _walk(cli, ["fxe"]) if path[-1] == name]
    assert len(found) == 1, f"recipe command {name!r} names {len(found)} commands"
    return found[0]


def _context(path: list[str], recipe: Path) -> click.Context:
    """The parsed context of `fxe ... --recipe RECIPE` plus placeholders for required arguments/options."""
    from fxcli.cli.main import cli

    command, ctx = cli, None
    for name in path[1:]:
        ctx = command.make_context(command.name or "fxe", [name], parent=ctx, resilient_parsing=True)
        command = command.get_command(ctx, name)
    args = ["--recipe", str(recipe)]
    for p in command.params:
        if p.required:
            args += ([p.opts[0], "x"] if isinstance(p, click.Option) else ["x"])
    return command.make_context(path[-1], args, parent=ctx)


def test_recipes_are_shipped_and_listed():
    assert len(RECIPES) >= 5
    listed = (REPO / "recipes" / "README.md").read_text(encoding="utf-8")
    for recipe in RECIPES:
        assert f"`{recipe.name}`" in listed, f"{recipe.name} missing from recipes/README.md"


@pytest.mark.parametrize("recipe", RECIPES, ids=[r.name for r in RECIPES])
def test_recipe_values_become_the_commands_options(recipe):
    data = yaml.safe_load(recipe.read_text(encoding="utf-8"))
    assert recipe.read_text(encoding="utf-8").startswith("#"), "a recipe starts with a comment saying what it is for"
    path, command = _command_named(data.pop("command"))
    ctx = _context(path, recipe)
    for key, value in data.items():
        name = key.replace("-", "_")
        param = next(p for p in command.params if p.name == name)
        assert ctx.params[name] == param.type_cast_value(ctx, value), key
        assert ctx.get_parameter_source(name) == click.core.ParameterSource.DEFAULT_MAP, key


def test_a_flag_beats_the_recipe():
    from fxcli.cli.main import cli

    _, command = _command_named("gen-avatar")
    ctx = command.make_context("gen-avatar", ["--recipe", str(REPO / "recipes" / "geneava-1.0.yaml"), "--size", "128",
                                              "-o", "x/"], parent=cli.make_context("fxe", ["gen-avatar"],
                                                                                    resilient_parsing=True))
    assert ctx.params["identities"] == 98  # from the recipe
    assert ctx.get_parameter_source("size") == click.core.ParameterSource.COMMANDLINE
    size = next(p for p in command.params if p.name == "size")
    assert ctx.params["size"] == size.type_cast_value(ctx, "128") != size.type_cast_value(ctx, 256)
