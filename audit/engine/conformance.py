"""Both engines, held to the ``LogEngine`` Protocol by the type checker.

Nothing imports this module at run time; ``mypy --strict`` checks it with the package, so an
engine whose methods drift from ``audit/engine/base.py`` (a parameter renamed, a return type
changed, a method dropped) fails the type check here, by name, instead of at a user's run.
The Spark engine is named only for the checker: PySpark is an optional dependency.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from audit.engine.base import Connection, LogEngine
from audit.engine.duckdb_engine import DuckDBEngine

if TYPE_CHECKING:  # pragma: no cover
    from audit.engine.spark import SparkEngine
    from audit.engine.spark_connection import SparkConnection

    _spark: type[LogEngine] = SparkEngine
    _spark_connection: type[Connection] = SparkConnection

_duckdb: type[LogEngine] = DuckDBEngine
