"""A plugin that registers an evaluator id the built-ins already use."""

from audit import hookimpl
from audit.evaluators.attestation import AttestationEvaluator


@hookimpl
def audit_register_evaluators(registry):
    registry.add_evaluator(AttestationEvaluator())
