"""Evidence loaders: the interface, pack-level dispatch, and the built-in directory loader.

A loader of kind ``pack`` reads the EVIDENCE argument of ``audit assess`` (a directory, a
workbook); a loader of kind ``log`` reads one file under ``logs/``. Plugins' loaders are asked
before the built-in ones (lower ``priority`` first), so a plugin can claim, say, a DSA
Transparency Database dump before the generic CSV reader sees it.
"""

from __future__ import annotations

import os
import zoneinfo
from collections.abc import Iterable
from pathlib import Path
from typing import Any, ClassVar, Protocol

from audit.engine.base import LogEngine
from audit.engine.settings import DEFAULT_ENGINE, EngineSettings
from audit.errors import EvidenceError, Problem
from audit.evidence.pack import Answer, Document, EvidencePack, Waiver
from audit.logs.mapping import compile_mapping
from audit.logs.mapping_data import loader_failed, stage
from audit.logs.mapping_file import LogMapping, check_mapping_file, is_mapping, read_mapping
from audit.logs.sql import quote
from audit.logs.tables import LOG_SUFFIXES, log_name
from audit.model import Checklist, Rule
from audit.progress import TerminalProgress
from audit.registry import Registry
from audit.schemas.common import as_date, validate
from audit.schemas.evidence import ANSWER, DOCUMENTS_FILE, PLATFORM, WAIVERS_FILE
from audit.yamlio import YamlDocument, YamlProblem, load_yaml


class EvidenceLoader(Protocol):
    id: str
    kind: str  # "pack" or "log"; optional: without it the loader is asked about both
    priority: int  # optional, default 50: lower is asked first (built-ins: 90 and 100)
    description: str

    def matches(self, path: Path) -> bool: ...

    def load(self, path: Path, pack: EvidencePack) -> None: ...


LOADER_KINDS = ("pack", "log")


def loader_kinds(loader: object) -> tuple[str, ...]:
    """Where a loader is asked: its ``kind``, or both places when it declares none (a loader
    written from the hook's documentation alone must not be silently ignored)."""
    kind = getattr(loader, "kind", None)
    return LOADER_KINDS if kind is None else (kind,)


def ordered_loaders(registry: Registry, kind: str) -> list[EvidenceLoader]:
    """The loaders asked about ``kind`` of input, in the order they are asked."""
    loaders = [loader for _id, loader in registry.loaders.items()
               if kind in loader_kinds(loader)]
    return sorted(loaders, key=lambda ld: (getattr(ld, "priority", 50), ld.id))


def load_evidence(paths: list[Path], registry: Registry,
                  needed: dict[str, set[str]] | None = None,
                  progress: TerminalProgress | None = None,
                  engine: EngineSettings = DEFAULT_ENGINE) -> EvidencePack:
    """Load one or more evidence inputs (a pack directory, a filled workbook) into one pack.

    ``needed`` (log -> columns, from ``needed_log_columns``) limits what is loaded from large
    logs to what the assessed rules read; ``engine`` chooses the engine that reads them.
    """
    root = next((p for p in paths if p.is_dir()), paths[0] if paths else None)
    pack = EvidencePack(root, registry, engine, progress)
    for path in paths:
        if not path.exists():
            raise EvidenceError(problems=[Problem(str(path), "", "no such file or directory")])
        loader = next((ld for ld in ordered_loaders(registry, "pack") if ld.matches(path)), None)
        if loader is None:
            known = "; ".join(ld.description for ld in ordered_loaders(registry, "pack"))
            raise EvidenceError(problems=[Problem(str(path), "", f"not an evidence input this "
                                                  f"installation can read ({known})")])
        loader.load(path, pack)
    if not pack.profile.get("name"):
        raise EvidenceError(problems=[Problem(str(paths[0]), "", "no platform profile: a pack "
                                              "directory needs platform.yaml, a template "
                                              "workbook the platform name on its Profile "
                                              "sheet")])
    pack.finish(needed)
    return pack


def needed_log_columns(checklists: Iterable[Checklist],
                       registry: Registry) -> dict[str, set[str]]:
    """Columns each log must provide to the rules of ``checklists``."""
    needed: dict[str, set[str]] = {}

    def visit(rule: Rule) -> None:
        evaluator = registry.evaluators.get(rule.type)
        for log, cols in evaluator.log_columns(rule).items():
            needed.setdefault(log, set()).update(cols)
        if evaluator.nested_rules:
            for child in rule.params.get(evaluator.nested_rules) or []:
                visit(Rule(child["type"], {k: v for k, v in child.items() if k != "type"}))

    for checklist in checklists:
        for req in checklist.requirements:
            visit(req.rule)
    return needed


def _read(path: Path, pack: EvidencePack, role: str) -> YamlDocument:
    if not path.resolve().is_relative_to(path.parent.resolve()):
        # a pack's file linked from elsewhere: neither read nor hashed (docs/limits.md)
        raise EvidenceError(problems=[Problem(
            f"{pack.display(path.parent)}/{path.name}", "", "a link to a file outside the "
            "pack; pack files must be files inside the pack directory")])
    try:
        doc = load_yaml(path, pack.display(path))
    except YamlProblem as exc:
        raise EvidenceError(problems=[exc.problem]) from None
    pack.record_file(path, role)
    return doc


def _check(doc: YamlDocument, schema: dict[str, Any]) -> None:
    problems = [doc.problem(p, m) for p, m in validate(doc.data, schema)]
    if problems:
        raise EvidenceError(problems=problems)


def _check_timezone(doc: YamlDocument) -> None:
    tz = doc.data.get("timezone")
    if tz is None:
        return
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise EvidenceError(problems=[doc.problem(("timezone",), f"unknown time zone {tz!r}; "
                                                  "expected an IANA name such as "
                                                  "Asia/Baghdad")]) from None


class DirectoryPackLoader:
    id = "pack-directory"
    kind = "pack"
    priority = 100
    description = "a pack directory with platform.yaml, answers.yaml, documents/, logs/"
    OPTIONAL: ClassVar[tuple[str, ...]] = ("answers.yaml", "documents.yaml", "waivers.yaml")

    def matches(self, path: Path) -> bool:
        return path.is_dir()

    def load(self, path: Path, pack: EvidencePack) -> None:
        profile = path / "platform.yaml"
        if not profile.is_file():
            raise EvidenceError(problems=[Problem(pack.display(profile), "",
                                                  "missing: every pack needs a platform profile")])
        doc = _read(profile, pack, "profile")
        _check(doc, PLATFORM)
        _check_timezone(doc)
        if pack.profile:  # a workbook read first may have given part of the profile
            clash = sorted(k for k in doc.data if k in pack.profile
                           and pack.profile[k] != doc.data[k])
            if clash:
                raise EvidenceError(problems=[doc.problem(
                    (clash[0],), "also given, differently, in another evidence input")])
        pack.profile = {**pack.profile, **dict(doc.data)}
        if (path / "answers.yaml").is_file():
            self._answers(path / "answers.yaml", pack)
        if (path / "documents.yaml").is_file() or (path / "documents").is_dir():
            self._documents(path, pack)
        if (path / "waivers.yaml").is_file():
            self._waivers(path / "waivers.yaml", pack)
        logs = path / "logs"
        if logs.is_dir():
            log_loaders = ordered_loaders(pack.registry, "log")
            inside = path.resolve()
            claimed = load_mapped_logs(logs, pack)
            for file in sorted(p for p in logs.iterdir() if p.is_file()
                               and not p.name.startswith(".") and p not in claimed):
                if not file.resolve().is_relative_to(inside):
                    # a link (or a linked logs/) could make another system's log pass for
                    # this platform's
                    raise EvidenceError(problems=[Problem(
                        f"{pack.display(path)}/logs/{file.name}", "", "a link to a file "
                        "outside the pack; logs must be files inside the pack directory")])
                loader = next((ld for ld in log_loaders if ld.matches(file)), None)
                if loader is None:
                    raise EvidenceError(problems=[Problem(
                        pack.display(file), "", "no loader reads this file; logs are "
                        + ", ".join(LOG_SUFFIXES) + " files named after their table, "
                        "e.g. logs/moderation.csv")])
                try:
                    loader.load(file, pack)
                except Exception as exc:
                    located = _located(exc, pack, loader, file)
                    if located is None:
                        raise
                    raise located from None

    def _answers(self, path: Path, pack: EvidencePack) -> None:
        doc = _read(path, pack, "answers")
        data = doc.data or {}
        if not isinstance(data, dict):
            raise EvidenceError(problems=[doc.problem((), "expected a mapping of answer key "
                                                          "to answer")])
        problems = []
        for key, value in data.items():
            entry = value if isinstance(value, dict) else {"answer": value}
            found = validate(entry, ANSWER, (key,))
            if found:
                problems += [doc.problem(p, m) for p, m in found]
                continue
            answer = entry["answer"]
            if isinstance(answer, bool):  # YAML reads a bare yes/no as a boolean
                answer = "yes" if answer else "no"
            line = doc.line_of((key,))
            pack.add_answer(Answer(
                key=str(key), value=answer.lower() if isinstance(answer, str) else answer,
                location=f"{doc.file}:{line}" if line else doc.file,
                document=entry.get("document"), note=entry.get("note"), by=entry.get("by"),
                date=as_date(entry["date"]) if entry.get("date") else None))
        if problems:
            raise EvidenceError(problems=problems)

    def _documents(self, root: Path, pack: EvidencePack) -> None:
        directory = root / "documents"
        indexed: dict[str, dict[str, Any]] = {}
        problems = []
        doc = None
        if (root / "documents.yaml").is_file():
            doc = _read(root / "documents.yaml", pack, "documents-index")
            _check(doc, DOCUMENTS_FILE)
            for i, entry in enumerate(doc.data["documents"]):
                rel = entry["path"]
                target = (directory / rel)
                if ".." in Path(rel).parts or Path(rel).is_absolute():
                    problems.append(doc.problem(("documents", i, "path"),
                                                "must be a path inside documents/"))
                elif not target.is_file():
                    problems.append(doc.problem(("documents", i, "path"),
                                                f"no such file documents/{rel}"))
                elif rel in indexed:
                    problems.append(doc.problem(("documents", i, "path"), "listed twice"))
                else:
                    indexed[rel] = entry
        if problems:
            raise EvidenceError(problems=problems)
        if directory.is_dir():
            inside = directory.resolve()
            for file in _document_files(directory, pack):
                rel = file.relative_to(directory).as_posix()
                if file.is_symlink() or not file.resolve().is_relative_to(inside):
                    # a link could make a file from elsewhere pass for the platform's policy
                    raise EvidenceError(problems=[Problem(
                        pack.display(file), "", "documents must be regular files inside "
                        "documents/, not links")])
                record = pack.record_file(file, "document")
                pack.document_files[rel] = record
                entry = indexed.get(rel)
                if entry is None:
                    continue  # hashed and listed as evidence, but no rule can ask for it
                pack.documents[rel] = Document(
                    path=record.path, kind=entry["kind"], sha256=record.sha256,
                    size=record.size, title=entry.get("title"),
                    date=as_date(entry["date"]) if entry.get("date") else None,
                    language=entry.get("language"))

    def _waivers(self, path: Path, pack: EvidencePack) -> None:
        doc = _read(path, pack, "waivers")
        _check(doc, WAIVERS_FILE)
        for i, entry in enumerate(doc.data["waivers"]):
            line = doc.line_of(("waivers", i))
            if entry.get("granted") and as_date(entry["granted"]) > as_date(entry["expires"]):
                raise EvidenceError(problems=[doc.problem(("waivers", i, "expires"),
                                                          "expires before it was granted")])
            pack.waivers.append(Waiver(
                requirement=entry["requirement"], justification=entry["justification"],
                approved_by=entry["approved_by"], expires=as_date(entry["expires"]),
                location=f"{doc.file}:{line}" if line else doc.file,
                granted=as_date(entry["granted"]) if entry.get("granted") else None))


def _located(exc: Exception, pack: EvidencePack, loader: EvidenceLoader,
             file: Path) -> EvidenceError | None:
    """An engine error raised while a log loader reads ``file`` (the file cannot be read, or
    the loader's SQL does not run on this engine) as one located line; None for any other."""
    store = pack.started_engine  # the engine, if the loader used it
    if store is None or not isinstance(exc, store.query_errors()):
        return None
    return loader_failed(store, loader.id, pack.display(file), exc)


def load_mapped_logs(folder: Path, pack: EvidencePack) -> set[Path]:
    """Read every ``*.mapping.yaml`` in ``folder`` and queue the tables they build.

    Mappings naming the same table are stacked (``UNION ALL BY NAME``), e.g. two measures
    taken from one published table. Returns the files they claimed, mapping files included,
    so no other log loader reads them a second time.
    """
    groups: dict[str, list[LogMapping]] = {}
    for file in sorted(p for p in folder.iterdir() if p.is_file() and is_mapping(p)):
        check_mapping_file(file, pack.display)  # a link out is neither hashed nor read
        digest = pack.record_file(file, "mapping").sha256
        settings = pack.engine_settings  # only Spark reads locations, within the runner's list
        found = read_mapping(file, pack.display(file), digest, pack.display,
                             settings.allow_locations if settings.is_spark else None)
        groups.setdefault(found.table, []).append(found)
    claimed: set[Path] = set()
    for table, mappings in groups.items():
        readers, transform = [], None
        for found in mappings:
            stage(found, pack.scratch())
            reader, transform = compile_mapping(pack.logs, found, pack.timezone,
                                                   pack.registry.loaders, len(mappings) == 1)
            if transform is not None and len(mappings) > 1:
                # the loader's rows, stacked with the other mappings' by column name
                reader, transform = f"({transform.format(source=reader)})", None
            readers.append(reader)
            claimed.update([found.path, *found.files])
        reader = readers[0] if len(readers) == 1 else _stacked(pack.logs, readers)
        files = list(dict.fromkeys(f for found in mappings for f in found.files))
        first = mappings[0]
        pack.add_log(table, files[0] if files else first.path, transform=transform,
                     reader=reader, files=files, display=first.displays[0],
                     meta={"format": "mapped " + first.format,
                           "mappings": [found.record(pack.logs.listings)
                                        for found in mappings],
                           "set_aside": [entry for found in mappings
                                         for entry in found.set_aside],
                           # rows per file, when every mapping's scan counted them
                           "file_rows": [list(pair) for found in mappings
                                         for pair in found.file_rows or ()]
                           if all(found.file_rows is not None for found in mappings)
                           else None,
                           "absent": {k: v for found in mappings
                                      for k, v in found.absent.items()},
                           # or left to the log's first full read (one mapping only)
                           "file_rows_owed": first.file_rows_owed})
    return claimed


def _stacked(store: LogEngine, readers: list[str]) -> str:
    """Several mappings' rows as one table, columns matched by name (a column one mapping
    lacks is NULL in its rows). Written out rather than DuckDB's ``UNION ALL BY NAME`` so
    that every engine runs it (docs/spark.md)."""
    described = [store.describe(f"SELECT * FROM {r}") for r in readers]
    types: dict[str, str] = {}
    for rows in described:
        for name, kind in rows:
            types.setdefault(name, kind)
    parts = []
    for reader, rows in zip(readers, described, strict=True):
        have = {row[0] for row in rows}
        cols = ", ".join(quote(c) if c in have else f"CAST(NULL AS {t}) AS {quote(c)}"
                         for c, t in types.items())
        parts.append(f"SELECT {cols} FROM {reader}")
    return "(" + " UNION ALL ".join(parts) + ")"


def _document_files(directory: Path, pack: EvidencePack) -> list[Path]:
    """Every file under documents/, sorted; a linked folder is refused rather than skipped."""
    found = []
    for top, dirs, files in os.walk(directory):
        for name in sorted(dirs):
            if (Path(top) / name).is_symlink():
                raise EvidenceError(problems=[Problem(
                    f"{pack.display(Path(top))}/{name}", "", "a link to a folder; documents must be "
                    "regular files inside documents/, not links")])
        found += [Path(top) / name for name in files if (Path(top) / name).is_file()
                  or (Path(top) / name).is_symlink()]
    return sorted(found)


class LogFileLoader:
    id = "log-file"
    kind = "log"
    priority = 100
    description = "logs/<table>.csv, .parquet or .jsonl"

    def matches(self, path: Path) -> bool:
        return path.suffix.lower() in LOG_SUFFIXES

    def load(self, path: Path, pack: EvidencePack) -> None:
        pack.add_log(log_name(path), path)


def read_profile(path: Path) -> dict[str, Any]:
    """A platform profile (``platform.yaml``) on its own, checked as a pack's is: for the
    commands that need the platform's facts but no evidence (``audit notices``)."""
    try:
        doc = load_yaml(path, str(path))
    except YamlProblem as exc:
        raise EvidenceError(problems=[exc.problem]) from None
    _check(doc, PLATFORM)
    _check_timezone(doc)
    return dict(doc.data)
