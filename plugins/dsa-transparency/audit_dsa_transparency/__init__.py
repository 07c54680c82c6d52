"""platform-audit plugin: read EU DSA Transparency Database statements of reasons and check
them against DSA Art. 17 (required content) and Art. 24(5) (submission without undue delay)."""

from __future__ import annotations

from pathlib import Path

from audit import hookimpl

__version__ = "0.1.0"


@hookimpl
def audit_register_checklists(registry):
    registry.add_checklists(Path(__file__).parent / "checklists")


@hookimpl
def audit_register_loaders(registry):
    from audit_dsa_transparency.loader import StatementsOfReasonsLoader

    registry.add_loader(StatementsOfReasonsLoader())
    # the columns this loader adds to the moderation log, so `audit checklists validate`
    # accepts rules that read them (docs/plugins: vocabulary)
    if hasattr(registry, "vocabulary"):  # platform-audit before the vocabulary has none
        registry.vocabulary.add_columns("moderation", StatementsOfReasonsLoader.EXTRA_COLUMNS)
