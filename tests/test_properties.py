"""Property tests: whatever a user feeds a parser, the CLI answers with exit 0, 1 or 2 (3 for
plugins), never an internal error (70) or a traceback, and leaves every input byte-identical.

Each test mutates a valid input (a checklist module, a pack's YAML files, a CSV log, a filled
workbook, a JSON result) at a random place with a random value, or replaces it with random
text, and runs the command in-process. The number of examples comes from the Hypothesis
profile (tests/conftest.py): ``ci`` by default, ``HYPOTHESIS_PROFILE=thorough`` for more.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from packs import MODERATION, moderation_rows, write_pack

ROOT = Path(__file__).resolve().parent.parent
CHECK = ["-c", "iq.telegram-2023", "--as-of", "2024-12-31"]
ALLOWED = {0, 1, 2, 3}

# scalars a hand-written file holds, including the ones that broke parsers before
dates = st.from_regex(r"\A-?[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}\Z")
scalars = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
           | dates | st.sampled_from(["yes", "no", "n/a", "partial", "24h", "3 business days",
                                      "9" * 5000, "2024-02-30", "9999-12-31T23:59:59+00:00",
                                      "=1+1", "", " ", "~", "*a", "!!python/object:x"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=12), inner, max_size=4), max_leaves=12)
# text that is not necessarily YAML at all
junk = st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.decode("latin-1"))


def invoke(*args: Any) -> tuple[int, str, str]:
    """Run ``audit`` in-process; (exit code, stdout, stderr). The plugin registry and the
    checklist library stay loaded between examples (the autouse fixture resets them per test),
    which keeps an example to tens of milliseconds."""
    from audit.cli import main

    out, err = io.StringIO(), io.StringIO()
    code: Any = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code
    return (code if isinstance(code, int) else 0), out.getvalue(), err.getvalue()


def digest(root: Path) -> dict[str, str]:
    files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def check_outcome(code: int, err: str) -> None:
    assert code in ALLOWED, err
    assert "Traceback" not in err and "internal error" not in err, err


def paths_of(value: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every place inside a parsed document (for mutation)."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths_of(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths_of(v, prefix + (i,))


@st.composite
def mutated(draw: st.DrawFn, document: Any) -> Any:
    """``document`` with one to three places replaced by a random value (or removed)."""
    doc = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        places = [p for p in paths_of(doc) if p]
        if not places:
            return draw(values)
        place = draw(st.sampled_from(places))
        parent = doc
        for part in place[:-1]:
            parent = parent[part]
        if isinstance(parent, dict) and draw(st.booleans()) and draw(st.booleans()):
            del parent[place[-1]]
        else:
            parent[place[-1]] = draw(values)
    return doc


def as_yaml(value: Any) -> str:
    """YAML text of ``value``, with date-like and all-digit strings unquoted so they reach the
    parser as YAML dates and integers (impossible dates, 5,000-digit numbers), as a hand-written
    file would have them."""
    text = yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=10**6)
    return re.sub(r"'(-?[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,2}|[0-9]+)'", r"\1", text)


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    """A fresh directory per example (pytest's tmp_path is shared by all examples)."""
    path = Path(tempfile.mkdtemp(prefix="audit-prop-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# -- checklist YAML ------------------------------------------------------------------------------

MODULE = yaml.safe_load((ROOT / "checklists" / "iq" / "iq.telegram-2023.yaml").read_text("utf-8"))


@given(module=mutated(MODULE) | junk)
def test_checklist_validate_never_crashes(module: Any) -> None:
    with scratch() as tmp:
        path = tmp / "module.yaml"
        path.write_text(module if isinstance(module, str) else as_yaml(module), "utf-8")
        before = digest(path)
        code, _, err = invoke("checklists", "validate", path)
        check_outcome(code, err)
        assert digest(path) == before


# -- pack YAML -----------------------------------------------------------------------------------

PACK_FILES = {
    "platform.yaml": {"name": "X", "users": {"IQ": 5}, "as_of": "2024-06-30",
                      "representatives": [{"name": "A", "role": "authority_contact_iq",
                                           "country": "IQ", "contact": "a@example.org"}]},
    "answers.yaml": {"iq-contact-point": {"answer": "yes", "date": "2024-01-02", "note": "n"},
                     "iq-transparency": "partial"},
    "waivers.yaml": {"waivers": [{"requirement": "iq.telegram-2023/leak-takedown",
                                  "justification": "j", "approved_by": "b",
                                  "expires": "2025-01-01", "granted": "2024-01-01"}]},
    "documents.yaml": {"documents": [{"path": "policy.txt", "kind": "privacy_policy",
                                      "language": "ar", "date": "2024-01-01"}]},
}


@given(name=st.sampled_from(sorted(PACK_FILES)), data=st.data())
def test_pack_yaml_never_crashes(name: str, data: st.DataObject) -> None:
    content = data.draw(mutated(PACK_FILES[name]) | junk, label=name)
    with scratch() as tmp:
        pack = write_pack(tmp / "p", documents=[{"path": "policy.txt", "kind": "privacy_policy"}])
        (pack / name).write_text(content if isinstance(content, str) else as_yaml(content),
                                 "utf-8")
        before = digest(pack)
        code, _, err = invoke("assess", pack, *CHECK, "--format", "json")
        check_outcome(code, err)
        assert digest(pack) == before


# -- CSV headers and rows ------------------------------------------------------------------------

cells = st.text(max_size=25) | dates | st.sampled_from(
    ["2024-01-01T10:00:00+03:00", "0001-01-01T00:00:00Z", "9999-12-31T00:00:00+14:00", '"',
     "a,b", "\n", "R00001", "=cmd|' /C calc'!A0"])


@given(header=st.lists(st.sampled_from(MODERATION) | st.text(max_size=12), min_size=1,
                       max_size=9) | st.just(MODERATION),
       rows=st.lists(st.lists(cells, min_size=0, max_size=9), max_size=6),
       raw=st.none() | junk)
def test_csv_logs_never_crash(header: list[str], rows: list[list[str]], raw: str | None) -> None:
    import csv

    with scratch() as tmp:
        pack = write_pack(tmp / "p", logs={"moderation": (MODERATION, moderation_rows([1, 30]))})
        log = pack / "logs" / "moderation.csv"
        if raw is not None:
            log.write_text(raw, "utf-8")
        else:
            with log.open("w", newline="", encoding="utf-8") as fh:
                writer = csv.writer(fh)
                writer.writerow(header)
                writer.writerows(rows)
        before = digest(pack)
        code, _, err = invoke("assess", pack, *CHECK, "--format", "json")
        check_outcome(code, err)
        assert digest(pack) == before


# -- workbook cells ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wb") / "evidence.xlsx"
    code, _, err = invoke("template", "-c", "iq.telegram-2023", "-o", out)
    assert code == 0, err
    return out


workbook_cells = (st.none() | st.booleans() | st.integers(-10**15, 10**15)
                  | st.floats(allow_nan=False, allow_infinity=False)
                  | st.text(max_size=40).map(lambda s: "".join(c for c in s if c.isprintable()))
                  | dates | st.datetimes(min_value=__import__("datetime").datetime(1900, 3, 1)))


@given(edits=st.lists(st.tuples(st.sampled_from(["Profile", "Answers", "Representatives"]),
                                st.integers(1, 12), st.integers(1, 12), workbook_cells),
                      min_size=1, max_size=8))
def test_workbook_cells_never_crash(template: Path, edits: list[tuple[str, int, int, Any]]
                                    ) -> None:
    import openpyxl

    with scratch() as tmp:
        path = tmp / "filled.xlsx"
        wb = openpyxl.load_workbook(template)
        wb["Profile"]["B2"] = "Filled Messenger"
        for sheet, row, col, value in edits:
            if sheet in wb.sheetnames:
                wb[sheet].cell(row=row, column=col).value = value
        wb.save(path)
        before = digest(path)
        code, _, err = invoke("assess", path, *CHECK, "--format", "json")
        check_outcome(code, err)
        assert digest(path) == before


# -- result JSON ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("result")
    pack = write_pack(root / "p", logs={"moderation": (MODERATION, moderation_rows([1, 30, None]))})
    code, out, err = invoke("assess", pack, *CHECK, "--format", "json")
    assert code in (0, 1) or code == 0, err
    return json.loads(out)


@given(data=st.data())
def test_result_json_never_crashes(result: dict[str, Any], data: st.DataObject) -> None:
    old = data.draw(mutated(result) | junk, label="old")
    with scratch() as tmp:
        bad, good = tmp / "old.json", tmp / "new.json"
        bad.write_text(old if isinstance(old, str) else json.dumps(old), "utf-8")
        good.write_text(json.dumps(result), "utf-8")
        before = {**digest(bad), **digest(good)}
        for args in ((bad, good), (good, bad)):
            code, _, err = invoke("diff", *args, "--format", "json")
            check_outcome(code, err)
        pack = write_pack(tmp / "p")
        code, _, err = invoke("assess", pack, *CHECK, "--baseline", bad, "--format", "markdown")
        check_outcome(code, err)
        assert {**digest(bad), **digest(good)} == before
