"""The JSON Schema of the result document (``platform-audit/result`` 1.2), shipped with the
package so an integrator can check a result without this tool's code.

The schema is a file, ``audit/schemas/result.schema.json``, not generated: the result is
written by :mod:`audit.reports.jsonout`, not read through cerberus, so there is no schema to
derive it from. The test suite validates every JSON result it produces against it
(conftest.py at the repository root), and ``docs/reference/result-schema.md`` describes the same keys.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

RESULT_SCHEMA_FILE = "result.schema.json"


def result_json_schema() -> dict[str, Any]:
    """The shipped JSON Schema (draft 2020-12) of a JSON result."""
    text = resources.files("audit.schemas").joinpath(RESULT_SCHEMA_FILE).read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
