"""Progress and waiting on Spark (docs/spark.md, "Progress and waiting"): a standalone master
with no worker gives the run no executor, and the run says so within seconds; a port that
answers but is not a Spark master is refused at once, naming the URL."""

from __future__ import annotations

import io
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from parity import EXAMPLES, one_line

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed "
                                                '(pip install -e ".[test,spark,spark-connect]")')

PACK = EXAMPLES / "before-negotiation"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def master(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, int]]:
    """A standalone master from the PySpark wheel, with no worker: its URL, its log and its
    web UI's port."""
    home = Path(pyspark.__file__).parent
    folder = tmp_path_factory.mktemp("master")
    log = folder / "master.log"
    port, web = _free_port(), _free_port()
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOG_DIR": str(folder)}
    with log.open("wb") as out:
        proc = subprocess.Popen([str(home / "bin" / "spark-class"),
                                 "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                                 "--port", str(port), "--webui-port", str(web)],
                                stdout=out, stderr=subprocess.STDOUT, env=env, cwd=folder,
                                start_new_session=True)
    try:
        deadline = time.monotonic() + 180
        while "elected leader" not in log.read_text(errors="replace"):
            assert proc.poll() is None, log.read_text(errors="replace")[-2000:]
            assert time.monotonic() < deadline, log.read_text(errors="replace")[-2000:]
            time.sleep(0.5)
        yield f"spark://127.0.0.1:{port}", log, web
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=60)


def test_no_executor_says_waiting_then_stops_on_ctrl_c(master: tuple[str, Path, int],
                                                       tmp_path: Path) -> None:
    """The run's application is registered, no executor joins: within 10 s of the master
    registering it, a line says the run waits for executors (Spark 4's start waits 30 s for
    them, silently; 3.5's does not, and its first line is the tracker's); once started, its
    first job's tasks wait and the status tracker's line says no core is free (on 3.5 from
    the JVM's tracker); Ctrl-C then ends the run as interrupted (130), without a trace."""
    url, log, _web = master
    proc = subprocess.Popen([sys.executable, "-m", "audit", "assess", str(PACK), "-c", "iq.law",
                             "--engine", "spark", "--spark-master", url,
                             # Spark's start waits 30 s for executors by default; 6 s still
                             # shows the start's note (after 5 s), then the tracker's
                             "--spark-conf", "spark.scheduler.maxRegisteredResourcesWaitingTime=6s",
                             "-o",
                             str(tmp_path / "r.json")], stderr=subprocess.PIPE, text=True,
                            cwd=tmp_path)
    lines: list[str] = []
    heard: dict[str, float] = {}

    def read() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            if "waiting for executors" in line:
                heard.setdefault("first", time.monotonic())
            if "0 cores free" in line:
                heard.setdefault("tracker", time.monotonic())

    threading.Thread(target=read, daemon=True).start()
    started = time.monotonic()
    registered = None
    try:
        while "tracker" not in heard and time.monotonic() - started < 240:
            if registered is None and "Registering app platform-audit" in log.read_text(
                    errors="replace"):
                registered = time.monotonic()
            assert proc.poll() is None, "".join(lines)
            time.sleep(0.2)
        assert "tracker" in heard and registered is not None, "".join(lines)
        waited = heard["first"] - registered
        print(f"first waiting line {waited:.1f} s after the master registered the "
              f"application ({heard['first'] - started:.1f} s after the run started); the "
              f"tracker's {heard['tracker'] - registered:.1f} s after registration")
        assert waited <= 10, "".join(lines)
        assert all(url in ln for ln in lines if "waiting for executors" in ln), "".join(lines)
        proc.send_signal(signal.SIGINT)
        code = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == 130, "".join(lines)
    assert "Traceback" not in "".join(lines) and "rror" not in "".join(lines), "".join(lines)


def test_a_port_that_is_not_a_spark_master_is_refused(run: Any) -> None:
    """A plain TCP server that accepts and says nothing, and a web server: refused within
    seconds, the URL named (Spark itself would wait over a minute, then name no reason)."""
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    port = silent.getsockname()[1]
    started = time.monotonic()
    try:
        code, _out, err = run("assess", PACK, "-c", "iq.law", "--engine", "spark",
                              "--spark-master", f"spark://127.0.0.1:{port}")
    finally:
        silent.close()
    assert code == 2 and time.monotonic() - started < 15
    line = one_line(err)
    assert f"spark://127.0.0.1:{port}" in line and "is not a Spark master" in line


def test_the_masters_web_ui_is_refused(master: tuple[str, Path, int], run: Any) -> None:
    """The master's own web UI port answers HTTP: not its RPC port, said so."""
    _url, _log, web = master
    code, _out, err = run("assess", PACK, "-c", "iq.law", "--engine", "spark",
                          "--spark-master", f"spark://127.0.0.1:{web}")
    assert code == 2 and "it answered HTTP" in one_line(err)


class _Stuck:
    """A source that is stalled from the start (what StageProgress says with no executor)."""

    def stalled(self) -> str | None:
        return "waiting for executors (0 cores free): 2 task(s) ready"


def test_waiting_note_is_written_once_without_a_terminal() -> None:
    from audit.progress import TerminalProgress

    stream = io.StringIO()
    progress = TerminalProgress(stream, bar=False, wait=0.3)
    with progress.watch(_Stuck()):
        time.sleep(1.2)
    assert stream.getvalue() == "waiting for executors (0 cores free): 2 task(s) ready\n"


def test_stage_progress_is_drawn_like_duckdbs(spark: Any) -> None:
    """A job whose tasks take a while: the status tracker's share of tasks done is drawn on
    the progress line, as DuckDB's query_progress is; local mode never says it waits."""
    from audit.engine.spark_progress import StageProgress
    from audit.progress import TerminalProgress

    source = StageProgress(spark)
    stream = io.StringIO()
    slow = spark.range(0, 8, 1, 4).selectExpr(  # each row sleeps 0.4 s in its task (JVM)
        "reflect('java.lang.Thread', 'sleep', CAST(400 AS BIGINT)) AS slept")
    with TerminalProgress(stream, delay=0).track(source, "reading logs/big.parquet"):
        assert len(slow.collect()) == 8
    text = stream.getvalue()
    assert "reading logs/big.parquet [" in text and " %" in text and text.endswith("\r")
    assert source.stalled() is None and source.query_progress() == -1.0


def test_executors_are_listed_on_pyspark_3_5_and_4(spark: Any) -> None:
    """PySpark's tracker lists executors from 4.0 on; on 3.5 the JVM tracker's list stands in
    (tools/spark-matrix.sh runs this there): in local mode, the driver alone."""
    from audit.engine.spark_progress import StageProgress

    infos = StageProgress(spark)._executor_infos()
    assert len(infos) == 1
