"""One pass per log: every rule of every module reading a log is measured by one scan of it."""

from __future__ import annotations

import collections
import datetime as dt
import io
import json
import re
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from audit import api
from audit.checklists import load_library
from audit.engine.duckdb_engine import DuckDBEngine
from audit.logs import plan
from audit.durations import parse_duration
from audit.errors import EvidenceError
from audit.logs.metrics import DeadlineSpec, deadline_measurement, measure_deadline
from audit.pipeline import measure as measure_stage
from audit.plugins import get_registry
from audit.reports import html_view, xlsx
from audit.reports.base import writer_for

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "before-negotiation"
COUNTRIES = ["IQ", "DE", "IN", "TR", "BR", "PK", "KZ", "VN", "NG", "JP", "ID", "AU", "FR", "GB",
             "EG", "SA", "US", "RU", "KE", "MY"]


def every_module() -> list[str]:
    return load_library(get_registry()).ids()


def multi_jurisdiction_pack(root: Path, rows: int = 3000) -> Path:
    """A clean moderation log (every value valid) of a platform active in every bundled
    jurisdiction, as the benchmark builds one: requests from 20 countries, every requester,
    category and urgency the bundled rules select on."""
    import duckdb

    (root / "logs").mkdir(parents=True)
    users = ", ".join(f"{c}: 9000000" for c in COUNTRIES + ["AE", "BD", "CN", "ET", "JO", "KR",
                                                          "NP", "SG", "UZ", "ZA"])
    (root / "platform.yaml").write_text(
        f"name: Many Lands\nusers: {{{users}}}\nservices: [messaging, groups, public_channels]\n"
        "features: {public_channels: true, groups: true}\nas_of: 2025-06-30\n",
        encoding="utf-8")
    span = 500 * 24 * 3600
    listed = "[" + ", ".join(f"'{c}'" for c in COUNTRIES) + "]"
    duckdb.connect().execute(f"""
        COPY (SELECT 'R' || lpad(CAST(i AS VARCHAR), 8, '0') AS request_id,
          strftime(ts, '%Y-%m-%dT%H:%M:%S') || '+03:00' AS received_at,
          CASE WHEN h % 100 < 3 THEN NULL ELSE strftime(ts + to_seconds(
            CAST((h // 100) % 172800 AS BIGINT)), '%Y-%m-%dT%H:%M:%S') || '+03:00' END
            AS actioned_at,
          ['personal_data_leak', 'illegal_content', 'spam', 'terrorist_content', 'csam', 'ncii',
           'cyber_abuse', 'hate_speech'][1 + CAST(h % 8 AS BIGINT)] AS category,
          ['authority', 'user', 'trusted_flagger', 'court'][1 + CAST((h // 7) % 4 AS BIGINT)]
            AS requester,
          'channel_closed' AS action,
          {listed}[1 + CAST((h // 11) % {len(COUNTRIES)} AS BIGINT)] AS country,
          ['normal', 'emergency'][1 + CAST((h // 13) % 2 AS BIGINT)] AS urgency
        FROM (SELECT i, hash(i) AS h, TIMESTAMP '2023-08-20 00:00:00'
              + to_seconds(CAST(i * {span} / {rows} AS BIGINT)) AS ts FROM range({rows}) t(i))
        ORDER BY i) TO '{root / "logs" / "moderation.csv"}' (HEADER, DELIMITER ',')""")
    return root


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> collections.Counter[str]:
    """Every query that reads a log's file (its view or its raw reader), by log: run whole
    (``query``) or streamed (``stream``, as the reports' detail rows once were)."""
    reads: collections.Counter[str] = collections.Counter()

    def counting(real: Any) -> Any:
        def run(self: DuckDBEngine, sql: str, *args: Any) -> Any:
            for name, info in self.logs.items():
                if f'"log_{name}"' in sql or info.reader in sql:
                    reads[name] += 1
            return real(self, sql, *args)
        return run

    monkeypatch.setattr(DuckDBEngine, "query", counting(DuckDBEngine.query))
    monkeypatch.setattr(DuckDBEngine, "stream", counting(DuckDBEngine.stream))
    return reads


def test_every_bundled_module_reads_the_log_once(tmp_path: Path,
                                                 counted: collections.Counter[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    pack = multi_jurisdiction_pack(tmp_path / "pack")
    result = api.assess(pack, every_module())
    engine = result.evidence.started_engine
    assert engine is not None
    measured = [r for r in result.results if (r.finding.figures or {}).get("events")]
    assert len(measured) >= 15  # rules of many jurisdictions judged events of this log
    assert plan.planned(engine, "moderation") >= len(measured)
    assert engine.logs["moderation"].reads == 1
    assert counted == {"moderation": 1}  # figures, checks and ledger: one scan
    # the offending rows of every rule: listed by that scan, read back by the reports
    assert result.details and all(q.listed is not None for q in result.details.values())
    monkeypatch.setattr(xlsx, "DETAIL_CAP", 5)  # capped sheets: full lists beside them
    # the HTML report's monthly charts count every judged event by month: a query of their
    # own per deadline rule (docs/performance.md), not offending rows; left out here
    monkeypatch.setattr(html_view, "_monthly", lambda *args: None)
    api.write(result, tmp_path / "gaps.xlsx")
    api.write(result, tmp_path / "report.html")
    beside = [render for name in ("xlsx", "html") for _path, render in
              writer_for(get_registry(), name, None).siblings(result, tmp_path / f"r.{name}")]
    for render in beside:
        render(io.StringIO())
    assert len(beside) >= 2 * len([q for q in result.details.values() if q.count > 5])
    assert sum(result.detail_count(rule) for rule in result.details) > 100
    assert counted == {"moderation": 1} and engine.logs["moderation"].reads == 1


def test_example_pack_every_log_read_by_one_rule_scan(tmp_path: Path,
                                                      counted: collections.Counter[str]
                                                      ) -> None:
    """Four logs, every module: each log's rules share one scan; a further query reads a log
    only to name rows a note points at (rows without a usable start, breaches here)."""
    result = api.assess(EXAMPLE, every_module())
    engine = result.evidence.started_engine
    assert engine is not None
    assert {name: info.reads for name, info in engine.logs.items()} == {
        "authority_requests": 1, "breaches": 1, "data_requests": 1, "moderation": 1}
    assert {name: n for name, n in counted.items() if name != "breaches"} == {
        "authority_requests": 1, "data_requests": 1, "moderation": 1}
    assert any(r.first_without_start for r in result.ledger.rules if r.log == "breaches")


def _figures(result: Any) -> str:
    data = json.loads(api.render(result, "json"))
    return json.dumps([(r["id"], r.get("status"), r.get("summary"), r.get("figures"))
                       for r in data["requirements"]], sort_keys=True)


def test_planned_figures_equal_each_rule_scanning_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same findings, figures and ledger with the pass as with one scan per rule."""
    modules = every_module()
    together = api.assess(EXAMPLE, modules)
    monkeypatch.setattr(measure_stage, "plan", lambda *args: None)
    alone = api.assess(EXAMPLE, modules)
    assert _figures(together) == _figures(alone)
    assert together.ledger == alone.ledger
    assert alone.evidence.started_engine is not None
    assert alone.evidence.started_engine.logs["moderation"].reads > 1


def test_a_measurement_not_declared_scans_on_its_own() -> None:
    """What a plugin's rule (or the notices planner) measures without declaring it: one scan
    of its own, after the pass, with the same figures as when declared."""
    store = DuckDBEngine()
    store.load("moderation", EXAMPLE / "logs" / "moderation.csv", "moderation.csv")
    spec = DeadlineSpec(log="moderation", where={"country": "IQ"}, start="received_at",
                        end="actioned_at", versions=[(None, None, parse_duration("24h"), 1.0)],
                        calendar="IQ", lookback=None, as_of=dt.date(2023, 8, 31), key="t",
                        timezone="Asia/Baghdad")
    other = DeadlineSpec(**{**spec.__dict__, "where": {"country": "DE"}})
    with plan.planning(store):
        plan.declare(store, lambda: plan.column_max("moderation", "received_at"))
        plan.declare(store, lambda: deadline_measurement(store, spec))
    first = measure_deadline(store, spec)
    assert store.logs["moderation"].reads == 1 and store.logs["moderation"].validated
    measure_deadline(store, other)  # not declared: its own scan
    assert store.logs["moderation"].reads == 2
    again = measure_deadline(store, spec)  # declared: from the pass, no scan
    assert store.logs["moderation"].reads == 2
    assert again.figures() == first.figures()
    fresh = DuckDBEngine()
    fresh.load("moderation", EXAMPLE / "logs" / "moderation.csv", "moderation.csv")
    assert measure_deadline(fresh, spec).figures() == first.figures()


DOC = ROOT / "docs" / "plugins" / "hooks.md"
PLUGIN_CHECKLIST = """\
schema_version: 1
id: xx.unanswered
jurisdiction: XX
title: Test module
version: 1
status: draft
sources:
  - {id: law, title: Test law, url: "https://example.org/law"}
requirements:
  - id: r1
    area: governance
    title: Answer every request
    citation: {source: law, article: "Art. 1"}
    severity: high
    rule: {type: unanswered, log: moderation}
    remediation: Answer them.
"""


def _plan_example() -> str:
    section = DOC.read_text(encoding="utf-8").split("### One scan of a log", 1)[1]
    (code,) = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], flags=re.S)
    return code


def test_a_plugin_rule_from_the_docs_shares_the_pass(tmp_path: Path, run: Any,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     counted: collections.Counter[str]
                                                     ) -> None:
    name = "docs_unanswered_plugin"
    (tmp_path / f"{name}.py").write_text(_plan_example() + textwrap.dedent(f"""
        from pathlib import Path
        from audit import hookimpl

        @hookimpl
        def audit_register_evaluators(registry):
            registry.add_evaluator(UnansweredEvaluator())

        @hookimpl
        def audit_register_checklists(registry):
            registry.add_checklists(Path(__file__).parent / "{name}_checklists")
        """), encoding="utf-8")
    (tmp_path / f"{name}_checklists").mkdir()
    (tmp_path / f"{name}_checklists" / "xx.unanswered.yaml").write_text(PLUGIN_CHECKLIST,
                                                                        encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", name)
    try:
        code, out, err = run("assess", EXAMPLE, "-c", "xx.unanswered", "-c", "iq.telegram-2023",
                             "--format", "json")
    finally:
        sys.modules.pop(name, None)
    assert code in (0, 1), err
    found = {r["requirement"]: r for r in json.loads(out)["requirements"]}
    assert found["r1"]["figures"]["open"] > 0
    assert found["leak-takedown"]["figures"]["events"] > 0
    assert counted["moderation"] == 1  # the plugin's rule and the module's in one scan


def _two_countries(tmp_path: Path, ids: list[tuple[str, str]]) -> tuple[DuckDBEngine, Any, Any]:
    """A store over a small log of (id, country) rows and two deadline rules declared for
    its pass, one per country."""
    rows = "".join(f"{i},2023-08-20T10:00:00+03:00,2023-08-20T12:00:00+03:00,spam,user,"
                   f"no_action,{c},normal\n" for i, c in ids)
    log = tmp_path / "moderation.csv"
    log.write_text("request_id,received_at,actioned_at,category,requester,action,country,"
                   "urgency\n" + rows, encoding="utf-8")
    store = DuckDBEngine()
    store.load("moderation", log, "moderation.csv")
    iq = DeadlineSpec(log="moderation", where={"country": "IQ"}, start="received_at",
                      end="actioned_at", versions=[(None, None, parse_duration("24h"), 1.0)],
                      calendar="IQ", lookback=None, as_of=dt.date(2023, 8, 31), key="t",
                      timezone="Asia/Baghdad")
    de = DeadlineSpec(**{**iq.__dict__, "where": {"country": "DE"}})
    with plan.planning(store):
        plan.declare(store, lambda: deadline_measurement(store, iq))
        plan.declare(store, lambda: deadline_measurement(store, de))
    return store, iq, de


def test_an_id_judged_by_two_rules_is_no_duplicate_of_either(tmp_path: Path) -> None:
    """Duplicate ids are counted once over every rule's judged rows; when some repeat there,
    each rule's own are counted (an id judged once by each of two rules is no duplicate)."""
    store, iq, de = _two_countries(tmp_path, [("R1", "IQ"), ("R1", "DE"), ("R2", "DE")])
    assert measure_deadline(store, iq).figures()["events"] == 1
    assert measure_deadline(store, de).figures()["events"] == 2


def test_duplicates_among_one_rules_events_are_its_own(tmp_path: Path) -> None:
    store, iq, de = _two_countries(tmp_path, [("R1", "IQ"), ("R1", "IQ"), ("R2", "DE")])
    assert measure_deadline(store, de).figures()["events"] == 1
    with pytest.raises(EvidenceError, match=r"1 duplicate id\(s\), e.g. R1 \(2 times\)"):
        measure_deadline(store, iq)
    assert store.logs["moderation"].reads == 1  # the pass; the per-rule count: an error path


def test_on_spark_every_module_is_one_file_scan_with_duckdbs_figures(
        tmp_path: Path, spark: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Spark reads a WITH table once per reference, so the pass is one aggregate there
    (``LogEngine.shares_common_tables``): the executed plan of every query that reads the log
    holds one file scan, and the figures and the offending rows are DuckDB's."""
    from audit.engine.spark import SparkEngine
    from audit.engine.spark_connection import translated

    pack = multi_jurisdiction_pack(tmp_path / "pack", rows=2000)
    scans: list[int] = []

    def counting(real: Any) -> Any:
        def run(self: SparkEngine, sql: str, *args: Any) -> Any:
            if '"_audit_' in sql and "_log_moderation" in sql:
                frame = self.session.sql(translated(sql).spark)
                plan_text = frame._jdf.queryExecution().executedPlan().toString()
                scans.append(len(re.findall(r"FileScan|Scan csv", plan_text)))
            return real(self, sql, *args)
        return run

    monkeypatch.setattr(SparkEngine, "query", counting(SparkEngine.query))
    monkeypatch.setattr(SparkEngine, "stream", counting(SparkEngine.stream))
    on_spark = api.assess(pack, every_module(), engine="spark", spark=spark)
    duck = api.assess(pack, every_module())
    assert _figures(on_spark) == _figures(duck)
    assert scans and all(n == 1 for n in scans), scans
    assert on_spark.evidence.started_engine.logs["moderation"].reads == 1
    assert set(on_spark.details) == set(duck.details)
    for rule in duck.details:
        assert on_spark.details[rule].listed is not None
        assert list(on_spark.detail_rows(rule)) == list(duck.detail_rows(rule)), rule
        assert on_spark.detail_count(rule) == duck.detail_count(rule)
    assert sum(duck.detail_count(rule) for rule in duck.details) > 100
    api.close(on_spark)
