"""Registers the checklist modules bundled with platform-audit."""

from __future__ import annotations

from pathlib import Path

from audit import hookimpl
from audit.registry import Registry


def bundled_checklists_dir() -> Path:
    """The installed copy (inside the wheel) or, in a source checkout, the top-level folder."""
    here = Path(__file__).resolve().parent.parent
    installed = here / "_bundled_checklists"
    if installed.is_dir():
        return installed
    return here.parent / "checklists"


@hookimpl
def audit_register_checklists(registry: Registry) -> None:
    registry.add_checklists(bundled_checklists_dir())
