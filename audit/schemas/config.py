"""Schema of a pack's optional ``audit.yaml``: settings that travel with the evidence."""

from __future__ import annotations

from typing import Any

CONFIG_FILE = "audit.yaml"

PACK_CONFIG: dict[str, Any] = {
    "checklist_path": {
        "type": "list", "schema": {"type": "string", "empty": False},
        "meta": {"doc": "Checklist module files or folders inside the pack (relative to "
                        "audit.yaml) added to the library for this pack, e.g. [checklists]."}},
}
