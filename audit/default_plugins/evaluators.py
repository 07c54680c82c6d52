"""Registers the built-in rule types."""

from __future__ import annotations

from audit import hookimpl
from audit.evaluators.attestation import AttestationEvaluator
from audit.evaluators.combinators import AllOfEvaluator, AnyOfEvaluator
from audit.evaluators.count import CountEvaluator
from audit.evaluators.deadline import DeadlineEvaluator
from audit.evaluators.document import DocumentEvaluator
from audit.evaluators.officer import OfficerEvaluator
from audit.evaluators.reported import ReportedEvaluator
from audit.evaluators.share import ShareEvaluator
from audit.evaluators.threshold import ThresholdEvaluator
from audit.registry import Registry


@hookimpl
def audit_register_evaluators(registry: Registry) -> None:
    for evaluator in (AttestationEvaluator(), DocumentEvaluator(), ThresholdEvaluator(),
                      OfficerEvaluator(), DeadlineEvaluator(), CountEvaluator(), ShareEvaluator(),
                      AllOfEvaluator(registry), AnyOfEvaluator(registry), ReportedEvaluator()):
        registry.add_evaluator(evaluator)
