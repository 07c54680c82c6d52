"""Scores over successive submissions (``audit history``): each JSON result of one platform
read back as one row of key figures (verdict, score, gaps, waivers, stale evidence) and its
scores by area and jurisdiction, oldest first. The renderings are in
``audit/reports/history_*.py``; the command is audit/commands/history.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypedDict

from audit.errors import UsageError
from audit.result_file import load_result

_GAPS = ("partial", "not_met", "no_evidence", "manual_review")


class HistoryRow(TypedDict):
    """One result; scores in percent (None: nothing was scored)."""

    file: str
    as_of: str
    language: str | None
    platform: str | None
    checklists: str
    verdict: str
    score: float | None
    gaps: int
    critical_gaps: int
    waived: int
    stale: int
    by_area: dict[str, float | None]
    by_jurisdiction: dict[str, float | None]


def collect(paths: list[Path]) -> list[HistoryRow]:
    """One row per result, oldest as-of first (results from a folder: every ``*.json``)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.glob("*.json") if p.is_file())
        else:
            files.append(path)
    if not files:
        raise UsageError(f"no JSON results in {', '.join(map(str, paths))}")
    rows = []
    for file in files:
        data = load_result(file)
        counts = data.get("counts", {})
        score = data["scoring"]["with_waivers"]["score"]
        rows.append(HistoryRow(
            file=str(file), as_of=data["as_of"], language=data.get("language"),
            platform=(data.get("platform") or {}).get("name"),
            checklists=" ".join(f"{c['id']} v{c['version']}" for c in data["checklists"]),
            verdict=data["verdict"],
            score=None if score is None else round(score * 100, 1),
            gaps=sum(counts.get(s, 0) for s in _GAPS),
            critical_gaps=sum(1 for r in data.get("requirements", [])
                              if r.get("severity") == "critical" and r.get("status") in _GAPS),
            waived=counts.get("waived", 0),
            stale=sum(1 for i in data.get("freshness") or [] if i.get("state") == "stale"),
            by_area={k: _pct(v) for k, v in data.get("by_area", {}).items()},
            by_jurisdiction={k: _pct(v) for k, v in data.get("by_jurisdiction", {}).items()},
        ))
    rows.sort(key=lambda r: (r["as_of"], r["file"]))
    platforms = {r["platform"] for r in rows}
    if len(platforms) > 1:
        raise UsageError("results of several platforms: " + ", ".join(sorted(map(str, platforms)))
                         + "; give one platform's results")
    return rows


def _pct(score: dict[str, Any]) -> float | None:
    return None if score.get("score") is None else round(score["score"] * 100, 1)
