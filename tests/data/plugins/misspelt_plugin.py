"""A plugin whose hook name is misspelt: check_pending must refuse it."""

from audit import hookimpl


@hookimpl
def audit_register_evaluator(registry):
    pass
