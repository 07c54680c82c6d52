"""Registers the built-in report writers, through the same hook a plugin's writers use.

The writer modules are light to import: each imports its heavy library (openpyxl, Jinja2)
only when it writes."""

from __future__ import annotations

from audit import hookimpl
from audit.registry import Registry
from audit.reports.conformance import built_in_writers


@hookimpl
def audit_register_writers(registry: Registry) -> None:
    for writer in built_in_writers():
        registry.add_writer(writer)
