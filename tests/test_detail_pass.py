"""Offending rows listed by the log's one pass (audit/logs/details.py): the same rows, in the
same order, as each rule's own query over the log, read back without reading the log again."""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

import duckdb
import pytest

from audit import api, checklists, plugins
from audit.checklists import load_library
from audit.engine.duckdb_engine import DuckDBEngine
from audit.errors import EvidenceError
from audit.logs import details
from audit.plugins import get_registry

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "before-negotiation"


def every_module() -> list[str]:
    return load_library(get_registry()).ids()


@pytest.fixture(scope="module")
def listed() -> Any:
    # a module's fixture runs before the per-test plugin reset (tests/conftest.py): the
    # registry a test before it left is set aside here, so both runs see the same modules
    plugins.reset()
    checklists._LIBRARY.clear()
    return api.assess(EXAMPLE, every_module())


def test_listed_rows_are_each_rules_own_query(listed: Any) -> None:
    """Every deadline rule of every module: the rows the pass listed equal its detail
    query's, worst first, capped or whole, and their count is the rule's late + missing."""
    engine = listed.evidence.logs
    assert len(listed.details) > 20
    seen = 0
    for rule, query in listed.details.items():
        assert query.listed is not None, rule
        want = list(engine.stream(query.sql))
        assert list(listed.detail_rows(rule)) == want, rule
        assert list(listed.detail_rows(rule, limit=3)) == want[:3], rule
        assert listed.detail_count(rule) == query.count == len(want), rule
        seen += len(want)
    assert seen > 1000


def test_a_run_that_lists_nothing_reads_the_same_rows_by_query(listed: Any) -> None:
    """``listing(False)`` (a JSON run): no rule lists in the pass; the reports' rows then come
    from each rule's query, the same rows."""
    with details.listing(False):
        plain = api.assess(EXAMPLE, every_module())
    assert plain.details.keys() == listed.details.keys()
    for rule, query in plain.details.items():
        assert query.listed is None
        assert list(plain.detail_rows(rule)) == list(listed.detail_rows(rule)), rule
        assert plain.detail_count(rule) == listed.detail_count(rule)


def test_rows_counted_twice_come_twice_worst_first() -> None:
    """A group of identical rows (``_rows`` copies) is read back as that many rows; the order
    is NULL worst first, then the largest, ties by the second key; the limit counts copies."""
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES (2, 2, 5, 'b'), (2, 1, NULL, 'a'), "
                "(2, 1, 9, 'c'), (3, 1, 99, 'z')) v(_part, _rows, _d0, _d1)")

    def read(sql: str) -> Any:
        return iter(con.execute(sql).fetchall())

    rows = details.Listed("log", "t", 2, 4, ("worst", "id"), ("id", "worst * 10"), read)
    assert list(rows.rows()) == [("a", None), ("c", 90), ("b", 50), ("b", 50)]
    assert list(rows.rows(limit=3)) == [("a", None), ("c", 90), ("b", 50)]


def test_a_cli_run_lists_rows_only_for_a_report_that_shows_them(
        run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: collections.Counter[str] = collections.Counter()
    real = details.spill

    def spill(*args: Any) -> Any:
        calls["spill"] += 1
        return real(*args)

    monkeypatch.setattr(details, "spill", spill)
    code, _out, err = run("assess", EXAMPLE, "-c", "iq.telegram-2023", "--format", "json")
    assert code in (0, 1), err
    assert calls["spill"] == 0
    code, _out, err = run("assess", EXAMPLE, "-c", "iq.telegram-2023", "-o",
                          tmp_path / "gaps.xlsx", "--quiet")
    assert code in (0, 1), err
    assert calls["spill"] == 1  # one pass for the moderation log, its rows listed


def test_rows_gone_from_the_temporary_space_name_the_log(tmp_path: Path) -> None:
    result = api.assess(EXAMPLE, ["iq.telegram-2023"])
    rule, query = next((r, q) for r, q in result.details.items() if q.count)
    assert query.listed is not None
    engine = result.evidence.logs
    assert isinstance(engine, DuckDBEngine)
    engine.con.execute(f"DROP TABLE {query.listed.relation}")
    with pytest.raises(EvidenceError, match=r"moderation\.csv.*cannot read log: .*temporary"):
        list(result.detail_rows(rule))
