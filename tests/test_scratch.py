"""The run's temporary folder (audit/scratch.py): everything temporary goes there, it is
removed however the run ends, and the folders of runs that died are removed by the next."""

from __future__ import annotations

import fcntl
import os
import signal
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audit import scratch


def test_every_temporary_file_of_a_run_lands_in_its_folder(tmp_path: Path) -> None:
    with scratch.run_folder(tmp_path) as folder:
        assert folder.parent == tmp_path and folder.name.startswith(f"audit-run-{os.getpid()}-")
        assert scratch.stopped_by() is None and oct(folder.stat().st_mode)[-3:] == "700"
        assert Path(tempfile.mkdtemp(prefix="audit-duckdb-")).parent == folder
        assert Path(tempfile.gettempdir()) == folder and os.environ["TMPDIR"] == str(folder)
    assert list(tmp_path.iterdir()) == []
    assert Path(tempfile.gettempdir()) != folder


def test_the_folder_goes_when_the_run_fails(tmp_path: Path) -> None:
    with pytest.raises(ValueError), scratch.run_folder(tmp_path) as folder:
        (folder / "staged-member.csv").write_text("x", "utf-8")
        raise ValueError("a bug")
    assert list(tmp_path.iterdir()) == []


def test_a_signal_inside_held_waits_for_the_block(tmp_path: Path) -> None:
    """SIGINT while a temporary file is created and recorded is acted on once both are done;
    the run's folder is gone afterwards and the handlers are the ones before the run."""
    before = signal.getsignal(signal.SIGINT)
    steps = []
    with pytest.raises(scratch.Stopped) as stopped, scratch.run_folder(tmp_path):
        with scratch.held():
            os.kill(os.getpid(), signal.SIGINT)
            steps.append("created")
            steps.append("recorded")
        steps.append("never")
    assert steps == ["created", "recorded"] and stopped.value.signum == signal.SIGINT
    assert list(tmp_path.iterdir()) == [] and signal.getsignal(signal.SIGINT) == before
    assert scratch.exit_status(signal.SIGINT) == 130


def _dead_run(base: Path, name: str, debris: list[str]) -> Path:
    folder = base / f"{scratch.PREFIX}{name}"
    folder.mkdir()
    (folder / scratch.LOCK).write_text("", "utf-8")
    (folder / scratch.DEBRIS).write_text("".join(f"{d}\n" for d in debris), "utf-8")
    return folder


def test_stale_folders_and_their_debris_are_removed(tmp_path: Path) -> None:
    """A folder nobody holds the lock of is a dead run's: removed with the temporary files it
    listed beside outputs; anything listed that is not named as a temporary file stays."""
    out = tmp_path / "out"
    out.mkdir()
    tmp_file, report = out / ".gaps.xlsx.0123456789ab.tmp", out / "gaps.xlsx"
    tmp_file.write_text("half", "utf-8")
    report.write_text("a report", "utf-8")
    base = tmp_path / "tmp"
    base.mkdir()
    dead = _dead_run(base, "111-x", [str(tmp_file), str(report)])
    with scratch.run_folder(base) as folder:
        assert sorted(p.name for p in base.iterdir()) == [folder.name]
    assert not dead.exists() and not tmp_file.exists() and report.exists()


def test_a_live_run_and_a_starting_one_are_left_alone(tmp_path: Path) -> None:
    alive = _dead_run(tmp_path, "222-x", [])
    holder = os.open(alive / scratch.LOCK, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
    starting = tmp_path / f"{scratch.PREFIX}333-y"
    starting.mkdir()  # no lock file yet: a run between mkdtemp and its lock
    old = tmp_path / f"{scratch.PREFIX}444-z"
    old.mkdir()
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))
    other = tmp_path / "audit-duckdb-abc"  # not a run folder: never touched
    other.mkdir()
    try:
        assert scratch.clean_stale(tmp_path) == [old]
        assert alive.exists() and starting.exists() and other.exists()
    finally:
        os.close(holder)
    assert scratch.clean_stale(tmp_path) == [alive]


def test_a_folder_others_can_write_is_never_read(tmp_path: Path) -> None:
    """In a shared TMPDIR, a look-alike folder another account could have written (its
    debris list naming this user's files) is left alone."""
    victim = tmp_path / ".gaps.xlsx.0123456789ab.tmp"
    victim.write_text("someone's staged report", "utf-8")
    planted = _dead_run(tmp_path, "666-w", [str(victim)])
    planted.chmod(0o777)
    assert scratch.clean_stale(tmp_path) == []
    assert victim.exists() and planted.exists()


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                                blacklist_characters="\n\r\x00"),
                        max_size=30), max_size=10))
def test_a_debris_list_removes_only_listed_temporary_files(lines: list[str]) -> None:
    """Whatever a debris list holds (it is a file anyone with access to TMPDIR could write),
    reading it never fails and removes nothing but files named in it as the atomic writer
    names its temporary files."""
    with tempfile.TemporaryDirectory() as base_name:
        base = Path(base_name)
        keep, drop = base / "keep.tmp", base / ".r.csv.00ff00ff00ff.tmp"
        keep.write_text("k", "utf-8")
        drop.write_text("d", "utf-8")
        dead = _dead_run(base, "555-q", [*lines, str(keep), str(drop)])
        scratch.clean_stale(base)
        assert not dead.exists() and keep.exists() and not drop.exists()


def test_quiet_unraisable_restores_the_hook() -> None:
    import sys

    before: Any = sys.unraisablehook
    with scratch.quiet_unraisable(debug=False):
        assert sys.unraisablehook is not before
    assert sys.unraisablehook is before


def test_quiet_unraisable_collects_the_runs_cycles_and_freezes_nothing_after() -> None:
    """What existed before the block is frozen while it runs (the closing collection skips
    it); the run's own garbage cycles are still torn down at the end, and nothing stays
    frozen for the next command in the same process."""
    import gc

    torn_down: list[str] = []

    class Node:
        def __init__(self) -> None:
            self.me = self

        def __del__(self) -> None:
            torn_down.append("node")

    with scratch.quiet_unraisable(debug=False):
        assert gc.get_freeze_count() > 0
        Node()
    assert torn_down == ["node"]
    assert gc.get_freeze_count() == 0
