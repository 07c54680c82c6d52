"""The rules' DuckDB SQL, transpiled for Spark SQL: one definition of each query, two engines.

SQLGlot (``read="duckdb", write="spark"``) translates most of what the rules write as is:
identifiers, casts, ``FILTER (WHERE ...)`` on aggregates, ``regexp_matches`` (``RLIKE``),
intervals, ``IS NOT TRUE``. A few DuckDB constructs have no SQLGlot translation with the same
meaning, and are rewritten here on the parsed tree before Spark SQL is generated (each is
covered by tests/test_spark_sql.py):

- ``timezone(zone, x)``: DuckDB's one function for both directions. A naive timestamp (a
  ``TIMESTAMP`` cast or literal) is read as wall-clock time in ``zone``: ``to_utc_timestamp``.
  An instant gives the wall-clock time in ``zone``: ``from_utc_timestamp``. (The Spark session
  runs in UTC, as the DuckDB connection does, so both are exact.)
- ``epoch_us(x)``: ``unix_micros(x)``; ``epoch(x)``: seconds with their fraction (SQLGlot's
  ``unix_timestamp`` drops it), and ``epoch(a - b)`` as the difference of the two.
- ``quantile_cont(x, [p, ...])``: ``percentile(x, array(p, ...))``, Spark's exact percentile
  with the same linear interpolation; with ``approximate`` (``--spark-percentiles``),
  ``percentile_approx(x, array(p, ...), ACCURACY)`` instead, whose merge is of fixed-size
  summaries, at a stated rank error (``RANK_ERROR``).
- ``strftime(x, fmt)``: ``date_format`` with a Java pattern, literal text quoted.
- decimal literals (``3600.0``): ``DOUBLE``, as DuckDB's division gives.
- ``row_number() OVER ()`` and ``OVER (PARTITION BY filename)`` (file order, error paths
  only): ordered by ``input_file_name()``, then ``monotonically_increasing_id()``, which
  follows the file's order within one read (the engine keeps each file in one task while it
  asks, ``spark.py``). Several files are numbered in path order, as DuckDB numbers a sorted
  glob's files.
- ``try_strptime(x, fmt | [fmt, ...])`` (log mappings' dates): ``coalesce`` of
  ``to_timestamp(x, pattern)``, each strptime format as a Java pattern (``parse_pattern``);
  a value that does not parse is NULL on both (ANSI off, the CORRECTED parser).
- ``regexp_full_match(x, re)``: ``x RLIKE '^(?:re)\\z'`` (``\\z``: Java's ``$`` would also
  match before a final line break).
- ``CREATE VIEW``: a session-scoped ``TEMPORARY VIEW``.

The engine itself never sends a statement that is not a query or a view (a column listing or
file order are typed calls, ``audit/engine/base.py``). A plugin's loader may still run any
DuckDB statement on ``pack.logs.con``; ``statement`` says what each one is from its parsed
tree: a query or view to run, a ``DESCRIBE``, or a DuckDB setting (which Spark has no use
for, but for file order). A query that calls DuckDB's own file readers (``read_csv``, ...) is
refused: the loader should read through ``pack.logs.read_source``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import sqlglot
from sqlglot import exp

# strftime -> Java DateTimeFormatter fields (only those the rules use; others are refused)
_STRFTIME = {"%Y": "yyyy", "%m": "MM", "%d": "dd", "%H": "HH", "%M": "mm", "%S": "ss"}


class UntranslatableSQL(ValueError):
    """A construct without a Spark translation of the same meaning (a bug: report it)."""


class DuckDBReader(UntranslatableSQL):
    """SQL that reads files with DuckDB's own table functions: no translation can help."""

    def __init__(self) -> None:
        super().__init__("--engine spark cannot run a loader that calls DuckDB's own reader "
                         "(read_csv, read_json, ...); the loader should read through "
                         "pack.logs.read_source (docs/plugins/hooks.md), or assess with "
                         "--engine duckdb")


# DuckDB's table functions: what a plugin's loader might call instead of ``read_source``
_READERS = frozenset({"read_csv", "read_csv_auto", "read_json", "read_json_auto",
                      "read_ndjson", "read_parquet", "read_text", "read_blob"})


def _reads_files(tree: exp.Expr) -> bool:
    for node in tree.find_all(exp.ReadCSV, exp.ReadParquet, exp.Anonymous):
        if not isinstance(node, exp.Anonymous) or str(node.this).lower() in _READERS:
            return True
    return False


# Spark's type names as DuckDB's DESCRIBE gives them, for the typed view's choices
_TYPES = {"string": "VARCHAR", "timestamp": "TIMESTAMP WITH TIME ZONE",
          "timestamp_ntz": "TIMESTAMP", "date": "DATE", "boolean": "BOOLEAN",
          "int": "INTEGER", "bigint": "BIGINT", "double": "DOUBLE", "float": "FLOAT",
          "smallint": "SMALLINT", "tinyint": "TINYINT"}


def duckdb_type(spark_type: str) -> str:
    """A Spark column type (``simpleString``) as DuckDB's DESCRIBE names the same kind."""
    if spark_type.startswith("array"):
        return "VARCHAR[]"
    if spark_type.startswith(("struct", "map")):
        return "STRUCT"
    if spark_type.startswith("decimal"):
        return spark_type.upper()
    return _TYPES.get(spark_type, spark_type.upper())


def _is_naive(node: exp.Expression) -> bool:
    if isinstance(node, (exp.Cast, exp.TryCast)):
        return node.to.this in (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.TIMESTAMPNTZ)
    return False


def _as_instant_cast(node: exp.Expression) -> exp.Expression:
    """A naive cast becomes a TIMESTAMP cast: read in the session zone (UTC), then shifted."""
    node = node.copy()
    node.set("to", exp.DataType.build("TIMESTAMP"))
    return node


def _java_pattern(fmt: str) -> str:
    out, literal, i = [], "", 0
    while i < len(fmt):
        token = fmt[i:i + 2]
        if token in _STRFTIME:
            if literal:
                out.append("'" + literal.replace("'", "''") + "'")
                literal = ""
            out.append(_STRFTIME[token])
            i += 2
        elif fmt[i] == "%":
            raise UntranslatableSQL(f"strftime field {token!r} has no translation")
        else:
            literal += fmt[i]
            i += 1
    if literal:
        out.append("'" + literal.replace("'", "''") + "'")
    return "".join(out)


# strptime -> Java fields for *parsing*. A numeric field next to another (``%Y%m%d``) is
# fixed-width, as DuckDB reads it; otherwise one letter, which reads 1 or 2 digits (DuckDB's
# ``%m/%d`` reads "1/5" too).
_PARSE_NUMERIC = {"%Y": ("yyyy", "yyyy"), "%m": ("M", "MM"), "%d": ("d", "dd"),
                  "%H": ("H", "HH"), "%I": ("h", "hh"), "%M": ("m", "mm"), "%S": ("s", "ss"),
                  "%j": ("D", "DDD"), "%f": ("SSSSSS", "SSSSSS")}
_PARSE_TEXT = {"%b": "MMM", "%B": "MMMM", "%a": "EEE", "%A": "EEEE", "%p": "a",
               "%z": "xxx"}
# DuckDB's %z reads +03:00, +0300 and +03 (never Z, never nothing): one pattern each
_OFFSETS = ("xxx", "xx", "x")
_PARSE_SHORTHAND = {"%T": "%H:%M:%S", "%F": "%Y-%m-%d", "%R": "%H:%M"}
_PARSE_REFUSED = {"%y": "two-digit years are read as 2000-2099 by Spark but 1969-2068 by "
                        "DuckDB; give four-digit years or assess with --engine duckdb"}


def parse_pattern(fmt: str) -> str:
    """A DuckDB strptime format as a Spark (Java) parsing pattern, literal text quoted."""
    for short, full in _PARSE_SHORTHAND.items():
        fmt = fmt.replace(short, full)
    tokens: list[str] = []
    i = 0
    while i < len(fmt):
        if fmt[i] == "%" and i + 1 < len(fmt):
            tokens.append(fmt[i:i + 2])
            i += 2
        else:
            tokens.append(fmt[i])
            i += 1
    out: list[str] = []
    literal = ""
    for n, token in enumerate(tokens):
        if token == "%%":
            literal += "%"
            continue
        if not token.startswith("%") or len(token) == 1:
            literal += token
            continue
        if literal:
            out.append("'" + literal.replace("'", "''") + "'")
            literal = ""
        if token in _PARSE_NUMERIC:
            near = [t for t in (tokens[n - 1] if n else "", tokens[n + 1] if n + 1 < len(tokens)
                                else "") if t in _PARSE_NUMERIC]
            out.append(_PARSE_NUMERIC[token][1 if near else 0])
        elif token in _PARSE_TEXT:
            out.append(_PARSE_TEXT[token])
        elif token in _PARSE_REFUSED:
            raise UntranslatableSQL(f"date format {fmt!r}: {_PARSE_REFUSED[token]}")
        else:
            raise UntranslatableSQL(f"date format {fmt!r}: {token} has no Spark equivalent; "
                                    "assess with --engine duckdb")
    if literal:
        out.append("'" + literal.replace("'", "''") + "'")
    return "".join(out)


def _parsed(value: exp.Expression, formats: exp.Expression) -> exp.Expression:
    """``try_strptime(value, formats)``: the first format that parses, else NULL."""
    given = formats.expressions if isinstance(formats, exp.Array) else [formats]
    parses: list[exp.Expression] = []
    for fmt in given:
        if not (isinstance(fmt, exp.Literal) and fmt.is_string):
            raise UntranslatableSQL("strptime with a computed format")
        pattern = parse_pattern(str(fmt.this))
        variants = [pattern.replace("xxx", o) for o in _OFFSETS] if "%z" in str(fmt.this) \
            else [pattern]
        parses += [exp.Anonymous(this="to_timestamp", expressions=[
            value.copy(), exp.Literal.string(v)]) for v in variants]
    return parses[0] if len(parses) == 1 else exp.Coalesce(this=parses[0],
                                                            expressions=parses[1:])


def _micros(node: exp.Expression) -> exp.Expression:
    return exp.Anonymous(this="unix_micros", expressions=[node])


def _seconds(node: exp.Expression) -> exp.Expression:
    """``epoch(x)`` in seconds with their fraction; ``epoch(a - b)`` as a difference."""
    if isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Sub):
        diff = exp.Sub(this=_micros(node.this), expression=_micros(node.expression))
        return exp.Div(this=exp.Paren(this=diff), expression=_double("1000000.0"))
    return exp.Div(this=_micros(node), expression=_double("1000000.0"))


def _double(text: str) -> exp.Expression:
    return exp.Cast(this=exp.Literal.number(text), to=exp.DataType.build("DOUBLE"))


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Anonymous):
        fn = str(node.this).lower()
        args = node.expressions
        if fn == "timezone" and len(args) == 2:
            zone, value = args
            value = value.transform(_rewrite)
            if _is_naive(value):
                return exp.Anonymous(this="to_utc_timestamp",
                                     expressions=[_as_instant_cast(value), zone])
            if isinstance(value, exp.Cast) and value.to.this == exp.DataType.Type.TIMESTAMPTZ:
                value = value.this
            return exp.Anonymous(this="from_utc_timestamp", expressions=[value, zone])
        if fn == "epoch_us" and len(args) == 1:
            return _micros(args[0].transform(_rewrite))
        if fn == "quantile_cont" and len(args) == 2:
            return _percentile(args[0], args[1])
        if fn == "try_strptime" and len(args) == 2:
            return _parsed(args[0].transform(_rewrite), args[1])
    if isinstance(node, exp.StrToTime):
        return _parsed(node.this.transform(_rewrite), node.args["format"])
    if isinstance(node, exp.RegexpFullMatch):
        pattern = node.expression
        if isinstance(pattern, exp.Literal) and pattern.is_string:
            # \z: the very end (Java's $ also matches before a final line break)
            pattern = exp.Literal.string(f"^(?:{pattern.this})\\z")
        else:
            pattern = exp.func("concat", exp.Literal.string("^(?:"), pattern,
                               exp.Literal.string(")\\z"))
        return exp.RegexpLike(this=node.this.transform(_rewrite), expression=pattern)
    if isinstance(node, exp.TimeToUnix):  # DuckDB epoch()
        return _seconds(node.this.transform(_rewrite))
    if isinstance(node, (exp.Quantile, exp.PercentileCont)):
        return _percentile(node.this, node.args.get("quantile") or node.expression)
    if isinstance(node, exp.TimeToStr):  # DuckDB strftime()
        fmt = node.args["format"]
        pattern = _java_pattern(_duck_format(fmt))
        return exp.Anonymous(this="date_format", expressions=[node.this.transform(_rewrite),
                                                               exp.Literal.string(pattern)])
    if isinstance(node, exp.Literal) and not node.is_string and "." in node.this \
            and not isinstance(node.parent, exp.Cast):
        return _double(node.this)
    if isinstance(node, exp.Window) and isinstance(node.this, exp.RowNumber) \
            and not node.args.get("order"):
        # files in path order first: Spark packs several files into tasks largest first, so
        # the id alone would not follow the listed (sorted) order DuckDB numbers them in
        order = exp.Order(expressions=[exp.Ordered(
            this=exp.Anonymous(this="input_file_name", expressions=[])), exp.Ordered(
            this=exp.Anonymous(this="monotonically_increasing_id", expressions=[]))])
        node.set("order", order)
        return node
    return node


def _duck_format(fmt: exp.Expression) -> str:
    """The DuckDB strftime text, whichever form SQLGlot normalised it to."""
    if isinstance(fmt, exp.Literal):
        # SQLGlot keeps the format in Python's strftime notation: DuckDB's tokens
        return str(fmt.this)
    raise UntranslatableSQL("strftime with a computed format")


def _percentile(value: exp.Expression, quantiles: exp.Expression) -> exp.Expression:
    value = value.transform(_rewrite)
    if isinstance(quantiles, exp.Array):
        q: exp.Expression = exp.Anonymous(this="array", expressions=[
            _double(p.this) if isinstance(p, exp.Literal) else p for p in quantiles.expressions])
    else:
        q = quantiles
    return exp.Anonymous(this="percentile", expressions=[value, q])


# percentile_approx's accuracy: the value returned for p has a rank within n / ACCURACY of
# p * n among the n values (Spark's documented relative error 1 / accuracy), and is one of
# the values, not interpolated between two
ACCURACY = 10000
RANK_ERROR = 1 / ACCURACY


def _approximate(node: exp.Expression) -> exp.Expression:
    """Spark's exact ``percentile`` (one task merges every distinct value) as
    ``percentile_approx`` (mergeable summaries of a fixed size)."""
    if isinstance(node, exp.Anonymous) and str(node.this).lower() == "percentile":
        return exp.Anonymous(this="percentile_approx", expressions=[
            *node.expressions, exp.Literal.number(ACCURACY)])
    return node


@functools.lru_cache(maxsize=512)
def to_spark(sql: str, approximate: bool = False) -> str:
    """The Spark SQL text of one DuckDB statement, with the same meaning (percentiles within
    ``RANK_ERROR`` with ``approximate``)."""
    return _spark_text(sqlglot.parse_one(sql, read="duckdb"), approximate)


def _spark_text(tree: exp.Expr, approximate: bool = False) -> str:
    """The Spark SQL of a parsed DuckDB statement (or of the SELECT inside a DESCRIBE)."""
    if _reads_files(tree):
        raise DuckDBReader()
    if isinstance(tree, exp.Create) and str(tree.args.get("kind", "")).upper() == "VIEW":
        tree.set("replace", True)
        props = tree.args.get("properties") or exp.Properties(expressions=[])
        props.append("expressions", exp.TemporaryProperty())
        tree.set("properties", props)
    tree = tree.transform(_rewrite)
    if approximate:
        tree = tree.transform(_approximate)
    return tree.sql(dialect="spark")


@dataclass(frozen=True)
class Statement:
    """One DuckDB statement as Spark runs it: ``spark`` is the Spark SQL of a ``query`` or a
    ``define`` (a view), or the SELECT whose columns a ``describe`` lists; a ``setting`` is
    DuckDB's (``name``, ``value``), run by nothing."""

    kind: Literal["query", "define", "describe", "setting"]
    spark: str = ""
    name: str = ""
    value: str = ""


def statement(sql: str, approximate: bool = False) -> Statement:
    """What the DuckDB statement ``sql`` is, from its parsed tree, and its Spark SQL
    (``approximate``: percentiles as ``percentile_approx``); a view's or table's ``name`` for
    a ``define``, so the run can drop what it made."""
    tree = sqlglot.parse_one(sql, read="duckdb")
    if isinstance(tree, exp.Set):
        item = tree.expressions[0].this if tree.expressions else None
        if isinstance(item, exp.EQ):
            return Statement("setting", name=item.this.name.lower(),
                             value=item.expression.sql(dialect="duckdb").lower())
        return Statement("setting")
    if isinstance(tree, exp.Describe):
        return Statement("describe", _spark_text(tree.this, approximate))
    if isinstance(tree, (exp.Create, exp.Drop)):
        made = tree.find(exp.Table) if isinstance(tree, exp.Create) else None
        return Statement("define", _spark_text(tree, approximate),
                         name=made.name if made is not None else "")
    return Statement("query", _spark_text(tree, approximate))
