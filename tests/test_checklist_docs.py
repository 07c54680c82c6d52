"""docs/checklists/ is generated from the bundled modules and must not go stale."""

from __future__ import annotations

from pathlib import Path

from audit import checklist_docs
from audit.checklists import load_library
from audit.plugins import get_registry

DOCS = Path(__file__).resolve().parent.parent / "docs" / "checklists"
HOW = "docs/checklists/ is stale: run `python -m audit.checklist_docs` and commit the result"


def test_committed_docs_match_generated() -> None:
    pages = checklist_docs.render(load_library(get_registry()))
    committed = {p.name: p.read_text(encoding="utf-8") for p in DOCS.glob("*.md")}
    assert sorted(committed) == sorted(pages), HOW
    for name, text in pages.items():
        assert committed[name] == text, f"{name}: {HOW}"


def test_index_lists_every_module_with_counts() -> None:
    library = load_library(get_registry())
    index = checklist_docs.render(library)["index.md"]
    for checklist in checklist_docs.bundled(library):
        row = (f"| [{checklist.id}]({checklist.id}.md) | {checklist.jurisdiction} |")
        assert row in index
        line = next(text for text in index.splitlines() if text.startswith(row))
        assert line.endswith(f"| {checklist.status.value} | {checklist.version} | "
                             f"{len(checklist.requirements)} |")


def test_module_page_shows_figures_refs_and_confidence() -> None:
    page = checklist_docs.render(load_library(get_registry()))["in.it-rules.md"]
    assert "within 36h, target 100 % (from 2021-02-25 until 2026-02-20)" in page
    assert "within 3h, target 100 % (from 2026-02-20)" in page
    assert "| IN-02 |" in page
    assert "| medium | in_force |" in page


def test_main_writes_pages(tmp_path: Path) -> None:
    (tmp_path / "stale.md").write_text("old", encoding="utf-8")
    assert checklist_docs.main([str(tmp_path)]) == 0
    assert (tmp_path / "index.md").is_file()
    assert not (tmp_path / "stale.md").exists()
    assert (tmp_path / "eu.gdpr.md").read_text(encoding="utf-8") == (DOCS / "eu.gdpr.md").read_text(
        encoding="utf-8")
