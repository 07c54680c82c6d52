"""``audit template``: an evidence workbook an auditor fills by hand, read back by the
``workbook`` evidence loader (audit/evidence/workbook.py).

Sheets: Instructions; Profile (platform facts the chosen rules and applicability conditions
read, one ``field | value`` row each); Representatives (one row per officer role the rules ask
for); Answers (one row per answer key the evaluators read, with the requirement, the law and a
dropdown). See docs/template.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Sequence

import click

from audit.model import Checklist, Requirement, Rule

BASE_FIELDS = (
    ("name", "Platform (service) name — required"),
    ("legal_name", "Legal name of the provider"),
    ("language", "Main language of the platform, two letters (en, ar, de, ...)"),
    ("timezone", "IANA time zone for log timestamps without an offset (e.g. Asia/Baghdad)"),
    ("as_of", "Date the evidence describes, YYYY-MM-DD (default: today)"),
    ("establishment.country", "Country of main establishment (ISO code)"),
)
SECTION_TITLES = {
    "users": "Monthly active users per country (whole numbers; EU = Union total)",
    "daily_access": "Average daily accesses per country",
    "features": "Features (yes/no)",
    "designations": "Legal designations (yes/no)",
    "establishment": "Establishment",
    "retention": "Retention periods (days)",
    "data_location": "Where data is stored (country codes, comma-separated)",
    "facts": "Further facts the rules refer to",
    "services": "Services",
    "employees": "Staff",
}


@dataclass
class AnswerRow:
    key: str
    expected: str  # "yes/partial/no/n/a", "a number", "yes/partial/no/n/a or a number"
    requirements: list[Requirement] = field(default_factory=list)
    citations: list[str] = field(default_factory=list)


@dataclass
class TemplatePlan:
    checklists: list[Checklist]
    answers: list[AnswerRow]
    fields: list[str]  # profile paths under platform., in sheet order
    roles: list[tuple[str, list[str], list[str]]]  # role, residence, requirement full ids

    @property
    def rtl(self) -> bool:
        return any(c.language == "ar" for c in self.checklists)


def _rule_keys(req: Requirement, rule: Rule, registry: Any) -> Iterable[tuple[str, str]]:
    evaluator = registry.evaluators.get(rule.type)
    nested = getattr(evaluator, "nested_rules", None)
    if nested:
        for child in rule.params.get(nested) or []:
            yield from _rule_keys(req, Rule(child["type"], {k: v for k, v in child.items()
                                                            if k != "type"}), registry)
        return
    if rule.type == "threshold":
        kind = "a number"
    elif rule.type == "attestation":
        kind = "yes/partial/no/n/a"
    else:
        kind = "yes/partial/no/n/a or a number"
    for key in evaluator.evidence_keys(req, rule):
        yield key, kind


def _walk_rules(rule: Rule, registry: Any) -> Iterable[Rule]:
    yield rule
    evaluator = registry.evaluators.get(rule.type)
    nested = getattr(evaluator, "nested_rules", None)
    for child in (rule.params.get(nested) or []) if nested else []:
        yield from _walk_rules(Rule(child["type"], {k: v for k, v in child.items()
                                                    if k != "type"}), registry)


def _condition_fields(cond: Any) -> Iterable[str]:
    if isinstance(cond, dict):
        if "field" in cond:
            yield cond["field"]
        for key in ("all", "any"):
            for item in cond.get(key) or []:
                yield from _condition_fields(item)
        if "not" in cond:
            yield from _condition_fields(cond["not"])


def _params_fields(params: Any) -> Iterable[str]:
    for version in [params, *(params.get("versions") or [])]:
        value = version.get("field")
        if isinstance(value, str):
            yield value


def plan(checklists: Sequence[Checklist], registry: Any) -> TemplatePlan:
    """What the template asks for: answer keys, profile fields and officer roles."""
    from audit.evidence.workbook import FIELD_RE

    answers: dict[str, AnswerRow] = {}
    fields: list[str] = [f for f, _ in BASE_FIELDS]
    roles: dict[str, tuple[list[str], list[str]]] = {}
    for checklist in checklists:
        sources = checklist.sources
        juris = checklist.jurisdiction
        if juris != "INTL":
            fields.append(f"users.{juris}")
        for req in checklist.requirements:
            citation = req.citation.render(sources)
            for key, kind in _rule_keys(req, req.rule, registry):
                row = answers.setdefault(key, AnswerRow(key, kind))
                if row.expected != kind:
                    row.expected = "yes/partial/no/n/a or a number"
                row.requirements.append(req)
                if citation not in row.citations:
                    row.citations.append(citation)
            for path in _condition_fields(req.applies_if):
                fields.append(path)
            for rule in _walk_rules(req.rule, registry):
                fields.extend(_params_fields(rule.params))
                if rule.type == "officer":
                    role = rule.params["role"]
                    resid, ids = roles.setdefault(role, ([], []))
                    for c in rule.params.get("resident_in") or []:
                        if c not in resid:
                            resid.append(c)
                    ids.append(req.full_id)
    seen: list[str] = []
    for path in fields:
        path = path[len("platform."):] if path.startswith("platform.") else path
        if path.startswith("answers.") or path in seen or not FIELD_RE.match(path):
            continue
        seen.append(path)
    order = [f for f, _ in BASE_FIELDS]
    sections = list(SECTION_TITLES)
    ordered = order + sorted((f for f in seen if f not in order),
                             key=lambda f: (sections.index(f.split(".")[0])
                                            if f.split(".")[0] in sections else 99, f))
    return TemplatePlan(list(checklists), list(answers.values()), ordered,
                        [(role, resid, ids) for role, (resid, ids) in roles.items()])


INSTRUCTIONS = [
    "How to fill this evidence workbook",
    "",
    "1. Profile: fill the value column for each fact about the platform. Blank means not "
    "given. Add rows for more countries (users.XX) or features (features.name) as needed.",
    "2. Representatives: name the person for each role the law asks for; add a row per "
    "further person. Rows without a name are ignored.",
    "3. Answers: for each row choose yes, partial, no or n/a (or type a number where the "
    "'expected' column says so). Name the supporting document (a path under the pack's "
    "documents/), a note, who attests and when. Blank answers count as no evidence.",
    "4. Do not rename sheets or header cells; you may add rows and reorder them.",
    "5. Run: audit assess filled.xlsx -c MODULE (or audit assess pack-dir filled.xlsx -c "
    "MODULE to add documents and logs from a pack directory).",
    "",
    "Limits: 20 MB per workbook, 20,000 rows per sheet. Text is read as text: nothing here is "
    "ever evaluated as a formula.",
    "Errors name the sheet and cell, e.g. 'evidence.xlsx: Answers!D14: expected "
    "yes/partial/no/n/a, got 'maybe''.",
]


def write_template(plan_: TemplatePlan, stream: IO[bytes]) -> None:
    """Render the template workbook (write-only mode, like the gap workbook)."""
    from openpyxl import Workbook
    from openpyxl.worksheet.datavalidation import DataValidation

    from audit import __version__
    from audit.evidence.workbook import (ANSWER_HEADERS, REPRESENTATIVE_HEADERS, field_type)
    from audit.reports.xlsx_style import Style, cell, fit_widths
    from audit.reviews import add_reviews_sheet

    st = Style(rtl=plan_.rtl)
    wb = Workbook(write_only=True)

    ws = wb.create_sheet("Instructions")
    st.setup(ws, [110], freeze=None)
    ws.append([cell(ws, INSTRUCTIONS[0], st.title)])
    for line in INSTRUCTIONS[1:]:
        ws.append(st.row(ws, [line], wrap=[0]))
    ws.append([])
    ws.append([cell(ws, "Checklist modules", st.bold)])
    for c in plan_.checklists:
        ws.append(st.row(ws, [f"{c.id} v{c.version} ({c.jurisdiction}, {c.status.value}): "
                              f"{c.title}"], wrap=[0]))
    ws.append([cell(ws, f"Made by platform-audit {__version__}", st.font)])

    # Profile: field | value | help
    ws = wb.create_sheet("Profile")
    help_for = dict(BASE_FIELDS)
    rows: list[list[Any]] = []
    section = None
    for path in plan_.fields:
        top = path.split(".")[0]
        if path not in help_for and top != section and top in SECTION_TITLES:
            rows.append([SECTION_TITLES[top], None, None])
            section = top
        rows.append([path, None, help_for.get(path) or _help(path, field_type(path))])
    st.setup(ws, [34, 24, 70])
    ws.append(st.header(ws, ["field", "value", "help"]))
    yes_no = DataValidation(type="list", formula1='"yes,no"', allow_blank=True,
                            showErrorMessage=True, error="Choose yes or no")
    whole = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0",
                           allow_blank=True, showErrorMessage=True,
                           error="Enter a whole number, 0 or more")
    for r, (path, value, text) in enumerate(rows, start=2):
        if value is None and text is None:
            ws.append([cell(ws, path, st.bold)])
            continue
        cells = st.row(ws, [path, value, text], wrap=[2])
        cells[1].protection = st.unlocked
        ws.append(cells)
        kind = field_type(path)
        if kind == "boolean":
            yes_no.add(f"B{r}")
        elif kind == "integer":
            whole.add(f"B{r}")
    for dv in (yes_no, whole):
        if dv.sqref:
            ws.data_validations.append(dv)

    # Representatives
    ws = wb.create_sheet("Representatives")
    st.setup(ws, [24, 30, 10, 30, 24, 12, 50])
    ws.append(st.header(ws, REPRESENTATIVE_HEADERS))
    for role, resid, ids in plan_.roles:
        note = "required by " + ", ".join(ids) + (f"; must reside in {'/'.join(resid)}"
                                                   if resid else "")
        ws.append(st.row(ws, [None, role, None, None, None, None, note], wrap=[6],
                         number_formats={5: "yyyy-mm-dd"}))
    date_dv = DataValidation(type="date", operator="between", formula1="DATE(1990,1,1)",
                             formula2="DATE(2100,12,31)", allow_blank=True,
                             showErrorMessage=True, error="Enter a date (YYYY-MM-DD)")
    date_dv.add(f"F2:F{len(plan_.roles) + 50}")
    ws.data_validations.append(date_dv)

    # Answers
    ws = wb.create_sheet("Answers")
    data = []
    for row in plan_.answers:
        question = "; ".join(dict.fromkeys((r.question or r.title) for r in row.requirements))
        data.append([", ".join(r.full_id for r in row.requirements), question, row.key, None,
                     None, None, None, None, "; ".join(row.citations), row.expected])
    widths = fit_widths([ANSWER_HEADERS, *data], maximum=50)
    widths[3] = 12
    widths[4:8] = [24, 30, 16, 12]
    st.setup(ws, widths, freeze="D2")
    ws.append(st.header(ws, ANSWER_HEADERS))
    choice = DataValidation(type="list", formula1='"yes,partial,no,n/a"', allow_blank=True,
                            showErrorMessage=True, errorTitle="Answer",
                            error="Choose yes, partial, no or n/a")
    number = DataValidation(type="decimal", operator="between", formula1="-1E+300",
                            formula2="1E+300", allow_blank=True, showErrorMessage=True,
                            errorTitle="Answer", error="Enter a number")
    free = DataValidation(type="list", formula1='"yes,partial,no,n/a"', allow_blank=True,
                          showErrorMessage=False)  # a suggestion list; numbers allowed too
    answer_date = DataValidation(type="date", operator="between", formula1="DATE(1990,1,1)",
                                 formula2="DATE(2100,12,31)", allow_blank=True,
                                 showErrorMessage=True, error="Enter a date (YYYY-MM-DD)")
    for r, values in enumerate(data, start=2):
        cells = st.row(ws, values, wrap=[1, 8], number_formats={7: "yyyy-mm-dd"})
        for i in range(3, 8):
            cells[i].protection = st.unlocked
        ws.append(cells)
        expected = str(values[-1] or "")
        (number if expected == "a number" else choice if expected.startswith("yes/partial/no/n/a")
         and "number" not in expected else free).add(f"D{r}")
    if data:
        answer_date.add(f"H2:H{len(data) + 1}")
    for dv in (choice, number, free, answer_date):
        if dv.sqref:
            ws.data_validations.append(dv)
    ws.auto_filter.ref = f"A1:J{len(data) + 1}"
    add_reviews_sheet(wb, st, [r.full_id for c in plan_.checklists for r in c.requirements])
    wb.save(stream)


def _help(path: str, kind: str) -> str:
    return {"boolean": "yes or no", "integer": "whole number", "number": "number",
            "list": "comma-separated values"}.get(kind, "value")


def template_command(checklist_ids: Sequence[str], output: Path, force: bool = False) -> str:
    """Write the template for ``checklist_ids`` to ``output``; returns the message printed."""
    from audit.checklist_paths import select_checklists
    from audit.errors import OutputError, UsageError
    from audit.plugins import get_registry
    from audit.reports.base import refuse_overwriting_inputs, write_atomically

    if not checklist_ids:
        raise UsageError("give at least one --checklist")

    refuse_overwriting_inputs(output, [Path(c) for c in checklist_ids if Path(c).exists()])
    if str(output) == "-":
        raise UsageError("-o -: the template is a binary workbook and cannot go to standard "
                         "output; give a file name")
    if output.suffix.lower() != ".xlsx":
        raise UsageError(f"{output}: the template is an .xlsx workbook; name it *.xlsx")
    if output.exists() and not force:
        raise OutputError(f"{output}: already exists (a filled template may be in it); "
                          "choose another name or add --force")
    registry = get_registry()
    _library, checklists = select_checklists(checklist_ids, registry)
    the_plan = plan(checklists, registry)
    write_atomically(output, lambda fh: write_template(the_plan, fh), True)
    return (f"wrote {output}: {len(the_plan.answers)} answer(s), {len(the_plan.fields)} profile "
            f"field(s), {len(the_plan.roles)} role(s) to fill")


@click.command("template")
@click.option("--checklist", "-c", "checklist_ids", multiple=True, required=True,
              help="Checklist module id, or a module file or folder of your own (repeat for "
                   "several jurisdictions).")
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("evidence.xlsx"),
              show_default=True, help="Workbook to write (refuses to overwrite without --force).")
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
def template_cmd(checklist_ids: tuple[str, ...], output: Path, force: bool) -> None:
    """Write an evidence workbook to fill by hand (profile, representatives, answers).

    The filled workbook is evidence for `audit assess`, alone or beside a pack directory.
    """
    click.echo(template_command(checklist_ids, output, force), err=True)
