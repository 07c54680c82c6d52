"""The writer interface and atomic output: a report is complete on disk or not there at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Protocol

from audit.errors import OutputError

if TYPE_CHECKING:  # pragma: no cover
    from audit.assessment import Assessment


class ReportWriter(Protocol):
    id: str
    description: str
    extensions: tuple[str, ...]
    binary: bool  # True: needs a file (-o), cannot go to the terminal

    def write(self, assessment: Assessment, stream: IO[Any]) -> None: ...


def writer_for(registry: Any, fmt: str | None, output: Path | None) -> Any:
    """``--format`` wins; otherwise the output file's extension; otherwise the console."""
    if fmt:
        if fmt not in registry.writers:
            raise OutputError(f"unknown format '{fmt}' (known: {', '.join(registry.writers.ids())})")
        return registry.writers.get(fmt)
    if output is not None:
        suffix = output.suffix.lower()
        name = output.name.lower()
        # The longest matching extension wins, so "r.oscal.json" picks oscal, not json.
        matches = [(len(ext), writer) for _id, writer in registry.writers.items()
                   for ext in getattr(writer, "extensions", ()) if name.endswith(ext.lower())]
        if matches:
            return max(matches, key=lambda m: m[0])[1]
        raise OutputError(f"{output}: no report format writes '{suffix}' files; choose one "
                          f"with --format ({', '.join(registry.writers.ids())})")
    return registry.writers.get("console")


STDOUT = "-"  # ``-o -``: a text report to standard output


def is_stdout(output: Path | None) -> bool:
    return output is not None and str(output) == STDOUT


def refuse_overwriting_inputs(output: Path | None, inputs: list[Path]) -> None:
    """Inputs are never modified: an output path that is (or lies inside) an input is refused.

    Every command that writes a file calls this before any work starts."""
    if output is None or is_stdout(output):
        return
    target = output.resolve()
    for item in inputs:
        source = item.resolve()
        if target == source or (source.is_dir() and target.is_relative_to(source)):
            raise OutputError(f"{output} is one of the inputs ({item}); inputs are never "
                              "overwritten: write the output elsewhere")


def write_output(output: Path, render: Callable[[IO[Any]], None], binary: bool,
                 stdout: IO[str]) -> None:
    """Write to ``output`` atomically, or to ``stdout`` for ``-o -`` (text formats only)."""
    if is_stdout(output):
        if binary:
            raise OutputError("-o -: this format is a binary workbook and cannot go to standard "
                              "output; give a file name")
        render(stdout)
        return
    write_atomically(output, render, binary)


def write_atomically(path: Path, render: Callable[[IO[Any]], None], binary: bool) -> None:
    """Render into a temporary file beside ``path`` and rename it into place."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"{path}: directory {directory} does not exist")
    tmp: str | None = None
    try:
        # inside the error handling: a read-only directory fails here, as a located error
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        # mkstemp creates the file 0600; a report gets the permissions any new file would get
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        fh: IO[Any]
        if binary:
            fh = os.fdopen(fd, "wb")
        else:
            fh = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        with fh:
            render(fh)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
