"""Backends, registered by name per subcommand.

Each subcommand keeps a small table {backend name: "module:attribute"}; `--model NAME[:ARG]` picks
one (ARG is backend-specific, e.g. a checkpoint path for `cteg:PATH`). A backend module loads its
weights on first use. Third parties add backends through the entry-point group `fxe.backends`, with
entry names `COMMAND.NAME` (e.g. `render.myrig = mypkg.rig:render`).
"""

from __future__ import annotations

import importlib
from importlib.metadata import entry_points
from typing import Any

from fxcli.errors import UsageError

ENTRY_POINT_GROUP = "fxe.backends"


def split_model_arg(value: str) -> tuple[str, str | None]:
    """'cteg:/path/ckpt' -> ('cteg', '/path/ckpt'); 'embedded' -> ('embedded', None)."""
    name, sep, arg = value.partition(":")
    return name, (arg if sep else None)


def _plugins(command: str) -> dict[str, Any]:
    found = {}
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        cmd, _, name = ep.name.partition(".")
        if cmd == command and name:
            found[name] = ep
    return found


def backend_names(command: str, table: dict[str, str]) -> list[str]:
    return list(table) + sorted(set(_plugins(command)) - set(table))


def load_backend(command: str, table: dict[str, str], name: str) -> Any:
    """Import and return the backend object registered as `name` for `command`."""
    if name in table:
        module_name, attr = table[name].split(":")
        return getattr(importlib.import_module(module_name), attr)
    plugins = _plugins(command)
    if name in plugins:
        return plugins[name].load()
    raise UsageError(f"unknown model {name!r} for fxe {command}",
                     hint=f"choose from {', '.join(backend_names(command, table))}")
