"""The cluster's settings stand (docs/spark.md, "Settings"): no override of a session's or
spark-defaults.conf's settings, ``--spark-conf``/``spark_conf=`` over them, the figures'
own settings held per query on a notebook's session, which is given back as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from packs import MODERATION, moderation_rows, write_pack
from parity import EXAMPLES, README_CHECKLISTS, figures

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed "
                                                '(pip install -e ".[test,spark,spark-connect]")')

PACK = EXAMPLES / "before-negotiation"


def _job_ids(session: Any) -> set[int]:
    return set(session.sparkContext.statusTracker().getJobIdsForGroup(None))


def _stage_tasks(session: Any, jobs: set[int]) -> set[int]:
    """The task counts of the stages of ``jobs`` (a shuffle's reduce side has as many tasks
    as the session's shuffle partitions, with adaptive execution off)."""
    tracker = session.sparkContext.statusTracker()
    counts = set()
    for job in jobs:
        info = tracker.getJobInfo(job)
        for stage in (info.stageIds if info is not None else []):
            found = tracker.getStageInfo(stage)
            if found is not None:
                counts.add(found.numTasks)
    return counts


def test_a_notebook_session_keeps_its_settings_and_is_given_back(spark: Any,
                                                                 tmp_path: Path) -> None:
    """A session with 3 shuffle partitions and ANSI on: the same figures as DuckDB, its
    aggregates shuffled into 3 tasks, ANSI on again between the run's queries, and after
    ``audit.close`` none of the run's views left."""
    import audit

    notebook = spark.newSession()  # its own SQL settings and views, the same context
    notebook.conf.set("spark.sql.shuffle.partitions", "3")
    notebook.conf.set("spark.sql.ansi.enabled", "true")
    notebook.conf.set("spark.sql.adaptive.enabled", "false")  # no coalescing of the 3
    before = _job_ids(notebook)
    duck = audit.assess(PACK, list(README_CHECKLISTS))
    result = audit.assess(PACK, list(README_CHECKLISTS), engine="spark", spark=notebook)
    on_spark = json.loads(audit.render(result, "json"))
    assert figures(on_spark) == figures(json.loads(audit.render(duck, "json")))
    assert 3 in _stage_tasks(notebook, _job_ids(notebook) - before)
    engine = on_spark["provenance"]["engine"]
    assert engine["shuffle_partitions"] == "3" and engine["percentiles"] == "exact"
    # between the run's queries the session is the notebook's again
    assert notebook.conf.get("spark.sql.ansi.enabled") == "true"
    assert notebook.conf.get("spark.sql.session.timeZone", None) is None
    made = [t.name for t in notebook.catalog.listTables() if t.name.startswith("_audit_")]
    assert made  # the workbook's offending rows are read from them
    audit.write(result, tmp_path / "gaps.xlsx")  # detail rows streamed under the run's settings
    assert notebook.conf.get("spark.sql.ansi.enabled") == "true"
    audit.close(result)
    assert [t.name for t in notebook.catalog.listTables() if t.name.startswith("_audit_")] == []
    assert notebook.conf.get("spark.sql.shuffle.partitions") == "3"
    assert notebook.conf.get("spark.sql.ansi.enabled") == "true"
    with pytest.raises(audit.AuditError, match="closed"):
        audit.write(result, tmp_path / "again.xlsx")


def test_spark_conf_on_a_lent_session_is_put_back(spark: Any) -> None:
    """``spark_conf=`` on a notebook's session holds while the run's queries run only; a
    setting a running session cannot change is refused in one line."""
    import audit

    notebook = spark.newSession()
    before = notebook.conf.get("spark.sql.shuffle.partitions", None)
    result = audit.assess(PACK, ["iq.law"], engine="spark", spark=notebook,
                          spark_conf={"spark.sql.shuffle.partitions": 4})
    assert json.loads(audit.render(result, "json"))["provenance"]["engine"][
        "shuffle_partitions"] == "4"
    assert notebook.conf.get("spark.sql.shuffle.partitions", None) == before != "4"
    audit.close(result)
    with pytest.raises(audit.AuditError, match="spark.executor.memory"):
        audit.assess(PACK, ["iq.law"], engine="spark", spark=notebook,
                     spark_conf={"spark.executor.memory": "2g"})


@pytest.mark.parametrize("given, says", [
    ("shuffle=4", "expected a Spark setting's name"),
    ("spark.sql.shuffle.partitions", "expected KEY=VALUE"),
    ("spark.sql.ansi.enabled=true", "the run sets it to false"),
])
def test_bad_spark_conf_is_one_line(run: Any, given: str, says: str) -> None:
    code, _out, err = run("assess", PACK, "-c", "iq.law", "--engine", "spark",
                          "--spark-conf", given)
    assert code == 2
    assert err.count("\n") == 1 and "--spark-conf" in err and says in err


def test_spark_options_need_spark(run: Any) -> None:
    code, _out, err = run("assess", PACK, "-c", "iq.law", "--spark-percentiles",
                          "approximate")
    assert code == 2 and "--spark-percentiles needs --engine spark" in err


def test_spark_conf_on_the_command_line(spark: Any, run: Any, tmp_path: Path) -> None:
    """``--spark-conf`` reaches the session (here the process's, reused) and is recorded."""
    out = tmp_path / "r.json"
    try:
        code, _o, err = run("assess", PACK, "-c", "iq.law", "--engine", "spark",
                            "--spark-master", "local[2]", "--spark-conf",
                            "spark.sql.shuffle.partitions=5", "-q", "-o", out)
        assert code in (0, 1), err
    finally:
        spark.conf.set("spark.sql.shuffle.partitions", "2")  # the other tests' setting
    assert json.loads(out.read_text())["provenance"]["engine"]["shuffle_partitions"] == "5"


def test_spark_defaults_conf_stands(tmp_path: Path) -> None:
    """A fresh process with the default master: spark-defaults.conf's shuffle partitions
    are used, not the tool's own small default (which applies only where nothing set it)."""
    conf = tmp_path / "conf"
    conf.mkdir()
    (conf / "spark-defaults.conf").write_text("spark.sql.shuffle.partitions 5\n"
                                              "spark.ui.enabled false\n")
    # one small log: the session starts for it and records its settings; a whole example
    # pack would only add queries on a cold JVM
    pack = write_pack(tmp_path / "pack", logs={"moderation": (MODERATION,
                                                              moderation_rows([1, 30]))})
    out = tmp_path / "r.json"
    env = {**os.environ, "SPARK_CONF_DIR": str(conf)}
    done = subprocess.run([sys.executable, "-m", "audit", "assess", str(pack), "-c", "iq.law",
                           "--engine", "spark", "-q", "-o", str(out)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    engine = json.loads(out.read_text())["provenance"]["engine"]
    assert engine["shuffle_partitions"] == "5" and engine["master"] == "local[*]"


def test_approximate_percentiles_within_their_bound(spark: Any) -> None:
    """percentile_approx at the stated accuracy: each percentile within one rank of the
    exact one on 1,000 values (n/accuracy = 0.1 of a rank), and recorded as approximate."""
    from audit.engine.spark import SparkEngine
    from audit.engine.spark_sql import ACCURACY

    spark.range(1000).selectExpr("CAST(id * 7 % 1000 AS DOUBLE) AS x") \
        .createOrReplaceTempView("pct_values")
    sql = "SELECT quantile_cont(x, [0.5, 0.9, 0.99]) FROM pct_values"
    exact = SparkEngine(session=spark).query(sql)[0][0]
    engine = SparkEngine(session=spark, percentiles="approximate")
    approximate = engine.query(sql)[0][0]
    assert exact == pytest.approx([499.5, 899.1, 989.01])
    assert all(abs(a - e) <= 1 for a, e in zip(approximate, exact, strict=True))
    assert f"accuracy {ACCURACY}" in engine.identity()["percentiles"]
    spark.catalog.dropTempView("pct_values")


def test_approximate_percentiles_are_said_in_the_report(spark: Any, run: Any) -> None:
    """--spark-percentiles approximate: the console report's data-quality note says so."""
    code, out, err = run("assess", PACK, "-c", "iq.telegram-2023", "--engine", "spark",
                         "--spark-master", "local[2]", "--spark-percentiles", "approximate",
                         "-q")
    assert code in (0, 1), err
    assert "percentiles (p50, p90, p99) are approximate" in " ".join(out.split())
