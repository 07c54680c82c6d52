"""Plain-data views of model objects, for JSON output (same keys as the YAML they came from)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Any

from audit.model import Checklist, Requirement


def plain(value: object) -> Any:
    """Dataclasses, enums, dates, tuples and mappings as JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    return value


def requirement_to_dict(req: Requirement) -> dict[str, Any]:
    out = {"full_id": req.full_id, **plain(req)}
    out["rule"] = {"type": req.rule.type, **plain(dict(req.rule.params))}
    return out


def checklist_to_dict(checklist: Checklist) -> dict[str, Any]:
    return {
        "id": checklist.id, "jurisdiction": checklist.jurisdiction, "title": checklist.title,
        "version": checklist.version, "status": checklist.status.value,
        "language": checklist.language, "extends": checklist.extends,
        "description": checklist.description, "provider": checklist.provider,
        "reviewed": checklist.reviewed.isoformat() if checklist.reviewed else None,
        "legal_rows": list(checklist.legal_rows),
        "sources": [plain(s) for s in checklist.sources.values()],
        "unselected": [plain(u) for u in checklist.unselected],
        "requirements": [requirement_to_dict(r) for r in checklist.requirements],
    }
