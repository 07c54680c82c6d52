"""Spark Connect, live: ``--spark-remote sc://...`` against a real server (docs/spark.md).

The PySpark 4 wheel ships the Spark Connect server's jar, so the test starts one on this
machine, offline: ``spark-submit --class ...SparkConnectServer`` from PySpark's own ``bin/``,
``local[2]`` with two shuffle partitions (the local session of tests/test_spark_parity.py is
idle meanwhile), on a free port, in a temporary working directory. If it does not start, the
tests fail with the server's last lines; they never skip. The CLI then assesses packs through
the server and the results are compared with DuckDB's, as tests/test_spark_parity.py does
for local Spark.
"""

from __future__ import annotations

import importlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from packs import MODERATION, write_pack
from parity import (
    EXAMPLES,
    README_CHECKLISTS,
    RULE_TYPES_CHECKLISTS,
    assert_deadline_and_rows_same,
    assert_mapped_pack_same,
    assert_measured,
    assert_rule_types_measured,
    assert_same,
    one_line,
    rule_types_pack,
    seeded_log,
)

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed "
                                                '(pip install -e ".[test,spark,spark-connect]")')

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"
START_TIMEOUT = 180.0  # seconds; it starts in about 6 s on an idle 2-core machine
INSTALL = 'pip install -e ".[test,spark,spark-connect]"'


@dataclass
class Server:
    url: str
    log: Path

    def jobs(self) -> int:
        """Spark jobs the server has started so far (its log, INFO level)."""
        import re

        return len(re.findall(r"Got (?:map stage )?job \d+ \(Spark Connect",
                              self.log.read_text("utf-8", "replace")))

    def tail(self, lines: int = 25) -> str:
        return "\n".join(self.log.read_text("utf-8", "replace").splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _server_command(home: Path, port: int) -> list[str]:
    """PySpark's own spark-submit, with the Connect server's jar from the same wheel."""
    if not list((home / "jars").glob("spark-connect_*.jar")):
        pytest.fail(f"PySpark {pyspark.__version__} has no Spark Connect server in its wheel "
                    f"(PySpark 4 has): {INSTALL}")
    try:
        importlib.import_module("pyspark.sql.connect.session")  # grpcio, pandas, pyarrow
    except ImportError as exc:
        pytest.fail(f"the Spark Connect client is not installed ({exc}): {INSTALL}")
    return [str(home / "bin" / "spark-submit"), "--class", SERVER_CLASS,
            "--master", "local[2]", "--name", "platform-audit tests",
            "--conf", f"spark.connect.grpc.binding.port={port}",
            "--conf", "spark.sql.shuffle.partitions=2",
            "--conf", "spark.ui.enabled=false"]


@pytest.fixture(scope="session")
def connect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A live Spark Connect server for the test run, stopped (its process group) at the end."""
    home = Path(pyspark.__file__).resolve().parent
    port = _free_port()
    workdir = tmp_path_factory.mktemp("spark-connect")  # its spark-warehouse, its cwd
    server = Server(f"sc://localhost:{port}", workdir / "server.log")
    command = _server_command(home, port)
    started = time.monotonic()
    with server.log.open("wb") as out:  # a file, not a pipe: a full pipe would stall the JVM
        proc = subprocess.Popen(command, cwd=workdir, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True,
                                env={**os.environ, "SPARK_HOME": str(home)})
    try:
        while not _listening(port):
            if proc.poll() is not None:
                pytest.fail(f"the Spark Connect server exited ({proc.returncode}) before "
                            f"listening on port {port}; its last lines:\n{server.tail()}")
            if time.monotonic() - started > START_TIMEOUT:
                pytest.fail(f"the Spark Connect server did not listen on port {port} within "
                            f"{START_TIMEOUT:.0f} s; its last lines:\n{server.tail()}")
            time.sleep(0.2)
        print(f"Spark Connect server on port {port} after {time.monotonic() - started:.1f} s")
        yield server
    finally:
        _stop(proc)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """The server and whatever its launcher script started: the group this test made."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def _remote(server: Server) -> tuple[str, str]:
    return ("--spark-remote", server.url)


@pytest.mark.parametrize("pack", ["before-negotiation", "after-remediation"])
def test_example_packs_same_figures(connect_server: Server, run: Any, tmp_path: Path,
                                    pack: str) -> None:
    """The README's checklists on both example packs: every requirement as on DuckDB."""
    before = connect_server.jobs()
    duck = assert_same(run, tmp_path, EXAMPLES / pack, README_CHECKLISTS,
                       spark=_remote(connect_server))
    assert_measured(duck)
    assert connect_server.jobs() > before  # the figures were computed by the server


def test_business_days_same_figures(connect_server: Server, run: Any, tmp_path: Path) -> None:
    """The holiday table goes to the server (createDataFrame); naive timestamps, rule
    versions, calendar months and percentiles as on DuckDB."""
    duck = assert_same(run, tmp_path, rule_types_pack(tmp_path / "pack"),
                       RULE_TYPES_CHECKLISTS, spark=_remote(connect_server))
    assert_rule_types_measured(duck)


def test_offending_rows_stream(connect_server: Server, tmp_path: Path) -> None:
    """Detail rows come back a partition at a time (toLocalIterator over gRPC)."""
    from audit.engine import create_engine
    from audit.engine.spark import SparkEngine
    from audit.engine.spark_session import start_session

    session = start_session(remote=connect_server.url)
    assert type(session).__module__ == "pyspark.sql.connect.session"
    path = seeded_log(tmp_path / "moderation.csv", 20_000)
    figures = assert_deadline_and_rows_same([create_engine("duckdb"),
                                             SparkEngine(session=session)], path)
    assert figures["events"] > 1000


def test_bad_logs_are_one_line(connect_server: Server, run: Any, tmp_path: Path) -> None:
    """Errors raised by the Connect client (pyspark.errors.exceptions.connect) are one line
    naming the file, without the server's stack trace."""
    pack = write_pack(tmp_path / "csv", logs={"moderation": (MODERATION, [
        ["R1", "2024-01-01T00:00:00+03:00", "2024-01-01T01:00:00+03:00", "personal_data_leak",
         "authority", "removed", "IQ"]])})
    with (pack / "logs" / "moderation.csv").open("a", encoding="utf-8") as fh:
        fh.write('R2,"2024-01-01T00:00:00+03:00,unterminated\n')
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--engine", "spark",
                          *_remote(connect_server))
    assert code == 2
    assert "logs/moderation.csv" in one_line(err) and "malformed CSV row" in err

    pack = write_pack(tmp_path / "parquet")
    (pack / "logs").mkdir()
    (pack / "logs" / "moderation.parquet").write_text("not parquet at all\n", "utf-8")
    code, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--engine", "spark",
                          *_remote(connect_server))
    assert code == 2
    line = one_line(err)
    assert "logs/moderation.parquet" in line and "not a Parquet file" in line
    assert "java.lang" not in line  # the reason, not the JVM class


def test_mapped_logs_on_the_server(connect_server: Server, run: Any, tmp_path: Path) -> None:
    """Mappings on Spark Connect: nested JSON records, a CSV read without its first lines,
    and a bad date located by file and row (the error path's file names) as on DuckDB."""
    assert_mapped_pack_same(run, tmp_path, _remote(connect_server))


def test_unreachable_server_is_one_line(run: Any) -> None:
    """No server at the URL: one line within seconds (the client alone would retry for
    about ten minutes), and the process can exit."""
    url = f"sc://127.0.0.1:{_free_port()}"
    started = time.monotonic()
    code, _out, err = run("assess", EXAMPLES / "before-negotiation", "-c", "iq.law",
                          "--engine", "spark", "--spark-remote", url)
    assert code == 2
    line = one_line(err)
    assert f"cannot reach Spark Connect at {url}: " in line
    assert "connect" in line.split(f"{url}: ", 1)[1]  # the reason, e.g. failed to connect
    assert time.monotonic() - started < 60
