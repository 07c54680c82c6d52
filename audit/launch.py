"""The ``audit`` command's first code: a Ctrl-C or SIGTERM while the command line is still
loading (click, then the command asked for and the plugins) exits quietly, 130 or 143, like
one that arrives later (``audit.cli.main`` handles those), never with an import traceback.

Nothing has been read or written yet at that point, so there is nothing to clean up.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType


def _stop_while_loading(signum: int, _frame: FrameType | None) -> None:
    word = "terminated" if signum == signal.SIGTERM else "interrupted"
    sys.stderr.write(f"audit: {word}\n")
    raise SystemExit(128 + signum)


def main() -> None:
    """The console script ``audit`` and ``python -m audit``."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _stop_while_loading)
    from audit import cli  # deferred: click and every command, loaded after the handlers

    cli.main()
