"""The Profile sheet of an evidence workbook: what each field holds (from the platform.yaml
schema), how one cell is read as that field, and how the workbook's values meet the pack's
``platform.yaml``: the same value given in both agrees whatever its spelling (a date cell and
a YAML date), a disagreement and a schema problem are reported at the cell concerned, in
words. The sheet itself is read by :mod:`audit.evidence.workbook`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from audit.evidence.workbook_cells import cell_date, cell_number, cell_text, cell_timezone
from audit.schemas.evidence import PLATFORM

PROFILE_SHEET = "Profile"


def schema_problem_place(cells: dict[tuple[Any, ...], str], path: tuple[Any, ...],
                         message: str) -> str:
    """The cell a schema problem at ``path`` is about: an unknown or misspelt field at the
    cell holding its name (column A), a bad value at the cell holding the value, a missing
    field at the row the template gives it; else the sheet."""
    names = {key[1:]: place for key, place in cells.items() if key[:1] == ("name",)}
    if message.startswith("unknown"):
        for key, place in names.items():
            if key[:len(path)] == path:
                return place
    for n in range(len(path), 0, -1):
        if path[:n] in cells:
            return cells[path[:n]]
        if path[:n] in names:
            value_cell = names[path[:n]]
            return f"{PROFILE_SHEET}!B{value_cell.rsplit('!A', 1)[1]}"
    return PROFILE_SHEET


def same_value(a: object, b: object) -> bool:
    """Whether two profile values are the same: a date and its ISO text are, so are 1000
    and 1000.0; anything else compares as it is."""
    def plain(v: object) -> object:
        if isinstance(v, dt.datetime):
            return v.date().isoformat()
        if isinstance(v, dt.date):
            return v.isoformat()
        return v

    return plain(a) == plain(b)


def shown(value: object) -> str:
    """A profile value as a reader writes it: a date as YYYY-MM-DD, yes/no, a list with
    commas, text in quotes; never Python's repr."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(shown(v) for v in value) or "(empty)"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)


def field_type(field: str) -> str:
    """What a profile field holds, from the PLATFORM schema: integer, number, boolean, list,
    date, string, or any (free-form ``facts``)."""
    parts = field.split(".")
    node: Mapping[str, Any] | None = PLATFORM.get(parts[0])
    for part in parts[1:]:
        if node is None:
            return "any"
        if "schema" in node and isinstance(node["schema"], dict) and node.get("type") == "dict":
            node = node["schema"].get(part)
        elif "valuesrules" in node:
            node = node["valuesrules"]
        else:
            return "any"
    if node is None:
        return "any"
    kind = node.get("type", "any")
    if kind == "isodate":
        return "date"
    if isinstance(kind, list):
        return "boolean" if "boolean" in kind else "string"
    return kind if kind in ("integer", "number", "boolean", "list", "string") else "any"


def coerce_field(field: str, value: object) -> tuple[object, str | None]:
    """A Profile cell as platform.yaml would hold it, or an error message."""
    if field == "timezone":
        return cell_timezone(value)
    kind = field_type(field)
    if kind == "date":
        day = cell_date(value)
        return (None, day) if isinstance(day, str) else (day, None)
    if kind == "boolean":
        if isinstance(value, bool):
            return value, None
        text = str(value).strip().lower()
        if text in ("yes", "true", "y"):
            return True, None
        if text in ("no", "false", "n"):
            return False, None
        return None, f"expected yes or no, got {str(value)!r}"
    if kind in ("integer", "number"):
        number = cell_number(value)
        if number is None or (kind == "integer" and not isinstance(number, int)):
            return None, f"expected {'a whole number' if kind == 'integer' else 'a number'}, " \
                         f"got {str(value)!r}"
        return number, None
    if kind == "list":
        return [p.strip() for p in str(value).split(",") if p.strip()], None
    if kind == "string":
        if isinstance(value, (dt.date, dt.datetime)):
            return (value.date() if isinstance(value, dt.datetime) else value).isoformat(), None
        return cell_text(value), None
    if isinstance(value, str):  # facts: keep numbers as numbers, yes/no as booleans
        text = value.strip()
        if text.lower() in ("yes", "no"):
            return text.lower() == "yes", None
        number = cell_number(text)
        return (number if number is not None else text), None
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), None
    if isinstance(value, float) and value.is_integer():
        return int(value), None
    return value, None
