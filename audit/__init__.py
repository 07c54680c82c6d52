"""platform-audit: audit messaging platforms against national data-protection and content laws.

This module is the public API for plugin authors: the hook marker, the model types and the
errors. Import from here, not from submodules, so internals can move without breaking plugins.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

__version__ = "0.1.0"

hookimpl = pluggy.HookimplMarker("platform_audit")

# Model and error types are imported lazily so that ``audit --help`` and plugin discovery stay
# cheap; ``from audit import Finding`` still works as usual.
_LAZY = {
    "AuditError": "audit.errors",
    "ChecklistError": "audit.errors",
    "EvidenceError": "audit.errors",
    "PluginError": "audit.errors",
    "UsageError": "audit.errors",
    "ExitCode": "audit.errors",
    "Problem": "audit.errors",
    "Area": "audit.model",
    "Checklist": "audit.model",
    "ChecklistStatus": "audit.model",
    "Citation": "audit.model",
    "Finding": "audit.model",
    "Requirement": "audit.model",
    "Rule": "audit.model",
    "Severity": "audit.model",
    "Source": "audit.model",
    "Status": "audit.model",
    "Evaluator": "audit.evaluators.base",
    "EvaluationContext": "audit.evaluators.base",
    "Registry": "audit.registry",
}

__all__ = ["__version__", "hookimpl", *_LAZY]

if TYPE_CHECKING:  # pragma: no cover
    # "X as X": explicit re-exports for type checkers (the names are in __all__)
    from audit.errors import (
        AuditError as AuditError,
        ChecklistError as ChecklistError,
        EvidenceError as EvidenceError,
        ExitCode as ExitCode,
        PluginError as PluginError,
        Problem as Problem,
        UsageError as UsageError,
    )
    from audit.evaluators.base import (
        EvaluationContext as EvaluationContext,
        Evaluator as Evaluator,
    )
    from audit.model import (
        Area as Area,
        Checklist as Checklist,
        ChecklistStatus as ChecklistStatus,
        Citation as Citation,
        Finding as Finding,
        Requirement as Requirement,
        Rule as Rule,
        Severity as Severity,
        Source as Source,
        Status as Status,
    )
    from audit.registry import (
        Registry as Registry,
    )


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'audit' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
