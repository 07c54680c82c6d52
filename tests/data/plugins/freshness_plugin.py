"""A test plugin whose checklist limits how old evidence may be (evidence_max_age)."""

from pathlib import Path

from audit import hookimpl


@hookimpl
def audit_register_checklists(registry):
    registry.add_checklists(Path(__file__).parent / "freshness_checklists")
