"""The in-memory evidence pack every evaluator reads.

Loaders fill it (a directory pack, a filled workbook, another tool's export); evaluators only
read it. Every input file is hashed as it is read, so the report can prove which bytes it
judged, and no input is ever opened for writing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
import threading
import weakref
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from audit.engine import LogEngine, create_engine
from audit.engine.settings import DEFAULT_ENGINE, EngineSettings
from audit.errors import EvidenceError, Problem
from audit.progress import TerminalProgress

if TYPE_CHECKING:  # pragma: no cover
    from audit.model import Requirement
    from audit.registry import Registry


@dataclass(frozen=True)
class FileRecord:
    path: str
    role: str  # profile | answers | documents-index | document | log | mapping | waivers | workbook
    size: int
    sha256: str


@dataclass(frozen=True)
class Answer:
    key: str
    value: Any
    location: str  # "answers.yaml:12" or "Answers!D14"
    document: str | None = None
    note: str | None = None
    by: str | None = None
    date: dt.date | None = None


@dataclass(frozen=True)
class Document:
    path: str
    kind: str
    sha256: str
    size: int
    title: str | None = None
    date: dt.date | None = None
    language: str | None = None


@dataclass(frozen=True)
class Waiver:
    requirement: str
    justification: str
    approved_by: str
    expires: dt.date
    location: str
    granted: dt.date | None = None

    def active_on(self, day: dt.date) -> bool:
        """From its grant (when given) to its expiry, both days included."""
        return (self.granted is None or self.granted <= day) and day <= self.expires


def sha256_of(path: Path) -> tuple[str, int]:
    """The file's SHA-256 and size, read in 1 MiB chunks: hashlib releases the GIL for each,
    so a background hash runs beside the engine. Measured on a 1 GB CSV with SHA-NI: 0.71 CPU
    s; 8 and 32 MiB chunks cost more (0.78, 1.27: the chunk leaves the CPU cache before it is
    hashed); mmap saves 5 % but turns a file truncated meanwhile into a SIGBUS crash."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


class _Hash:
    """One file's SHA-256 computed on a background thread: ``result`` waits for it."""

    def __init__(self, path: Path, display: str) -> None:
        self.path, self.display = path, display
        self.done = threading.Event()
        self.value: tuple[str, int] | OSError | None = None

    def run(self) -> None:
        try:
            self.value = sha256_of(self.path)
        except OSError as exc:  # reported when the files are asked for
            self.value = exc
        self.done.set()

    def result(self) -> tuple[str, int]:
        self.done.wait()
        if not isinstance(self.value, tuple):
            error = self.value
            raise EvidenceError(problems=[Problem(self.display, "", "cannot read: "
                                                  f"{getattr(error, 'strerror', None) or error}")])
        return self.value


class BackgroundHashes:
    """Logs hashed one after another on one daemon thread, each queued as soon as a loader
    names it: the hash overlaps the rest of loading and the engine's scan (hashlib releases
    the GIL), and its digest is joined only when the evidence files are listed. The thread
    ends when the queue is empty; the next file queued starts another."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._todo: deque[_Hash] = deque()
        self._running = False

    def submit(self, path: Path, display: str) -> _Hash:
        job = _Hash(path, display)
        with self._lock:
            self._todo.append(job)
            if not self._running:
                self._running = True
                threading.Thread(target=self._work, name="audit-log-hash", daemon=True).start()
        return job

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._todo:
                    self._running = False
                    return
                job = self._todo.popleft()
            job.run()


class EvidencePack:
    """Profile, answers, documents, logs and waivers of one platform."""

    def __init__(self, root: Path | None, registry: Registry,
                 engine: EngineSettings = DEFAULT_ENGINE,
                 progress: TerminalProgress | None = None) -> None:
        self.root = root
        self.registry = registry
        self.profile: dict[str, Any] = {}
        self.answers: dict[str, Answer] = {}
        self.documents: dict[str, Document] = {}  # indexed in documents.yaml, by path
        self.document_files: dict[str, FileRecord] = {}  # every file under documents/
        self.waivers: list[Waiver] = []
        self._files: list[FileRecord] = []
        # logs' data files, hashed on a background thread from the moment a loader names them
        self._hashes = BackgroundHashes()
        self._hashing: list[_Hash] = []
        # the engine asked for, and the one started once a log is read (None until then):
        # the result's provenance names it (audit.provenance), a report checks it still runs
        self.engine_settings = engine
        self.started_engine: LogEngine | None = None
        self._progress = progress
        # (name, path, display, transform, reader) of each log queued by a loader
        self._pending_logs: list[tuple[str, Path, str, str | None, str | None]] = []
        self._log_meta: dict[int, tuple[list[Path], dict[str, Any]]] = {}
        self.workdir: Path | None = None  # scratch space for unpacked zip members, on demand

    # -- for loaders ----------------------------------------------------------------------

    def display(self, path: Path) -> str:
        """How a file is named in messages and reports: relative to the pack when inside it."""
        if self.root is not None:
            try:
                return path.resolve().relative_to(self.root.resolve().parent).as_posix()
            except ValueError:
                pass
        return str(path)

    def record_file(self, path: Path, role: str) -> FileRecord:
        digest, size = sha256_of(path)
        record = FileRecord(self.display(path), role, size, digest)
        self._files.append(record)
        return record

    def add_answer(self, answer: Answer) -> None:
        if answer.key in self.answers:
            first = self.answers[answer.key]
            raise EvidenceError(problems=[Problem(answer.location, answer.key,
                                                  f"answered twice (first at {first.location})")])
        self.answers[answer.key] = answer

    def add_log(self, name: str, path: Path, transform: str | None = None,
                reader: str | None = None, files: list[Path] | None = None,
                meta: dict[str, Any] | None = None, display: str | None = None) -> None:
        """Queue a log; it is loaded into the engine once the profile (time zone) is known.

        ``transform`` and ``reader`` are passed to ``LogEngine.load``: a loader for another
        format maps its file into one of the standard tables with a SQL ``SELECT``. ``files``
        are the data files hashed as the log's evidence (default ``[path]``: a mapping reads
        several; ``[]``: none is local, e.g. a data-lake location read by Spark); ``meta`` is
        kept with the loaded log (e.g. the mapping used, for the result); ``display`` names
        the log in messages when it is not ``path`` (a lake location).
        """
        shown = display or self.display(path)
        for i, pending in enumerate(self._pending_logs):
            if pending[0] == name:  # say which files feed it, and how to read both
                mapped = self._log_meta.get(i, ([], {}))[1].get("mappings") or []
                first = ", ".join(m["file"] for m in mapped) or pending[2]
                raise EvidenceError(problems=[Problem(shown, "", (
                    f"a second source for the {name} table, beside {first}; to read both as "
                    f"one table give this file a mapping too (files: {path.name}, table: "
                    f"{name}, keep: true): mappings of one table are stacked by column name"))])
        self._pending_logs.append((name, path, shown, transform, reader))
        data = files if files is not None else [path]
        self._log_meta[len(self._pending_logs) - 1] = (data, meta or {})
        self._hashing += [self._hashes.submit(file, self.display(file)) for file in data]

    def scratch(self) -> Path:
        """A temporary folder for this run, removed with the pack (zip members land here)."""
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="audit-evidence-"))
            weakref.finalize(self, shutil.rmtree, self.workdir, True)
        return self.workdir

    @property
    def timezone(self) -> str | None:
        return self.profile.get("timezone")

    @property
    def logs(self) -> LogEngine:
        """The run's engine (DuckDB unless ``--engine spark``), started when first asked."""
        if self.started_engine is None:
            self.started_engine = create_engine(self.engine_settings, timezone=self.timezone,
                                                progress=self._progress)
        return self.started_engine

    def finish(self, needed: dict[str, set[str]] | None = None) -> None:
        """Load queued logs; every problem in every log is reported together.

        ``needed`` maps log names to the columns the assessed rules read (see
        ``Evaluator.log_columns``); ``None`` loads every column.
        """
        problems: list[Problem] = []
        # The logs' hashes started when add_log queued them and run while the rules scan;
        # ``files`` waits for them, so they are in every result.
        for i, (name, path, display, transform, reader) in enumerate(self._pending_logs):
            try:
                info = self.logs.load(name, path, display,
                                      None if needed is None else needed.get(name, set()),
                                      transform=transform, reader=reader)
                meta = self._log_meta.get(i, ([], {}))[1]
                info.extra.update(meta)
                info.format = meta.get("format", info.format)
            except EvidenceError as exc:
                problems.extend(exc.problems)
        self._pending_logs = []
        self._log_meta = {}
        if self.workdir is not None:
            # logs are read where they lie, at query time: unpacked members must outlive the
            # pack object as long as its store is in use (the workdir goes with the pack)
            self.logs.keep_alive = self
        if problems:
            raise EvidenceError(problems=problems)

    @property
    def files(self) -> list[FileRecord]:
        """Every file read, with its SHA-256 (joins the logs' background hashes: the result's
        provenance and evidence list are written from here)."""
        while self._hashing:
            job = self._hashing[0]
            digest, size = job.result()
            self._files.append(FileRecord(job.display, "log", size, digest))
            self._hashing.pop(0)
        return self._files

    # -- for evaluators -------------------------------------------------------------------

    def answer(self, key: str, requirement: Requirement | None = None) -> Answer | None:
        """An answer by ``module:key`` first (specific to one module), then by bare key."""
        if requirement is not None:
            found = self.answers.get(f"{requirement.module}:{key}")
            if found is None and requirement.origin and requirement.origin != requirement.module:
                found = self.answers.get(f"{requirement.origin}:{key}")
            if found is not None:
                return found
        return self.answers.get(key)

    def representatives(self) -> list[dict[str, Any]]:
        return [dict(r, _index=i) for i, r in enumerate(self.profile.get("representatives") or [])]
