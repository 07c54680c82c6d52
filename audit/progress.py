"""A progress bar for long log scans, on a terminal only.

DuckDB reports how far the running query has got (``query_progress``); a background thread
polls it and redraws one line on standard error. Nothing is drawn when standard error is not
a terminal (CI logs, pipes) or with ``--quiet``, and standard output is never touched, so a
report written to stdout stays clean.
"""

from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager
from typing import IO, Iterator, Protocol

WIDTH = 30


class QueryProgress(Protocol):
    """A connection that reports how far its running query is (DuckDB's ``query_progress``:
    a percentage, or a negative number while it cannot tell)."""

    def query_progress(self) -> float: ...


class TerminalProgress:
    def __init__(self, stream: IO[str] | None = None, delay: float = 0.5) -> None:
        self.stream = stream or sys.stderr
        self.delay = delay  # scans shorter than this draw nothing

    @contextmanager
    def track(self, con: QueryProgress, label: str) -> Iterator[None]:
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
                self.stream.write(f"\r{label} [{'#' * filled}{'.' * (WIDTH - filled)}] "
                                  f"{pct:5.1f} %")
                self.stream.flush()
                drawn[0] = True

        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()
            if drawn[0]:
                self.stream.write("\r" + " " * (len(label) + WIDTH + 12) + "\r")
                self.stream.flush()


def progress_for(quiet: bool) -> TerminalProgress | None:
    """A progress bar when standard error is an interactive terminal and not ``quiet``."""
    if quiet or not sys.stderr.isatty():
        return None
    return TerminalProgress()
