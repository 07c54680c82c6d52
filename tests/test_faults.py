"""Faults injected into a real ``audit`` process (docs/limits.md#faults): ``kill -9``, Ctrl-C
(SIGINT) and SIGTERM at different moments, a full disk (``prlimit --fsize``) and a log cut
short while it is read. Each run ends with exit 2 (130 or 143 for a signal) and one line, no
traceback, the inputs byte-identical, no partial output, and nothing left in TMPDIR or beside
the output (after ``kill -9``: once the next run has started). A run ends within 10 s of its
fault; reaching the fault may take longer on a loaded machine (about 1-2 s unloaded)."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ROWS = 100_000  # events: the rules and the workbook take about half a second each
DEADLINE = 10.0  # seconds from the fault (a signal, a cut log) to the run's exit
GUARD = 60.0  # seconds a whole run may take on a loaded machine (about 2 s unloaded)
GIB = 1 << 30


def _write_pack(root: Path, rows: int = ROWS) -> Path:
    """A pack with one moderation log of ``rows`` events, a seventh never handled and many
    late: more offending events than a detail sheet holds, so a side CSV is written."""
    import duckdb

    (root / "logs").mkdir(parents=True)
    (root / "platform.yaml").write_text(
        "name: Fault Messenger\nusers: {IQ: 1000000}\nrepresentatives:\n"
        "  - {name: Layla Hassan, role: authority_contact_iq, country: IQ, "
        "contact: iq@example.org}\n", "utf-8")
    stamp = "strftime(TIMESTAMP '2024-01-01' + i * INTERVAL 1 MINUTE{extra}, " \
            "'%Y-%m-%dT%H:%M:%S') || '+03:00'"
    duckdb.sql(f"""COPY (SELECT printf('R%08d', i) AS request_id,
        {stamp.format(extra='')} AS received_at,
        CASE WHEN i % 7 = 0 THEN '' ELSE {stamp.format(extra=' + (i % 50) * INTERVAL 1 HOUR')}
        END AS actioned_at, 'personal_data_leak' AS category, 'authority' AS requester,
        'channel_closed' AS action, 'IQ' AS country FROM range({rows}) t(i))
        TO '{root / "logs" / "moderation.csv"}' (HEADER)""")
    return root


@pytest.fixture(scope="module")
def big_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_pack(tmp_path_factory.mktemp("fault-pack") / "pack")


def _high_water(pid: int) -> int:
    """A running process's peak resident memory in bytes (Linux ``VmHWM``); 0 once gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    line = next((ln for ln in status.splitlines() if ln.startswith("VmHWM:")), "VmHWM: 0 kB")
    return int(line.split()[1]) * 1024


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


class Run:
    """One ``audit assess`` process with its own TMPDIR and output folder."""

    def __init__(self, tmp_path: Path, pack: Path, output: str = "gaps.xlsx",
                 prefix: tuple[str, ...] = (), extra: tuple[str, ...] = ()) -> None:
        self.tmpdir = tmp_path / "tmp"
        self.out = tmp_path / "out"
        self.tmpdir.mkdir(exist_ok=True)
        self.out.mkdir(exist_ok=True)
        self.output = self.out / output
        self.pack = pack
        command = [*prefix, sys.executable, "-m", "audit", "assess", str(pack), "-c",
                   "iq.telegram-2023", "--as-of", "2024-12-31", "-o", str(self.output), "-q",
                   *extra]
        self.started = self.faulted = time.monotonic()
        self.process = subprocess.Popen(command, env=dict(os.environ, TMPDIR=str(self.tmpdir)),
                                        cwd=ROOT, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)

    def wait_for(self, ready: Callable[[], bool]) -> None:
        """Until ``ready()`` (the run reached the moment to fault) or the run ended."""
        while not ready():
            assert self.process.poll() is None, "the run ended before the fault: " + \
                self.process.communicate()[1]
            assert time.monotonic() - self.started < GUARD, "never reached the fault"
            time.sleep(0.005)
        self.faulted = time.monotonic()

    def staged(self) -> bool:
        """A report or side file is being written (its temporary file exists)."""
        return any(p.name.endswith(".tmp") for p in self.out.iterdir())

    def engine_started(self) -> bool:
        """DuckDB is up (its spill folder exists in the run folder): the rules are running."""
        return any(self.tmpdir.glob("audit-run-*/audit-duckdb-*"))

    def finish(self, limit: float = DEADLINE) -> tuple[int, list[str]]:
        """Exit status and standard error's lines, within DEADLINE of the fault (of the start
        for a run whose fault is its set-up: a file-size limit) and under 1 GiB."""
        # the run's own peak: its VmHWM, sampled until it exits. Not rusage: a child started
        # by vfork (subprocess's way) keeps the parent's high-water mark across exec, so its
        # ru_maxrss is the suite's own peak, however little the run itself used
        streams = [self.process.stdout, self.process.stderr]
        read: list[str] = ["", ""]
        readers = [threading.Thread(target=lambda i=i, f=f: read.__setitem__(i, f.read()))
                   for i, f in enumerate(streams)]
        for reader in readers:
            reader.start()
        until = time.monotonic() + GUARD
        peak = 0
        while self.process.poll() is None:
            peak = max(peak, _high_water(self.process.pid))
            assert time.monotonic() < until, "the run did not end"
            time.sleep(0.01)
        for reader in readers:
            reader.join()
        assert time.monotonic() - self.faulted < limit
        assert peak < GIB
        return self.process.returncode, read[1].splitlines()

    def leftovers(self) -> list[str]:
        return sorted([p.name for p in self.tmpdir.iterdir()]
                      + [p.name for p in self.out.iterdir() if p.name.startswith(".")])


def _fresh_pack(tmp_path: Path, big_pack: Path) -> tuple[Path, dict[str, str]]:
    pack = tmp_path / "pack"
    shutil.copytree(big_pack, pack)
    return pack, _digest(pack)


@pytest.mark.parametrize("signum, status, word", [
    (signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated")])
@pytest.mark.parametrize("moment", ["query", "write"])
def test_a_signal_is_one_line_and_leaves_nothing(tmp_path: Path, big_pack: Path, signum: int,
                                                 status: int, word: str, moment: str) -> None:
    """Ctrl-C or SIGTERM while DuckDB runs the rules or while the workbook and its side CSV
    are written: one line, 128 + the signal, no output at all, nothing in TMPDIR."""
    pack, before = _fresh_pack(tmp_path, big_pack)
    run = Run(tmp_path, pack)
    run.wait_for(run.engine_started if moment == "query" else run.staged)
    run.process.send_signal(signum)
    code, lines = run.finish()
    assert (code, lines) == (status, [f"audit: {word}"])
    assert run.leftovers() == [] and list(run.out.iterdir()) == []
    assert _digest(pack) == before


@pytest.fixture(scope="module")
def zipped_pack(big_pack: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same events as a zipped export read through a mapping: the member is unpacked
    into the run's folder while the run reads it."""
    import zipfile

    import yaml

    pack = tmp_path_factory.mktemp("zipped") / "pack"
    shutil.copytree(big_pack, pack)
    log = pack / "logs" / "moderation.csv"
    with zipfile.ZipFile(pack / "logs" / "moderation.zip", "w", zipfile.ZIP_DEFLATED) as z:
        z.write(log, "export/moderation.csv")
    log.unlink()
    columns = ["request_id", "received_at", "actioned_at", "category", "requester", "action",
               "country"]
    (pack / "logs" / "moderation.mapping.yaml").write_text(yaml.safe_dump(
        {"table": "moderation", "files": "moderation.zip", "columns": {c: c for c in columns}},
        sort_keys=False), "utf-8")
    return pack


def test_sigterm_removes_an_unpacked_zip_member(tmp_path: Path, zipped_pack: Path) -> None:
    """SIGTERM while a zipped log's member sits unpacked in the run's folder (it used to stay
    behind in TMPDIR): gone with the folder."""
    pack, before = _fresh_pack(tmp_path, zipped_pack)
    run = Run(tmp_path, pack)
    run.wait_for(lambda: any(run.tmpdir.glob("audit-run-*/audit-evidence-*/*moderation.csv")))
    run.process.terminate()
    assert run.finish() == (143, ["audit: terminated"])
    assert run.leftovers() == [] and list(run.out.iterdir()) == []
    assert _digest(pack) == before


def test_kill_9_debris_is_removed_by_the_next_run(tmp_path: Path, big_pack: Path) -> None:
    """``kill -9`` while the workbook is written leaves its temporary files (nothing can run
    then); the next run removes them and the killed run's folder before it starts."""
    pack, before = _fresh_pack(tmp_path, big_pack)
    run = Run(tmp_path, pack)
    run.wait_for(run.staged)
    run.process.kill()
    run.process.communicate()
    left = run.leftovers()
    assert any(name.startswith("audit-run-") for name in left)
    assert any(name.startswith(".gaps.") and name.endswith(".tmp") for name in left)
    again = Run(tmp_path, pack, output="json.json")
    assert again.finish(limit=GUARD) == (0, [])  # a whole run, not a fault
    assert again.leftovers() == []
    assert sorted(p.name for p in run.out.iterdir()) == ["json.json"]
    assert _digest(pack) == before


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="util-linux prlimit not installed")
@pytest.mark.parametrize("output, limit, victim", [
    ("gaps.xlsx", 2_000_000, "gaps.leak-takedown.offending.csv"),  # the side CSV fills it
    ("plain.xlsx", 20_000, "plain.xlsx"),  # openpyxl's own temporary sheet files fill it
])
def test_a_full_disk_is_one_line_naming_the_file(tmp_path: Path, big_pack: Path,
                                                 data_pack: Path, output: str, limit: int,
                                                 victim: str) -> None:
    """``prlimit --fsize`` makes every write past ``limit`` bytes fail (EFBIG), as a full
    disk does: exit 2, one line naming the file, no partial output, no traceback."""
    pack, before = _fresh_pack(tmp_path, big_pack if output == "gaps.xlsx" else data_pack)
    run = Run(tmp_path, pack, output=output, prefix=("prlimit", f"--fsize={limit}"))
    code, lines = run.finish(limit=GUARD)  # a whole run (about 2 s unloaded)
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith(f"audit: error: {run.out / victim}: cannot write: ")
    assert run.leftovers() == [] and list(run.out.iterdir()) == []
    assert _digest(pack) == before


@pytest.fixture
def data_pack() -> Path:
    return ROOT / "examples" / "before-negotiation"


def test_a_log_cut_short_after_the_pass_changes_no_report(tmp_path: Path,
                                                         big_pack: Path) -> None:
    """The log is truncated after its one pass read it, while the workbook is written: the
    offending rows come from the pass (audit/logs/details.py), not a second read of the log,
    so the reports are whole and say what the file held when it was read."""
    pack, _before = _fresh_pack(tmp_path, big_pack)
    log = pack / "logs" / "moderation.csv"
    run = Run(tmp_path, pack)
    run.wait_for(run.staged)
    with log.open("r+b") as fh:
        fh.truncate(1_000_000)  # mid-line: a second read would fail on the short row
    code, lines = run.finish()
    assert code in (0, 1), lines
    assert not any("cannot read" in line or "Traceback" in line for line in lines), lines
    assert run.leftovers() == [] and (run.out / "gaps.xlsx").exists()


LONG_QUERY = """
import os, signal, threading, click, duckdb
from audit import cli

@click.command("long-query")
def long_query():
    con = duckdb.connect()
    def interrupt_once_running():
        while con.query_progress() < 0:  # -1 until the query runs
            threading.Event().wait(0.01)
        os.kill(os.getpid(), signal.SIGINT)
    threading.Thread(target=interrupt_once_running, daemon=True).start()
    con.execute("SELECT count(*) FROM range(1000000000000) t(i) WHERE i % 7 = 3").fetchall()

cli.cli.add_command(long_query)
cli.main(["long-query"])
"""


def test_an_interrupted_duckdb_query_is_an_interrupt(tmp_path: Path) -> None:
    """DuckDB answers Ctrl-C inside a query with its own error ("Query interrupted", exit 70
    before), and at times never comes back while it cancels the query: either way one line,
    exit 130, nothing left in TMPDIR, within the watchdog's grace (5 s) of the signal. A
    command that certainly runs a query when the signal comes."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", LONG_QUERY], capture_output=True, text=True,
                          env=dict(os.environ, TMPDIR=str(tmpdir)), timeout=GUARD)
    assert (done.returncode, done.stderr) == (130, "audit: interrupted\n")
    assert time.monotonic() - started < GUARD and list(tmpdir.iterdir()) == []
