"""Plugins: third-party packages that add backends, rigs, judges, trainers and registry models.

A plugin is a module listed under the setuptools entry-point group `fxe` that implements some of the
hooks below (pluggy, as `llm` does). Each hook receives a `register` function:

    import fxcli.plugins

    @fxcli.plugins.hookimpl
    def fxe_register_backends(register):
        register("edit", "mybackend", "my_pkg.editor:MyEditor")       # command, name, "module:attr"

    @fxcli.plugins.hookimpl
    def fxe_register_rigs(register):
        register("myrig", "my_pkg.rig:MyRig")

    @fxcli.plugins.hookimpl
    def fxe_register_judges(register):
        register("myjudge", "my_pkg.judge:MyJudge")

    @fxcli.plugins.hookimpl
    def fxe_register_trainers(register):
        register("mymodel", "my_pkg.train_cmd:train_mymodel", "One-line summary for `fxe train --help`.")

    @fxcli.plugins.hookimpl
    def fxe_register_models(register):
        register(ModelSpec(...))                                       # appears in `fxe models list/where/pull`

Targets are "module:attr" strings, imported only when used, so `fxe --help` stays fast however many
plugins are installed. The contracts each kind must meet are in fxcli/contracts.py. The older entry-point
group `fxe.backends` (entry names `COMMAND.NAME`) still works and is listed as a plugin too.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

import pluggy

PROJECT = "fxe"
LEGACY_BACKENDS_GROUP = "fxe.backends"
KINDS = ("backends", "rigs", "judges", "trainers", "models")

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


class HookSpecs:
    @hookspec
    def fxe_register_backends(self, register):
        """register(command, name, "module:attr"): a backend for a generating command (see contracts.py)."""

    @hookspec
    def fxe_register_rigs(self, register):
        """register(name, "module:attr"): a head rig `fxe render --rig NAME` can use (contracts.Rig)."""

    @hookspec
    def fxe_register_judges(self, register):
        """register(name, "module:attr"): a full judge for `fxe score --judge NAME[:ARG]` (contracts.Judge)."""

    @hookspec
    def fxe_register_trainers(self, register):
        """register(name, "module:attr" of a click command, summary): `fxe train NAME`."""

    @hookspec
    def fxe_register_models(self, register):
        """register(fxcli.registry.ModelSpec): weights the plugin needs, in `fxe models list/where/pull`."""


@dataclass
class PluginInfo:
    name: str  # entry-point name
    module: str  # the module the entry point names
    distribution: str  # the installed package it came from
    version: str
    group: str
    hooks: list[str] = field(default_factory=list)
    registered: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Registered:
    backends: dict[str, dict[str, str]] = field(default_factory=dict)  # command -> {name: "module:attr"}
    rigs: dict[str, str] = field(default_factory=dict)
    judges: dict[str, str] = field(default_factory=dict)
    trainers: dict[str, tuple[str, str]] = field(default_factory=dict)
    models: list[Any] = field(default_factory=list)
    origin: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, name) -> plugin name
    plugins: list[PluginInfo] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


_STATE: Registered | None = None


def _dist_of(ep: Any) -> tuple[str, str]:
    dist = getattr(ep, "dist", None)
    if dist is None:
        return "?", "?"
    return dist.metadata.get("Name", "?") or "?", dist.version or "?"


def _legacy_module(eps: list[Any]) -> Any:
    """A plugin object that registers the `fxe.backends` entry points (COMMAND.NAME = module:attr)."""

    class Legacy:
        @hookimpl
        def fxe_register_backends(self, register):
            for ep in eps:
                command, _, name = ep.name.partition(".")
                if command and name:
                    register(command, name, ep.value)

    return Legacy()


def _collect() -> Registered:
    state = Registered()
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(HookSpecs)
    infos: dict[str, PluginInfo] = {}
    for ep in entry_points(group=PROJECT):
        dist, version = _dist_of(ep)
        try:
            plugin = ep.load()
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not break fxe
            state.errors.append(f"plugin {ep.name} ({dist}): cannot be imported: {type(exc).__name__}: {exc}")
            continue
        if pm.is_registered(plugin):
            continue
        pm.register(plugin, name=ep.name)
        infos[ep.name] = PluginInfo(ep.name, ep.value, dist, version, PROJECT)
    legacy = list(entry_points(group=LEGACY_BACKENDS_GROUP))
    by_dist: dict[tuple[str, str], list[Any]] = {}
    for ep in legacy:
        by_dist.setdefault(_dist_of(ep), []).append(ep)
    for (dist, version), eps in by_dist.items():
        name = f"{dist} ({LEGACY_BACKENDS_GROUP})"
        pm.register(_legacy_module(eps), name=name)
        infos[name] = PluginInfo(name, ", ".join(ep.value for ep in eps), dist, version, LEGACY_BACKENDS_GROUP)
    for name, info in infos.items():
        plugin = pm.get_plugin(name)
        info.hooks = sorted(h.name for h in pm.get_hookcallers(plugin) or [])
    state.plugins = list(infos.values())

    def call(hook: str, kind: str, make_register):
        for impl in getattr(pm.hook, hook).get_hookimpls():
            plugin_name = impl.plugin_name
            try:
                impl.function(make_register(plugin_name))
            except Exception as exc:  # noqa: BLE001 - report it in `fxe plugins`, keep going
                state.errors.append(f"plugin {plugin_name}: {hook} failed: {type(exc).__name__}: {exc}")

    def note(plugin_name: str, kind: str, name: str) -> None:
        state.origin[(kind, name)] = plugin_name
        if plugin_name in infos:
            infos[plugin_name].registered.setdefault(kind, []).append(name)

    def backend_register(plugin_name):
        def register(command: str, name: str, target: str) -> None:
            _check_target(target)
            state.backends.setdefault(command, {})[name] = target
            note(plugin_name, "backends", f"{command}.{name}")
        return register

    def named_register(table: dict, kind: str):
        def outer(plugin_name):
            def register(name: str, target: str) -> None:
                _check_target(target)
                table[name] = target
                note(plugin_name, kind, name)
            return register
        return outer

    def trainer_register(plugin_name):
        def register(name: str, target: str, summary: str = "") -> None:
            _check_target(target)
            state.trainers[name] = (target, summary or f"{name} (plugin {plugin_name}).")
            note(plugin_name, "trainers", name)
        return register

    def model_register(plugin_name):
        def register(spec: Any) -> None:
            for attr in ("name", "source", "description"):
                if not getattr(spec, attr, None):
                    raise TypeError(f"a model spec needs a {attr}")
            state.models.append(spec)
            note(plugin_name, "models", spec.name)
        return register

    call("fxe_register_backends", "backends", backend_register)
    call("fxe_register_rigs", "rigs", named_register(state.rigs, "rigs"))
    call("fxe_register_judges", "judges", named_register(state.judges, "judges"))
    call("fxe_register_trainers", "trainers", trainer_register)
    call("fxe_register_models", "models", model_register)
    return state


def _check_target(target: str) -> None:
    module, sep, attr = str(target).partition(":")
    if not (module and sep and attr):
        raise ValueError(f"target {target!r} is not 'module:attribute'")


def registered(refresh: bool = False) -> Registered:
    """Everything the installed plugins register (collected once per process)."""
    global _STATE
    if _STATE is None or refresh:
        _STATE = _collect()
    return _STATE


def load_target(target: str) -> Any:
    module_name, attr = target.split(":", 1)
    obj = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def plugin_backends(command: str) -> dict[str, str]:
    return dict(registered().backends.get(command, {}))


def plugin_rigs() -> dict[str, str]:
    return dict(registered().rigs)


def plugin_judges() -> dict[str, str]:
    return dict(registered().judges)


def plugin_trainers() -> dict[str, tuple[str, str]]:
    return dict(registered().trainers)


def plugin_models() -> list[Any]:
    return list(registered().models)


def origin(kind: str, name: str) -> str | None:
    """The plugin that registered `name` of `kind` (None: built in)."""
    return registered().origin.get((kind, name))


def load_rig(name: str, **kwargs: Any) -> Any:
    """A plugin rig: its class/factory called with the keyword arguments (contracts.Rig)."""
    from fxcli.errors import UsageError

    rigs = plugin_rigs()
    if name not in rigs:
        raise UsageError(f"unknown rig {name!r}", hint="see `fxe plugins` for the rigs plugins add")
    return load_target(rigs[name])(**kwargs)


def load_judge(name: str, arg: str | None = None, device: str = "cpu") -> Any:
    """A plugin judge: its class called as cls(arg, device=device) (contracts.Judge)."""
    from fxcli.errors import UsageError

    judges = plugin_judges()
    if name not in judges:
        raise UsageError(f"unknown judge {name!r}", hint="see `fxe plugins`")
    return load_target(judges[name])(arg, device=device)


def describe() -> dict[str, Any]:
    """`fxe plugins` as data: every plugin with its origin and what it registers, plus load errors."""
    state = registered()
    return {"plugins": [{"name": p.name, "distribution": p.distribution, "version": p.version, "group": p.group,
                         "module": p.module, "hooks": p.hooks, "registers": p.registered} for p in state.plugins],
            "errors": list(state.errors)}


def annotate_command(name: str, command: Any) -> None:
    """Add the plugins' backend names to a command's --model help (so `fxe CMD --help` shows them)."""
    names = sorted(plugin_backends(name))
    if not names or getattr(command, "_fxe_plugins_noted", False):
        return
    for param in getattr(command, "params", []):
        if param.name == "model" and getattr(param, "help", None) is not None:
            param.help = f"{param.help} Plugins: {', '.join(names)}."
    command._fxe_plugins_noted = True
