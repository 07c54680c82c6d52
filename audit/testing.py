"""pytest fixtures for plugin authors, registered through the ``pytest11`` entry point.

Installing platform-audit makes these fixtures available in every pytest run (the entry point
``platform_audit = "audit.testing"``); nothing here is autouse and no pytest hook is defined,
so loading this module changes nothing for a suite that does not ask for the fixtures. It
imports only the light part of ``audit`` (no DuckDB, openpyxl or Spark, which load when an
assessment reads logs or writes a workbook), so loading it at pytest start-up costs little.

Fixtures (see docs/plugins/testing.md):

``audit_plugin_under_test``
    The entry-point name (or module path) of the plugin being tested. Override it in your
    ``conftest.py`` or test module; the default reads ``AUDIT_PLUGIN_UNDER_TEST`` and otherwise
    loads no installed plugin (only the built-in defaults).
``audit_load_plugins``
    Factory: ``audit_load_plugins("my_plugin", ...)`` gives a clean plugin manager with exactly
    those plugins plus the defaults.
``audit_plugin_manager``
    ``audit_load_plugins(audit_plugin_under_test)``: the plugin under test plus the defaults.
``audit_registry``
    The filled registry of that plugin manager.
``audit_assess``
    ``audit_assess(pack_dir, "module.id", ..., as_of="2024-12-31", as_json=False)`` runs an
    assessment in-process and returns the ``Assessment`` (or its JSON document as a dict).

Helper: :func:`assert_checklists_valid` checks every checklist module a plugin registers.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import pluggy
import pytest

from audit import plugins
from audit.assessment import Assessment
from audit.pipeline.score import assess
from audit.checklist_files import module_files
from audit.checklists import forget_library, load_library, validate_files
from audit.errors import AuditError
from audit.evidence.loaders import load_evidence, needed_log_columns
from audit.registry import Registry
from audit.reports.jsonout import assessment_dict
from audit.schemas.common import as_date

__all__ = [
    "assert_checklists_valid",
    "audit_assess",
    "audit_load_plugins",
    "audit_plugin_manager",
    "audit_plugin_under_test",
    "audit_registry",
    "load_only",
    "run_assessment",
]

_ENV = ("AUDIT_LOAD_PLUGINS", "AUDIT_DISABLE_PLUGINS")


def _reset() -> None:
    plugins.reset()
    forget_library()


@contextmanager
def load_only(*names: str | None) -> Iterator[pluggy.PluginManager]:
    """Within the block, the plugin manager holds exactly ``names`` plus the defaults.

    ``AUDIT_LOAD_PLUGINS`` is set to the names (so installed plugins load even under a test
    suite that hides them) and restored afterwards, with the loaded state reset both ways.
    """
    saved = {k: os.environ.get(k) for k in _ENV}
    os.environ["AUDIT_LOAD_PLUGINS"] = ",".join(n for n in names if n)
    os.environ.pop("AUDIT_DISABLE_PLUGINS", None)
    _reset()
    try:
        yield plugins.get_plugin_manager()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        _reset()


def assert_checklists_valid(plugin_name: str) -> list[str]:
    """Assert that ``plugin_name`` loads, registers checklists, and that each one validates.

    Every ``*.yaml`` below each directory the plugin registers is validated (schema, citations,
    rule parameters against the registered evaluators, ``extends``), then the whole library is
    resolved. Returns the module ids of the plugin, sorted. The plugin is loaded for the check
    (with the defaults) if the current plugin manager does not already hold it.
    """
    def check() -> list[str]:
        broken = [b for b in plugins.broken_plugins() if b.name == plugin_name]
        assert not broken, f"plugin '{plugin_name}' failed to load: {broken[0].error}"
        pm = plugins.get_plugin_manager()
        assert pm.get_plugin(plugin_name) is not None, (
            f"plugin '{plugin_name}' is not installed (no 'platform_audit' entry point or "
            "importable module of that name)")
        try:
            registry = plugins.get_registry()
        except AuditError as exc:
            raise AssertionError("\n".join(exc.lines)) from None
        dirs = [d for d, owner in registry.checklist_dirs if owner == plugin_name]
        assert dirs, f"plugin '{plugin_name}' registers no checklist directory"
        files = [f for d in dirs for f in module_files(d)]
        assert files, (f"plugin '{plugin_name}' registers "
                       f"{', '.join(map(str, dirs))} but it holds no *.yaml module")
        problems = validate_files(dirs, registry)
        assert not problems, "\n".join(str(p) for p in problems)
        try:
            library = load_library(registry)
        except AuditError as exc:
            raise AssertionError("\n".join(exc.lines)) from None
        return sorted(c.id for c in library.all() if c.owner == plugin_name)

    if plugins.is_loaded(plugin_name):
        return check()
    with load_only(plugin_name):
        return check()


def run_assessment(evidence: Path | str | list[Path | str], checklists: list[str] | tuple[str, ...],
                   as_of: dt.date | str | None = None, scoring: str = "weighted",
                   as_json: bool = False) -> Assessment | dict[str, Any]:
    """Assess evidence with the current plugins, as ``audit assess`` does, and return the
    ``Assessment`` (or, with ``as_json``, the JSON report as a dict)."""
    registry = plugins.get_registry()
    library = load_library(registry)
    chosen = [library.get(cid) for cid in checklists]
    paths = [Path(p) for p in (evidence if isinstance(evidence, list) else [evidence])]
    pack = load_evidence(paths, registry, needed_log_columns(chosen, registry))
    if isinstance(as_of, str):
        day = dt.date.fromisoformat(as_of)
    elif as_of is not None:
        day = as_of
    elif pack.profile.get("as_of"):
        day = as_date(pack.profile["as_of"])
    else:
        day = dt.date.today()
    result = assess(pack, chosen, library, registry, day, scoring)
    if as_json:
        # through json so the dict holds exactly what `--format json` would print
        report: dict[str, Any] = json.loads(json.dumps(assessment_dict(result), default=str))
        return report
    return result


@pytest.fixture
def audit_plugin_under_test() -> str | None:
    """The plugin being tested: override this fixture to return your entry-point name."""
    return os.environ.get("AUDIT_PLUGIN_UNDER_TEST") or None


@pytest.fixture
def audit_load_plugins() -> Iterator[Callable[..., pluggy.PluginManager]]:
    """Factory: a clean plugin manager holding exactly the named plugins plus the defaults."""
    stack: list[AbstractContextManager[pluggy.PluginManager]] = []

    def load(*names: str | None) -> pluggy.PluginManager:
        while stack:
            stack.pop().__exit__(None, None, None)
        ctx = load_only(*names)
        pm = ctx.__enter__()
        stack.append(ctx)
        return pm

    yield load
    while stack:
        stack.pop().__exit__(None, None, None)


@pytest.fixture
def audit_plugin_manager(audit_load_plugins: Callable[..., pluggy.PluginManager],
                         audit_plugin_under_test: str | None) -> pluggy.PluginManager:
    """A clean plugin manager: the plugin under test (if any) plus the built-in defaults."""
    pm = audit_load_plugins(audit_plugin_under_test)
    if audit_plugin_under_test:
        broken = [b for b in plugins.broken_plugins() if b.name == audit_plugin_under_test]
        if broken:
            pytest.fail(f"plugin '{audit_plugin_under_test}' failed to load: {broken[0].error}",
                        pytrace=False)
    return pm


@pytest.fixture
def audit_registry(audit_plugin_manager: pluggy.PluginManager) -> Registry:
    """The registry filled by the plugin under test and the defaults."""
    return plugins.get_registry()


@pytest.fixture
def audit_assess(audit_plugin_manager: pluggy.PluginManager) -> Callable[..., Any]:
    """``audit_assess(evidence, *checklist_ids, as_of=None, scoring="weighted",
    as_json=False)``: run an assessment with the plugin under test loaded."""

    def _assess(evidence: Path | str | list[Path | str], *checklist_ids: str,
                as_of: dt.date | str | None = None, scoring: str = "weighted",
                as_json: bool = False) -> Any:
        if not checklist_ids:
            raise TypeError("audit_assess needs at least one checklist id")
        return run_assessment(evidence, list(checklist_ids), as_of, scoring, as_json)

    return _assess
