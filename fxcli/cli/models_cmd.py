"""`fxe models`: the registry of model weights."""

from __future__ import annotations

import json
import sys

import click

from fxcli.cli.console import console
from fxcli.cli.lazy_group import HelpGroup
from fxcli.cli.options import global_options


@click.group(cls=HelpGroup)
@global_options
def models() -> None:
    """Model weights: list, where, verify, pull.

    \b
    Resolution order (nothing but `pull` touches the network):
      1. a path given explicitly (flag or FXE_MODEL_<NAME> variable)
      2. $FXE_HOME/models/<name>   (FXE_HOME defaults to ~/.cache/fxe)
      3. the Hugging Face cache (local files only)
      4. the copy shipped in fxcli or a pip dependency (embedded models)

    \b
    Examples:
      fxe models list
      fxe models where minilm
      fxe models verify mediapipe-face
      fxe models where bert-base-cased          # needs: bert-base-cased
      fxe models pull dinov2-base               # needs: network
    """


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per model on stdout.")
@global_options
def list_cmd(as_json: bool) -> None:
    """List every model any backend uses, with licence, size, source and local state.

    \b
    Examples:
      fxe models list
      fxe models list --json | jq -r 'select(.state == "ok") | .name'
    """
    from fxcli import registry

    rows = []
    for spec in registry.all_models():
        state, path, detail = registry.status(spec)
        rows.append({
            "name": spec.name, "state": state, "source": spec.source, "repo_id": spec.repo_id,
            "license": spec.license, "size": spec.size, "used_by": list(spec.used_by),
            "description": spec.description, "path": str(path) if path else None,
            "origin": detail if state == "ok" else None, "url": spec.url,
        })
    if as_json or not sys.stdout.isatty():
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("name", "state", "source", "size", "license", "used by", box=None)
    colour = {"ok": "green", "missing": "yellow", "broken": "red"}
    for row in rows:
        table.add_row(row["name"], f"[{colour[row['state']]}]{row['state']}[/]", row["repo_id"] or row["source"],
                      row["size"], row["license"], ", ".join(row["used_by"]))
    Console().print(table)


@models.command()
@click.argument("name")
@click.option("--path", "path", default=None, help="Check this folder (or file) instead of the usual places.")
@global_options
def where(name: str, path: str | None) -> None:
    """Print the local folder of model NAME (exit 4 and the fix if it is missing).

    \b
    Examples:
      fxe models where minilm
      fxe models where bert-base-cased          # needs: bert-base-cased
    """
    from fxcli import registry

    resolved = registry.resolve(name, path)
    console.debug(f"{name}: found via {resolved.origin}")
    click.echo(str(resolved.path))


@models.command()
@click.argument("name")
@click.option("--path", "path", default=None, help="Check this folder (or file) instead of the usual places.")
@global_options
def verify(name: str, path: str | None) -> None:
    """Check model NAME's files: presence, git-LFS stubs, sizes, safetensors headers and sha256 where known.

    A truncated file, or one whose safetensors header does not match its size, is "corrupt" (exit 4).

    \b
    Examples:
      fxe models verify minilm
      fxe models verify mediapipe-face
      fxe models verify dinov2-base             # needs: dinov2-base
    """
    from fxcli import registry
    from fxcli.errors import ModelMissingError

    resolved, problems = registry.verify(name, path)
    if problems:
        raise ModelMissingError(f"model {name} at {resolved.path}: {'; '.join(problems)}",
                                hint=registry.fix_hint(resolved.spec))
    known = [f.path for f in resolved.spec.files if f.sha256]
    checked = f"sha256 of {len(known)} file(s) match" if known else "files present (no published checksums)"
    console.success(f"{name}: ok, {checked} ({resolved.path})")


@models.command()
@click.argument("name")
@global_options
def pull(name: str) -> None:
    """Download model NAME from the Hugging Face Hub into the Hugging Face cache.

    Licence-gated models (FLAME, InsightFace) cannot be pulled: the message says where to get them
    and where to put them.

    \b
    Examples:
      fxe models pull dinov2-base               # needs: network
      fxe models pull minilm                    # shipped with fxe: prints its folder
    """
    from fxcli import registry

    spec = registry.get_spec(name)
    if spec.source == "hf":
        console.info(f"pulling {name} ({spec.repo_id}, {spec.size})")
    folder = registry.pull(name)
    problems = registry.check_folder(spec, folder)
    if problems:
        from fxcli.errors import ModelMissingError

        raise ModelMissingError(f"downloaded {name}, but: {'; '.join(problems)}")
    click.echo(str(folder))
