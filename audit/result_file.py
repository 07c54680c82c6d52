"""A JSON result (``platform-audit/result`` 1.x) read back, for everything that reads one:
``audit diff``, ``--baseline``, ``audit history``, ``audit verify`` and remediation plans.

A result comes from another run, another version or another hand, so it is checked before
anything reads it: its schema and major version, the shape of each container the comparison
reads, each requirement's status and score, the verdicts. Every failure is one line naming
the file (exit 2), never a traceback deep inside a comparison. The comparison itself is
:mod:`audit.comparison`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from audit.errors import AuditError
from audit.jsonio import JsonLimitError, parse_json
from audit.limits import MAX_RESULT_BYTES
from audit.model import Status
from audit.scoring import ROLLUP_ORDER

RESULT_SCHEMA = "platform-audit/result"
SUPPORTED_MAJOR = 1

GAP_STATUSES = frozenset(s.value for s in Status if s.is_gap)
# Worst first, as in audit.scoring.ROLLUP_ORDER: a lower rank is worse.
STATUS_RANK = {s.value: i for i, s in enumerate(ROLLUP_ORDER)}
# "not_assessed" (nothing applied) ranks with "review_needed": neither passed nor failed
VERDICT_RANK = {"non_compliant": 0, "review_needed": 1, "not_assessed": 1,
                "partially_compliant": 2, "compliant": 3}


class DiffError(AuditError):
    """A result file cannot be compared (not a result, incompatible version, malformed)."""


def load_result(path: Path | str) -> dict[str, Any]:
    """Read and check one JSON result; every failure is one line naming the file."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_RESULT_BYTES:  # before reading: parsing costs ~15x the file in memory
            raise DiffError(f"{path}: file is {size:,} bytes; result files are limited to "
                            f"{MAX_RESULT_BYTES:,}")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DiffError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise DiffError(f"{path}: not UTF-8 text (byte {exc.start}); expected a JSON result "
                        "written by `audit assess --format json`") from None
    except OSError as exc:
        raise DiffError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        data = parse_json(text)
    except json.JSONDecodeError as exc:
        raise DiffError(f"{path}:{exc.lineno}: malformed JSON: {exc.msg} (line {exc.lineno}, "
                        f"column {exc.colno})") from None
    except JsonLimitError as exc:
        raise DiffError(f"{path}: {exc}") from None
    return check_result(data, str(path))


def check_result(data: object, name: str) -> dict[str, Any]:
    """``data`` (parsed JSON, named ``name`` in errors) as a result every reader can rely on."""
    if not isinstance(data, dict) or data.get("schema") != RESULT_SCHEMA:
        raise DiffError(f"{name}: not a platform-audit result (expected \"schema\": "
                        f"\"{RESULT_SCHEMA}\", as written by `audit assess --format json`)")
    version = str(data.get("schema_version", ""))
    major = version.split(".", 1)[0]
    if not major.isdigit() or int(major) != SUPPORTED_MAJOR:
        raise DiffError(f"{name}: result schema version {version or '(missing)'} is not "
                        f"compatible with this platform-audit (reads {SUPPORTED_MAJOR}.x)")
    _check_shapes(data, name)
    reqs = data.get("requirements")
    if not isinstance(reqs, list) or not all(isinstance(r, dict) and isinstance(r.get("id"), str)
                                             and isinstance(r.get("status"), str)
                                             for r in reqs):
        raise DiffError(f"{name}: \"requirements\" must be a list of requirement objects with "
                        "an \"id\" and a \"status\"")
    seen: set[str] = set()
    for r in reqs:
        if r["status"] not in STATUS_RANK:
            raise DiffError(f"{name}: requirement {r['id']}: unknown status '{r['status']}'")
        if r["id"] in seen:
            raise DiffError(f"{name}: requirement {r['id']} appears twice")
        seen.add(r["id"])
        if not _is_score(r.get("score"), allow_none=False):
            raise DiffError(f"{name}: requirement {r['id']}: score must be a number from 0 "
                            f"to 1, got {r.get('score')!r}")
    # A gate must not pass on a result it cannot read: the overall figures are checked too.
    for key in ("verdict", "verdict_without_waivers"):
        if key in data and data[key] not in VERDICT_RANK:
            raise DiffError(f"{name}: {key}: unknown verdict {data[key]!r}")
    scoring = data.get("scoring", {})
    for part in ("with_waivers", "without_waivers"):
        value = (scoring.get(part) or {}).get("score") if isinstance(scoring, dict) else None
        if isinstance(scoring, dict) and part in scoring and not _is_score(value):
            raise DiffError(f"{name}: scoring.{part}.score must be a number from 0 to 1 or "
                            f"null, got {value!r}")
    return data


# The containers the comparison reads, with the type each must have: a result with another
# shape is refused here, with its place, instead of failing deep inside the comparison.
_SHAPES: tuple[tuple[str, type, type | None], ...] = (
    ("tool", dict, None), ("platform", dict, None), ("scoring", dict, dict),
    ("by_area", dict, dict), ("checklists", list, dict),
)


def _check_shapes(data: dict[str, Any], name: str) -> None:
    for key, kind, item in _SHAPES:
        value: Any = data.get(key)
        if value is None:
            continue
        if not isinstance(value, kind):
            raise DiffError(f"{name}: {key} must be {'an object' if kind is dict else 'a list'}, "
                            f"got {type(value).__name__}")
        if item is None:
            continue
        entries = list(value.items()) if isinstance(value, dict) else list(enumerate(data[key]))
        for k, entry in entries:
            if key == "scoring" and k not in ("with_waivers", "without_waivers"):
                continue
            if not isinstance(entry, item) and (entry is not None or key == "checklists"):
                raise DiffError(f"{name}: {key}.{k} must be an object, got "
                                f"{type(entry).__name__}")
    for i, c in enumerate(data.get("checklists") or []):
        if not isinstance(c.get("id"), str):
            raise DiffError(f"{name}: checklists[{i}].id must be text")
    for key in ("verdict", "verdict_without_waivers"):
        if key in data and not isinstance(data[key], str):
            raise DiffError(f"{name}: {key}: unknown verdict {data[key]!r}")


def _is_score(value: object, allow_none: bool = True) -> bool:
    if value is None:
        return allow_none
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return 0.0 <= float(value) <= 1.0
