"""Validation helpers shared by every schema: one validator per schema, errors as Problems."""

from __future__ import annotations

import datetime as dt
import difflib
import zoneinfo
from typing import Any, Callable, Iterable, Mapping

import cerberus
from cerberus import errors as cerrors

from audit.limits import date_problem

PathKey = tuple[Any, ...]


class _Validator(cerberus.Validator):  # type: ignore[misc]  # cerberus ships no types
    """Adds the ``isodate`` type: a YAML date or an ISO 8601 date string (checked by
    ``check_with: isodate``, which ``DATE`` below bundles)."""

    types_mapping = cerberus.Validator.types_mapping.copy()
    types_mapping["isodate"] = cerberus.TypeDefinition("isodate", (dt.date, str), (dt.datetime,))

    def _check_with_isodate(self, field: str, value: object) -> None:
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                self._error(field, f"expected a date (YYYY-MM-DD), got {value!r}")
                return
        if isinstance(value, dt.date) and (why := date_problem(value)):
            self._error(field, why)


    def _check_with_timezone(self, field: str, value: object) -> None:
        try:
            zoneinfo.ZoneInfo(str(value))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self._error(field, f"unknown time zone {value!r}; expected an IANA name such as "
                               "Asia/Baghdad")


DATE: dict[str, Any] = {"type": "isodate", "check_with": "isodate"}


_CACHE: dict[tuple[int, bool], tuple[Mapping[str, Any], _Validator]] = {}


def validator_for(schema: Mapping[str, Any], allow_unknown: bool = False) -> _Validator:
    """One validator per schema, reused: building them is the expensive part.

    Keyed by identity, and the schema is kept alive in the cache so its id cannot be reused.
    """
    key = (id(schema), allow_unknown)
    hit = _CACHE.get(key)
    if hit is None or hit[0] is not schema:
        hit = (schema, _Validator(dict(schema), allow_unknown=allow_unknown))
        _CACHE[key] = hit
    return hit[1]


def as_date(value: object) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _describe_type(value: object) -> str:
    if value is None:
        return "nothing"
    return {dict: "a mapping", list: "a list", str: "text", bool: "true/false", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


def _flatten(errs: Iterable[cerrors.ValidationError]) -> Iterable[cerrors.ValidationError]:
    for err in errs:
        if err.is_group_error and err.child_errors:
            yield from _flatten(err.child_errors)
        else:
            yield err


def _message(err: cerrors.ValidationError, schema_at: Callable[[PathKey], Mapping[str, Any]]) -> str:
    rule_schema = schema_at(err.schema_path[:-1]) if err.schema_path else {}
    meta = rule_schema.get("meta", {}) if isinstance(rule_schema, Mapping) else {}
    value = err.value
    if err.code == cerrors.UNKNOWN_FIELD.code:
        known = list(schema_at(err.schema_path).keys())  # () is the top level
        close = difflib.get_close_matches(str(err.field), [str(k) for k in known], n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return f"unknown key{hint}"
    if err.code == cerrors.REQUIRED_FIELD.code:
        return "required key is missing"
    if err.rule == "type":
        expect = meta.get("expect") or " or ".join(
            {"string": "text", "integer": "a whole number", "float": "a number",
             "number": "a number", "boolean": "true/false", "list": "a list",
             "dict": "a mapping", "isodate": "a date (YYYY-MM-DD)"}.get(t, t)
            for t in ([err.constraint] if isinstance(err.constraint, str) else err.constraint))
        return f"expected {expect}, got {_describe_type(value)} {value!r}"[:200]
    if err.rule == "allowed":
        return f"expected one of {', '.join(map(str, err.constraint))}; got {value!r}"
    if err.rule == "regex":
        return f"expected {meta.get('expect', 'text matching ' + err.constraint)}; got {value!r}"
    if err.rule in ("min", "max"):
        word = "at least" if err.rule == "min" else "at most"
        return f"expected {word} {err.constraint}; got {value!r}"
    if err.rule in ("minlength", "maxlength"):
        word = "at least" if err.rule == "minlength" else "at most"
        return f"expected {word} {err.constraint} item(s); got {len(value) if value is not None else 0}"
    if err.rule == "nullable":
        return "must not be empty"
    if err.rule == "empty":
        return "must not be empty"
    if err.rule == "check_with" or (err.code == cerrors.CUSTOM.code and err.info):
        # a check_with message (dates, time zones), however deep in the document
        return str(err.info[0]) if err.info else "invalid value"
    if err.rule == "excludes":
        return f"cannot be given together with {err.constraint}"
    return f"invalid value {value!r} ({err.rule})"


def validate(document: object, schema: Mapping[str, Any], base: PathKey = (),
             allow_unknown: bool = False) -> list[tuple[PathKey, str]]:
    """Validate ``document``; return ``(path, message)`` pairs, paths relative to ``base``."""
    if not isinstance(document, Mapping):
        return [(base, f"expected a mapping, got {_describe_type(document)}")]
    v = validator_for(schema, allow_unknown)
    if v.validate(dict(document), normalize=False):
        return []

    def schema_at(spath: PathKey) -> Mapping[str, Any]:
        node: Any = {"schema": v.schema}
        node = v.schema
        for part in spath:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return {}
        return node if isinstance(node, Mapping) else {}

    out = []
    for err in _flatten(v._errors):
        out.append((base + tuple(err.document_path), _message(err, schema_at)))
    return sorted(set(out), key=lambda p: (tuple(str(x) for x in p[0]), p[1]))

