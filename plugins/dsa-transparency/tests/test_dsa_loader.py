"""audit-dsa-transparency: the statements-of-reasons loader and the eu.dsa-sor checklist,
on real rows of the DSA Transparency Database daily dump and on crafted edge cases."""

from __future__ import annotations

import csv
import io
import os
import shutil
from pathlib import Path

import pytest

from audit.testing import (  # noqa: F401  (fixtures, also available via the pytest11 plugin)
    assert_checklists_valid,
    audit_assess,
    audit_load_plugins,
    audit_plugin_manager,
    audit_registry,
)

PLUGIN = "dsa_transparency"
HERE = Path(__file__).parent
REPO = HERE.parents[2]
# vendored real rows (tests/data/README.md names source and licence); AUDIT_DSA_DATA may point
# at another directory holding a file of the same name
SHARED = Path(os.environ.get("AUDIT_DSA_DATA", REPO / "tests" / "data" / "dsa"))
EXCERPT = SHARED / "sor-global-2024-03-14-excerpt.csv"

pytest.importorskip("audit_dsa_transparency", reason="audit-dsa-transparency is not installed "
                    "(pip install -e plugins/dsa-transparency)")


@pytest.fixture
def audit_plugin_under_test() -> str:
    return PLUGIN


@pytest.fixture
def excerpt() -> Path:
    return EXCERPT


def make_pack(tmp_path: Path, csv_file: Path | None = None, text: str | None = None) -> Path:
    pack = tmp_path / "pack"
    (pack / "logs").mkdir(parents=True)
    shutil.copy(HERE / "data" / "pack" / "platform.yaml", pack / "platform.yaml")
    target = pack / "logs" / "sor-global-2024-03-14.csv"
    if csv_file is not None:
        shutil.copy(csv_file, target)
    else:
        target.write_text(text or "", encoding="utf-8")
    return pack


def edited(source: Path, change) -> str:
    """The excerpt with ``change(header, rows)`` applied, as CSV text."""
    rows = list(csv.reader(source.open(encoding="utf-8", newline="")))
    header, body = rows[0], rows[1:]
    header, body = change(header, body)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *body])
    return out.getvalue()


def moderation(pack: Path) -> list[dict]:
    """Every column of the loaded moderation log (an assessment keeps only what rules read)."""
    from audit.evidence.loaders import load_evidence
    from audit.plugins import get_registry

    store = load_evidence([pack], get_registry()).logs
    cols = store.columns("moderation")
    # as text: fetching TIMESTAMPTZ values into Python would need pytz
    select = ", ".join(f'CAST("{c}" AS VARCHAR)' for c in cols)
    rows = store.query(f"SELECT {select} FROM {store.table('moderation')} ORDER BY 1")
    return [dict(zip(cols, r, strict=False)) for r in rows]


def test_plugin_is_installed_and_registers_its_loader(audit_registry) -> None:
    assert "dsa-statements-of-reasons" in audit_registry.loaders
    assert audit_registry.loaders.owner("dsa-statements-of-reasons") == PLUGIN


def test_checklists_validate() -> None:
    assert assert_checklists_valid(PLUGIN) == ["eu.dsa-sor"]


def test_vocabulary_ships_with_the_package() -> None:
    from audit_dsa_transparency.vocabulary import vocabulary

    vocab = vocabulary()
    # renamed and deleted categories are accepted, so old statements still load
    assert "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE" in vocab["category"]
    assert "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT" in vocab["category"]


def test_real_rows(tmp_path: Path, excerpt: Path, audit_assess) -> None:
    pack = make_pack(tmp_path, excerpt)
    result = audit_assess(pack, "eu.dsa-sor", as_of="2024-03-14")
    rows = moderation(pack)
    assert len(rows) == 11  # 12 data rows, one uuid twice
    by_id = {r["request_id"]: r for r in rows}
    google = by_id["55dcb95e-e90a-42d2-b04f-cffa5c52de68"]
    assert google["platform_uid"] == "08329314168"  # leading zero kept: ids stay text
    assert google["dsa_category"] == "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE"
    assert google["dsa_category_current"] == "STATEMENT_CATEGORY_OTHER_VIOLATION_TC"
    assert google["category"] == "terms_violation"
    pinterest = by_id["6903b11b-9cea-4f63-bece-a8848360e359"]
    assert pinterest["category"] == "sexual_content"  # a deleted category, still mapped
    assert pinterest["category_specification"] == "KEYWORD_ADULT_SEXUAL_MATERIAL"
    assert pinterest["content_type"] == "CONTENT_TYPE_OTHER"
    assert {r["requester"] for r in rows} == {"own_initiative"}
    assert {r["country"] for r in rows} == {"EU"}  # every member state (+ EEA) in scope
    assert by_id["03b1b1c9-a860-4bf6-afff-0d8f0d944871"]["automated_detection"] == "yes"
    assert all(r["statement_complete"] == "yes" for r in rows)
    assert str(google["actioned_at"]).startswith("2024-02-12 00:00:00")
    assert str(google["submitted_at"]).startswith("2024-03-14 00:00:27")
    assert str(google["received_at"]).startswith("2024-01-29")  # content date: before applied

    findings = {r.requirement.id: r.finding for r in result.results}
    fields = findings["sor-required-fields"]
    assert (fields.status.value, fields.figures["events"], fields.figures["matched"]) == \
        ("met", 11, 11)
    delay = findings["sor-submitted-without-undue-delay"]
    assert delay.status.value == "partial"
    assert delay.summary.startswith("6 of 11 statements of reasons submitted within 72 hours = 54.5%")


def test_json_result(tmp_path: Path, excerpt: Path, audit_assess) -> None:
    doc = audit_assess(make_pack(tmp_path, excerpt), "eu.dsa-sor", as_of="2024-03-14",
                       as_json=True)
    assert doc["logs"]["moderation"]["rows"] == 11


def test_unknown_columns_are_ignored_and_missing_optional_ones_tolerated(
        tmp_path: Path, excerpt: Path, audit_assess) -> None:
    def change(header, body):
        drop = header.index("content_language")  # absent from early dumps
        header = [h for i, h in enumerate(header) if i != drop] + ["some_future_column"]
        body = [[c for i, c in enumerate(r) if i != drop] + ["x"] for r in body]
        return header, body

    pack = make_pack(tmp_path, text=edited(excerpt, change))
    audit_assess(pack, "eu.dsa-sor", as_of="2024-03-14")
    assert len(moderation(pack)) == 11


def test_unknown_vocabulary_is_an_error_naming_file_column_and_rows(
        tmp_path: Path, excerpt: Path, audit_assess) -> None:
    from audit.errors import EvidenceError

    def change(header, body):
        cat, scope = header.index("category"), header.index("territorial_scope")
        body[2][cat] = "STATEMENT_CATEGORY_MADE_UP"
        body[4][scope] = '["AT","XX"]'
        return header, body

    with pytest.raises(EvidenceError) as exc:
        audit_assess(make_pack(tmp_path, text=edited(excerpt, change)), "eu.dsa-sor")
    lines = exc.value.lines
    assert lines[0] == ("pack/logs/sor-global-2024-03-14.csv: column category: 1 value(s) not in "
                        "the DSA Transparency Database vocabulary (e.g. "
                        "'STATEMENT_CATEGORY_MADE_UP'); first at data row(s) 3")
    assert lines[1].endswith("column territorial_scope: 1 value(s) not in the DSA Transparency "
                             "Database vocabulary (e.g. 'XX'); first at data row(s) 5")


def test_incomplete_statement_is_counted(tmp_path: Path, excerpt: Path, audit_assess) -> None:
    def change(header, body):
        body = body[1:]  # drop the duplicate
        body[0][header.index("decision_facts")] = ""
        body[1][header.index("territorial_scope")] = "[]"
        return header, body

    pack = make_pack(tmp_path, text=edited(excerpt, change))
    result = audit_assess(pack, "eu.dsa-sor", as_of="2024-03-14")
    missing = sorted(r["missing_fields"] for r in moderation(pack) if r["missing_fields"])
    assert missing == ["decision_facts", "territorial_scope"]
    fields = next(r.finding for r in result.results if r.requirement.id == "sor-required-fields")
    assert fields.summary.startswith("9 of 11 statements of reasons with every Art. 17(3) field")


def test_other_csv_logs_are_left_to_the_built_in_reader(tmp_path: Path) -> None:
    from audit_dsa_transparency.loader import StatementsOfReasonsLoader

    other = tmp_path / "moderation.csv"
    other.write_text("request_id,received_at,actioned_at,category,requester,action,country\n")
    assert not StatementsOfReasonsLoader().matches(other)


PARTS = REPO / "tests" / "data" / "byod" / "dsa-parts"


def test_dump_in_gzipped_parts_through_a_mapping(tmp_path: Path, audit_assess) -> None:
    """The same twelve real rows, shipped as two gzipped parts and read through a log mapping
    whose ``via`` is this loader: the figures are those of the plain CSV."""
    pack = make_pack(tmp_path)
    (pack / "logs" / "sor-global-2024-03-14.csv").unlink()
    for part in sorted((PARTS / "logs").glob("*.csv.gz")):
        shutil.copy(part, pack / "logs" / part.name)
    (pack / "logs" / "moderation.mapping.yaml").write_text(
        "table: moderation\nfiles: sor-global-2024-03-14-full-*.csv.gz\n"
        "via: dsa-statements-of-reasons\n", encoding="utf-8")
    result = audit_assess(pack, "eu.dsa-sor", as_of="2024-03-14")
    assert len(moderation(pack)) == 11  # 12 data rows, one uuid twice
    delay = next(r.finding for r in result.results
                 if r.requirement.id == "sor-submitted-without-undue-delay")
    assert delay.summary.startswith("6 of 11 statements of reasons submitted within 72 hours = 54.5%")


def test_one_platform_of_the_parts(tmp_path: Path, audit_assess) -> None:
    pack = tmp_path / "dsa-parts"
    shutil.copytree(PARTS, pack)
    result = audit_assess(pack, "eu.dsa-sor", as_of="2024-03-14")
    rows = moderation(pack)
    assert {r["platform_name"] for r in rows} == {"TikTok"}
    assert len(rows) == 4  # five TikTok rows, one uuid twice
    delay = next(r.finding for r in result.results
                 if r.requirement.id == "sor-submitted-without-undue-delay")
    assert delay.summary.startswith("4 of 4 statements of reasons submitted within 72 hours")


def test_vocabulary_errors_on_mapped_rows_name_the_column(tmp_path: Path, audit_assess) -> None:
    import gzip

    from audit.errors import EvidenceError

    pack = tmp_path / "dsa-parts"
    shutil.copytree(PARTS, pack)
    part = pack / "logs" / "sor-global-2024-03-14-full-00001.csv.gz"
    text = gzip.decompress(part.read_bytes()).decode("utf-8")
    part.write_bytes(gzip.compress(text.replace("STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
                                                "STATEMENT_CATEGORY_MADE_UP", 1).encode()))
    with pytest.raises(EvidenceError) as exc:
        audit_assess(pack, "eu.dsa-sor")
    assert exc.value.lines[0].startswith(
        "dsa-parts/logs/moderation.mapping.yaml (selected rows): column category: 1 value(s) "
        "not in the DSA Transparency Database vocabulary (e.g. 'STATEMENT_CATEGORY_MADE_UP'); "
        "first at data row(s) 5")


def test_a_single_gzipped_dump_is_read_as_it_is(tmp_path: Path, excerpt: Path,
                                                audit_assess) -> None:
    import gzip

    pack = make_pack(tmp_path)
    target = pack / "logs" / "sor-global-2024-03-14.csv"
    target.with_name(target.name + ".gz").write_bytes(gzip.compress(excerpt.read_bytes()))
    target.unlink()
    audit_assess(pack, "eu.dsa-sor", as_of="2024-03-14")
    assert len(moderation(pack)) == 11


def test_filtering_one_platform_leaves_no_several_platforms_note(
        tmp_path: Path, audit_plugin_manager) -> None:
    from audit.api import assess  # as the CLI assesses: the platform columns are loaded too

    pack = tmp_path / "dsa-parts"
    shutil.copytree(PARTS, pack)

    def codes() -> list[str]:
        result = assess(pack, ["eu.dsa-sor"], as_of="2024-03-14")
        return [n.code for n in result.notes if n.code == "several-platforms"]

    assert codes() == []
    mapping = pack / "logs" / "moderation.mapping.yaml"
    mapping.write_text(mapping.read_text("utf-8").replace("where: {platform_name: TikTok}\n", ""),
                       encoding="utf-8")
    assert codes() == ["several-platforms"]


LIGHT_DROPS = ("illegal_content_explanation", "incompatible_content_explanation",
               "decision_facts", "territorial_scope")


def _light(header, body):
    """A light dump: the database's light files leave out the long free-text fields and
    territorial_scope (data download page of the Transparency Database)."""
    keep = [i for i, h in enumerate(header) if h not in LIGHT_DROPS]
    return [header[i] for i in keep], [[r[i] for i in keep] for r in body]


def test_a_light_dump_gives_no_evidence_of_complete_statements_not_a_failure(
        tmp_path: Path, excerpt: Path, audit_assess) -> None:
    pack = make_pack(tmp_path, text=edited(excerpt, _light))
    result = audit_assess(pack, "eu.dsa-sor", as_of="2024-03-14")
    fields = next(r.finding for r in result.results if r.requirement.id == "sor-required-fields")
    assert fields.status.value == "no_evidence"  # was "0 of 11 ... every Art. 17(3) field"
    assert fields.summary == (
        "the moderation log has no 'statement_complete' column (the dump has no "
        "territorial_scope, decision_facts, illegal_content_explanation, "
        "incompatible_content_explanation columns, as in the Transparency Database's light "
        "dumps; the full dump has them); the rule needs it")
    # the rest of the statements is still read and judged
    delay = next(r.finding for r in result.results
                 if r.requirement.id == "sor-submitted-without-undue-delay")
    assert delay.status.value != "no_evidence"


def test_a_light_dump_through_a_mapping_says_the_same(tmp_path: Path, excerpt: Path,
                                                     audit_assess) -> None:
    pack = make_pack(tmp_path, text=edited(excerpt, _light))
    (pack / "logs" / "sor-global-2024-03-14.csv").rename(pack / "logs" / "light-part.csv")
    (pack / "logs" / "moderation.mapping.yaml").write_text(
        "table: moderation\nfiles: light-part.csv\nvia: dsa-statements-of-reasons\n", "utf-8")
    result = audit_assess(pack, "eu.dsa-sor", as_of="2024-03-14")
    fields = next(r.finding for r in result.results if r.requirement.id == "sor-required-fields")
    assert fields.status.value == "no_evidence"
    assert "light dumps" in fields.summary


def test_the_repeated_uuid_collapsed_is_counted_for_the_row_ledger(
        tmp_path: Path, excerpt: Path, audit_registry) -> None:
    from audit.evidence.loaders import load_evidence

    store = load_evidence([make_pack(tmp_path, excerpt)], audit_registry).logs
    info = store.logs["moderation"]
    # 12 rows read, one uuid twice: 11 statements, 1 row set aside as a duplicate
    assert info.rows == 11
    assert info.extra["set_aside"] == [{"stage": "duplicate", "detail": "uuid", "rows": 1,
                                        "first_rows": []}]
    assert info.extra["absent"] == {}
