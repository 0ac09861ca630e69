"""`fxe plugins`: the installed plugins, where they come from and what they add."""

from __future__ import annotations

import json

import click

from fxcli.cli.options import global_options


@click.command()
@click.option("--json", "as_json", is_flag=True, help="The list as one JSON object on stdout.")
@global_options
def plugins(as_json: bool) -> None:
    """List installed fxe plugins: package, version, entry point, hooks and what each registers.

    Plugins are packages with an entry point in the group `fxe` (or the older `fxe.backends`); they add
    backends (--model NAME), rigs (render --rig), judges (score --judge), trainers (fxe train NAME) and
    models (fxe models list). A plugin that fails to load is reported here and otherwise ignored.
    See docs/plugins.md to write one.

    \b
    Examples:
      fxe plugins
      fxe plugins --json | jq '.plugins[].name'

    \b
    Exit status: 0 (also when no plugin is installed).
    """
    from fxcli.plugins import describe

    info = describe()
    if as_json:
        click.echo(json.dumps(info, indent=1, sort_keys=True))
        return
    if not info["plugins"]:
        click.echo("no plugins installed (entry-point groups `fxe`, `fxe.backends`)")
    for p in info["plugins"]:
        click.echo(f"{p['name']}  {p['distribution']} {p['version']}  [{p['group']}: {p['module']}]")
        for kind, names in sorted(p["registers"].items()):
            click.echo(f"  {kind}: {', '.join(names)}")
    for error in info["errors"]:
        click.echo(f"error: {error}")
