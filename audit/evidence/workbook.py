"""The ``workbook`` evidence loader: a filled ``audit template`` workbook as evidence.

The workbook carries the platform profile (Profile and Representatives sheets) and the answers
(Answers sheet); documents and logs stay in a pack directory, which can be given beside it
(``audit assess pack/ filled.xlsx``). Untrusted input, so before openpyxl parses anything the
file is checked against the limits (:mod:`audit.evidence.xlsx_guard`: size, members, inflated
size, compression ratio, sheet parts and declared dimensions), and openpyxl reads it
read-only, values only, through defusedxml. Reading one cell's value (text, date, number,
answer word) is :mod:`audit.evidence.workbook_cells`; this module knows the sheets, their
headers and what each profile field holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from audit import limits
from audit.errors import EvidenceError, Problem
from audit.evidence.pack import Answer, EvidencePack
from audit.evidence.workbook_cells import cell_date, cell_text, parse_answer
from audit.evidence.workbook_profile import (
    PROFILE_SHEET,
    coerce_field,
    same_value,
    schema_problem_place,
    shown,
)
from audit.evidence.xlsx_guard import check_container
from audit.schemas.common import validate
from audit.schemas.evidence import PLATFORM
from audit.sheet_input import cells_as_read

MAX_ROWS = limits.MAX_SHEET_ROWS  # rows read from one sheet

FIELD_RE = re.compile(r"^[a-z_][a-z0-9_]*(\.[A-Za-z0-9_-]+)*$")

ANSWERS_SHEET = "Answers"
REPRESENTATIVES_SHEET = "Representatives"
ANSWER_HEADERS = ("requirement", "question", "evidence key", "answer", "document", "note", "by",
                  "date", "law cited", "expected")
REPRESENTATIVE_HEADERS = ("name", "role", "country", "contact", "organisation", "appointed",
                          "note")

Row = tuple[object, ...]  # one sheet row as openpyxl reads it (values only)


class _Sheet(Protocol):
    """What the loader reads of an openpyxl worksheet opened read-only."""

    def iter_rows(self, *, values_only: bool, max_col: int) -> Iterable[Row]: ...


class _Workbook(Protocol):
    """What the loader reads of an openpyxl workbook: its sheet names and sheets."""

    @property
    def sheetnames(self) -> list[str]: ...

    def __getitem__(self, name: str) -> _Sheet: ...


def _header_map(row: Row, wanted: tuple[str, ...]) -> dict[str, int]:
    found = {}
    for i, value in enumerate(row):
        text = cell_text(value)
        if text and text.lower() in wanted:
            found[text.lower()] = i
    return found


class WorkbookLoader:
    id = "workbook"
    kind = "pack"
    priority = 90
    description = "a filled evidence workbook (.xlsx) made by `audit template`"

    def matches(self, path: Path) -> bool:
        return path.is_file() and path.suffix.lower() == ".xlsx"

    def load(self, path: Path, pack: EvidencePack) -> None:
        import openpyxl
        import openpyxl.xml

        display = pack.display(path)
        if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
            raise EvidenceError(problems=[Problem(display, "", "refusing to read workbooks "
                                                  "without defusedxml installed")])
        check_container(path, display, (PROFILE_SHEET, ANSWERS_SHEET, REPRESENTATIVES_SHEET))
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for malformed input
            raise EvidenceError(problems=[Problem(display, "", "not a readable .xlsx workbook "
                                                  f"({type(exc).__name__}: {exc})")]) from None
        try:
            self._load(wb, display, pack)
        except EvidenceError:
            raise
        except Exception as exc:
            raise EvidenceError(problems=[Problem(display, "", "could not read the workbook "
                                                  f"({type(exc).__name__}: {exc})")]) from None
        finally:
            wb.close()
        pack.record_file(path, "workbook")

    # -- sheets ----------------------------------------------------------------------------

    def _rows(self, wb: _Workbook, name: str, display: str) -> list[Row]:
        ws = wb[name]
        rows = []
        # max_col bounds what openpyxl pads each row to, whatever the sheet claims
        with cells_as_read():
            for i, row in enumerate(ws.iter_rows(values_only=True,
                                                 max_col=limits.MAX_SHEET_COLUMNS), start=1):
                if i > MAX_ROWS:
                    raise EvidenceError(problems=[Problem(display, f"{name}!A{i}",
                                                          f"more than {MAX_ROWS} rows")])
                rows.append(tuple(row))
        return rows

    def _load(self, wb: _Workbook, display: str, pack: EvidencePack) -> None:
        sheets = set(wb.sheetnames)
        if ANSWERS_SHEET not in sheets and PROFILE_SHEET not in sheets:
            raise EvidenceError(problems=[Problem(display, "", "no Answers or Profile sheet: "
                                                  "is this a workbook made by `audit template`?")])
        problems: list[Problem] = []
        profile: dict[str, Any] = {}
        cells: dict[tuple[Any, ...], str] = {}
        if PROFILE_SHEET in sheets:
            profile, cells = self._profile(self._rows(wb, PROFILE_SHEET, display), display,
                                           problems)
        reps: list[dict[str, Any]] = []
        if REPRESENTATIVES_SHEET in sheets:
            reps = self._representatives(self._rows(wb, REPRESENTATIVES_SHEET, display),
                                         display, problems, cells)
        answers: list[Answer] = []
        if ANSWERS_SHEET in sheets:
            answers = self._answers(self._rows(wb, ANSWERS_SHEET, display), display, problems)
        if reps:
            profile["representatives"] = reps
        # every problem of the workbook in one run: the profile is checked against the pack
        # and the schema even when some cells could not be read (those are left out of it)
        merged = self._merge_profile(pack, profile, cells, display, problems) \
            if profile or cells else None
        if problems:
            raise EvidenceError(problems=problems)
        if merged is not None:
            pack.profile = merged
        for answer in answers:
            pack.add_answer(answer)

    def _profile(self, rows: list[Row], display: str,
                 problems: list[Problem]) -> tuple[dict[str, Any], dict[tuple[Any, ...], str]]:
        profile: dict[str, Any] = {}
        cells: dict[tuple[Any, ...], str] = {}
        for r, row in enumerate(rows, start=1):
            field = cell_text(row[0]) if row else None
            value = row[1] if len(row) > 1 else None
            if field is None or r == 1:
                continue
            blank = value is None or (isinstance(value, str) and not value.strip())
            if not FIELD_RE.match(field):
                if not blank:  # a section title has no value; a mistyped name has one
                    problems.append(Problem(display, f"{PROFILE_SHEET}!A{r}", (
                        f"{field!r} is not a field name: expected lower-case words joined by "
                        "dots, e.g. users.IQ or features.end_to_end_encryption")))
                continue
            cells.setdefault(("name",) + tuple(field.split(".")), f"{PROFILE_SHEET}!A{r}")
            if blank:
                continue
            place = f"{PROFILE_SHEET}!B{r}"
            coerced, error = coerce_field(field, value)
            if error:
                problems.append(Problem(display, place, f"{field}: {error}"))
                continue
            parts = field.split(".")
            node = profile
            for part in parts[:-1]:
                node = node.setdefault(part, {})
                if not isinstance(node, dict):
                    problems.append(Problem(display, place, f"{field}: conflicts with an "
                                                            "earlier row"))
                    break
            else:
                if parts[-1] in node:
                    problems.append(Problem(display, place, f"{field}: given twice"))
                node[parts[-1]] = coerced
                cells[tuple(parts)] = place
        return profile, cells

    def _representatives(self, rows: list[Row], display: str,
                         problems: list[Problem],
                         cells: dict[tuple[Any, ...], str]) -> list[dict[str, Any]]:
        if not rows:
            return []
        cols = _header_map(rows[0], REPRESENTATIVE_HEADERS)
        if "name" not in cols or "role" not in cols:
            problems.append(Problem(display, f"{REPRESENTATIVES_SHEET}!A1",
                                    "header row must name the columns name, role, country, "
                                    "contact"))
            return []
        out: list[dict[str, Any]] = []
        for r, row in enumerate(rows[1:], start=2):
            entry: dict[str, Any] = {}
            for name, i in cols.items():
                value = row[i] if i < len(row) else None
                if name == "appointed":
                    d = cell_date(value)
                    if isinstance(d, str):
                        problems.append(Problem(display, f"{REPRESENTATIVES_SHEET}!"
                                                f"{_col(i)}{r}", d))
                    elif d is not None:
                        entry[name] = d.isoformat()
                elif (text := cell_text(value)) is not None:
                    entry[name] = text
            if not entry.get("name"):
                continue  # a role row left blank: nobody named
            index = len(out)
            for name, i in cols.items():
                cells[("representatives", index, name)] = f"{REPRESENTATIVES_SHEET}!{_col(i)}{r}"
            cells[("representatives", index)] = f"{REPRESENTATIVES_SHEET}!A{r}"
            out.append(entry)
        return out

    def _answers(self, rows: list[Row], display: str,
                 problems: list[Problem]) -> list[Answer]:
        if not rows:
            return []
        cols = _header_map(rows[0], ANSWER_HEADERS)
        if "evidence key" not in cols or "answer" not in cols:
            problems.append(Problem(display, f"{ANSWERS_SHEET}!A1", "header row must name the "
                                    "columns 'evidence key' and 'answer'"))
            return []

        def get(row: Row, name: str) -> object:
            i = cols.get(name)
            return row[i] if i is not None and i < len(row) else None

        out = []
        for r, row in enumerate(rows[1:], start=2):
            value = get(row, "answer")
            if value is None or (isinstance(value, str) and not value.strip()):
                continue  # blank: no answer, the requirement shows no_evidence
            place = f"{ANSWERS_SHEET}!{_col(cols['answer'])}{r}"
            # every cell of the row is checked, so one run names all of its problems
            key = cell_text(get(row, "evidence key"))
            if key is None:
                problems.append(Problem(display, f"{ANSWERS_SHEET}!{_col(cols['evidence key'])}"
                                                 f"{r}", "an answer without an evidence key"))
            expected = (cell_text(get(row, "expected")) or "").lower()
            parsed, error = parse_answer(value, expected)
            if error:
                problems.append(Problem(display, place, error))
            day = cell_date(get(row, "date"))
            if isinstance(day, str):
                problems.append(Problem(display, f"{ANSWERS_SHEET}!{_col(cols['date'])}{r}", day))
            if key is None or error or isinstance(day, str):
                continue
            out.append(Answer(key=key, value=parsed, location=f"{display}: {place}",
                              document=cell_text(get(row, "document")),
                              note=cell_text(get(row, "note")), by=cell_text(get(row, "by")),
                              date=day))
        return out

    # -- merging ---------------------------------------------------------------------------

    def _merge_profile(self, pack: EvidencePack, profile: dict[str, Any],
                       cells: dict[tuple[Any, ...], str], display: str,
                       problems: list[Problem]) -> dict[str, Any]:
        """The pack's profile with the workbook's; a value given in both must agree (a date
        typed in the workbook and one in platform.yaml agree when they are the same day)."""
        merged = dict(pack.profile)
        for key, value in profile.items():
            if key == "representatives":
                merged[key] = list(merged.get(key) or []) + value
            elif isinstance(value, dict) and isinstance(merged.get(key), dict):
                sub = dict(merged[key])
                for k, v in value.items():
                    if k in sub and not same_value(sub[k], v):
                        problems.append(Problem(display, cells.get((key, k), PROFILE_SHEET),
                                                f"{key}.{k} is {shown(v)} here but "
                                                f"{shown(sub[k])} in the pack's platform.yaml"))
                    sub[k] = v
                merged[key] = sub
            else:
                if key in merged and not same_value(merged[key], value):
                    problems.append(Problem(display, cells.get((key,), PROFILE_SHEET),
                                            f"{key} is {shown(value)} here but "
                                            f"{shown(merged[key])} in the pack's platform.yaml"))
                merged[key] = value
        for path, message in validate(merged, PLATFORM):
            field = ".".join(str(p) for p in path)
            problems.append(Problem(display, schema_problem_place(cells, tuple(path), message), f"{field}: "
                                    f"{message}"))
        return merged


def _col(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index + 1))
