"""The walk-through modules of docs/bringing-your-own-data.md, registered for the tests."""

from pathlib import Path

from audit import hookimpl


@hookimpl
def audit_register_checklists(registry):
    registry.add_checklists(Path(__file__).parent.parent / "byod" / "checklists")
