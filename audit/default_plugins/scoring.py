"""Registers the built-in scoring models: weighted (default), flat and strict."""

from __future__ import annotations

from audit import hookimpl
from audit.registry import Registry
from audit.scoring import FlatModel, StrictModel, WeightedModel


@hookimpl
def audit_register_scoring_models(registry: Registry) -> None:
    for model in (WeightedModel(), FlatModel(), StrictModel()):
        registry.add_scoring_model(model)
