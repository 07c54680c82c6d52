"""Docs stay in step with the code: hook signatures, the generated format reference."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from audit import hookspecs

ROOT = Path(__file__).parent.parent
HOOKS_DOC = ROOT / "docs" / "plugins" / "hooks.md"


def _hooks() -> list[str]:
    return [name for name in dir(hookspecs) if name.startswith("audit_")]


@pytest.mark.parametrize("hook", _hooks())
def test_hook_is_documented_with_its_exact_signature(hook: str) -> None:
    fn = getattr(hookspecs, hook)
    params = ", ".join(inspect.signature(fn).parameters)
    heading = f"## {hook}({params})"
    text = HOOKS_DOC.read_text(encoding="utf-8")
    assert heading in text.splitlines(), f"docs/plugins/hooks.md lacks the heading '{heading}'"


def test_no_documented_hook_is_missing_from_the_code() -> None:
    text = HOOKS_DOC.read_text(encoding="utf-8")
    documented = re.findall(r"^## (audit_\w+)\(", text, flags=re.M)
    assert sorted(documented) == sorted(_hooks())


def test_checklist_format_reference_is_generated(run) -> None:
    code, out, err = run("checklists", "schema", "--format", "markdown")
    assert code == 0, err
    page = ROOT / "docs" / "reference" / "checklist-format.md"
    assert page.read_text(encoding="utf-8") == out, (
        "docs/reference/checklist-format.md is stale: regenerate it with "
        "'audit checklists schema --format markdown > docs/reference/checklist-format.md'")


def test_evidence_reference_is_generated() -> None:
    from audit.schemas.export import evidence_markdown

    page = ROOT / "docs" / "reference" / "evidence-pack.md"
    assert page.read_text(encoding="utf-8") == evidence_markdown(), (
        "docs/reference/evidence-pack.md is stale: regenerate it with "
        "'python -m audit.schemas.export evidence > docs/reference/evidence-pack.md'")
