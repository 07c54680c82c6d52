"""platform-audit plugin: Iraq, channels that leak personal data (2023 practice) and the
constitutional limit on disclosing who runs them, measured on a channel-moderation export."""

from __future__ import annotations

from pathlib import Path

from audit import hookimpl

__version__ = "0.1.0"


@hookimpl
def audit_register_checklists(registry):
    registry.add_checklists(Path(__file__).parent / "checklists")


@hookimpl
def audit_register_evaluators(registry):
    from audit_iq_leaks.evaluator import LeakChannelsEvaluator

    registry.add_evaluator(LeakChannelsEvaluator())
    from audit_iq_leaks.evaluator import COLUMNS, LOG

    # the log this rule type reads, so `audit checklists validate` knows its name and columns
    if hasattr(registry, "vocabulary"):  # platform-audit before the vocabulary has none
        registry.vocabulary.add_log(LOG, COLUMNS)
