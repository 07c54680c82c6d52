"""Parity: the Spark engine gives the DuckDB engine's figures (docs/spark.md).

One local Spark session (local[2], two shuffle partitions, no UI) serves every test here; the
CLI's ``--engine spark --spark-master local[2]`` reuses it. Counts must be equal; percentiles
are compared as reported (hours rounded to 3 decimals), which is the documented tolerance.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import pytest
from packs import MODERATION, moderation_rows, write_pack

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed "
                                                '(pip install -e ".[test,spark]")')

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
README_CHECKLISTS = ("iq.telegram-2023", "iq.law", "eu.gdpr")


@pytest.fixture(scope="session")
def spark() -> Any:
    from audit.engine.spark_session import start_session

    return start_session("local[2]", conf={"spark.sql.shuffle.partitions": "2"})


def _assess(run: Any, tmp_path: Path, pack: Path, checklists: tuple[str, ...], engine: str,
            as_of: str | None = None) -> dict[str, Any]:
    out = tmp_path / f"{engine}.json"
    args = ["assess", pack, *[a for c in checklists for a in ("-c", c)], "--format", "json",
            "-o", out, "-q", "--engine", engine]
    if engine == "spark":
        args += ["--spark-master", "local[2]"]
    if as_of:
        args += ["--as-of", as_of]
    code, _out, err = run(*args)
    assert code in (0, 1), err
    return json.loads(out.read_text("utf-8"))


def _figures(result: dict[str, Any]) -> dict[str, Any]:
    return {r["id"]: (r["status"], r["score"], r["summary"], r["figures"], r["parts"])
            for r in result["requirements"]}


def _same(run: Any, tmp_path: Path, pack: Path, checklists: tuple[str, ...],
          as_of: str | None = None) -> dict[str, Any]:
    duck = _assess(run, tmp_path, pack, checklists, "duckdb", as_of)
    spark = _assess(run, tmp_path, pack, checklists, "spark", as_of)
    assert _figures(spark) == _figures(duck)
    assert spark["counts"] == duck["counts"] and spark["verdict"] == duck["verdict"]
    assert spark["logs"] == duck["logs"] and spark["evidence"] == duck["evidence"]
    return duck


@pytest.mark.parametrize("pack", ["before-negotiation", "after-remediation"])
def test_example_packs_same_figures(spark: Any, run: Any, tmp_path: Path, pack: str) -> None:
    duck = _same(run, tmp_path, EXAMPLES / pack, README_CHECKLISTS)
    measured = [r for r in duck["requirements"] if (r.get("figures") or {}).get("events")]
    assert len(measured) >= 4  # deadline and share rules over three logs, not vacuous


def test_plugin_rule_same_figures(spark: Any, run: Any, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A third-party rule type (iq-leaks) querying the store runs on Spark unchanged."""
    pytest.importorskip("audit_iq_leaks", reason="pip install -e plugins/iq-leaks")
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "iq_leaks")
    duck = _same(run, tmp_path, ROOT / "plugins" / "iq-leaks" / "example-pack",
                 ("iq.leak-channels",))
    assert any((r.get("figures") or {}) for r in duck["requirements"])


def _breach_rows(n: int, seed: int) -> list[list[str]]:
    """Incidents around weekends and Brazilian holidays, naive local times (no offset)."""
    import datetime as dt

    rng = random.Random(seed)
    rows = []
    t0 = dt.datetime(2024, 4, 1, 8, 0)
    for i in range(n):
        detected = t0 + dt.timedelta(hours=rng.randrange(0, 24 * 200))
        occurred = detected - dt.timedelta(hours=rng.randrange(0, 48))
        late = detected + dt.timedelta(hours=rng.choice([5, 30, 70, 100, 200]))
        notified = "" if rng.random() < 0.1 else late.isoformat(sep=" ")
        rows.append([f"B{i:04d}", occurred.isoformat(sep=" "), detected.isoformat(sep=" "),
                     notified, notified, str(rng.randrange(1, 5000)), "contact", "BR",
                     "yes" if rng.random() < 0.5 else "no"])
    return rows


def test_rule_types_same_figures(spark: Any, run: Any, tmp_path: Path) -> None:
    """Business days (BR holidays), timestamps without offset read in the pack's zone, rule
    versions in force per event, calendar months, percentiles and share rules."""
    import datetime as dt

    rng = random.Random(15)
    delays = [rng.choice([None, 1, 5, 23, 25, 80, 24 * 40]) for _ in range(400)]
    moderation = moderation_rows(delays, start="2023-07-20T00:00:00+03:00", step_hours=7)
    for i, row in enumerate(moderation):  # a third written without an offset
        if i % 3 == 0:
            row[1] = row[1][:19]
            row[2] = row[2][:19]
    requests = []
    for i in range(300):
        received = dt.datetime(2023, 1, 31, 12) + dt.timedelta(hours=37 * i)
        done = received + dt.timedelta(days=rng.choice([10, 29, 30, 31, 45]))
        requests.append([f"D{i:04d}", received.isoformat(), done.isoformat(), "erasure",
                         "done", "DE", ""])
    pack = write_pack(tmp_path / "pack", platform={
        "name": "Parity Messenger", "timezone": "Asia/Baghdad", "users": {"IQ": 10, "BR": 10},
        "as_of": "2024-12-31"}, logs={
        "moderation": (MODERATION, moderation),
        "breaches": (["incident_id", "occurred_at", "detected_at", "authority_notified_at",
                      "users_notified_at", "records_affected", "data_categories", "countries",
                      "high_risk"], _breach_rows(300, 15)),
        "data_requests": (["request_id", "received_at", "completed_at", "kind", "outcome",
                           "country", "extended"], requests)})
    duck = _same(run, tmp_path, pack, ("iq.telegram-2023", "br.lgpd", "eu.gdpr"))
    business = [r for r in duck["requirements"]
                if "business" in str((r["figures"] or {}).get("calendar", ""))]
    assert business and any(r["figures"]["events"] for r in business)
    versioned = [r for r in duck["requirements"] if len((r["figures"] or {}).get("versions", []))]
    assert any(r["figures"]["outside_period"] for r in versioned)


def test_count_by_period_same(spark: Any, tmp_path: Path) -> None:
    """Count rules: rows per calendar period, days counted in the law's zone."""
    import datetime as dt

    from audit.engine import create_engine
    from audit.engine.spark import SparkEngine
    from audit.logs.metrics import count_by_period

    rows = moderation_rows([1.0] * 500, start="2024-01-30T20:30:00+00:00", step_hours=5)
    path = tmp_path / "moderation.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([MODERATION, *rows])
    bounds = [(dt.date(2024, 1, 31), dt.date(2024, 2, 29)), (dt.date(2024, 2, 29),
                                                              dt.date(2024, 3, 31))]
    figures = []
    for engine in (create_engine("duckdb"), SparkEngine(session=spark)):
        engine.load("moderation", path, "moderation.csv", None)
        figures.append([count_by_period(engine, "moderation", "received_at",
                                        {"country": "IQ"}, bounds, tz) for tz in
                        ("UTC", "Asia/Baghdad", "America/Sao_Paulo")])
    assert figures[0] == figures[1]
    assert figures[0][0] != figures[0][1]  # the zone moves events across month ends


def test_seeded_log_same_figures(spark: Any, tmp_path: Path) -> None:
    """A seeded 100k-row log (docs/spark.md: why not 1M in the suite)."""
    import datetime as dt

    from audit.durations import parse_duration
    from audit.engine import create_engine
    from audit.engine.spark import SparkEngine
    from audit.logs.metrics import DeadlineSpec, measure_deadline

    rng = random.Random(2026)
    path = tmp_path / "moderation.csv"
    t0 = dt.datetime(2023, 6, 1, tzinfo=dt.timezone.utc)
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(MODERATION)
        for i in range(100_000):
            start = t0 + dt.timedelta(seconds=rng.randrange(0, 200 * 86400))
            end = "" if rng.random() < 0.03 else (
                start + dt.timedelta(seconds=rng.randrange(0, 72 * 3600))).isoformat()
            out.writerow([f"R{i:07d}", start.isoformat(), end, rng.choice(["spam", "csam",
                          "personal_data_leak"]), rng.choice(["authority", "user"]), "removed",
                          rng.choice(["IQ", "DE"])])
    spec = DeadlineSpec("moderation", {"country": "IQ", "category": "personal_data_leak"},
                        "received_at", "actioned_at",
                        [(None, dt.date(2023, 8, 13), parse_duration("48 hours"), 0.9),
                         (dt.date(2023, 8, 13), None, parse_duration("24 hours"), 0.95)],
                        "IQ", None, dt.date(2023, 11, 30), "r", "Asia/Baghdad")
    results, offending = [], []
    for engine in (create_engine("duckdb"), SparkEngine(session=spark)):
        engine.load("moderation", path, "moderation.csv", {"country", "category"})
        result = measure_deadline(engine, spec)
        results.append(result.figures())
        # the offending rows, streamed as the gap workbook's detail sheet reads them
        offending.append(list(engine.stream(result.detail_sql, batch=500)))
    assert results[0] == results[1]
    assert results[0]["events"] > 5000 and results[0]["late"] > 0
    assert len(offending[0]) == results[0]["late"] + results[0]["missing"]
    # Same events, same order, same timestamps; hours_taken (display only, 2 decimals) may
    # differ by 0.01 on an exact decimal tie such as 71.975 h (docs/spark.md).
    assert [r[:4] + r[5:] for r in offending[0]] == [r[:4] + r[5:] for r in offending[1]]
    hours = [(a[4], b[4]) for a, b in zip(*offending, strict=True)]
    assert all((a is None) == (b is None) for a, b in hours)
    assert all(abs(a - b) <= 0.0100001 for a, b in hours if a is not None)


# -- bad input: one line, exit 2, no JVM trace ------------------------------------------------

EXAMPLE = EXAMPLES / "before-negotiation"


def _one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err and "\tat " not in err and "SparkException" not in err
    return lines[0]


def test_no_pyspark_says_how_to_install(run: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pyspark", None)
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    code, _out, err = run("assess", EXAMPLE, "-c", "iq.law", "--engine", "spark")
    assert code == 2
    assert 'pip install "platform-audit[spark]"' in _one_line(err)


def test_no_java_says_which_package(spark: Any, run: Any, monkeypatch: pytest.MonkeyPatch,
                                    tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    code, _out, err = run("assess", EXAMPLE, "-c", "iq.law", "--engine", "spark")
    assert code == 2
    assert "openjdk-17-jre-headless" in _one_line(err)


def test_unreachable_spark_connect(run: Any) -> None:
    code, _out, err = run("assess", EXAMPLE, "-c", "iq.law", "--engine", "spark",
                          "--spark-remote", "sc://127.0.0.1:9")
    assert code == 2
    line = _one_line(err)
    # without the Connect client the line says how to install it; with it, that the server
    # at the URL does not answer
    assert "platform-audit[spark-connect]" in line or "cannot reach Spark Connect at" in line


def test_spark_options_need_the_spark_engine(run: Any) -> None:
    code, _out, err = run("assess", EXAMPLE, "-c", "iq.law", "--spark-master", "local[2]")
    assert code == 2 and "--engine spark" in err


def test_unreadable_log_is_one_line(spark: Any, run: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "pack", logs={"moderation": (MODERATION, [
        ["R1", "2024-01-01T00:00:00+03:00", "2024-01-01T01:00:00+03:00", "personal_data_leak",
         "authority", "removed", "IQ"]])})
    with (pack / "logs" / "moderation.csv").open("a", encoding="utf-8") as fh:
        fh.write('R2,"2024-01-01T00:00:00+03:00,unterminated\n')
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--engine", "spark",
                          "--spark-master", "local[2]")
    assert code == 2
    assert "logs/moderation.csv" in _one_line(err)


def test_schema_mismatch_names_the_column(spark: Any, run: Any, tmp_path: Path) -> None:
    header = [c if c != "actioned_at" else "actioned" for c in MODERATION]
    pack = write_pack(tmp_path / "pack", logs={"moderation": (header, [
        ["R1", "2024-01-01T00:00:00+03:00", "", "spam", "user", "removed", "IQ"]])})
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--engine", "spark",
                          "--spark-master", "local[2]")
    assert code == 2
    line = _one_line(err)
    assert "column actioned_at" in line and "missing" in line


def test_corrupt_parquet_names_the_reason(spark: Any, run: Any, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "pack")
    (pack / "logs").mkdir()
    (pack / "logs" / "moderation.parquet").write_text("not parquet at all\n", "utf-8")
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--engine", "spark",
                          "--spark-master", "local[2]")
    assert code == 2
    line = _one_line(err)
    assert "logs/moderation.parquet" in line and "not a Parquet file" in line
