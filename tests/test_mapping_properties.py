"""Property tests of log mappings: the parser never fails other than with a located
EvidenceError, and what the SQL computes equals the plain-Python meaning of the mapping."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import zoneinfo
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audit.errors import EvidenceError

FAST = settings(max_examples=10, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

KEYS = ["schema_version", "table", "files", "member", "format", "records", "delimiter",
        "timezone", "decimal", "thousands", "where", "columns", "keep", "deduplicate", "via",
        "colums", "file"]
scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=8))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=8)
# cell text a CSV round-trips unchanged (the reader trims spaces and reads "" as empty)
cells = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")),
                min_size=1, max_size=10)


def _load(files: dict[str, str], mapping: Any) -> Any:
    from audit.evidence.loaders import load_evidence
    from audit.plugins import get_registry

    with tempfile.TemporaryDirectory() as tmp:
        pack = Path(tmp) / "pack"
        (pack / "logs").mkdir(parents=True)
        (pack / "platform.yaml").write_text("name: P\ntimezone: UTC\n", "utf-8")
        (pack / "logs" / "t.mapping.yaml").write_text(
            mapping if isinstance(mapping, str) else yaml.safe_dump(mapping), "utf-8")
        for name, text in files.items():
            (pack / "logs" / name).write_text(text, "utf-8")
        store = load_evidence([pack], get_registry()).logs
        name = next(iter(store.logs))
        cols = store.columns(name)
        select = ", ".join('"' + c.replace('"', '""') + '"' for c in cols)
        return [dict(zip(cols, r, strict=True)) for r in store.query(
            f"SELECT {select} FROM {store.table(name)} ORDER BY 1")]


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue()


@FAST
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=6))
def test_any_mapping_document_loads_or_fails_with_a_located_problem(doc: dict) -> None:
    try:
        _load({"data.csv": "id\n1\n"}, doc)
    except EvidenceError as exc:
        assert exc.problems and all(p.file for p in exc.problems)


@FAST
@given(st.dictionaries(cells, cells, min_size=1, max_size=4),
       st.lists(cells, min_size=1, max_size=6),
       st.sampled_from(["keep", "null", "default"]))
def test_value_maps_mean_what_a_dict_lookup_means(mapping: dict[str, str], data: list[str],
                                                  policy: str) -> None:
    spec: dict[str, Any] = {"from": "v", "map": mapping}
    if policy == "default":
        spec["default"] = "DEFAULT"
    else:
        spec["unmapped"] = policy
    rows = _load({"data.csv": _csv(["n", "v"], [[f"{i:03d}", v] for i, v in enumerate(data)])},
                 {"table": "t", "files": "data.csv", "columns": {"n": "n", "out": spec}})
    fallback = {"keep": None, "null": None, "default": "DEFAULT"}[policy]
    expected = [mapping.get(v, v if policy == "keep" else fallback) for v in data]
    assert [r["out"] for r in rows] == expected


@FAST
@given(st.lists(st.integers(-10**9, 10**9), min_size=1, max_size=5),
       st.sampled_from([(",", "."), (".", ","), (" ", ","), ("'", ".")]))
def test_numbers_with_separators_read_back_exactly(numbers: list[int],
                                                   style: tuple[str, str]) -> None:
    thousands, decimal = style
    text = [f"{n:,}".replace(",", thousands) + f"{decimal}25" for n in numbers]
    rows = _load({"data.csv": _csv(["n", "v"], [[f"{i:03d}", t] for i, t in enumerate(text)])},
                 {"table": "t", "files": "data.csv", "thousands": thousands,
                  "decimal": decimal,
                  "columns": {"n": "n", "value": {"from": "v", "type": "number"}}})
    assert [r["value"] for r in rows] == [float(f"{n}.25") for n in numbers]


@FAST
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
               min_size=1, max_size=20).map(str.strip).filter(bool))
def test_any_source_column_name_is_read_safely(name: str) -> None:
    if name == "id" or "{" in name or "}" in name:
        name = f"x{name}x".replace("{", "(").replace("}", ")")
    rows = _load({"data.csv": _csv(["id", name], [["1", "a'b\"c"]])},
                 {"table": "t", "files": "data.csv",
                  "columns": {"id": "id", "copy": name,
                              "built": {"template": f"{{{name}}}/{{id}}"}}})
    assert rows == [{"id": "1", "copy": "a'b\"c", "built": "a'b\"c/1"}]


@FAST
@given(st.dates(min_value=dt.date(1971, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_us_and_compact_dates_are_the_same_day(day: Any) -> None:
    us = f"{day.month}/{day.day}/{day.year}"
    rows = _load({"data.csv": _csv(["id", "us", "compact"],
                                   [["1", us, day.strftime("%Y%m%d")]])},
                 {"table": "t", "files": "data.csv", "timezone": "America/New_York",
                  "columns": {"id": "id", "a_at": {"from": "us", "format": "%m/%d/%Y"},
                              "b_at": {"from": "compact", "format": ["%m/%d/%Y", "%Y%m%d"]}}})
    assert rows[0]["a_at"] == rows[0]["b_at"]
    local = rows[0]["a_at"].astimezone(zoneinfo.ZoneInfo("America/New_York"))
    assert (local.date(), local.hour, local.minute) == (day, 0, 0)
