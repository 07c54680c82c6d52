"""Rule names checked against the evidence vocabulary (``audit checklists validate``).

A rule that names a log, column, profile field, document kind or officer role nobody provides
can never be met: the typo would surface as the platform's ``no_evidence``; an ``applies_if``
on a profile field nobody provides would leave applicability unknown for ever. Validation
reports each at its YAML path, with the closest known name.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from audit.errors import Problem
from audit.model import Rule
from audit.registry import Registry
from audit.yamlio import PathKey, YamlDocument

# built-in rule types whose parameters name a document kind, a role or a profile field
_KIND_PARAMS = {("document", "kind"), ("count", "document_kind")}
_ROLE_PARAMS = {("officer", "role")}
_FIELD_PARAMS = {("threshold", "field")}


def _rules(doc: YamlDocument, registry: Registry) -> Iterator[tuple[PathKey, dict[str, Any]]]:
    """Every rule of the module with its YAML path, nested rules included."""
    data = doc.data if isinstance(doc.data, dict) else {}

    def walk(path: PathKey, rule: object) -> Iterator[tuple[PathKey, dict[str, Any]]]:
        if not isinstance(rule, dict) or rule.get("type") not in registry.evaluators:
            return
        yield path, rule
        nested = registry.evaluators.get(rule["type"]).nested_rules
        for j, child in enumerate(rule.get(nested) or [] if nested else []):
            yield from walk(path + (nested, j), child)

    for section in ("requirements", "overrides"):
        for i, req in enumerate(data.get(section) or []):
            if isinstance(req, dict):
                yield from walk((section, i, "rule"), req.get("rule"))


def _condition_fields(cond: object, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    """Every ``field`` of an ``applies_if`` condition (all/any/not nest)."""
    if not isinstance(cond, dict):
        return
    if isinstance(cond.get("field"), str):
        yield path + ("field",), cond["field"]
    for key in ("all", "any"):
        for j, child in enumerate(cond.get(key) or [] if isinstance(cond.get(key), list) else []):
            yield from _condition_fields(child, path + (key, j))
    if "not" in cond:
        yield from _condition_fields(cond["not"], path + ("not",))


def rule_name_problems(doc: YamlDocument, registry: Registry) -> list[Problem]:
    """Problems for names in ``doc``'s rules (and ``applies_if`` conditions) that the evidence
    vocabulary does not know."""
    vocabulary = registry.vocabulary
    problems: list[Problem] = []
    data = doc.data if isinstance(doc.data, dict) else {}
    for section in ("requirements", "overrides"):
        for i, req in enumerate(data.get(section) or []):
            if isinstance(req, dict):
                for path, field in _condition_fields(req.get("applies_if"),
                                                     (section, i, "applies_if")):
                    if why := vocabulary.field_problem(field):
                        problems.append(doc.problem(path, why))
    for path, rule in _rules(doc, registry):
        kind = rule["type"]
        params = {k: v for k, v in rule.items() if k != "type"}
        for (rtype, param) in _KIND_PARAMS | _ROLE_PARAMS | _FIELD_PARAMS:
            value = params.get(param)
            if rtype != kind or not isinstance(value, str):
                continue
            if (rtype, param) in _KIND_PARAMS:
                why = vocabulary.kind_problem(value)
            elif (rtype, param) in _ROLE_PARAMS:
                why = vocabulary.role_problem(value)
            else:
                why = vocabulary.field_problem(value)
            if why:
                problems.append(doc.problem(path + (param,), why))
        try:
            logs = registry.evaluators.get(kind).log_columns(Rule(kind, params))
        except (KeyError, TypeError, AttributeError):
            continue  # a malformed rule: the schema check reports it
        for log, columns in sorted(logs.items()):
            why = vocabulary.log_problem(log)
            if why:
                problems.append(doc.problem(path + ("log",), why))
                continue
            for column in sorted(columns):
                why = vocabulary.column_problem(log, column)
                if why:
                    problems.append(doc.problem(path + _column_place(params, column), why))
    return problems


def _column_place(params: dict[str, Any], column: str) -> PathKey:
    """The parameter naming ``column``: a filter key, or the parameter whose value it is."""
    for name in ("where", "match"):
        if isinstance(params.get(name), dict) and column in params[name]:
            return (name, column)
    for name, value in params.items():
        if value == column:
            return (name,)
    return ("log",)
