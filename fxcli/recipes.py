"""Recipes: strict YAML files of option values for one subcommand (`--recipe FILE.yaml`).

Strict means: YAML's safe subset only (no tags, never executed as code), a mapping at the top,
no duplicate keys, and only keys that are option names of the command (dashes or underscores).
An optional `command:` key names the subcommand the recipe is for and is checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fxcli.errors import UsageError


def _strict_loader():
    import yaml

    class StrictLoader(yaml.SafeLoader):
        pass

    def construct_mapping(loader, node, deep=False):
        keys = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in keys:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            keys.add(key)
        return loader.construct_mapping(node, deep)

    StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    return StrictLoader


def load_recipe(path: str, command: str, allowed: Iterable[str]) -> dict[str, Any]:
    """Return {param_name: value} from a recipe, raising UsageError on anything not allowed."""
    import yaml

    p = Path(path).expanduser()
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"recipe {path}: cannot read ({getattr(exc, 'strerror', None) or exc})") from exc
    try:
        data = yaml.load(text, Loader=_strict_loader())  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise UsageError(f"recipe {path}: invalid YAML{where}: {problem}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"recipe {path}: expected a mapping of option names to values")
    allowed = set(allowed)
    values: dict[str, Any] = {}
    for key, value in data.items():
        if not isinstance(key, str):
            raise UsageError(f"recipe {path}: key {key!r} is not an option name")
        name = key.replace("-", "_")
        if name == "command":
            if value != command:
                raise UsageError(f"recipe {path} is for command {value!r}, not {command!r}")
            continue
        if name not in allowed:
            valid = ", ".join(sorted(a.replace("_", "-") for a in allowed))
            raise UsageError(f"recipe {path}: unknown key {key!r} for fxe {command} (valid: {valid})")
        values[name] = value
    return values
