"""One temporary folder per command-line run, and what happens when a run is stopped.

Everything a run puts in temporary space (DuckDB's spill files, openpyxl's write-only sheets,
unpacked zip members, Spark's copies) goes into one folder, ``$TMPDIR/audit-run-<pid>-*``:
for the run, ``tempfile.tempdir`` and ``TMPDIR`` point there, so every ``mkdtemp``/``mkstemp``
without a ``dir`` lands inside. The folder is removed when the run ends, however it ends:
normally, on an error, on Ctrl-C (SIGINT) or on SIGTERM, which the run turns into
:class:`Stopped` so every ``finally`` runs first.

A run killed outright (``kill -9``, the machine stopping) cannot clean up; the next run does.
Each run holds an exclusive ``flock`` on a file in its folder for as long as it lives (the
kernel drops it when the process dies, whatever the signal), so a folder whose lock can be
taken belongs to no live run and is removed. Files a run must create outside its folder (an
output's temporary file, which has to sit beside the output to be renamed over it) are listed
in the folder's ``debris`` file first, and removed with the folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import os
import re
import secrets
import shutil
import signal
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

PREFIX = "audit-run-"
LOCK = "lock"
DEBRIS = "debris"  # paths outside the folder this run may leave: one per line
# only files named as the atomic writer names them (``.gaps.xlsx.<12 hex>.tmp``) are ever
# removed from a debris list
DEBRIS_NAME = re.compile(r"\..+\.[0-9a-f]{12}\.tmp")
UNLOCKED_GRACE_SECONDS = 60  # a folder without a lock file may be a run still starting
STOP_GRACE_SECONDS = 5.0  # after a signal, the run ends within this or the watchdog ends it


class Stopped(BaseException):
    """Ctrl-C (SIGINT) or SIGTERM arrived: raised where the run is, so its ``finally`` blocks
    clean up. A ``BaseException``, like ``KeyboardInterrupt``, so ``except Exception`` does
    not swallow it; not a ``KeyboardInterrupt``, which click would answer with a blank line."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


# what signal.signal() returns: a handler, SIG_DFL/SIG_IGN, or None (set outside Python)
_Handlers = dict[int, "Callable[[int, FrameType | None], object] | int | signal.Handlers | None"]


class _Run:
    """The run's folder, its lock, and the signal that stopped it (if one did)."""

    def __init__(self, folder: Path, lock: int) -> None:
        self.folder = folder
        self.lock = lock
        self.signal: int | None = None
        self.holding = 0  # depth of held() blocks: a signal then waits for the block's end
        self.pending = False  # a signal arrived inside held(): raise at its end
        self.closed = False  # the run is ending normally: the watchdog stands down


_current: _Run | None = None
_closing = threading.Lock()  # the main thread's clean-up or the watchdog's, never both


def stopped_by() -> int | None:
    """The signal (SIGINT, SIGTERM) that stopped the current run, if one did.

    Libraries sometimes turn an interrupt into an error of their own (DuckDB: "Query
    interrupted"); the command line asks this to report any of them as the interrupt it is."""
    return _current.signal if _current is not None else None


def temporary_name(directory: Path, path: Path) -> Path:
    """A fresh name in ``directory`` for ``path``'s temporary file, as a debris list accepts
    it: ``.gaps.xlsx.<12 hex digits>.tmp``."""
    return directory / f".{path.name}.{secrets.token_hex(6)}.tmp"


def note_debris(path: Path) -> None:
    """Record ``path`` (a temporary file outside the run folder) so that a later run removes
    it if this one is killed before it can. Outside a run, nothing is recorded."""
    if _current is None or not DEBRIS_NAME.fullmatch(path.name):
        return
    with contextlib.suppress(OSError), open(_current.folder / DEBRIS, "a",
                                            encoding="utf-8") as fh:
        fh.write(f"{os.path.abspath(path)}\n")


@contextlib.contextmanager
def held() -> Iterator[None]:
    """Steps that must not be split by Ctrl-C or SIGTERM (create a temporary file and record
    it; rename a report and its side files into place): a signal arriving inside is acted on
    when the block ends."""
    run = _current
    if run is None:
        yield
        return
    run.holding += 1
    try:
        yield
    finally:
        run.holding -= 1
    if not run.holding and run.pending and run.signal is not None:
        run.pending = False
        raise Stopped(run.signal)


@contextlib.contextmanager
def run_folder(base: Path | None = None) -> Iterator[Path]:
    """The run's temporary folder, created under ``base`` (default: the system's temporary
    directory) after removing the folders of runs that no longer exist; removed on exit."""
    global _current
    base = Path(base if base is not None else tempfile.gettempdir())
    clean_stale(base)
    path = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=base))
    lock = os.open(path / LOCK, os.O_WRONLY | os.O_CREAT, 0o600)
    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    run = _Run(path, lock)
    saved_tempdir, saved_env = tempfile.tempdir, os.environ.get("TMPDIR")
    _current, tempfile.tempdir, os.environ["TMPDIR"] = run, str(path), str(path)
    handlers: _Handlers = {}  # filled as each is set, so a signal meanwhile still restores it
    try:
        _install_handlers(run, handlers)
        yield path
    finally:
        # a second Ctrl-C while cleaning up would leave the folder half removed
        _ignore_signals(handlers)
        with _closing:  # from here on the main thread ends the run, not the watchdog
            run.closed = True
        try:
            _current = None
            tempfile.tempdir = saved_tempdir
            if saved_env is None:
                os.environ.pop("TMPDIR", None)
            else:
                os.environ["TMPDIR"] = saved_env
            _remove(path)
            os.close(lock)
        finally:
            _restore(handlers)


def clean_stale(base: Path) -> list[Path]:
    """Remove the folders (and listed debris) of runs that no longer hold their lock."""
    removed: list[Path] = []
    try:
        candidates = [p for p in base.iterdir() if p.name.startswith(PREFIX)]
    except OSError:
        return removed
    for candidate in candidates:
        if _ours(candidate) and _abandoned(candidate):
            _remove(candidate)
            removed.append(candidate)
    return removed


def _ours(path: Path) -> bool:
    """A real folder of this user's that nobody else can write to, as ``mkdtemp`` makes
    them: in a shared TMPDIR, another account's look-alike folder (whose debris list could
    name this user's files) is never read."""
    try:
        info = path.lstat()
    except OSError:
        return False
    return (stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid()
            and not info.st_mode & 0o022)


def _abandoned(path: Path) -> bool:
    """No live process holds the folder's lock (or it has none and is not new)."""
    try:
        fd = os.open(path / LOCK, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        try:
            return time.time() - path.stat().st_mtime > UNLOCKED_GRACE_SECONDS
        except OSError:
            return False
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # held: a live run
    finally:
        os.close(fd)
    return True


def _remove(path: Path) -> None:
    """The folder and every file its debris list names (temporary files only)."""
    try:
        listed = (path / DEBRIS).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeError):
        listed = []
    for line in listed:
        if DEBRIS_NAME.fullmatch(os.path.basename(line)):
            with contextlib.suppress(OSError):
                os.unlink(line)
    shutil.rmtree(path, ignore_errors=True)


def _install_handlers(run: _Run, saved: _Handlers) -> None:
    """SIGINT and SIGTERM raise :class:`Stopped`, noting the first signal (the one the exit
    status reports); every one raises, so a second Ctrl-C stops a run that somehow went on.
    The first also starts a watchdog: a run still going ``STOP_GRACE_SECONDS`` later is stuck
    in native code (DuckDB can wait for ever while it cancels an interrupted query), and is
    ended from the watchdog's thread. Handlers can only be set from the main thread;
    elsewhere none are."""
    if threading.current_thread() is not threading.main_thread():
        return

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if run.signal is None:
            run.signal = signum
            watchdog = threading.Timer(STOP_GRACE_SECONDS, _stop_now, (run,))
            watchdog.daemon = True
            watchdog.start()
        if run.holding:
            run.pending = True
            return
        raise Stopped(run.signal)

    for signum in (signal.SIGINT, signal.SIGTERM):
        saved[signum] = signal.getsignal(signum)
        signal.signal(signum, on_signal)


def _stop_now(run: _Run) -> None:
    """The watchdog: the run has not ended in time after a signal. Its line, its temporary
    files removed, and exit at once (the main thread may never come back from native code)."""
    with _closing:
        if run.closed or run.signal is None:
            return
        os.write(2, f"audit: {stop_word(run.signal)}\n".encode())
        _remove(run.folder)
        os._exit(exit_status(run.signal))


def stop_word(signum: int) -> str:
    """What the one line says of a run a signal stopped."""
    return "terminated" if signum == signal.SIGTERM else "interrupted"


def _ignore_signals(handlers: _Handlers) -> None:
    for signum in handlers:
        signal.signal(signum, signal.SIG_IGN)


def _restore(handlers: _Handlers) -> None:
    for signum, handler in handlers.items():
        signal.signal(signum, signal.SIG_DFL if handler is None else handler)


def exit_status(signum: int) -> int:
    """The shell's convention: 128 plus the signal's number (130 for Ctrl-C)."""
    return 128 + signum


@contextlib.contextmanager
def quiet_unraisable(debug: bool) -> Iterator[None]:
    """Errors Python can only print while it tears an object down (openpyxl's temporary
    files on a full disk, after the run already failed) are not shown but with ``--debug``:
    the run's own one-line message has said what went wrong."""
    saved = sys.unraisablehook
    if not debug:
        sys.unraisablehook = _drop
    # What exists now (the modules loaded so far) outlives the run: frozen, the collection
    # below skips it (~10 ms of a run's start-up); unfrozen after, so a caller running
    # several commands in one process keeps nothing it would otherwise have collected.
    gc.freeze()
    try:
        yield
    finally:
        gc.collect()  # what the run left half-done is torn down now, not at interpreter exit
        gc.unfreeze()
        sys.unraisablehook = saved


def _drop(_info: object) -> None:
    """An unraisable error, not shown (see :func:`quiet_unraisable`)."""
