"""Property tests of the new mapping parsers: numbers read with a mapping's ``thousands`` and
``decimal`` (in mapped columns and in ``where``), dotted paths into nested JSON records, and
the struct keys named in a missing-key message. Each is compared with its plain-Python
meaning."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import duckdb
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.logs.mapping_paths import split_path, struct_keys
from audit.logs.numbers import mapped_number_sql
from audit.logs.sql import literal, quote

FAST = settings(max_examples=15, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
STYLES = [(",", "."), (".", ","), (" ", ","), ("'", "."), (None, "."), (None, ",")]


def _written(number: int, cents: int, thousands: str | None, decimal: str) -> str:
    whole = f"{number:,}".replace(",", thousands or "")
    return f"{whole}{decimal}{cents:02d}"


@given(st.integers(0, 10**12), st.integers(0, 99), st.sampled_from(STYLES))
def test_a_number_written_with_the_declared_separators_reads_as_its_value(
        number: int, cents: int, style: tuple[str | None, str]) -> None:
    thousands, decimal = style
    text = _written(number, cents, thousands, decimal)
    sql = mapped_number_sql(literal(text), thousands, decimal)
    (value,), = duckdb.connect().execute(f"SELECT {sql}").fetchall()
    assert value == float(f"{number}.{cents:02d}")


@given(st.text(max_size=8))
def test_text_that_is_no_number_reads_as_null_never_as_a_guess(text: str) -> None:
    sql = mapped_number_sql(literal(text), ",", ".")
    (value,), = duckdb.connect().execute(f"SELECT {sql}").fetchall()
    plain = text.replace(",", "")
    try:
        expected: float | None = float(plain) if plain.strip() == plain and plain not in (
            "", "+", "-") and all(c in "0123456789+-.eE" for c in plain) else None
    except ValueError:
        expected = None
    assert value == expected or (value is None and expected is None)


@FAST
@given(st.lists(st.one_of(st.integers(0, 10**7), st.just(None), st.just("n/a")), min_size=1,
                max_size=6), st.integers(-1, 5000))
def test_a_where_keeps_exactly_the_rows_over_the_limit_and_counts_the_rest(
        cells: list[Any], limit: int) -> None:
    from audit.evidence.loaders import load_evidence
    from audit.plugins import get_registry

    lines = ["id,orders"] + [f'r{i},"{c:,}"' if isinstance(c, int) else f"r{i},{c or ''}"
                             for i, c in enumerate(cells)]
    mapping = {"table": "t", "files": "t.csv", "thousands": ",",
               "where": {"orders": {"gt": limit}}, "columns": {"id": "id"}}
    with tempfile.TemporaryDirectory() as tmp:
        logs = Path(tmp) / "pack" / "logs"
        logs.mkdir(parents=True)
        (logs.parent / "platform.yaml").write_text("name: P\n", "utf-8")
        (logs / "t.mapping.yaml").write_text(yaml.safe_dump(mapping), "utf-8")
        (logs / "t.csv").write_text("\n".join(lines) + "\n", "utf-8")
        store = load_evidence([logs.parent], get_registry()).logs
        kept = {r[0] for r in store.query(f"SELECT id FROM {store.table('t')}")}
        set_aside = store.logs["t"].extra["set_aside"]
    assert kept == {f"r{i}" for i, c in enumerate(cells) if isinstance(c, int) and c > limit}
    unreadable = sum(e["rows"] for e in set_aside if e["stage"] == "unreadable")
    assert unreadable == cells.count("n/a")
    assert len(kept) + sum(e["rows"] for e in set_aside) == len(cells)


keys = st.text(st.characters(whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="_ "),
               min_size=1, max_size=6).filter(lambda k: not k[0].isdigit() and k.strip() == k)


@given(st.lists(keys, min_size=1, max_size=5, unique_by=str.lower))
def test_struct_keys_as_duckdb_describes_them(names: list[str]) -> None:
    fields = ", ".join(f"{literal(n)}: {i}" for i, n in enumerate(names))
    nested = f"{{'inner': [{{{fields}}}]}}"
    con = duckdb.connect()
    (row,) = con.execute(f"DESCRIBE SELECT {{{fields}}} AS s, {nested} AS t").fetchall()[:1]
    assert struct_keys(row[1]) == names


scalars = st.one_of(st.text(st.characters(whitelist_categories=("Ll", "Nd")), min_size=1,
                            max_size=5), st.integers(0, 99))


@st.composite
def _record_and_path(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    """A record with one nested path (objects and lists) and that path."""
    depth = draw(st.integers(1, 3))
    steps: list[str] = []
    for _ in range(depth):
        if draw(st.booleans()):
            steps.append(str(draw(st.integers(0, 2))))
        else:
            steps.append(draw(st.sampled_from(["a", "b", "req", "received"])))
    leaf = draw(scalars)
    value: Any = leaf
    for step in reversed(steps):
        if step.isdigit():
            value = [value] * (int(step) + 1)
        else:
            value = {step: value, "other": 1}
    return {"id": "r1", "top": value}, ["top", *steps]


@FAST
@given(_record_and_path())
def test_a_dotted_path_reads_what_python_reads(case: tuple[dict[str, Any], list[str]]) -> None:
    from audit.evidence.loaders import load_evidence
    from audit.plugins import get_registry

    record, path = case
    expected: Any = record
    for step in path:
        expected = expected[int(step)] if step.isdigit() else expected[step]
    dotted = ".".join(path)
    assert split_path(dotted, ["id", "top"]) == ("top", path[1:])
    mapping = {"table": "t", "files": "r.json", "records": "data",
               "columns": {"id": "id", "v": dotted}}
    with tempfile.TemporaryDirectory() as tmp:
        logs = Path(tmp) / "pack" / "logs"
        logs.mkdir(parents=True)
        (logs.parent / "platform.yaml").write_text("name: P\n", "utf-8")
        (logs / "t.mapping.yaml").write_text(yaml.safe_dump(mapping), "utf-8")
        (logs / "r.json").write_text(json.dumps({"data": [record]}), "utf-8")
        store = load_evidence([logs.parent], get_registry()).logs
        (value,), = store.query(f"SELECT CAST({quote('v')} AS VARCHAR) FROM "
                                f"{store.table('t')}")
    assert value == str(expected)
