"""Structured applicability conditions (never ``eval``).

A condition is ``{all: [...]}``, ``{any: [...]}``, ``{not: ...}`` or a leaf
``{field: platform.users.IQ, gte: 1}``. Evaluation is three-valued: a leaf whose field is absent
from the profile is *unknown*, and the caller decides (an auditor's default is "applies").
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
    "in": lambda a, b: a in b,
    "contains": lambda a, b: b in a,
}
_NUMERIC = {"gt", "gte", "lt", "lte"}
FIELD_ROOTS = ("platform",)


def validate_condition(cond: object, path: tuple[Any, ...]) -> list[tuple[tuple[Any, ...], str]]:
    """Return ``(path, message)`` for every problem in ``cond``."""
    if not isinstance(cond, Mapping):
        return [(path, f"expected a mapping (all/any/not or field + operator), got {type(cond).__name__}")]
    problems: list[tuple[tuple[Any, ...], str]] = []
    keys = set(cond)
    for combinator in ("all", "any"):
        if combinator in keys:
            if keys != {combinator}:
                return [(path, f"'{combinator}' must stand alone, found also {sorted(keys - {combinator})}")]
            items = cond[combinator]
            if not isinstance(items, list) or not items:
                return [(path + (combinator,), "expected a non-empty list of conditions")]
            for i, item in enumerate(items):
                problems += validate_condition(item, path + (combinator, i))
            return problems
    if "not" in keys:
        if keys != {"not"}:
            return [(path, f"'not' must stand alone, found also {sorted(keys - {'not'})}")]
        return validate_condition(cond["not"], path + ("not",))
    if "field" not in keys:
        return [(path, "expected 'all', 'any', 'not' or 'field'")]
    field = cond["field"]
    if not isinstance(field, str) or field.split(".")[0] not in FIELD_ROOTS:
        problems.append((path + ("field",), f"expected a dotted path starting with "
                                             f"{' or '.join(FIELD_ROOTS)}, got {field!r}"))
    ops = keys - {"field"}
    if ops == {"exists"}:
        if not isinstance(cond["exists"], bool):
            problems.append((path + ("exists",), "expected true or false"))
        return problems
    unknown = ops - set(OPERATORS)
    if unknown:
        problems.append((path + (sorted(unknown)[0],),
                         f"unknown operator; expected one of {', '.join(sorted(OPERATORS))}, exists"))
    elif len(ops) != 1:
        problems.append((path, "expected exactly one operator beside 'field'"))
    else:
        op = next(iter(ops))
        value = cond[op]
        if op in _NUMERIC and (isinstance(value, bool) or not isinstance(value, (int, float))):
            problems.append((path + (op,), f"expected a number, got {value!r}"))
        if op == "in" and not isinstance(value, list):
            problems.append((path + (op,), "expected a list"))
    return problems


def lookup(facts: Mapping[str, Any], dotted: str) -> tuple[bool, Any]:
    """Find ``platform.users.IQ`` in nested mappings; ``(False, None)`` when absent."""
    node: Any = facts
    for part in dotted.split("."):
        if isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return False, None
    return True, node


def evaluate(cond: Mapping[str, Any] | None, facts: Mapping[str, Any],
             missing: list[str] | None = None) -> bool | None:
    """True, False, or None when the answer depends on a fact the profile does not give.

    Fields that were missing are appended to ``missing`` so reports can say what to add.
    """
    if cond is None:
        return True
    if "all" in cond:
        results = [evaluate(c, facts, missing) for c in cond["all"]]
        if any(r is False for r in results):
            return False
        return None if any(r is None for r in results) else True
    if "any" in cond:
        results = [evaluate(c, facts, missing) for c in cond["any"]]
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    if "not" in cond:
        inner = evaluate(cond["not"], facts, missing)
        return None if inner is None else not inner
    found, value = lookup(facts, cond["field"])
    if "exists" in cond:
        return bool(found == cond["exists"])
    if not found or value is None:
        if missing is not None:
            missing.append(cond["field"])
        return None
    (op,) = [k for k in cond if k != "field"]
    try:
        return bool(OPERATORS[op](value, cond[op]))
    except TypeError:
        return None
