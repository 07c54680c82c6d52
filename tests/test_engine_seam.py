"""The engine seam without DuckDB: a third engine, its logs plain Python lists, runs a rule.

``ListEngine`` implements ``LogEngine`` with the shared log logic (``LogViews``: checks owed
once, settled into problems) and its own statements: rows live in Python lists, loaded into
the standard library's sqlite3 to answer the rule's SQL. The evidence pack, the share rule
and the duplicate-id check reach it only through the Protocol, and give the figures worked
out by hand below.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from audit.engine.base import LogEngine
from audit.engine.log_views import LogViews
from audit.errors import EvidenceError
from audit.evaluators.base import EvaluationContext
from audit.evidence.pack import EvidencePack
from audit.logs.sources import Source
from audit.logs.sql import quote
from audit.logs.views import LogInfo
from audit.model import Status

HEADER = ["request_id", "authority", "country", "received_at", "responded_at", "kind",
          "legal_basis", "outcome"]


def request(rid: str, kind: str, basis: str, responded: str | None = "2024-01-03T09:00:00Z"
            ) -> dict[str, object]:
    return {"request_id": rid, "authority": "court", "country": "IQ",
            "received_at": "2024-01-02T09:00:00+03:00", "responded_at": responded,
            "kind": kind, "legal_basis": basis, "outcome": "disclosed"}


class ListEngine(LogViews):
    """Each log a list of dicts; the rules' (portable) SQL answered by sqlite3 in memory."""

    name = "lists"

    def __init__(self, data: dict[str, list[dict[str, object]]]) -> None:
        super().__init__(timezone=None, unique_ids="judged")
        self.data = data
        self.db = sqlite3.connect(":memory:")
        self.loaded: list[tuple[str, set[str] | None]] = []  # what the pack asked to load
        self.scans: list[tuple[str, bool]] = []

    @property
    def con(self) -> Any:
        return self.db

    def view_name(self, name: str) -> str:
        return f"list_{name}"

    def create_view(self, view: str, select: str) -> None:
        self.db.execute(f"CREATE VIEW {quote(view)} AS {select}")

    def describe(self, select: str) -> list[tuple[str, str]]:
        cursor = self.db.execute(f"SELECT * FROM ({select}) LIMIT 0")
        return [(c[0], "VARCHAR") for c in cursor.description]

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        return self.db.execute(sql).fetchall()

    def scan(self, name: str, sql: str, rule: bool = True) -> list[tuple[Any, ...]]:
        self.scans.append((name, rule))
        return self.query(sql)

    def file_order(self) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def stream(self, sql: str, batch: int = 2048) -> Iterator[tuple[Any, ...]]:
        yield from self.db.execute(sql)

    def read_source(self, source: Source, display: str) -> str:
        raise EvidenceError(problems=[])  # this engine reads no files

    def query_errors(self) -> tuple[type[BaseException], ...]:
        return (sqlite3.Error,)

    def reason(self, exc: BaseException) -> str:
        return str(exc)

    def load(self, name: str, path: Path, display: str, needed: set[str] | None = None,
             transform: str | None = None, reader: str | None = None) -> LogInfo:
        """The log's rows from the list: instants normalised to UTC text, a ``_bad_`` flag
        where one does not parse (what the typed view gives on a real engine)."""
        self.loaded.append((name, needed))
        rows = self.data[name]
        columns = list(rows[0])
        flags = [c for c in columns if c.endswith("_at")]
        out = []
        for row in rows:
            values: dict[str, object] = dict(row)
            for col in flags:
                text = row[col]
                try:
                    values[col] = None if text is None else dt.datetime.fromisoformat(
                        str(text)).astimezone(dt.timezone.utc).isoformat()
                    values["_bad_" + col] = 0
                except ValueError:
                    values[col], values["_bad_" + col] = None, 1
            out.append(values)
        names = [*columns, *("_bad_" + c for c in flags)]
        table = quote(self.view_name(name))
        self.db.execute(f"CREATE TABLE {table} ({', '.join(map(quote, names))})")
        self.db.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' for _ in names)})",
                            [[r[n] for n in names] for r in out])
        info = LogInfo(name, display, None, columns, "list", {"reader": table,
                       "types": {c: "VARCHAR" for c in columns}}, flags=flags, store=self)
        self.logs[name] = info
        return info

    # the rest of the Protocol: nothing this engine needs to do
    def source_problem(self, source: Source) -> tuple[str, str] | None:
        return None

    def format_problem(self, fmt: str) -> str | None:
        return None

    def export_csv(self, sql: str, path: Path) -> None:
        raise NotImplementedError

    def check_ready(self) -> None:
        pass

    def identity(self) -> dict[str, str]:
        return {"name": "fake", "version": "0"}

    def has_table(self, name: str) -> bool:
        return False

    def create_table(self, name: str, columns: dict[str, Sequence[object]],
                     types: dict[str, str]) -> None:
        raise NotImplementedError


CHECKLIST = textwrap.dedent("""\
    schema_version: 1
    id: t.seam
    jurisdiction: IQ
    title: Seam
    version: 1
    status: in_force
    sources:
      - {id: law, title: Test Law, url: "https://example.org/law"}
    requirements:
      - id: judicial-basis
        area: law_enforcement
        title: Disclosures backed by a court
        citation: {source: law, article: "Art. 1"}
        severity: high
        rule: {type: share, log: authority_requests, where: {kind: user_data},
               match: {legal_basis: judicial_decision}, target: 0.9}
        remediation: Fix it.
      - id: no-log
        area: law_enforcement
        title: Another log
        citation: {source: law, article: "Art. 2"}
        severity: low
        rule: {type: share, log: breaches, match: {high_risk: "yes"}, target: 0.5}
        remediation: Fix it.
    """)


@pytest.fixture
def seam(tmp_path: Path) -> Any:
    """(pack with the list engine started, the checklist, the registry)."""
    from audit import checklists, plugins
    from audit.checklists import load_library
    from audit.plugins import get_registry

    plugins.reset()
    checklists._LIBRARY.clear()
    registry = get_registry()
    mods = tmp_path / "mods"
    mods.mkdir()
    (mods / "t.yaml").write_text(CHECKLIST, "utf-8")
    registry.checklist_dirs.append((mods, "tests"))
    checklist = load_library(registry).get("t.seam")

    def make(rows: list[dict[str, object]]) -> tuple[EvidencePack, ListEngine]:
        pack = EvidencePack(None, registry)
        pack.profile = {"name": "Seam Messenger"}
        engine = ListEngine({"authority_requests": rows})
        pack.started_engine = engine  # the engine the pack hands out as pack.logs
        pack.add_log("authority_requests", Path("logs/authority_requests.csv"), files=[],
                     meta={"format": "list"})
        pack.finish({"authority_requests": {"kind", "legal_basis"}})
        return pack, engine

    return make, checklist, registry


def _evaluate(pack: EvidencePack, checklist: Any, registry: Any, index: int) -> Any:
    requirement = checklist.requirements[index]
    context = EvaluationContext(dt.date(2024, 12, 31), pack, registry, checklist)
    return registry.evaluators.get(requirement.rule.type).evaluate(requirement,
                                                                    requirement.rule, context)


def test_a_share_rule_measures_through_another_engine(seam: Any) -> None:
    make, checklist, registry = seam
    rows = [request("A1", "user_data", "judicial_decision"),
            request("A2", "user_data", "judicial_decision"),
            request("A3", "user_data", "emergency"),
            request("A4", "takedown", "emergency"),  # outside the population
            request("A5", "user_data", "judicial_decision", responded=None)]
    pack, engine = make(rows)
    assert isinstance(pack.logs, LogEngine) and pack.logs is engine
    assert engine.loaded == [("authority_requests", {"kind", "legal_basis"})]
    assert pack.logs.logs["authority_requests"].format == "list"  # the loader's meta kept
    finding = _evaluate(pack, checklist, registry, 0)
    # 4 user-data requests, 3 backed by a court: 75 % against a 90 % target
    assert finding.figures == {"events": 4, "matched": 3, "share": 0.75, "target": 0.9}
    assert finding.status is Status.PARTIAL and finding.score == round(0.75 / 0.9, 4)
    # the log's checks rode in the rule's one scan, and were settled there
    assert engine.scans == [("authority_requests", True)]
    info = engine.logs["authority_requests"]
    assert info.validated and info.rows == 5
    assert _evaluate(pack, checklist, registry, 1).status is Status.NO_EVIDENCE


def test_checks_settled_through_another_engine_name_the_problem(seam: Any) -> None:
    make, checklist, registry = seam
    rows = [request("A1", "user_data", "judicial_decision"),
            request("A1", "user_data", "emergency"),  # one id, two judged events
            request("A2", "takedown", "emergency")]
    pack, _engine = make(rows)
    with pytest.raises(EvidenceError) as raised:
        _evaluate(pack, checklist, registry, 0)
    assert [(p.file, p.place, p.message) for p in raised.value.problems] == [
        ("logs/authority_requests.csv", "column request_id",
         "1 duplicate id(s), e.g. A1 (2 times)")]
