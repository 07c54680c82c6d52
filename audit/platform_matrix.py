"""Several platforms side by side (``audit compare R1.json R2.json ...``): requirements as
rows, platforms as columns, each cell a status and its headline figure.

``audit diff`` reads two results as one platform changing over time; a regulator negotiating
with several messengers wants the opposite: one table of the same requirements, one column per
platform. Such a table is only fair when every column was judged the same way, so the matrix
also checks what the columns rest on (the as-of date, each module's version, the scoring model)
and keeps every difference as a note the renderings print above the table. Results are read
and checked by :mod:`audit.result_file`; the renderings are ``audit/reports/compare_*.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from audit.comparison import Message, message
from audit.i18n import N_, use_language
from audit.requirement_change import as_number
from audit.result_file import DiffError, load_result

MATRIX_SCHEMA = "platform-audit/comparison"
MATRIX_SCHEMA_VERSION = "1.0"
MIN_RESULTS = 2

# the measured figure a cell shows, in this order of preference: a rule's headline figure
HEADLINE_FIGURES = ("share_on_time", "share", "value", "count", "answer", "events", "newest",
                    "name")
SHARE_FIGURES = frozenset({"share_on_time", "share"})


@dataclass(frozen=True)
class Platform:
    """One column: a result file and what it rests on."""

    file: str
    name: str
    label: str  # the column header: the name, with the file when two columns share a name
    as_of: str | None
    verdict: str | None
    score: float | None
    score_without_waivers: float | None
    scoring_model: str | None
    tool_version: str | None
    modules: dict[str, str]  # module id -> version
    counts: dict[str, int]  # requirements per status (with waivers)
    language: str  # the language of its finding sentences


@dataclass(frozen=True)
class Cell:
    """One platform's finding on one requirement."""

    status: str
    score: float | None
    figure_name: str | None  # the headline figure's key (HEADLINE_FIGURES), None without one
    figure: object  # its value: a number, a share 0 to 1, a date or a word
    summary: str  # the finding in words, in the result's language


@dataclass(frozen=True)
class Row:
    """One requirement, with one cell per platform (None: that result did not assess it)."""

    id: str
    checklist: str
    title: str
    severity: str
    cells: tuple[Cell | None, ...]

    @property
    def differs(self) -> bool:
        """The platforms do not all have the same status here."""
        return len({c.status if c else None for c in self.cells}) > 1


@dataclass(frozen=True)
class PlatformMatrix:
    """Requirements by platforms, and what a reader must know before comparing columns."""

    platforms: tuple[Platform, ...]
    rows: tuple[Row, ...]
    notes: tuple[Message, ...]
    same_as_of: bool
    same_module_versions: bool

    def to_dict(self) -> dict[str, Any]:
        """The ``platform-audit/comparison`` document (docs/compare.md), in English."""
        def cell(c: Cell | None) -> dict[str, Any] | None:
            if c is None:
                return None
            return {"status": c.status, "score": c.score, "figure": c.figure_name,
                    "value": c.figure, "summary": c.summary}

        return {
            "schema": MATRIX_SCHEMA, "schema_version": MATRIX_SCHEMA_VERSION,
            "platforms": [{"file": p.file, "name": p.name, "label": p.label, "as_of": p.as_of,
                           "verdict": p.verdict, "score": p.score,
                           "score_without_waivers": p.score_without_waivers,
                           "scoring_model": p.scoring_model, "tool_version": p.tool_version,
                           "checklists": dict(p.modules), "counts": dict(p.counts)}
                          for p in self.platforms],
            "same_as_of": self.same_as_of,
            "same_module_versions": self.same_module_versions,
            "notes": [_english(n) for n in self.notes],
            "requirements": [{"id": r.id, "checklist": r.checklist, "title": r.title,
                              "severity": r.severity, "differs": r.differs,
                              "cells": [cell(c) for c in r.cells]} for r in self.rows],
        }


def _english(note: Message) -> str:
    with use_language("en"):
        return str(note)


def _platform(data: dict[str, Any], file: str) -> Platform:
    scoring = data.get("scoring") or {}
    modules = {str(c["id"]): str(c.get("version")) for c in data.get("checklists") or []
               if isinstance(c, dict) and "id" in c}
    counts = data.get("counts") if isinstance(data.get("counts"), dict) else {}
    return Platform(
        file=file, name=(name := str((data.get("platform") or {}).get("name") or file)),
        label=name,
        as_of=None if data.get("as_of") is None else str(data["as_of"]),
        verdict=data.get("verdict"),
        score=as_number((scoring.get("with_waivers") or {}).get("score")),
        score_without_waivers=as_number((scoring.get("without_waivers") or {}).get("score")),
        scoring_model=scoring.get("model"),
        tool_version=(data.get("tool") or {}).get("version"), modules=modules,
        counts={str(k): int(v) for k, v in (counts or {}).items() if isinstance(v, int)},
        language=str(data.get("language") or "en"))


def _labelled(platforms: list[Platform]) -> tuple[Platform, ...]:
    """Columns that share a platform name are told apart by their file names (by their paths
    when the file names are the same too)."""
    names = [p.name for p in platforms]
    files = [Path(p.file).name for p in platforms]
    return tuple(replace(p, label=f"{p.name} ({f if files.count(f) == 1 else p.file})")
                 if names.count(p.name) > 1 else p
                 for p, f in zip(platforms, files, strict=True))


def headline_figure(figures: object) -> tuple[str | None, object]:
    """The one figure a cell shows: the first of ``HEADLINE_FIGURES`` the finding has."""
    if not isinstance(figures, dict):
        return None, None
    for key in HEADLINE_FIGURES:
        value = figures.get(key)
        if value is not None and isinstance(value, (str, int, float)):
            return key, value
    return None, None


def _cell(r: dict[str, Any]) -> Cell:
    name, value = headline_figure(r.get("figures"))
    return Cell(status=str(r["status"]), score=as_number(r.get("score")), figure_name=name,
                figure=value, summary=str(r.get("summary") or ""))


def build_matrix(results: Sequence[tuple[str, dict[str, Any]]]) -> PlatformMatrix:
    """The matrix of checked result dictionaries, each named (its file) in the notes."""
    if len(results) < MIN_RESULTS:
        raise DiffError(f"audit compare needs at least {MIN_RESULTS} results, got "
                        f"{len(results)}")
    platforms = _labelled([_platform(data, name) for name, data in results])
    order: dict[str, dict[str, Any]] = {}  # first appearance: checklist order, then files
    by_platform = []
    for _name, data in results:
        reqs = {r["id"]: r for r in data["requirements"]}
        by_platform.append(reqs)
        for rid, r in reqs.items():
            order.setdefault(rid, r)
    rows = tuple(Row(id=rid, checklist=str(r.get("checklist") or rid.split(":", 1)[0]),
                     title=str(r.get("title") or ""), severity=str(r.get("severity") or ""),
                     cells=tuple(_cell(reqs[rid]) if rid in reqs else None
                                 for reqs in by_platform))
                 for rid, r in order.items())
    notes, same_as_of, same_versions = _notes(platforms)
    return PlatformMatrix(platforms, rows, tuple(notes), same_as_of, same_versions)


def _listing(platforms: Sequence[Platform], value: Sequence[object]) -> str:
    return "; ".join(f"{p.label}: {v if v is not None else '-'}"
                     for p, v in zip(platforms, value, strict=True))


def _notes(platforms: Sequence[Platform]) -> tuple[list[Message], bool, bool]:
    """What the columns rest on, checked: the as-of date, module versions, scoring model."""
    notes: list[Message] = []
    dates = [p.as_of for p in platforms]
    same_as_of = len(set(dates)) == 1
    if same_as_of:
        notes.append(message(N_("every platform is assessed as of {date}"), date=dates[0]))
    else:
        notes.append(message(N_("the platforms are assessed as of different dates ({dates}): "
                                "a deadline or a document's age may differ for that reason"),
                             dates=_listing(platforms, dates)))
    modules = list(dict.fromkeys(m for p in platforms for m in p.modules))
    same_versions = True
    all_assessed = True
    for module in modules:
        versions = [p.modules.get(module) for p in platforms]
        if None in versions:
            all_assessed = False
            missing = ", ".join(p.label for p, v in zip(platforms, versions, strict=True)
                                if v is None)
            notes.append(message(N_("checklist {id} is not assessed for {platforms}"),
                                 id=module, platforms=missing))
        present = {v for v in versions if v is not None}
        if len(present) > 1:
            same_versions = False
            notes.append(message(N_("checklist {id} is assessed at different versions "
                                    "({versions}): rows it added or changed are not "
                                    "comparable"), id=module,
                                 versions=_listing(platforms, versions)))
    if same_versions and modules:
        first = {m: next(p.modules[m] for p in platforms if m in p.modules) for m in modules}
        notes.append(message(N_("every platform is assessed against the same checklist "
                                "versions ({versions})") if all_assessed else
                             N_("where a checklist is assessed for several platforms, its "
                                "version is the same ({versions})"),
                             versions=", ".join(f"{m} {v}" for m, v in first.items())))
    models = [p.scoring_model for p in platforms]
    if len(set(models)) > 1:
        notes.append(message(N_("the results use different scoring models ({models}): "
                                "their scores are not comparable"),
                             models=_listing(platforms, models)))
    names = [p.name for p in platforms]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        notes.append(message(N_("{name} appears in more than one column: to follow one "
                                "platform over time use audit diff"), name=repeated[0]))
    return notes, same_as_of, same_versions


def matrix_files(paths: Sequence[Path]) -> PlatformMatrix:
    """Read, check and lay out result files (each named by its path)."""
    return build_matrix([(str(p), load_result(p)) for p in paths])
