"""No import circle between the diff, the baseline, the shared report tables and the gap
workbook's modules, counting imports inside functions too (a lazy import is still a circle)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ("audit.comparison", "audit.baseline", "audit.reports.summary", "audit.reports.xlsx",
           "audit.reports.xlsx_summary", "audit.reports.xlsx_gaps",
           "audit.reports.xlsx_tables", "audit.reports.xlsx_changes",
           "audit.reports.xlsx_columns", "audit.reports.xlsx_style", "audit.commands.template",
           "audit.template_plan", "audit.reports.template_workbook", "audit.translations",
           "audit.i18n", "audit.labels")


def _imports(module: str) -> set[str]:
    path = ROOT / (module.replace(".", "/") + ".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and getattr(block.test, "id", None) == "TYPE_CHECKING"
                   for stmt in block.body for n in ast.walk(stmt)}  # never executed
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return {m for m in found if m in MODULES}


def test_no_import_circle() -> None:
    graph = {m: _imports(m) for m in MODULES}
    state: dict[str, int] = {}

    def visit(m: str, stack: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            assert state.get(n) != 1, " -> ".join(stack + [m, n])
            if n not in state:
                visit(n, stack + [m])
        state[m] = 2

    for m in MODULES:
        if m not in state:
            visit(m, [])
