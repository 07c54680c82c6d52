"""Progress of long log scans, and a note when an engine waits for resources.

DuckDB reports how far the running query has got (``query_progress``); Spark's engine gives
the same figure from its status tracker (``audit/engine/spark_progress.py``). A background
thread polls it and redraws one line on standard error, only when standard error is a
terminal. An engine that can tell it is waiting (Spark with no executor free) has a
``stalled()`` description; after ``WAIT_SECONDS`` of it, one line says so, terminal or not
(a job log shows it too). ``--quiet`` draws and says nothing, and standard output is never
touched, so a report written to stdout stays clean.
"""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from collections.abc import Callable, Iterator
from typing import IO, Protocol, runtime_checkable

WIDTH = 30
# how long work must wait, nothing running, before the run says so
WAIT_SECONDS = 5.0


class QueryProgress(Protocol):
    """A connection that reports how far its running query is (DuckDB's ``query_progress``:
    a percentage, or a negative number while it cannot tell)."""

    def query_progress(self) -> float: ...


@runtime_checkable
class Stalled(Protocol):
    """An engine that can say it is waiting: a description of what waits for what (Spark:
    tasks ready, no executor running them), or None while work runs or nothing waits."""

    def stalled(self) -> str | None: ...


class TerminalProgress:
    """``bar``: draw the progress line (a terminal); waiting notes are written either way."""

    def __init__(self, stream: IO[str] | None = None, delay: float = 0.5,
                 bar: bool = True, wait: float = WAIT_SECONDS) -> None:
        self.stream = stream or sys.stderr
        self.delay = delay  # scans shorter than this draw nothing
        self.bar = bar
        self.wait = wait
        self._lock = threading.Lock()  # the bar and a note share one line

    @contextmanager
    def track(self, con: QueryProgress, label: str) -> Iterator[None]:
        if not self.bar:
            yield
            return
        stop = threading.Event()
        drawn = [False]

        def poll() -> None:
            start = time.monotonic()
            while not stop.wait(0.1):
                if time.monotonic() - start < self.delay:
                    continue
                try:
                    pct = con.query_progress()
                except Exception:  # the query may end between two polls
                    return
                if pct < 0:
                    continue
                filled = int(WIDTH * min(pct, 100) / 100)
                with self._lock:
                    self.stream.write(f"\r{label} [{'#' * filled}{'.' * (WIDTH - filled)}] "
                                      f"{pct:5.1f} %")
                    self.stream.flush()
                drawn[0] = True

        try:
            with _polling(poll, stop):
                yield
        finally:
            if drawn[0]:
                self.stream.write("\r" + " " * (len(label) + WIDTH + 12) + "\r")
                self.stream.flush()

    @contextmanager
    def watch(self, source: Stalled, stream: IO[str] | None = None) -> Iterator[None]:
        """While the block runs, say once per wait that ``source`` is stalled, after it has
        been for ``wait`` seconds without a break (and again after it ran and stalled anew).
        ``stream``: where, if not this progress's own (standard error redirected while the
        JVM starts)."""
        stop = threading.Event()
        out = stream or self.stream

        def poll() -> None:
            since: float | None = None
            said = False
            while not stop.wait(0.25):
                try:
                    why = source.stalled()
                except Exception:  # the session may stop between two polls
                    return
                if why is None:
                    since, said = None, False
                    continue
                since = since if since is not None else time.monotonic()
                if not said and time.monotonic() - since >= self.wait:
                    with self._lock:
                        out.write(("\r\033[K" if self.bar else "") + why + "\n")
                        out.flush()
                    said = True

        with _polling(poll, stop):
            yield


@contextmanager
def _polling(poll: Callable[[], None], stop: threading.Event) -> Iterator[None]:
    """``poll`` on a daemon thread while the block runs; ``stop`` set and the thread joined
    when it ends, however it ends."""
    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def progress_for(quiet: bool) -> TerminalProgress | None:
    """Progress when not ``quiet``: the bar only when standard error is an interactive
    terminal; waiting notes always."""
    if quiet:
        return None
    return TerminalProgress(bar=sys.stderr.isatty())
