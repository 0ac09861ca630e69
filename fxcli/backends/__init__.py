"""Backends, registered by name per subcommand.

Each subcommand keeps a small table {backend name: "module:attribute"}; `--model NAME[:ARG]` picks
one (ARG is backend-specific, e.g. a checkpoint path for `cteg:PATH`). A backend module loads its
weights on first use. Third parties add backends with a plugin (fxcli/plugins.py, hook
`fxe_register_backends`, entry-point group `fxe`); the older entry-point group `fxe.backends`, entry
names `COMMAND.NAME` (e.g. `edit.mine = mypkg.editor:MyEditor`), still works. Contracts: fxcli/contracts.py.
"""

from __future__ import annotations

import importlib
from typing import Any

from fxcli.errors import UsageError

ENTRY_POINT_GROUP = "fxe.backends"  # the legacy group; new plugins use the `fxe` group (fxcli.plugins)


def split_model_arg(value: str) -> tuple[str, str | None]:
    """'cteg:/path/ckpt' -> ('cteg', '/path/ckpt'); 'embedded' -> ('embedded', None)."""
    name, sep, arg = value.partition(":")
    return name, (arg if sep else None)


def _plugins(command: str) -> dict[str, str]:
    from fxcli.plugins import plugin_backends

    return plugin_backends(command)


def backend_names(command: str, table: dict[str, str]) -> list[str]:
    return list(table) + sorted(set(_plugins(command)) - set(table))


def load_backend(command: str, table: dict[str, str], name: str) -> Any:
    """Import and return the backend object registered as `name` for `command` (built-ins win over plugins)."""
    if name in table:
        module_name, attr = table[name].split(":")
        return getattr(importlib.import_module(module_name), attr)
    plugins = _plugins(command)
    if name in plugins:
        from fxcli.plugins import load_target

        return load_target(plugins[name])
    raise UsageError(f"unknown model {name!r} for fxe {command}",
                     hint=f"choose from {', '.join(backend_names(command, table))}")
