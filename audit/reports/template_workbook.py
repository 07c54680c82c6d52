"""The evidence template workbook (``audit template``): Instructions, Profile,
Representatives, Answers, Supply and Reviews, in the report language, inputs marked and
unlocked, everything else protected. What it asks for is planned by :mod:`audit.template_plan`;
this draws it. Imports openpyxl: callers import it only when they write a template. See
docs/template.md.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any, Iterable, Sequence

from openpyxl import Workbook
from openpyxl.styles import PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from audit import __version__
from audit.evidence.workbook import ANSWER_HEADERS, REPRESENTATIVE_HEADERS
from audit.evidence.workbook_profile import field_type
from audit.i18n import _, current_language, is_rtl
from audit.labels import legal_status_label
from audit.logs.metrics import legal_timezone
from audit.registry import Registry
from audit.reports.xlsx_style import Style, cell
from audit.reviews import DECISIONS, REVIEWS_SHEET, SHEET_HEADERS
from audit.template_plan import BASE_FIELDS, SECTION_TITLES, TemplatePlan, walk_rules

if TYPE_CHECKING:  # pragma: no cover
    from openpyxl.cell.cell import Cell
    from openpyxl.worksheet.worksheet import Worksheet


def instructions() -> list[str]:
    """The Instructions sheet, in the report language."""
    return [
        _("How to fill this evidence workbook"),
        "",
        _("Fill only the pale yellow cells: they are unlocked; everything else is protected "
          "(without a password) so the layout the reader needs stays intact."),
        _("1. Profile: fill the value column for each fact about the platform. Blank means "
          "not given. Use the blank rows at the end for more countries (users.XX) or features "
          "(features.name)."),
        _("2. Representatives: name the person for each role the law asks for; use a blank "
          "row per further person. Rows without a name are ignored."),
        _("3. Answers: for each row choose yes, partial, no or n/a (or type a number where "
          "the 'expected' column says so). Name the supporting document (a path under the "
          "pack's documents/), a note, who attests and when. Blank answers count as no "
          "evidence."),
        _("4. Supply: the documents and logs listed there are not part of this workbook; "
          "put them in the pack directory beside it."),
        _("5. Do not rename sheets or header cells: the sheet names and column headers are "
          "read back as they are, in English, whatever the language of these instructions."),
        _("6. Run: audit assess filled.xlsx -c MODULE (or audit assess pack-dir filled.xlsx "
          "-c MODULE to add documents and logs from a pack directory)."),
        "",
        _("Limits: 20 MB per workbook, 20,000 rows per sheet. Text is read as text: nothing "
          "here is ever evaluated as a formula."),
        _("Errors name the sheet and cell, e.g. 'evidence.xlsx: Answers!D14: expected "
          "yes/partial/no/n/a, got 'maybe''."),
    ]


BLANK_ROWS = 30  # unlocked rows under each input table, for rows the auditor adds
INPUT_FILL = "FFF2CC"  # pale yellow: the cells to fill


def _mark(cells: list[Cell], indexes: Iterable[int], st: Style) -> None:
    """Unlock and colour the input cells of a row."""
    fill = PatternFill("solid", fgColor=INPUT_FILL)
    for i in indexes:
        cells[i].protection = st.unlocked
        cells[i].fill = fill


def _protect(ws: Worksheet) -> None:
    """Protect the sheet without a password: inputs stay editable, filters and column widths
    stay usable, the rest cannot be changed by accident."""
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def supply_rows(plan_: TemplatePlan, registry: Registry) -> list[list[str]]:
    """What the pack must contain besides the workbook: documents and logs, with the
    requirements that read them."""
    docs: dict[str, tuple[list[str], list[str]]] = {}
    logs: dict[str, tuple[set[str], list[str]]] = {}
    for checklist in plan_.checklists:
        for req in checklist.requirements:
            for rule in walk_rules(req.rule, registry):
                p = rule.params
                kind = p.get("kind") if rule.type == "document" else p.get("document_kind")
                if kind:
                    notes, ids = docs.setdefault(kind, ([], []))
                    if p.get("languages"):
                        note = _("in {languages}", languages="/".join(p["languages"]))
                        if note not in notes:
                            notes.append(note)
                    if p.get("max_age"):
                        note = _("dated within {age}", age=p["max_age"])
                        if note not in notes:
                            notes.append(note)
                    if p.get("every"):
                        note = _("one every {period}", period=p["every"])
                        if note not in notes:
                            notes.append(note)
                    ids.append(req.full_id)
                evaluator = registry.evaluators.get(rule.type)
                for log, columns in evaluator.log_columns(rule).items():
                    cols, ids = logs.setdefault(log, (set(), []))
                    cols.update(columns)
                    if req.full_id not in ids:
                        ids.append(req.full_id)
    rows = [[_("document"), f"documents/ ({_('kind')}: {kind})", "; ".join(notes),
             ", ".join(dict.fromkeys(ids))] for kind, (notes, ids) in sorted(docs.items())]
    rows += [[_("log"), f"logs/{log}.csv", _("columns: {columns}", columns=", ".join(
        sorted(cols))), ", ".join(ids)] for log, (cols, ids) in sorted(logs.items())]
    return rows


def write_template(plan_: TemplatePlan, stream: IO[bytes], registry: Registry) -> None:
    """Render the template workbook (write-only mode, like the gap workbook)."""
    st = Style(rtl=is_rtl(current_language()))
    wb = Workbook(write_only=True)
    title = ", ".join(c.id for c in plan_.checklists)

    def sheet(name: str, widths: Sequence[float], freeze: str | None,
              header: str | None) -> Worksheet:
        ws = wb.create_sheet(name)
        st.setup(ws, widths, freeze=freeze)
        st.print_setup(ws, header, right=_("Evidence workbook"), left=title)
        return ws

    ws = sheet("Instructions", [110], None, None)
    lines = instructions()
    ws.append([cell(ws, lines[0], st.title)])
    for n, line in enumerate(lines[1:], start=2):
        st.fit_row(ws, n, [line], [0])
        ws.append(st.row(ws, [line], wrap=[0]))
    ws.append([])
    ws.append([cell(ws, _("Checklist modules"), st.bold)])
    n = len(lines) + 2
    for c in plan_.checklists:
        n += 1
        text = _("{id} v{version} ({jurisdiction}, {status}): {title}", id=c.id,
                 version=c.version, jurisdiction=c.jurisdiction,
                 status=legal_status_label(c.status), title=c.title)
        st.fit_row(ws, n, [text], [0])
        ws.append(st.row(ws, [text], wrap=[0]))
    ws.append([cell(ws, _("Made by platform-audit {version}", version=__version__), st.font)])
    _protect(ws)

    # Profile: field | value | help
    ws = sheet("Profile", [34, 24, 70], "A2", "1:1")
    help_for = {f: _(text) for f, text in BASE_FIELDS}
    rows: list[list[Any]] = []
    section = None
    for path in plan_.fields:
        top = path.split(".")[0]
        if path not in help_for and top != section and top in SECTION_TITLES:
            rows.append([_(SECTION_TITLES[top]), None, None])
            section = top
        rows.append([path, None, help_for.get(path) or _help(path, field_type(path))])
    ws.append(st.header(ws, ["field", "value", _("help")]))
    yes_no = DataValidation(type="list", formula1='"yes,no"', allow_blank=True,
                            showErrorMessage=True, error=_("Choose yes or no"),
                            **_prompt(_("Choose yes or no")))
    whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                           allow_blank=True, showErrorMessage=True,
                           error=_("Enter a whole number, 0 or more"),
                           **_prompt(_("Enter a whole number, 0 or more")))
    zones = DataValidation(type="list", formula1='"' + ",".join(_zone_suggestions(plan_))
                           + '"', allow_blank=True, showErrorMessage=False,
                           **_prompt(_(dict(BASE_FIELDS)["timezone"])))
    # the as-of date (and any date field): a date, in the years every other date may take
    profile_date = _date_validation(_(dict(BASE_FIELDS)["as_of"]))
    r = 1
    for r, (path, value, text) in enumerate(rows, start=2):
        if value is None and text is None:
            ws.append([cell(ws, path, st.bold)])
            continue
        st.fit_row(ws, r, [path, value, text], [2])
        cells = st.row(ws, [path, value, text], wrap=[2])
        _mark(cells, [1], st)
        ws.append(cells)
        kind = field_type(path)
        if path == "timezone":
            zones.add(f"B{r}")
        elif kind == "date":
            profile_date.add(f"B{r}")
        elif kind == "boolean":
            yes_no.add(f"B{r}")
        elif kind == "integer":
            whole.add(f"B{r}")
    for _i in range(BLANK_ROWS):  # further facts: field and value both to fill
        cells = st.row(ws, [None, None, None])
        _mark(cells, [0, 1], st)
        ws.append(cells)
    for dv in (yes_no, whole, zones, profile_date):
        if dv.sqref:
            ws.data_validations.append(dv)
    _protect(ws)

    # Representatives
    ws = sheet("Representatives", [24, 30, 10, 30, 24, 12, 50], "A2", "1:1")
    ws.append(st.header(ws, REPRESENTATIVE_HEADERS))
    for r, (role, resid, ids) in enumerate(plan_.roles, start=2):
        note = (_("required by {ids}; must reside in {countries}", ids=", ".join(ids),
                  countries="/".join(resid)) if resid
                else _("required by {ids}", ids=", ".join(ids)))
        st.fit_row(ws, r, [None, role, None, None, None, None, note], [6])
        cells = st.row(ws, [None, role, None, None, None, None, note], wrap=[6],
                       number_formats={5: "yyyy-mm-dd"})
        _mark(cells, [0, 2, 3, 4, 5], st)
        ws.append(cells)
    for _i in range(BLANK_ROWS):
        cells = st.row(ws, [None] * 7, number_formats={5: "yyyy-mm-dd"})
        _mark(cells, range(6), st)
        ws.append(cells)
    end = len(plan_.roles) + 1 + BLANK_ROWS
    date_dv = _date_validation(_("Enter a date (YYYY-MM-DD)"))
    date_dv.add(f"F2:F{end}")
    ws.data_validations.append(date_dv)
    _protect(ws)

    # Answers
    data = []
    for row in plan_.answers:
        question = "; ".join(dict.fromkeys((r.question or r.title) for r in row.requirements))
        data.append([", ".join(r.full_id for r in row.requirements), question, row.key, None,
                     None, None, None, None, "; ".join(row.citations), row.expected])
    widths = [26, 40, 24, 12, 24, 30, 16, 12, 36, 16]
    ws = sheet("Answers", widths, "D2", "1:1")
    ws.append(st.header(ws, ANSWER_HEADERS))
    choice = DataValidation(type="list", formula1='"yes,partial,no,n/a"', allow_blank=True,
                            showErrorMessage=True, errorTitle=_("Answer"),
                            error=_("Choose yes, partial, no or n/a"),
                            **_prompt(_("Choose yes, partial, no or n/a"), _("Answer")))
    number = DataValidation(type="decimal", operator="between", formula1="-1E+300",
                            formula2="1E+300", allow_blank=True, showErrorMessage=True,
                            errorTitle=_("Answer"), error=_("Enter a number"),
                            **_prompt(_("Enter a number"), _("Answer")))
    free = DataValidation(type="list", formula1='"yes,partial,no,n/a"', allow_blank=True,
                          showErrorMessage=False,  # a suggestion list; numbers allowed too
                          **_prompt(_("Choose yes, partial, no or n/a, or enter a number"),
                                    _("Answer")))
    answer_date = _date_validation(_("Enter a date (YYYY-MM-DD)"))
    for r, values in enumerate(data, start=2):
        st.fit_row(ws, r, values, [0, 1, 8], widths=widths)
        cells = st.row(ws, values, wrap=[0, 1, 8], number_formats={7: "yyyy-mm-dd"})
        _mark(cells, range(3, 8), st)
        ws.append(cells)
        expected = str(values[-1] or "")
        (number if expected == "a number" else choice if expected.startswith("yes/partial/no/n/a")
         and "number" not in expected else free).add(f"D{r}")
    last = len(data) + 1 + BLANK_ROWS
    for _i in range(BLANK_ROWS):  # answers for keys added by hand
        cells = st.row(ws, [None] * 10, number_formats={7: "yyyy-mm-dd"})
        _mark(cells, [0, 2, 3, 4, 5, 6, 7], st)
        ws.append(cells)
    if BLANK_ROWS:
        free.add(f"D{len(data) + 2}:D{last}")
    answer_date.add(f"H2:H{last}")
    for dv in (choice, number, free, answer_date):
        if dv.sqref:
            ws.data_validations.append(dv)
    ws.auto_filter.ref = f"A1:J{len(data) + 1}"
    _protect(ws)

    # Supply: what the pack holds besides this workbook
    widths = [12, 36, 44, 50]
    ws = sheet("Supply", widths, "A3", "2:2")
    ws.append([cell(ws, _("Besides this workbook, the evidence pack must supply these files "
                          "(documents.yaml lists each document's path, kind, date and "
                          "language)"), st.bold)])
    ws.append(st.header(ws, [_("what"), _("where"), _("conditions or columns"),
                             _("requirements")]))
    for r, supplied in enumerate(supply_rows(plan_, registry), start=3):
        st.fit_row(ws, r, supplied, [1, 2, 3], widths=widths)
        ws.append(st.row(ws, supplied, wrap=[1, 2, 3]))
    _protect(ws)
    add_reviews_sheet(wb, st, [r.full_id for c in plan_.checklists for r in c.requirements])
    wb.save(stream)


def _prompt(text: str, title: str | None = None) -> dict[str, Any]:
    """The input message a spreadsheet shows while the cell is selected (Excel's and
    LibreOffice's limits: a 32-character title, 255 characters of text)."""
    out: dict[str, Any] = {"showInputMessage": True, "prompt": text[:255]}
    if title:
        out["promptTitle"] = title[:32]
    return out


def _date_validation(prompt: str) -> DataValidation:
    """A date cell: refused unless a date in the years the tool reads (docs/limits.md), with
    its input message."""
    return DataValidation(type="date", operator="between", formula1="DATE(1990,1,1)",
                          formula2="DATE(2100,12,31)", allow_blank=True, showErrorMessage=True,
                          error=_("Enter a date (YYYY-MM-DD)"), **_prompt(prompt))


def _zone_suggestions(plan_: TemplatePlan) -> list[str]:
    """IANA zones of the chosen jurisdictions, offered in the time zone cell's list."""
    zones = [legal_timezone(c.jurisdiction) for c in plan_.checklists]
    return list(dict.fromkeys(z for z in zones + ["UTC"] if z))


def _help(path: str, kind: str) -> str:
    return {"boolean": _("yes or no"), "integer": _("whole number"), "number": _("number"),
            "list": _("comma-separated values")}.get(kind, _("value"))


def add_reviews_sheet(wb: Workbook, style: Style, requirement_ids: list[str]) -> None:
    """The Reviews sheet: one row per auditor decision (audit/reviews.py reads it back), a
    dropdown for the decision."""
    fill = PatternFill("solid", fgColor=INPUT_FILL)  # the cells to fill, as on other sheets
    ws = wb.create_sheet(REVIEWS_SHEET)
    # protected without a password like the template's other sheets: inputs stay editable
    _protect(ws)
    style.setup(ws, [40, 16, 60, 24, 12, 40, 8])
    modules = ", ".join(sorted({rid.split(":", 1)[0] for rid in requirement_ids}))
    style.print_setup(ws, "1:1", right=_("Evidence workbook"), left=modules)
    ws.append(style.header(ws, SHEET_HEADERS))
    end = max(len(requirement_ids), 20) + 1
    for _r in range(2, end + 1):
        cells = style.row(ws, [None] * len(SHEET_HEADERS), wrap=[2, 5],
                          number_formats={4: "yyyy-mm-dd"})
        for c in cells:
            c.protection = style.unlocked
            c.fill = fill
        ws.append(cells)
    ids = DataValidation(type="list", allow_blank=True, showErrorMessage=False,
                         formula1='"' + ",".join(requirement_ids) + '"'
                         if len(",".join(requirement_ids)) < 250 else None)
    decision = DataValidation(type="list", allow_blank=True, showErrorMessage=True,
                              formula1='"' + ",".join(DECISIONS) + '"',
                              error=_("Choose one of: {choices}", choices=", ".join(DECISIONS)),
                              **_prompt(_("Choose one of: {choices}",
                                          choices=", ".join(DECISIONS))))
    day = _date_validation(_("Enter a date (YYYY-MM-DD)"))
    decision.add(f"B2:B{end}")
    day.add(f"E2:E{end}")
    if ids.formula1:
        ids.add(f"A2:A{end}")
        ws.data_validations.append(ids)
    ws.data_validations.append(decision)
    ws.data_validations.append(day)
