"""The package's structure, read from its own imports: the graph, its circles, the imports
made inside functions, and the layer diagram in docs/architecture.md.

    python tools/structure.py            # rewrite the diagram in docs/architecture.md
    python tools/structure.py --check    # exit 1 when the diagram is out of step
    python tools/structure.py --report   # circles, deferred imports, module sizes

tests/test_import_graph.py holds the package to what this reads: no circle (imports inside
functions count; ``if TYPE_CHECKING:`` blocks, which never run, do not), every ``audit``
import inside a function marked as deferring a heavy library, the diagram in step.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "audit"
DOC = ROOT / "docs" / "architecture.md"
BEGIN, END = "<!-- structure:begin -->", "<!-- structure:end -->"
DEFERRED = "# deferred:"  # the comment that marks an import deferring a heavy library

# Layers of the diagram, top to bottom: a module goes to the first area whose prefix it has.
AREAS: tuple[tuple[str, str], ...] = (
    ("audit.cli", "commands"), ("audit.commands", "commands"), ("audit.__main__", "commands"),
    ("audit.launch", "commands"),
    # the generators of docs/ pages, run with python -m, are entry points like the commands
    ("audit.checklist_docs", "commands"), ("audit.schemas.export", "commands"),
    ("audit.api", "pipeline"), ("audit.pipeline", "pipeline"),
    # the pytest fixtures for plugin authors run the pipeline, as a script would
    ("audit.testing", "pipeline"),
    ("audit.default_plugins", "plugins"), ("audit.plugins", "plugins"),
    # the registry of what plugins contribute, by the interfaces it holds them to
    ("audit.registry", "registry"), ("audit.hookspecs", "registry"),
    ("audit.vocabulary", "registry"), ("audit.reports.base", "registry"),
    ("audit.reports.adapter", "registry"),
    ("audit.reports", "writers"),
    ("audit.evaluators", "rules"), ("audit.evidence.xlsx_guard", "formats"),
    ("audit.evidence", "evidence"), ("audit.logs.tables", "formats"),
    ("audit.engine", "engines"), ("audit.logs", "engines"),
    ("audit.schemas", "formats"), ("audit.yamlio", "formats"), ("audit.jsonio", "formats"),
    ("audit.sheet_input", "formats"),
)
AREA_TITLES = {
    "commands": "commands: cli.py, launch.py, commands/, the docs generators",
    "pipeline": "pipeline: api.py, pipeline/, testing.py",
    "plugins": "plugin manager and built-ins: plugins.py, default_plugins/",
    "writers": "writers: audit/reports/",
    "domain": "domain: checklists, assessment, scoring, history of an audit",
    "rules": "rule types: audit/evaluators/",
    "evidence": "evidence: audit/evidence/",
    "engines": "engines: audit/engine/, audit/logs/",
    "registry": "registry: registry.py, hookspecs.py, the writer port, the vocabulary",
    "formats": "input formats: schemas/, yamlio, jsonio, sheet_input",
    "core": "core values: model, errors, i18n, labels, limits, durations",
}
CORE = {"audit", "audit.model", "audit.errors", "audit.i18n", "audit.labels", "audit.limits",
        "audit.durations", "audit.progress", "audit.scoring", "audit.conditions",
        "audit.ledger", "audit.scratch"}


@dataclass(frozen=True)
class Import:
    source: str  # importing module
    target: str  # imported module of the package
    line: int
    deferred: bool  # inside a function
    marked: bool  # carries the ``# deferred:`` comment


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _targets(module: str, node: ast.Import | ast.ImportFrom, known: dict[str, Path]) -> list[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            package = module.split(".")
            if known[module].name != "__init__.py":
                package = package[:-1]
            package = package[:len(package) - (node.level - 1)]
            base = ".".join(package + ([base] if base else []))
        names = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
    out = []
    for name in names:
        while name and name not in known:
            name = name.rpartition(".")[0]
        if name and name != module and name not in out:
            out.append(name)
    return out


def imports() -> list[Import]:
    """Every import of a package module by another, TYPE_CHECKING blocks left out."""
    known = modules()
    found: list[Import] = []
    for module, path in known.items():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()

        _visit(ast.parse(text), False, module, lines, known, found)
    return found


def _visit(node: ast.AST, in_function: bool, module: str, lines: list[str],
           known: dict[str, Path], found: list[Import]) -> None:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            for other in child.orelse:
                _visit(other, in_function, module, lines, known, found)
            continue
        inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef))
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            end = child.end_lineno or child.lineno
            marked = any(DEFERRED in lines[i - 1] for i in range(child.lineno, end + 1))
            for target in _targets(module, child, known):
                found.append(Import(module, target, child.lineno, in_function, marked))
        _visit(child, inner, module, lines, known, found)


def circles(found: list[Import]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    graph: dict[str, set[str]] = defaultdict(set)
    for imp in found:
        graph[imp.source].add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(modules()):
        if v not in index:
            connect(v)
    return groups


def area_of(module: str) -> str:
    for prefix, area in AREAS:
        if module == prefix or module.startswith(prefix + "."):
            return area
    return "core" if module in CORE else "domain"


def diagram(found: list[Import]) -> str:
    """The areas as a Mermaid flowchart, an arrow per pair of areas with the import count."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for imp in found:
        a, b = area_of(imp.source), area_of(imp.target)
        if a != b:
            counts[(a, b)] += 1
    lines = ["```mermaid", "flowchart TD"]
    for area, title in AREA_TITLES.items():
        lines.append(f'  {area}["{title}"]')
    for (a, b), n in sorted(counts.items(), key=lambda item: (list(AREA_TITLES).index(item[0][0]),
                                                              list(AREA_TITLES).index(item[0][1]))):
        lines.append(f"  {a} -->|{n}| {b}")
    lines.append("```")
    return "\n".join(lines)


def with_diagram(doc: str, found: list[Import]) -> str:
    head, _, rest = doc.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{diagram(found)}\n{END}{tail}"


def main(argv: list[str]) -> int:
    found = imports()
    if "--report" in argv:
        for group in circles(found):
            print("circle:", " ".join(group))
        for imp in found:
            if imp.deferred:
                print(f"deferred {imp.source}:{imp.line} -> {imp.target}"
                      + ("" if imp.marked else "  (not marked)"))
        for module, path in modules().items():
            size = len(path.read_text(encoding="utf-8").splitlines())
            if size > 400:
                print(f"long: {module} {size} lines")
        return 0
    doc = DOC.read_text(encoding="utf-8")
    wanted = with_diagram(doc, found)
    if "--check" in argv:
        if wanted != doc:
            print(f"{DOC.relative_to(ROOT)}: the diagram is out of step; run "
                  "python tools/structure.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
