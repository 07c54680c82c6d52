"""Parity of a plugin's loader: the DSA statements-of-reasons loader on Spark and on DuckDB.

The loader (plugins/dsa-transparency) reads a dump through the engine's ``read_source`` and
writes its mapping, vocabulary check and list parsing as SQL that both engines run, so the
figures, the data-quality notes and the error lines must be the same. Its two ways in are
compared: its own reading of a CSV dump under ``logs/`` and, as the ``via`` of a log mapping,
the gzipped parts of the bringing-your-own-data walk-through. An engine error inside a
loader is one located line on either engine.
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from parity import assert_same

pytest.importorskip("audit_dsa_transparency", reason="pip install -e plugins/dsa-transparency")

ROOT = Path(__file__).resolve().parent.parent
PARTS = ROOT / "tests" / "data" / "byod" / "dsa-parts"
EXCERPT = ROOT / "tests" / "data" / "dsa" / "sor-global-2024-03-14-excerpt.csv"  # real rows
PROFILE = ROOT / "plugins" / "dsa-transparency" / "tests" / "data" / "pack" / "platform.yaml"
CHECKLIST = ("eu.dsa-sor",)
DAY = "2024-03-14"
ENGINES = ("duckdb", "spark")


@pytest.fixture(autouse=True)
def dsa_plugin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "dsa_transparency")


def _both(run: Any, tmp_path: Path, pack: Path) -> dict[str, Any]:
    """``assert_same`` (figures, counts, logs, evidence), and the data-quality notes too."""
    duck = assert_same(run, tmp_path, pack, CHECKLIST, as_of=DAY)
    spark_doc = json.loads((tmp_path / "spark.json").read_text("utf-8"))  # assert_same's output
    assert spark_doc["notes"] == duck["notes"]
    return duck


def _summaries(doc: dict[str, Any]) -> dict[str, str]:
    return {r["id"].rsplit(":", 1)[-1]: r["summary"] for r in doc["requirements"]}


def _codes(doc: dict[str, Any]) -> list[str]:
    return [n["code"] for n in doc["notes"]]


def _dump_pack(tmp_path: Path, rows: list[list[str]] | None = None, name: str = "pack") -> Path:
    """The plugin's test profile with a dump (the real excerpt unless ``rows``) in logs/."""
    pack = tmp_path / name
    (pack / "logs").mkdir(parents=True)
    shutil.copy(PROFILE, pack / "platform.yaml")
    target = pack / "logs" / "sor-global-2024-03-14.csv"
    if rows is None:
        shutil.copy(EXCERPT, target)
    else:
        with target.open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
    return pack


def _excerpt() -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(EXCERPT.open(encoding="utf-8", newline="")))
    return rows[0], rows[1:]


def test_walkthrough_dsa_parts_same_figures(spark: Any, run: Any, tmp_path: Path) -> None:
    """docs/bringing-your-own-data.md, walk-through 1: two gzipped parts, TikTok's rows."""
    from test_byod_docs import _audit_args

    # the page's command (its `byod:run dsa-parts` block), on both engines
    assert _audit_args("dsa-parts") == ["dsa-parts", "--checklist", CHECKLIST[0], "--as-of",
                                        DAY, "--format", "json"]
    pack = tmp_path / "dsa-parts"
    shutil.copytree(PARTS, pack)
    duck = _both(run, tmp_path, pack)
    summaries = _summaries(duck)
    assert summaries["sor-submitted-without-undue-delay"].startswith(
        "4 of 4 statements of reasons submitted within 72 hours = 100.0%")
    assert summaries["sor-required-fields"].startswith(
        "4 of 4 statements of reasons with every Art. 17(3) field filled")
    assert duck["logs"]["moderation"]["rows"] == 4
    assert "several-platforms" not in _codes(duck)


def test_walkthrough_without_where_flags_several_platforms(spark: Any, run: Any,
                                                           tmp_path: Path) -> None:
    """The same parts without the mapping's ``where``: every platform's rows, and the note."""
    pack = tmp_path / "dsa-parts"
    shutil.copytree(PARTS, pack)
    mapping = pack / "logs" / "moderation.mapping.yaml"
    mapping.write_text(mapping.read_text("utf-8").replace("where: {platform_name: TikTok}\n",
                                                          ""), encoding="utf-8")
    duck = _both(run, tmp_path, pack)
    assert duck["logs"]["moderation"]["rows"] == 11  # 12 rows, one uuid twice
    assert _codes(duck).count("several-platforms") == 1
    assert _summaries(duck)["sor-submitted-without-undue-delay"].startswith(
        "6 of 11 statements of reasons submitted within 72 hours = 54.5%")


def test_own_loader_real_rows_same_figures(spark: Any, run: Any, tmp_path: Path) -> None:
    """The loader reading a dump CSV itself (no mapping): the vendored real rows."""
    duck = _both(run, tmp_path, _dump_pack(tmp_path))
    summaries = _summaries(duck)
    assert summaries["sor-required-fields"].startswith(
        "11 of 11 statements of reasons with every Art. 17(3) field filled")
    assert summaries["sor-submitted-without-undue-delay"].startswith(
        "6 of 11 statements of reasons submitted within 72 hours = 54.5%")
    (note,) = [n for n in duck["notes"] if n["code"] == "several-platforms"]
    assert "holds 3 different values" in note["message"]


def _edge_rows() -> list[list[str]]:
    """The excerpt plus rows whose cells take the loader's other paths: JSON lists with
    nulls, empty strings and spacing, plain and comma-separated lists, an empty list, a date
    alone, times with and without offsets, keywords that pin the category, missing fields."""
    header, body = _excerpt()
    col = {c: header.index(c) for c in header}
    changes: list[dict[str, str]] = [
        {"territorial_scope": '["AT", null, "", "BE"]'},
        {"territorial_scope": "AT, BE ,DE"},
        {"territorial_scope": "[]"},
        {"territorial_scope": '  [ "FR" ]  '},
        {"decision_visibility": "DECISION_VISIBILITY_CONTENT_REMOVED",
         "category_specification": '["KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL"]'},
        {"content_date": "2024-03-01", "application_date": "2024-03-02T10:00:00+02:00",
         "created_at": "2024-03-05 10:00:00"},
        {"content_date": "2024-03-09 10:00:00", "application_date": "2024-03-02 10:00:00Z",
         "created_at": "2024-03-03T09:00:00Z"},
        {"decision_visibility": "", "decision_account": "DECISION_ACCOUNT_SUSPENDED",
         "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT"},
        {"category": "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS",
         "category_specification": '["KEYWORD_OTHER","KEYWORD_TERRORIST_CONTENT"]'},
        {"decision_facts": "", "source_type": "SOURCE_ARTICLE_16"},
        # edge-10 twice, submitted at the same time: both engines keep the same one
        {"decision_visibility": '["DECISION_VISIBILITY_CONTENT_REMOVED"]'},
        {"decision_visibility": '["DECISION_VISIBILITY_CONTENT_DEMOTED"]'},
    ]
    extra = []
    for n, change in enumerate(changes):
        row = list(body[3])
        row[col["uuid"]] = f"edge-{min(n, 10):02d}"
        for name, value in change.items():
            row[col[name]] = value
        extra.append(row)
    return [header, *body, *extra]


def test_own_loader_every_path_same_table(spark: Any, run: Any, tmp_path: Path) -> None:
    """Crafted cells: the same figures, and the same value in every column of the log."""
    from audit.engine.settings import EngineSettings
    from audit.engine.spark import SparkEngine
    from audit.evidence.loaders import load_evidence
    from audit.plugins import get_registry

    pack = _dump_pack(tmp_path, _edge_rows())
    duck = _both(run, tmp_path, pack)
    assert duck["logs"]["moderation"]["rows"] == 22  # edge-10 twice
    assert _summaries(duck)["sor-required-fields"].startswith(
        "19 of 22 statements of reasons with every Art. 17(3) field filled")

    tables = []
    for options in ({}, {"engine": "spark", "spark_master": "local[2]"}):
        store = load_evidence([pack], get_registry(), engine=EngineSettings(**options)).logs
        assert isinstance(store, SparkEngine) == bool(options)
        cols = store.columns("moderation")
        # instants as microseconds: the engines print a timestamp differently
        select = ", ".join(f'epoch_us("{c}")' if c.endswith("_at") else f'CAST("{c}" AS VARCHAR)'
                           for c in cols)
        rows = store.query(f"SELECT {select} FROM {store.table('moderation')} ORDER BY 1")
        tables.append([dict(zip(cols, r, strict=True)) for r in rows])
    assert tables[0] == tables[1]
    by_id = {r["request_id"]: r for r in tables[0]}
    assert by_id["edge-00"]["territorial_scope"] == "AT,BE"  # null and "" dropped
    assert by_id["edge-01"]["territorial_scope"] == "AT,BE,DE"
    assert by_id["edge-02"]["missing_fields"] == "territorial_scope"
    assert by_id["edge-03"]["country"] == "FR"
    assert by_id["edge-04"]["category"] == "csam"
    assert by_id["edge-05"]["content_at"] == _micros("2024-03-01T00:00:00+00:00")  # date alone
    assert by_id["edge-05"]["actioned_at"] == _micros("2024-03-02T08:00:00+00:00")
    assert by_id["edge-06"]["received_at"] == by_id["edge-06"]["actioned_at"]
    assert by_id["edge-07"]["missing_fields"] == "illegal_content_ground"
    assert by_id["edge-08"]["category"] == "terrorist_content"
    assert by_id["edge-08"]["dsa_category_current"] == \
        "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS"
    assert (by_id["edge-09"]["requester"], by_id["edge-09"]["missing_fields"]) == \
        ("user", "decision_facts")
    assert by_id["edge-10"]["action"] == "content_removed"  # of two submitted at once, by its values


def _micros(iso: str) -> int:
    import datetime as dt

    return int(dt.datetime.fromisoformat(iso).timestamp()) * 10**6


def _error(run: Any, pack: Path, engine: str) -> tuple[int, str]:
    args = ["assess", pack, "-c", CHECKLIST[0], "--as-of", DAY, "-q", "--engine", engine]
    if engine == "spark":
        args += ["--spark-master", "local[2]"]
    code, _out, err = run(*args)
    assert "Traceback" not in err and "\tat " not in err and "internal error" not in err
    return code, err.strip()


def test_vocabulary_errors_same_lines(spark: Any, run: Any, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Values outside the vocabulary, and a list cell that is not a JSON list: the same
    lines (file, column, values, data rows) on both engines, through either way in."""
    header, body = _excerpt()
    col = {c: header.index(c) for c in header}
    body[2][col["category"]] = "STATEMENT_CATEGORY_MADE_UP"
    body[4][col["territorial_scope"]] = '["AT","XX"]'
    body[5][col["territorial_scope"]] = '["AT",'
    body[7][col["decision_visibility"]] = "DECISION_VISIBILITY_CONTENT_REMOVED,BOGUS"
    monkeypatch.chdir(tmp_path)
    _dump_pack(tmp_path, [header, *body])
    own = [_error(run, Path("pack"), engine) for engine in ENGINES]
    assert own[0] == own[1]
    assert own[0] == (2, "\n".join([
        "pack/logs/sor-global-2024-03-14.csv: column category: 1 value(s) not in the DSA "
        "Transparency Database vocabulary (e.g. 'STATEMENT_CATEGORY_MADE_UP'); first at data "
        "row(s) 3",
        "pack/logs/sor-global-2024-03-14.csv: column decision_visibility: 1 value(s) not in "
        "the DSA Transparency Database vocabulary (e.g. 'BOGUS'); first at data row(s) 8",
        "pack/logs/sor-global-2024-03-14.csv: column territorial_scope: 2 value(s) not in the "
        "DSA Transparency Database vocabulary (e.g. 'XX', '[\"AT\",'); first at data row(s) "
        "5, 6"]))

    parts = tmp_path / "dsa-parts"
    shutil.copytree(PARTS, parts)
    part = parts / "logs" / "sor-global-2024-03-14-full-00001.csv.gz"
    text = gzip.decompress(part.read_bytes()).decode("utf-8")
    part.write_bytes(gzip.compress(text.replace("STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
                                                "STATEMENT_CATEGORY_MADE_UP", 1).encode()))
    mapped = [_error(run, Path("dsa-parts"), engine) for engine in ENGINES]
    assert mapped[0] == mapped[1]
    assert mapped[0] == (2, "dsa-parts/logs/moderation.mapping.yaml (selected rows): column "
                            "category: 1 value(s) not in the DSA Transparency Database "
                            "vocabulary (e.g. 'STATEMENT_CATEGORY_MADE_UP'); first at data "
                            "row(s) 5")


BROKEN_LOADER = '''
from audit import hookimpl


class Loader:
    """A loader whose SQL no engine runs: its check must fail as the user's one line."""

    id = "broken-sql"
    kind = "log"
    priority = 10
    description = "a broken loader"

    def matches(self, path):
        return path.name.endswith(".broken.csv")

    def _check(self, con, reader):
        con.execute(f"SELECT no_such_function(1) FROM {reader}").fetchall()

    def load(self, path, pack):
        from audit.logs.sources import Source

        reader = pack.logs.read_source(Source((str(path),), "csv"), pack.display(path))
        self._check(pack.logs.con, reader)

    def mapping_transform(self, columns):
        return "SELECT * FROM {source}"

    def check_source(self, con, reader, columns, display):
        self._check(con, reader)


@hookimpl
def audit_register_loaders(registry):
    registry.add_loader(Loader())
'''


@pytest.mark.parametrize("engine", ENGINES)
def test_engine_error_in_a_loader_is_one_located_line(
        spark: Any, run: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        engine: str) -> None:
    """A loader's SQL that the engine refuses, in ``load`` and in ``check_source``: exit 2,
    the file (or mapping) and the loader named, the engine's reason, no traceback."""
    (tmp_path / "broken_sql_loader.py").write_text(BROKEN_LOADER, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "dsa_transparency,broken_sql_loader")
    monkeypatch.chdir(tmp_path)
    pack = _dump_pack(tmp_path)
    (pack / "logs" / "sor-global-2024-03-14.csv").rename(pack / "logs" / "sor.broken.csv")
    code, err = _error(run, Path("pack"), engine)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith(f"pack/logs/sor.broken.csv: the broken-sql loader failed on the "
                          f"{engine} engine: ")
    assert not (tmp_path / "spark-warehouse").exists()  # nothing left where the audit ran
    assert "no_such_function" in err.lower()

    (pack / "logs" / "sor.broken.csv").unlink()
    shutil.copy(EXCERPT, pack / "logs" / "dump.csv")
    (pack / "logs" / "moderation.mapping.yaml").write_text(
        "table: moderation\nfiles: dump.csv\nvia: broken-sql\n", "utf-8")
    code, err = _error(run, Path("pack"), engine)
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith(f"pack/logs/dump.csv: the broken-sql loader failed on the "
                          f"{engine} engine: ")
    assert "no_such_function" in err.lower()


@pytest.fixture
def docs_loader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Writes docs/plugins/hooks.md's loader (or a variant) as a plugin module."""
    import sys

    from test_loader_docs import _loader_example

    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "docs_tsv_loader")

    def write(code: str | None = None) -> str:
        code = code or _loader_example()
        (tmp_path / "docs_tsv_loader.py").write_text(code, encoding="utf-8")
        sys.modules.pop("docs_tsv_loader", None)
        return code

    yield write
    sys.modules.pop("docs_tsv_loader", None)


def test_the_documented_loader_runs_on_both_engines(spark: Any, run: Any, tmp_path: Path,
                                                    docs_loader: Any) -> None:
    """docs/plugins/hooks.md's loader, as written there, gives the same figures on Spark."""
    from packs import MODERATION, moderation_rows, write_pack

    code = docs_loader()
    pack = write_pack(tmp_path / "pack")
    (pack / "logs").mkdir()
    (pack / "logs" / "moderation.tsv").write_text("\n".join(
        "\t".join(r) for r in [MODERATION, *moderation_rows([1, 2, 30, None])]) + "\n", "utf-8")
    duck = assert_same(run, tmp_path, pack, ("iq.telegram-2023",), as_of="2024-12-31")
    leak = next(r for r in duck["requirements"] if r["requirement"] == "leak-takedown")
    assert (leak["figures"]["events"], leak["figures"]["on_time"]) == (4, 2)

    # the same loader naming DuckDB's reader itself: refused by Spark in one line
    assert "read_csv" in docs_loader(code.replace(
        "reader = pack.logs.read_source(source, pack.display(path))",
        "reader = f\"read_csv('{path}', delim = '\\\\t', header = true, all_varchar = true)\""))
    status, _out, err = run("assess", pack, "-c", "iq.telegram-2023", "--engine", "spark",
                            "--spark-master", "local[2]")
    assert status == 2 and len(err.strip().splitlines()) == 1, err
    assert "pack.logs.read_source" in err and "--engine duckdb" in err
