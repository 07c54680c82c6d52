"""Shared fixtures: an isolated plugin manager per test and an in-process CLI runner."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable

import os

import pytest
from hypothesis import HealthCheck, settings

from audit import plugins

# Property tests (tests/test_properties.py): "ci" keeps the whole suite fast and is the
# default; HYPOTHESIS_PROFILE=thorough runs many more examples before a release.
_PROPERTY = dict(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                       HealthCheck.too_slow],
                 derandomize=False, print_blob=True)
settings.register_profile("ci", max_examples=25, **_PROPERTY)
settings.register_profile("thorough", max_examples=1000, **_PROPERTY)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Every JVM the suite starts (the one local Spark session, the command line's fresh processes,
# the Spark Connect server, a standalone master and worker) lives for seconds to minutes on a
# 2-core machine. Left to its defaults it spends about half its CPU compiling hot code a
# second time (the C2 compiler) and in G1's parallel and concurrent GC threads: the quick C1
# compiler alone and the serial collector halve the Spark tests' CPU and time (measured: one
# session assessing both example packs four times over, 67 s of CPU with the defaults, 34 s
# with these). Neither changes what Spark computes. A value set by whoever runs the suite stands.
JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
os.environ.setdefault("SPARK_SUBMIT_OPTS", JVM_OPTIONS)  # drivers (PySpark's included), Connect
os.environ.setdefault("SPARK_DAEMON_JAVA_OPTS", JVM_OPTIONS)  # a standalone master and worker

# Keep installed third-party plugins out of the suite unless a test names them (datasette's habit).
sys._called_from_test = True  # type: ignore[attr-defined]

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(DATA / "plugins"))


@pytest.fixture(autouse=True, scope="session")
def checklist_cache_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The suite's checked-module cache (audit/checklist_cache.py) lives in a temporary
    directory, never in the user's ~/.cache; every test then also runs through the cache."""
    import os

    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


@pytest.fixture(autouse=True)
def fresh_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUDIT_LOAD_PLUGINS", raising=False)
    monkeypatch.delenv("AUDIT_DISABLE_PLUGINS", raising=False)
    monkeypatch.delenv("AUDIT_CHECKLIST_PATH", raising=False)
    plugins.reset()
    from audit import checklists

    checklists._LIBRARY.clear()
    yield
    plugins.reset()


RunResult = tuple[int, str, str]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., RunResult]:
    """Run the CLI in-process: returns (exit code, stdout, stderr)."""
    from audit.cli import main

    def _run(*args: str) -> RunResult:
        plugins.reset()
        with pytest.raises(SystemExit) as exc:
            main([str(a) for a in args])
        out, err = capsys.readouterr()
        code = exc.value.code
        return (code if isinstance(code, int) else 0), out, err

    return _run


@pytest.fixture
def data() -> Path:
    return DATA


@pytest.fixture(scope="session")
def spark() -> Any:
    """One local Spark session (local[2], two shuffle partitions, no UI) for the Spark tests;
    the CLI's ``--engine spark --spark-master local[2]`` reuses it (docs/spark.md)."""
    pytest.importorskip("pyspark", reason='the spark extra is not installed '
                                          '(pip install -e ".[test,spark,spark-connect]")')
    from audit.engine.spark_session import start_session

    return start_session("local[2]", conf={"spark.sql.shuffle.partitions": "2",
                                            "spark.ui.enabled": "false"})
