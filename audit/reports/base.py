"""The writer interface, the choice of a writer, and atomic output.

Every report goes through :class:`ReportWriter`: the CLI, ``audit.write`` and the tests call
``write(assessment, stream, output)`` and ``siblings(assessment, output)`` on whatever the
registry holds, never asking a writer what it supports. Plugin writers may be smaller (see
docs/plugins/hooks.md); ``audit.reports.adapter`` completes them once, when they register.
Output is atomic: a report is complete on disk or not there at all.
"""

from __future__ import annotations

import abc
import glob
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Callable, Protocol, Sequence

from audit import scratch
from audit.errors import OutputError

if TYPE_CHECKING:  # pragma: no cover
    from audit.assessment import Assessment
    from audit.registry import Registry

# Renders one file into an open stream. ``IO[Any]``: a text stream, or bytes for a workbook.
Render = Callable[[IO[Any]], None]


class ReportWriter(Protocol):
    """What the code holds in ``registry.writers``: every writer, built in or adapted."""

    @property
    def id(self) -> str: ...  # the --format value

    @property
    def description(self) -> str: ...

    @property
    def extensions(self) -> tuple[str, ...]: ...  # chosen from -o FILE, longest match wins

    @property
    def binary(self) -> bool: ...  # True: needs a file (-o), cannot go to the terminal

    @property
    def sibling_suffix(self) -> str | None: ...  # how the files beside a report end, if any

    def write(self, assessment: Assessment, stream: IO[Any],
              output: Path | None = None) -> None:
        """Render the report; ``output`` is the file it goes to (None: a stream, stdout)."""

    def siblings(self, assessment: Assessment, output: Path) -> list[tuple[Path, Render]]:
        """Files written beside the report at ``output`` (the HTML report's event lists)."""


class WriterBase(abc.ABC):
    """The built-in writers' common ground: a report with no files beside it.

    A writer built on this class is a complete :class:`ReportWriter` and registers as it is;
    anything else a plugin registers is adapted (``audit.reports.adapter``)."""

    id: str
    description: str
    extensions: tuple[str, ...]
    binary: bool = False
    sibling_suffix: str | None = None

    @abc.abstractmethod
    def write(self, assessment: Assessment, stream: IO[Any],
              output: Path | None = None) -> None: ...

    def siblings(self, assessment: Assessment, output: Path) -> list[tuple[Path, Render]]:
        return []


def writer_for(registry: Registry, fmt: str | None, output: Path | None) -> ReportWriter:
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
                   for ext in writer.extensions if name.endswith(ext.lower())]
        if matches:
            return max(matches, key=lambda m: m[0])[1]
        raise OutputError(f"{output}: no report format writes '{suffix}' files; choose one "
                          f"with --format ({', '.join(registry.writers.ids())})")
    return registry.writers.get("console")


def write_report(writer: ReportWriter, assessment: Assessment, output: Path | None,
                 inputs: Sequence[Path], stdout: IO[str]) -> None:
    """The report (a file, ``stdout`` for ``-o -`` or no ``-o``) and the files the writer puts
    beside it (full event lists): every path is checked against the inputs before anything is
    written; all are staged, then renamed into place together, the report last; files beside
    the report that an earlier run wrote and this one does not are removed."""
    if output is None or is_stdout(output):
        _refuse_binary_stdout(writer.binary)
        writer.write(assessment, stdout)
        return
    _directory(output)  # a missing folder is said of the report, not of a file beside it
    siblings = writer.siblings(assessment, output)
    for path, _render in siblings:
        refuse_overwriting_inputs(path, inputs)
    write_together([*((path, render, False) for path, render in siblings),
                    (output, lambda fh: writer.write(assessment, fh, output), writer.binary)])
    if writer.sibling_suffix:
        written = {path.name for path, _render in siblings}
        for stale in stale_siblings(output, writer.sibling_suffix, writer.extensions):
            if stale.name not in written and not _is_input(stale, inputs):
                stale.unlink(missing_ok=True)


def stale_siblings(output: Path, suffix: str, extensions: Sequence[str]) -> list[Path]:
    """Files beside ``output`` named like its siblings (``gaps.<name><suffix>``) and owned by
    it: a name that a longer report name also explains (``gaps.v2.<name><suffix>`` beside
    ``gaps.v2.xlsx``) belongs to that report and is left alone."""
    directory = output.parent if str(output.parent) else Path(".")
    out = []
    for candidate in directory.glob(glob.escape(output.stem) + ".*" + glob.escape(suffix)):
        parts = candidate.name[:-len(suffix)].split(".")
        owner = next((stem + ext for i in range(len(parts) - 1, 0, -1)
                      for stem in [".".join(parts[:i])] for ext in extensions
                      if (directory / (stem + ext)).exists()), None)
        if owner == output.name and candidate.is_file():
            out.append(candidate)
    return out


STDOUT = "-"  # ``-o -``: a text report to standard output


def is_stdout(output: Path | None) -> bool:
    return output is not None and str(output) == STDOUT


def refuse_overwriting_inputs(output: Path | None, inputs: Sequence[Path]) -> None:
    """Inputs are never modified: an output path that is (or lies inside) an input is refused.

    Every command that writes a file calls this before any work starts."""
    if output is None or is_stdout(output):
        return
    item = _is_input(output, inputs)
    if item is not None:
        raise OutputError(f"{output} is one of the inputs ({item}); inputs are never "
                          "overwritten: write the output elsewhere")


def _is_input(path: Path, inputs: Sequence[Path]) -> Path | None:
    """The input ``path`` is, or lies inside; None when it is none of them."""
    target = path.resolve()
    for item in inputs:
        source = item.resolve()
        if target == source or (source.is_dir() and target.is_relative_to(source)):
            return item
    return None


def write_output(output: Path, render: Render, binary: bool, stdout: IO[str]) -> None:
    """Write to ``output`` atomically, or to ``stdout`` for ``-o -`` (text formats only)."""
    if is_stdout(output):
        _refuse_binary_stdout(binary)
        render(stdout)
        return
    write_atomically(output, render, binary)


def _refuse_binary_stdout(binary: bool) -> None:
    if binary:
        raise OutputError("-o -: this format is a binary workbook and cannot go to standard "
                          "output; give a file name")


def write_atomically(path: Path, render: Render, binary: bool) -> None:
    """Render into a temporary file beside ``path`` and rename it into place."""
    write_together([(path, render, binary)])


def write_together(files: Sequence[tuple[Path, Render, bool]]) -> None:
    """Render each file into a temporary file beside it, then rename them all into place, in
    order: a failure (a full disk, Ctrl-C) before the renames leaves every destination as it
    was and no temporary file behind. The temporary files are listed in the run's scratch
    folder, so a run killed outright has them removed by the next run."""
    staged: list[tuple[str, Path]] = []
    try:
        for path, render, binary in files:
            _stage(path, render, binary, staged)
        with scratch.held():  # all of them or, interrupted before, none
            for tmp, path in staged:
                try:
                    os.replace(tmp, path)
                except OSError as exc:
                    raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
    finally:
        for tmp, _path in staged:
            if os.path.lexists(tmp):
                os.unlink(tmp)


def _directory(path: Path) -> Path:
    """The folder ``path`` goes in, which must exist."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise OutputError(f"{path}: directory {directory} does not exist")
    return directory


def _create_temporary(directory: Path, path: Path, staged: list[tuple[str, Path]]) -> int:
    """A new, empty temporary file beside ``path`` (``.<name>.<random>.tmp``), recorded in the
    run's debris list *before* it exists, so not even ``kill -9`` can leave it unlisted, and
    added to ``staged`` as soon as it does. Created with the permissions any new file gets."""
    while True:
        tmp = scratch.temporary_name(directory, path)
        with scratch.held():  # a signal between creating and recording would lose the file
            scratch.note_debris(tmp)
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
            except FileExistsError:
                continue  # another run's name: never touched, another one drawn
            staged.append((str(tmp), path))
        return fd


def _stage(path: Path, render: Render, binary: bool, staged: list[tuple[str, Path]]) -> None:
    """``render`` into a new temporary file beside ``path``, added to ``staged`` as soon as it
    exists (the caller removes it, whatever happens next)."""
    directory = _directory(path)
    try:
        # inside the error handling: a read-only directory fails here, as a located error
        fd = _create_temporary(directory, path, staged)
        fh: IO[Any]
        if binary:
            fh = os.fdopen(fd, "wb")
        else:
            fh = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        with fh:
            render(fh)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write: {exc.strerror or exc}") from None
