"""Plugin manager: discovers plugins once, on first use, then builds the registry.

Plugins come from the ``platform_audit`` entry-point group (or only those named in
``AUDIT_LOAD_PLUGINS``), then the built-in ``DEFAULT_PLUGINS``, which use the same hooks.
A plugin that fails to import or register is recorded, not fatal on its own: ``audit plugins``
can still list the others, and every command that needs the registry reports it as one line.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
from dataclasses import dataclass
from importlib import metadata
from typing import Any, Callable

import pluggy

from audit import hookspecs
from audit.errors import AuditError, PluginError, Problem
from audit.registry import Registry

PROJECT = "platform_audit"
ENTRY_POINT_GROUP = "platform_audit"

DEFAULT_PLUGINS = (
    "audit.default_plugins.checklists",
    "audit.default_plugins.evaluators",
    "audit.default_plugins.scoring",
    "audit.default_plugins.loaders",
    "audit.default_plugins.writers",
)

REGISTRATION_HOOKS = (
    "audit_register_checklists",
    "audit_register_evaluators",
    "audit_register_loaders",
    "audit_register_writers",
    "audit_register_scoring_models",
)


@dataclass(frozen=True)
class PluginInfo:
    name: str
    version: str | None
    hooks: tuple[str, ...]
    default: bool
    error: str | None = None


class _State:
    pm: pluggy.PluginManager | None = None
    registry: Registry | None = None
    broken: list[PluginInfo] = []
    versions: dict[str, str | None] = {}
    built_in = False  # DEFAULT_PLUGINS registered (get_plugin_manager)


def _names(env: str) -> list[str] | None:
    value = os.environ.get(env)
    if value is None:
        return None
    return [n.strip() for n in value.split(",") if n.strip()]


def _record_broken(name: str, version: str | None, exc: BaseException) -> None:
    detail = f"{type(exc).__name__}: {exc}".strip().splitlines()[0]
    _State.broken.append(PluginInfo(name, version, (), False, detail))


def is_loaded(name: str) -> bool:
    """Whether the plugin manager has started and ``name`` is among its plugins (a broken
    plugin counts: it was found and tried), without starting the manager."""
    pm = _State.pm
    return pm is not None and (pm.get_plugin(name) is not None
                               or any(b.name == name for b in _State.broken))


def get_plugin_manager(built_in: bool = True) -> pluggy.PluginManager:
    """The process-wide plugin manager, loading plugins on first call (idempotent).

    ``built_in=False`` loads the installed plugins only, for the command line's verbs (no
    built-in plugin adds one): ``audit --help`` then skips importing every rule and writer.
    The built-ins join on the first call that wants them, after the installed ones as always.
    """
    if _State.pm is None:
        pm = pluggy.PluginManager(PROJECT)
        pm.add_hookspecs(hookspecs)
        _State.broken = []
        _State.versions = {}
        _State.built_in = False
        _load(pm)
        _State.pm = pm
    if built_in and not _State.built_in:
        _State.built_in = True
        _load_built_in(_State.pm)
    return _State.pm


def _load(pm: pluggy.PluginManager) -> None:
    disabled = set(_names("AUDIT_DISABLE_PLUGINS") or [])
    wanted = _names("AUDIT_LOAD_PLUGINS")
    # The test suite sees no installed plugins unless a test names them (datasette's habit),
    # so a plugin installed beside the package cannot change what core tests observe.
    load_installed = wanted is not None or not getattr(sys, "_called_from_test", False)
    if load_installed:
        seen: set[str] = set()
        for ep in metadata.entry_points(group=ENTRY_POINT_GROUP):
            if ep.name in seen or ep.name in disabled:
                continue
            if wanted is not None and ep.name not in wanted:
                continue
            seen.add(ep.name)
            version = ep.dist.version if ep.dist else None
            _register(pm, ep.name, version, ep.load)
        for name in wanted or ():
            if name not in seen and name not in disabled:
                # Not an installed entry point: a module path, e.g. while developing a plugin.
                _register(pm, name, None, functools.partial(importlib.import_module, name))
    _check_pending(pm)


def _load_built_in(pm: pluggy.PluginManager) -> None:
    disabled = set(_names("AUDIT_DISABLE_PLUGINS") or [])
    for module_name in DEFAULT_PLUGINS:
        if module_name not in disabled:
            pm.register(importlib.import_module(module_name), name=module_name)
    _check_pending(pm)


def _check_pending(pm: pluggy.PluginManager) -> None:
    # A misspelt hook name would otherwise be ignored silently: treat it as a broken plugin.
    while True:
        try:
            pm.check_pending()
            break
        except pluggy.PluginValidationError as exc:
            name = pm.get_name(exc.plugin) or repr(exc.plugin)
            pm.unregister(exc.plugin)
            _State.versions.pop(name, None)
            _record_broken(name, None, ValueError(str(exc).replace("\n", " ")))


def _register(pm: pluggy.PluginManager, name: str, version: str | None,
              load: Callable[[], Any]) -> None:
    try:
        pm.register(load(), name=name)
        _State.versions[name] = version
    except Exception as exc:  # a broken plugin must not take the others down
        _record_broken(name, version, exc)


def broken_plugins() -> list[PluginInfo]:
    get_plugin_manager()
    return list(_State.broken)


def raise_if_broken() -> None:
    broken = broken_plugins()
    if broken:
        raise PluginError(problems=[Problem(f"plugin '{b.name}'", "", f"failed to load: {b.error}")
                                    for b in broken])


def get_registry() -> Registry:
    """Call every registration hook once and return the filled registry.

    Raises ``PluginError`` naming the plugin when one failed to load or to register, or when
    two plugins claim the same id.
    """
    if _State.registry is None:
        pm = get_plugin_manager()
        raise_if_broken()
        registry = Registry()
        for hook_name in REGISTRATION_HOOKS:
            caller = getattr(pm.hook, hook_name)
            # pluggy calls the last registered first; registration order is more natural here
            # (installed plugins, then defaults), and ids must not clash anyway.
            for impl in reversed(caller.get_hookimpls()):
                with registry.acting_for(impl.plugin_name):
                    try:
                        impl.function(registry=registry)
                    except AuditError:
                        raise
                    except Exception as exc:
                        raise PluginError(f"plugin '{impl.plugin_name}' failed in {hook_name}: "
                                          f"{type(exc).__name__}: {exc}") from exc
        _State.registry = registry
    return _State.registry


def list_plugins(include_defaults: bool = False) -> list[PluginInfo]:
    """Installed plugins with the hooks they implement; defaults only when asked."""
    pm = get_plugin_manager()
    out = []
    for name, plugin in sorted(pm.list_name_plugin(), key=lambda p: p[0]):
        default = name in DEFAULT_PLUGINS
        if default and not include_defaults:
            continue
        hooks = tuple(sorted(h.name for h in pm.get_hookcallers(plugin) or []))
        out.append(PluginInfo(name, _State.versions.get(name), hooks, default))
    return out + list(_State.broken)


def reset() -> None:
    """Forget loaded plugins and the registry (tests, and tools embedding the library)."""
    _State.pm = None
    _State.registry = None
    _State.broken = []
    _State.versions = {}
    _State.built_in = False
