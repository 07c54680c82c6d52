"""A standalone Spark cluster (a master and a worker started from the PySpark wheel), as a data
team runs one: the typed, partitioned lake table, read with the mapping docs/spark.md writes,
gives DuckDB's figures and row ledger; the cluster's own settings (its spark-defaults.conf)
stand and are recorded in the result (issue 26's "done when")."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from packs import write_pack
from parity import figures
from test_lake_parity import MAPPINGS, lake  # noqa: F401  (the typed lake table fixture)

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed "
                                                '(pip install -e ".[test,spark,spark-connect]")')

SHUFFLE = "5"  # the cluster's own setting, never the tool's local default (8)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(home: Path, folder: Path, name: str, args: list[str], ready: str
           ) -> subprocess.Popen[bytes]:
    """One daemon of the cluster, in its own process group, once its log says ``ready``."""
    log = folder / f"{name}.log"
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOG_DIR": str(folder),
           "SPARK_WORKER_DIR": str(folder / "work")}
    with log.open("wb") as out:
        proc = subprocess.Popen([str(home / "bin" / "spark-class"), *args], stdout=out,
                                stderr=subprocess.STDOUT, env=env, cwd=folder,
                                start_new_session=True)
    deadline = time.monotonic() + 180
    while ready not in log.read_text(errors="replace"):
        assert proc.poll() is None, log.read_text(errors="replace")[-2000:]
        assert time.monotonic() < deadline, log.read_text(errors="replace")[-2000:]
        time.sleep(0.5)
    return proc


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A master and one two-core worker on loopback: the master's URL and a configuration
    folder whose spark-defaults.conf sets the cluster's shuffle partitions."""
    home = Path(pyspark.__file__).parent
    folder = tmp_path_factory.mktemp("cluster")
    conf = folder / "conf"
    conf.mkdir()
    # the executors' JVMs take the suite's JVM options (tests/conftest.py), as its others do
    executor = os.environ.get("SPARK_DAEMON_JAVA_OPTS")
    (conf / "spark-defaults.conf").write_text(
        f"spark.sql.shuffle.partitions {SHUFFLE}\nspark.executor.memory 512m\n"
        + (f"spark.executor.extraJavaOptions {executor}\n" if executor else ""), "utf-8")
    port = _free_port()
    url = f"spark://127.0.0.1:{port}"
    procs = [_start(home, folder, "master", ["org.apache.spark.deploy.master.Master",
                                              "--host", "127.0.0.1", "--port", str(port),
                                              "--webui-port", str(_free_port())],
                    "elected leader")]
    try:
        procs.append(_start(home, folder, "worker", [
            "org.apache.spark.deploy.worker.Worker", url, "--host", "127.0.0.1", "--cores", "2",
            "--memory", "1g", "--webui-port", str(_free_port())],
            "Successfully registered with master"))
        yield url, conf
    finally:
        for proc in reversed(procs):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)


def _assess(pack: Path, out: Path, *engine: str, env: dict[str, str] | None = None
            ) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, "-m", "audit", "assess", str(pack), "-c",
                           "iq.telegram-2023", "--as-of", "2023-12-31", "--format", "json",
                           "-o", str(out), "-q", *engine], capture_output=True, text=True,
                          cwd=out.parent, env={**os.environ, **(env or {})}, timeout=600)
    assert proc.returncode in (0, 1), proc.stderr
    result: dict[str, Any] = json.loads(out.read_text("utf-8"))
    return result


def test_lake_table_on_a_standalone_cluster_same_as_duckdb(
        cluster: tuple[str, Path], run: Any, tmp_path: Path, lake: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/spark.md's mapping, as written, over the typed ``dt=`` table: a run on the cluster
    gives DuckDB's figures, logs and ledger, and records the cluster's shuffle setting."""
    url, conf = cluster
    pack = write_pack(tmp_path / "pack", platform={"name": "Test Messenger",
                                                  "users": {"IQ": 1_000_000}})
    shutil.copytree(lake, pack / "logs" / "statements")
    (pack / "logs" / "moderation.mapping.yaml").write_text(yaml.safe_dump(MAPPINGS["renamed"]),
                                                          "utf-8")
    # DuckDB's run in this process (only the cluster's needs a fresh one), from the folder
    # the cluster's run starts in
    monkeypatch.chdir(tmp_path)
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--as-of", "2023-12-31",
                          "--format", "json", "-o", tmp_path / "duck.json", "-q",
                          "--engine", "duckdb")
    assert code in (0, 1), err
    duck = json.loads((tmp_path / "duck.json").read_text("utf-8"))
    on_cluster = _assess(pack, tmp_path / "cluster.json", "--engine", "spark",
                         "--spark-master", url, env={"SPARK_CONF_DIR": str(conf)})
    assert figures(on_cluster) == figures(duck)
    assert on_cluster["logs"] == duck["logs"] and on_cluster["ledger"] == duck["ledger"]
    leak = next(r for r in duck["requirements"] if r["id"].endswith("leak-takedown"))
    assert leak["figures"]["events"] > 0 and leak["figures"]["late"] > 0
    engine = on_cluster["provenance"]["engine"]
    assert engine["master"] == url
    assert engine["shuffle_partitions"] == SHUFFLE  # the cluster's, not the local default
