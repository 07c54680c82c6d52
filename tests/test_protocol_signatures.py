"""Every engine and built-in writer has the methods of its Protocol with the same parameters:
names, kinds and defaults. mypy holds them to the Protocols' types (audit/engine/conformance.py,
audit/reports/conformance.py) but not to parameter names, and callers pass many by keyword
(``load(..., reader=...)``): a renamed parameter would type-check and fail at a user's run."""

from __future__ import annotations

import inspect
from typing import Any

import pytest

from audit.engine.base import Connection, LogEngine
from audit.engine.duckdb_engine import DuckDBEngine
from audit.reports.base import ReportWriter
from audit.reports.conformance import built_in_writers


def _members(protocol: type[Any]) -> list[str]:
    """The methods a Protocol declares (not its attributes and properties)."""
    return sorted(name for name, value in vars(protocol).items()
                  if inspect.isfunction(value) and not name.startswith("_"))


def _parameters(function: Any) -> list[tuple[str, object, object]]:
    """(name, kind, default) of each parameter after ``self``."""
    signature = inspect.signature(function)
    return [(p.name, p.kind, p.default) for p in list(signature.parameters.values())[1:]]


def _mismatches(protocol: type[Any], implementation: type[Any]) -> list[str]:
    out = []
    for name in _members(protocol):
        method = getattr(implementation, name, None)
        if method is None:
            out.append(f"{implementation.__name__}.{name}: missing")
        elif _parameters(method) != _parameters(getattr(protocol, name)):
            out.append(f"{implementation.__name__}.{name}{inspect.signature(method)} differs "
                       f"from {protocol.__name__}.{name}{inspect.signature(getattr(protocol, name))}")
    return out


def _engines() -> list[type[Any]]:
    engines: list[type[Any]] = [DuckDBEngine]
    try:  # the Spark engine's module imports PySpark, an optional dependency
        from audit.engine.spark import SparkEngine
    except ImportError:
        pytest.fail("the spark extra is part of the test set-up (README); install it")
    return [*engines, SparkEngine]


def test_protocols_declare_methods() -> None:
    assert {"load", "scan", "query", "stream", "read_source"} <= set(_members(LogEngine))
    assert {"write", "siblings"} <= set(_members(ReportWriter))


def test_engines_have_the_protocol_signatures() -> None:
    assert [m for engine in _engines() for m in _mismatches(LogEngine, engine)] == []


def test_spark_connection_has_the_connection_signatures() -> None:
    from audit.engine.spark_connection import SparkConnection

    assert _mismatches(Connection, SparkConnection) == []


def test_built_in_writers_have_the_protocol_signatures() -> None:
    writers = {type(w) for w in built_in_writers()}
    assert len(writers) >= 9
    assert [m for w in sorted(writers, key=lambda c: c.__name__)
            for m in _mismatches(ReportWriter, w)] == []


def test_a_renamed_parameter_is_caught() -> None:
    class Renamed(DuckDBEngine):
        def stream(self, sql: str, size: int = 2048) -> Any:  # "batch" renamed
            return super().stream(sql, size)

    assert _mismatches(LogEngine, Renamed) == [
        f"Renamed.stream{inspect.signature(Renamed.stream)} differs from "
        f"LogEngine.stream{inspect.signature(LogEngine.stream)}"]
