"""The package's structure, held to docs/architecture.md: no import circle anywhere in
``audit`` (an import inside a function is still a circle), imports at the top except those
that defer a heavy library, small modules, click only in the commands layer, parameters typed,
and the layer diagram in step with the code. tools/structure.py reads the imports."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
MAX_DEFERRED = 20  # imports of audit.* inside functions, each deferring a heavy library
MAX_LINES = 400
MAX_ANY_SHARE = 0.03  # parameters annotated with a bare ``Any``


def _structure() -> ModuleType:
    spec = importlib.util.spec_from_file_location("structure", ROOT / "tools" / "structure.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["structure"] = module
    spec.loader.exec_module(module)
    return module


structure = _structure()


def test_no_import_circle_in_the_whole_package() -> None:
    found = structure.imports()
    assert len({i.source for i in found}) > 100  # the whole package was read
    assert structure.circles(found) == []


def test_imports_inside_functions_only_defer_heavy_libraries() -> None:
    deferred = [i for i in structure.imports() if i.deferred]
    unmarked = [f"{i.source}:{i.line} -> {i.target}" for i in deferred if not i.marked]
    assert unmarked == [], "an audit import inside a function must say what it defers " \
                           f"('{structure.DEFERRED} openpyxl')"
    lines = {(i.source, i.line) for i in deferred}
    assert len(lines) <= MAX_DEFERRED, sorted(lines)
    for source, line in lines:
        text = structure.modules()[source].read_text(encoding="utf-8").splitlines()[line - 1]
        reason = text.split(structure.DEFERRED, 1)[-1].strip()
        assert reason, f"{source}:{line}: name the heavy library deferred"


def test_no_module_over_the_size_limit() -> None:
    long = {m: n for m, p in structure.modules().items()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def _runtime_imports(tree: ast.Module) -> list[str]:
    """Modules a file imports when it runs (``if TYPE_CHECKING:`` blocks never do)."""
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(block.test)
                   for stmt in block.body for n in ast.walk(stmt)}
    names: list[str] = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_click_only_in_the_commands_layer() -> None:
    users = sorted(m for m, p in structure.modules().items()
                   if any(name.split(".")[0] == "click" for name in
                          _runtime_imports(ast.parse(p.read_text(encoding="utf-8"))))
                   and structure.area_of(m) != "commands")
    assert users == []


def test_parameters_are_typed() -> None:
    total = bare = 0
    for path in structure.modules().values():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                a = node.args
                params = [*a.posonlyargs, *a.args, *a.kwonlyargs, *filter(None, (a.vararg,
                                                                                  a.kwarg))]
                for p in params:
                    if p.arg in ("self", "cls"):
                        continue
                    total += 1
                    bare += p.annotation is not None and ast.unparse(p.annotation) == "Any"
    assert bare / total <= MAX_ANY_SHARE, f"{bare} of {total} parameters typed Any"


def test_the_architecture_diagram_is_in_step() -> None:
    doc = structure.DOC.read_text(encoding="utf-8")
    assert structure.with_diagram(doc, structure.imports()) == doc, \
        "docs/architecture.md: run python tools/structure.py"


def test_arrows_point_down_the_layers() -> None:
    """Areas in the order docs/architecture.md draws them: an import never points up."""
    order = list(structure.AREA_TITLES)
    upward = [f"{i.source}:{i.line} ({structure.area_of(i.source)}) -> {i.target} "
              f"({structure.area_of(i.target)})" for i in structure.imports()
              if order.index(structure.area_of(i.source)) > order.index(structure.area_of(i.target))]
    assert upward == []
