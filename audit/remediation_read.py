"""Reading what an earlier run left to carry: the Gaps and Closed gaps sheets of a gap
workbook (by header, never by position), a ``remediation.yaml`` plan, or the remediation block
of a JSON result, each into one ``Previous``. A cell or key that does not read as what it should
is a located problem (sheet and cell, or YAML path and line); ``audit.remediation`` carries the
result into the next assessment.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

from audit.comparison import DiffError, check_result
from audit.errors import EvidenceError, Problem
from audit.i18n import _
from audit.labels import status_label
from audit.model import Status
from audit.remediation import (CLOSED, CLOSED_SHEET, GAPS_SHEET, HEADERS, OPEN, PROPERTY, TYPED,
                               TRACKING_STATUSES, Previous, RemediationEntry, problem)
from audit.sheet_input import (cell_name, date_value, find_header, labels, open_workbook,
                               records, sheet_rows, text)
from audit.yamlio import load_list_document

FULL_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*:[a-z0-9][a-z0-9._-]*$")


def _entry(values: dict[str, tuple[Any, str]], name: str,
           problems: list[Problem]) -> RemediationEntry | None:
    """One typed row: ``values`` maps each field to (value, place), the place being a sheet
    and cell (``Gaps!M5``) or a YAML path (``remediation[0].due``)."""
    rid, rid_cell = values["requirement"]
    rid = text(rid)
    got: dict[str, Any] = {}
    for key in ("owner", "tracking", "comments"):
        if key in values:
            got[key] = text(values[key][0])
    if got.get("tracking") is not None:  # English or the report language's label
        typed = got["tracking"].lower()
        got["tracking"] = next((t for t in TRACKING_STATUSES
                                if typed in (t, _(t).lower())), typed)
        if got["tracking"] not in TRACKING_STATUSES:
            problems.append(Problem(name, values["tracking"][1],
                                    f"expected one of {', '.join(TRACKING_STATUSES)}, got "
                                    f"{values['tracking'][0]!r}"))
    for key in ("due", "closed_on"):
        if key in values:
            day = date_value(values[key][0])
            if isinstance(day, str):
                problems.append(Problem(name, values[key][1], day))
                day = None
            got[key] = day
    if rid is None or not FULL_ID.match(rid):
        if any(v is not None for k, v in got.items() if k in TYPED):
            problems.append(Problem(name, rid_cell,
                                    f"expected a requirement id module:requirement beside the "
                                    f"typed tracking, got {rid!r}"))
        return None
    source = f"{name}: {values.get('owner', values['requirement'])[1]}"
    return RemediationEntry(rid, got.get("owner"), got.get("due"), got.get("tracking"),
                            got.get("comments"), source,
                            CLOSED if got.get("closed_on") else OPEN, got.get("closed_on"))


def read_workbook(path: Path, display: str | None = None) -> Previous:
    """The Gaps and Closed gaps sheets of an earlier gap workbook, by header, never position."""
    name = display or str(path)
    wanted = (GAPS_SHEET, CLOSED_SHEET, "Summary", "Requirements")
    wb = open_workbook(path, name, tuple({n for s in wanted for n in (s, _(s))}))
    try:
        props = {p.name: getattr(p, "value", None) for p in getattr(wb, "custom_doc_props", [])}
        # a sheet by its English name or its name in the report language
        sheets = {s: next((rows for t in dict.fromkeys((s, _(s)))
                           if (rows := sheet_rows(wb, t)) is not None), None)
                  for s in (GAPS_SHEET, CLOSED_SHEET, "Summary", "Requirements")}
    finally:
        wb.close()
    previous = Previous(name)
    if sheets[GAPS_SHEET] is None:
        raise problem(name, "", f"no '{GAPS_SHEET}' sheet: not a gap workbook written by "
                                 "'audit assess --format xlsx'")
    previous.platform = props.get(PROPERTY + "platform")
    previous.platform_place = "document properties"
    if previous.platform is None:
        previous.platform, previous.platform_place = _summary_platform(sheets["Summary"])
    versions = dict(c.partition("@")[::2] for c in str(props.get(PROPERTY + "checklists")
                                                        or "").split())
    previous.checklists = tuple(versions)
    previous.result = _requirements_result(sheets["Requirements"], previous, versions,
                                           props.get(PROPERTY + "as_of"))
    problems: list[Problem] = []
    for sheet in (GAPS_SHEET, CLOSED_SHEET):
        rows = sheets[sheet]
        if not rows:
            continue
        optional = {k: labels(*HEADERS[k]) for k in HEADERS if k != "requirement"}
        found = find_header(rows, {"requirement": labels(*HEADERS["requirement"])}, optional)
        if found is None:
            if sheet == GAPS_SHEET:
                raise problem(name, f"{sheet}!A1", "no requirement id column (header 'id') "
                                                    "in the first rows")
            continue
        header, columns = found
        for _row, cells in records(rows, header, columns):
            values = {k: (v, f"{sheet}!{c}") for k, (v, c) in cells.items()}
            entry = _entry(values, name, problems)
            if entry is None:
                continue
            if entry.requirement in previous.entries:
                first = previous.entries[entry.requirement].source
                problems.append(Problem(name, values["requirement"][1],
                                        f"{entry.requirement} appears twice (first at {first})"))
                continue
            if sheet == GAPS_SHEET:
                previous.gaps.add(entry.requirement)
            previous.entries[entry.requirement] = entry
    if problems:
        raise EvidenceError(problems=problems)
    return previous


def _requirements_result(rows: list[tuple[Any, ...]] | None, previous: Previous,
                         versions: dict[str, str], as_of: object) -> dict[str, Any] | None:
    """The workbook's Requirements sheet as a minimal JSON result (id, status, score,
    severity, title), so a workbook alone can give since-baseline labels and the regression
    gate; ``None`` when the sheet cannot be read that way (then only tracking carries)."""
    if not rows or not versions or not all(v.isdigit() for v in versions.values()):
        return None
    found = find_header(rows, {k: labels(k) for k in ("id", "checklist", "status", "score")},
                        {"severity": labels("severity"), "title": labels("requirement")})
    if found is None:
        return None
    header, columns = found
    # statuses are written as words in the report language ("partially met"); back to values
    words = {spelling.lower(): s.value for s in Status
             for spelling in (s.value, s.value.replace("_", " "), status_label(s))}
    reqs = []
    for _row, values in records(rows, header, columns):
        typed = (text(values["status"][0]) or "").lower()
        status = words.get(typed, typed)
        item = {k: text(v) if isinstance(v, str) else v for k, (v, _c) in values.items()}
        reqs.append({**item, "status": status})
    data = {"schema": "platform-audit/result", "schema_version": "1.1",
            "as_of": str(as_of or ""), "platform": {"name": previous.platform},
            "checklists": [{"id": c, "version": int(v)} for c, v in versions.items()],
            "requirements": reqs}
    try:
        return check_result(data, previous.name)
    except DiffError:
        return None


def _summary_platform(rows: list[tuple[Any, ...]] | None) -> tuple[str | None, str]:
    for number, row in enumerate(rows or [], start=1):
        if row and (text(row[0]) or "").lower() in labels("Platform") and len(row) > 1:
            return text(row[1]), f"Summary!{cell_name(1, number)}"
    return None, ""


def read_plan(path: Path, display: str | None = None) -> Previous:
    """``remediation.yaml``: ``remediation: [{requirement, owner, due, tracking, comments,
    closed_on}]``, optionally with ``platform:``; the text form of the workbook's columns."""
    name = display or str(path)
    doc, entries = load_list_document(path, name, "remediation")
    data = doc.data
    previous = Previous(name, platform=data.get("platform"),
                        platform_place=f"line {doc.line_of(('platform',))}")
    problems: list[Problem] = []
    known = {"requirement", "owner", "due", "tracking", "comments", "closed_on"}
    for i, raw in enumerate(entries):
        if not isinstance(raw, dict):
            problems.append(doc.problem(("remediation", i), "expected a mapping"))
            continue
        for key in raw:
            if key not in known:
                problems.append(doc.problem(("remediation", i, key), "unknown field (known: "
                                            + ", ".join(sorted(known)) + ")"))
        values = {k: (raw.get(k), f"remediation[{i}].{k}") for k in known}
        sub: list[Problem] = []
        entry = _entry(values, name, sub)
        for p in sub:  # add the line of the YAML path named
            keys = ("remediation", i, p.place.rsplit(".", 1)[-1])
            problems.append(Problem(name, p.place, p.message, doc.line_of(keys)))
        if entry is None and not sub:
            problems.append(doc.problem(("remediation", i, "requirement"),
                                        "expected a requirement id module:requirement"))
        if entry is not None:
            line = doc.line_of(("remediation", i))
            entry = dataclasses.replace(entry, source=f"{name}:{line}")
            if entry.requirement in previous.entries:
                problems.append(doc.problem(("remediation", i, "requirement"),
                                            f"{entry.requirement} listed twice"))
            previous.entries[entry.requirement] = entry
    if problems:
        raise EvidenceError(problems=problems)
    return previous


def from_result(data: dict[str, Any], name: str) -> Previous:
    """The remediation a previous JSON result carried, and the gaps it listed."""
    previous = Previous(name, platform=(data.get("platform") or {}).get("name"),
                        platform_place="platform.name",
                        checklists=tuple(c.get("id", "") for c in data.get("checklists", [])),
                        by_hand=False)
    gap_states = {"partial", "not_met", "no_evidence", "manual_review"}
    previous.gaps = {r["id"] for r in data.get("requirements", []) if r.get("status")
                     in gap_states}
    for rid, raw in (data.get("remediation") or {}).items():
        due, closed = raw.get("due"), raw.get("closed_on")
        previous.entries[rid] = RemediationEntry(
            rid, raw.get("owner"), dt.date.fromisoformat(due) if due else None,
            raw.get("tracking"), raw.get("comments"), f"{name}: remediation.{rid}",
            raw.get("state", OPEN), dt.date.fromisoformat(closed) if closed else None)
    return previous


def load_previous(path: Path, result: dict[str, Any] | None = None) -> Previous:
    """A baseline file of any kind: gap workbook, remediation plan, or (loaded) JSON result."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return read_workbook(path)
    if suffix in (".yaml", ".yml"):
        return read_plan(path)
    return from_result(result or {}, str(path))
