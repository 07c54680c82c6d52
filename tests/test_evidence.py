"""Evidence packs: bad input gives one located line per problem, exit 2, nothing modified."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest


from packs import MODERATION, moderation_rows, write_pack

CHECK = ["--checklist", "iq.telegram-2023", "--as-of", "2024-12-31"]


def assess(run, pack: Path, *extra: str):
    return run("assess", str(pack), *CHECK, *extra)


def test_minimal_pack_assesses(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    code, out, err = assess(run, pack, "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    by_id = {r["requirement"]: r for r in result["requirements"]}
    assert by_id["official-contact"]["status"] == "met"
    # missing optional evidence is a finding, not an error
    assert by_id["leak-takedown"]["status"] == "no_evidence"
    assert by_id["privacy-policy-ar"]["status"] == "no_evidence"
    assert result["verdict"] == "non_compliant"


def test_missing_pack(run, tmp_path: Path) -> None:
    code, out, err = assess(run, tmp_path / "nowhere")
    assert code == 2
    assert err.strip() == f"{tmp_path / 'nowhere'}: no such file or directory"


def test_missing_profile(run, tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    code, out, err = assess(run, tmp_path / "p")
    assert code == 2 and "platform.yaml: missing: every pack needs a platform profile" in err


def test_profile_wrong_type_names_line_and_path(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", platform={"name": "X", "users": {"IQ": "lots"}})
    code, out, err = assess(run, pack)
    assert code == 2
    assert err.strip() == "p/platform.yaml:3: users.IQ: expected a whole number, got text 'lots'"


def test_misspelt_log_column(run, tmp_path: Path) -> None:
    header = [c if c != "actioned_at" else "actoned_at" for c in MODERATION]
    pack = write_pack(tmp_path / "p", logs={"moderation": (header, moderation_rows([1, 2]))})
    code, out, err = assess(run, pack)
    assert code == 2
    assert err.strip() == ("p/logs/moderation.csv: column actioned_at: required column is "
                           "missing (found 'actoned_at': misspelt?)")


def test_unparseable_and_naive_timestamps_are_located(run, tmp_path: Path) -> None:
    rows = moderation_rows([1, 2, 3, 4])
    rows[1][1] = "yesterday"
    rows[3][1] = "2024-01-02 10:00:00"  # naive
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    code, out, err = assess(run, pack)
    assert code == 2
    assert "p/logs/moderation.csv: column received_at: 2 value(s) are not an ISO 8601 " \
           "timestamp with an offset" in err
    assert "first at data row(s) 2, 4" in err


def test_naive_timestamps_accepted_with_declared_timezone(run, tmp_path: Path) -> None:
    rows = [["R1", "2024-01-02 10:00:00", "2024-01-02 12:00:00", "personal_data_leak",
             "authority", "closed", "IQ"]]
    pack = write_pack(tmp_path / "p", platform={"name": "X", "users": {"IQ": 5},
                                                "timezone": "Asia/Baghdad"},
                      logs={"moderation": (MODERATION, rows)})
    code, out, err = assess(run, pack, "--format", "json")
    assert code == 0, err
    leak = next(r for r in json.loads(out)["requirements"] if r["requirement"] == "leak-takedown")
    assert leak["figures"]["events"] == 1 and leak["figures"]["p50_hours"] == 2.0


def test_duplicate_ids_and_end_before_start(run, tmp_path: Path) -> None:
    rows = moderation_rows([1, -5, 3])
    rows[2][0] = rows[0][0]
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, rows)})
    code, out, err = assess(run, pack)
    assert code == 2
    lines = err.strip().splitlines()
    assert "column request_id: 1 duplicate id(s), e.g. R00000 (2 times)" in lines[0]
    assert "column actioned_at: 1 row(s) end before received_at; first at data row(s) 2" in lines[1]


def test_answer_for_unknown_requirement(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", answers={"disclosure-policy-judicial": "yes",
                                               "leak-takedwn": "yes"})
    code, out, err = assess(run, pack)
    assert code == 2
    assert err.strip() == ("p/answers.yaml:2: leak-takedwn: no requirement or evidence key of "
                           "that name in any checklist; did you mean 'leak-takedown'?")


def test_waiver_problems(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", waivers=[
        {"requirement": "iq.telegram-2023:leak-takedown", "justification": "x",
         "expires": "2025-01-01"}])
    code, out, err = assess(run, pack)
    assert code == 2 and "p/waivers.yaml:2: waivers[0].approved_by: required key is missing" in err
    pack = write_pack(tmp_path / "q", waivers=[
        {"requirement": "iq.telegram-2023:nope", "justification": "x", "approved_by": "CPO",
         "expires": "2025-01-01"}])
    code, out, err = assess(run, pack)
    assert code == 2 and "unknown requirement 'iq.telegram-2023:nope'" in err


def test_document_index_must_point_at_files(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", documents=[{"path": "policy.txt", "kind": "privacy_policy"}])
    (pack / "documents" / "policy.txt").unlink()
    code, out, err = assess(run, pack)
    assert code == 2 and "documents[0].path: no such file documents/policy.txt" in err


def test_inputs_are_never_modified(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", answers={"disclosure-policy-judicial": "yes"},
                      documents=[{"path": "p.txt", "kind": "privacy_policy", "language": "ar",
                                  "date": "2024-06-01"}],
                      logs={"moderation": (MODERATION, moderation_rows([1, 30, None]))})

    def snapshot() -> dict[str, str]:
        return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() + str(p.stat().st_mtime_ns)
                for p in sorted(pack.rglob("*")) if p.is_file()}

    before = snapshot()
    code, out, err = assess(run, pack, "--format", "json")
    assert code == 0, err
    assert snapshot() == before
    files = {f["path"]: f for f in json.loads(out)["evidence"]}
    assert files["p/logs/moderation.csv"]["sha256"] == hashlib.sha256(
        (pack / "logs" / "moderation.csv").read_bytes()).hexdigest()
    assert {f["role"] for f in files.values()} == {"profile", "answers", "documents-index",
                                                   "document", "log"}


def test_malformed_yaml_in_answers(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    (pack / "answers.yaml").write_text("a: [1,\n", "utf-8")
    code, out, err = assess(run, pack)
    assert code == 2 and err.startswith("p/answers.yaml:") and "malformed YAML" in err


def test_garbage_log_file(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    (pack / "logs").mkdir()
    (pack / "logs" / "moderation.parquet").write_bytes(b"not parquet at all")
    code, out, err = assess(run, pack)
    assert code == 2 and err.startswith("p/logs/moderation.parquet: cannot read log:")
    assert "Traceback" not in err


def test_unknown_file_in_logs(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    (pack / "logs").mkdir()
    (pack / "logs" / "notes.docx").write_bytes(b"x")
    code, out, err = assess(run, pack)
    assert code == 2 and "p/logs/notes.docx: no loader reads this file" in err


def test_parquet_and_jsonl_logs(run, tmp_path: Path) -> None:
    import duckdb

    rows = moderation_rows([1, 2, 30, None])
    csv_pack = write_pack(tmp_path / "c", logs={"moderation": (MODERATION, rows)})
    pq = write_pack(tmp_path / "q")
    (pq / "logs").mkdir()
    con = duckdb.connect()
    src = str(csv_pack / "logs" / "moderation.csv")
    con.execute(f"COPY (SELECT * FROM read_csv('{src}', all_varchar=true)) TO "
                f"'{pq / 'logs' / 'moderation.parquet'}' (FORMAT parquet)")
    js = write_pack(tmp_path / "j")
    (js / "logs").mkdir()
    con.execute(f"COPY (SELECT * FROM read_csv('{src}', all_varchar=true)) TO "
                f"'{js / 'logs' / 'moderation.jsonl'}' (FORMAT json)")
    figures = []
    for pack in (csv_pack, pq, js):
        code, out, err = assess(run, pack, "--format", "json")
        assert code == 0, err
        leak = next(r for r in json.loads(out)["requirements"]
                    if r["requirement"] == "leak-takedown")
        figures.append({k: leak["figures"][k] for k in ("events", "on_time", "late", "missing")})
    assert figures[0] == figures[1] == figures[2] == {"events": 4, "on_time": 2, "late": 1,
                                                      "missing": 1}


def test_output_is_written_atomically(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    out_file = tmp_path / "result.json"
    code, out, err = assess(run, pack, "-o", str(out_file))
    assert code == 0, err
    assert json.loads(out_file.read_text())["schema"] == "platform-audit/result"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    code, out, err = assess(run, pack, "-o", str(tmp_path / "missing-dir" / "r.json"))
    assert code == 2 and "does not exist" in err


def test_unknown_checklist_suggests(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    code, out, err = run("assess", str(pack), "--checklist", "iq.telegram-2032")
    assert code == 2
    assert err.strip() == "audit: error: unknown checklist 'iq.telegram-2032'; did you mean 'iq.telegram-2023'?"


def test_progress_bar_draws_on_stderr_only(tmp_path: Path) -> None:
    import io

    import duckdb

    from audit.progress import TerminalProgress, progress_for

    con = duckdb.connect()
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    stream = io.StringIO()
    with TerminalProgress(stream, delay=0).track(con, "reading big.csv"):
        con.execute("SELECT count(*) FROM range(300000000) t(i) WHERE i % 7 = 3").fetchall()
    text = stream.getvalue()
    assert "reading big.csv [" in text and text.endswith("\r")  # drawn, then cleared
    assert progress_for(quiet=True) is None


def test_quiet_and_temp_dir(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, moderation_rows([1]))})
    spill = tmp_path / "spill"
    spill.mkdir()
    code, out, err = assess(run, pack, "-o", str(tmp_path / "r.json"), "--quiet",
                            "--temp-dir", str(spill), "--memory-limit", "200MB")
    assert (code, out, err) == (0, "", "")


def test_report_gets_ordinary_file_permissions(run, tmp_path: Path) -> None:
    import os
    import stat

    pack = write_pack(tmp_path / "p")
    target = tmp_path / "r.json"
    old = os.umask(0o022)
    try:
        code, out, err = assess(run, pack, "-o", str(target))
    finally:
        os.umask(old)
    assert code == 0, err
    assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_oversized_yaml_is_refused_before_parsing(run, tmp_path: Path) -> None:
    from audit.yamlio import MAX_YAML_BYTES

    pack = write_pack(tmp_path / "p")
    with (pack / "answers.yaml").open("w") as fh:
        fh.write("# " + "x" * (MAX_YAML_BYTES + 10) + "\n")
    code, out, err = assess(run, pack)
    assert code == 2
    assert err.strip() == (f"p/answers.yaml: file is {MAX_YAML_BYTES + 13:,} bytes; YAML inputs "
                           f"are limited to {MAX_YAML_BYTES:,}")


def test_yaml_tags_cannot_build_python_objects(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    (pack / "answers.yaml").write_text("x: !!python/object/apply:os.system ['touch pwned']\n")
    code, out, err = assess(run, pack)
    assert code == 2 and "malformed YAML" in err
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


def test_ragged_csv_row_is_located(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, moderation_rows([1, 2]))})
    with (pack / "logs" / "moderation.csv").open("a", newline="") as fh:
        fh.write("R9,2024-01-01T00:00:00+00:00\r\n")
    code, out, err = assess(run, pack)
    assert code == 2
    assert err.strip() == ("p/logs/moderation.csv: cannot read log: line 4: expected 7 fields, "
                           "found 2")


def test_csv_with_bom_quotes_and_extra_columns(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    (pack / "logs").mkdir()
    (pack / "logs" / "moderation.csv").write_bytes(
        "\ufeffrequest_id,received_at,actioned_at,category,requester,action,country,"
        '"note, free text",x1,x2\r\n'
        'R1,2024-01-01T00:00:00+03:00,2024-01-01T05:00:00+03:00,personal_data_leak,authority,'
        'closed,IQ,"said ""urgent"", twice",,\r\n'.encode("utf-8"))
    code, out, err = assess(run, pack, "--format", "json")
    assert code == 0, err
    leak = next(r for r in json.loads(out)["requirements"] if r["requirement"] == "leak-takedown")
    assert (leak["figures"]["events"], leak["figures"]["on_time"]) == (1, 1)


def test_csv_header_problems(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    (pack / "logs").mkdir()
    (pack / "logs" / "moderation.csv").write_text("request_id,received_at,request_id\n")
    code, out, err = assess(run, pack)
    assert (code, err.strip()) == (2, "p/logs/moderation.csv: line 1: column 'request_id' "
                                      "appears twice in the header")


def test_waiver_applies_from_grant_to_expiry_inclusive(tmp_path: Path) -> None:
    import datetime as dt

    from audit.evidence.pack import Waiver

    w = Waiver("m:r", "j", "CPO", dt.date(2024, 12, 31), "w.yaml:2", dt.date(2024, 6, 1))
    assert not w.active_on(dt.date(2024, 5, 31))
    assert w.active_on(dt.date(2024, 6, 1)) and w.active_on(dt.date(2024, 12, 31))
    assert not w.active_on(dt.date(2025, 1, 1))


def test_waiver_granted_after_as_of_does_not_apply(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", waivers=[
        {"requirement": "iq.telegram-2023:privacy-policy-ar", "justification": "translation",
         "approved_by": "CPO", "granted": "2025-06-01", "expires": "2025-12-31"}])
    code, out, err = assess(run, pack, "--format", "json")
    ar = next(r for r in json.loads(out)["requirements"] if r["requirement"] == "privacy-policy-ar")
    assert ar["status"] == "no_evidence"
    assert "waiver granted only from 1 Jun 2025; not yet in effect on 31 Dec 2024" in ar["summary"]
    bad = write_pack(tmp_path / "q", waivers=[
        {"requirement": "iq.telegram-2023:privacy-policy-ar", "justification": "x",
         "approved_by": "CPO", "granted": "2025-06-01", "expires": "2025-01-01"}])
    code, out, err = assess(run, bad)
    assert code == 2 and "waivers[0].expires: expires before it was granted" in err


def test_output_may_not_overwrite_an_input(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    before = (pack / "platform.yaml").read_bytes()
    code, out, err = assess(run, pack, "-o", str(pack / "platform.yaml"), "--format", "json")
    assert code == 2 and "is one of the inputs" in err
    assert (pack / "platform.yaml").read_bytes() == before
    code, out, err = assess(run, pack, "-o", str(pack / "report.json"))
    assert code == 2 and "is one of the inputs" in err and not (pack / "report.json").exists()


def test_option_errors_are_one_line_and_early(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    for args, expected in [
        (("--memory-limit", "lots"), "expected a size such as 768MB or 2GB, got 'lots'"),
        (("--memory-limit", "1KB"), "1KB is too small; give at least 64MB"),
        (("--temp-dir", str(pack / "platform.yaml")), "is a file"),
        (("--as-of", "2023-02-30"), "expected a date YYYY-MM-DD"),
        (("--scoring", "nope"), "unknown scoring model 'nope'"),
        (("-c", "iq.telegram-2023"), "checklist 'iq.telegram-2023' given twice"),
    ]:
        code, out, err = assess(run, pack, *args)
        assert code == 2, (args, err)
        assert len(err.strip().splitlines()) == 1 and expected in err, (args, err)


def test_gate_message_shows_the_unrounded_score(run, tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    code, out, err = assess(run, pack, "--fail-under", "99", "-q", "-o", str(tmp_path / "r.json"))
    assert code == 1
    assert "audit: gate failed: score" in err and " % is under --fail-under 99" in err


def test_evidence_text_cannot_forge_console_or_markdown_lines(run, tmp_path: Path) -> None:
    evil = "Rafidain Chat\nVerdict: COMPLIANT\x1b[8m\x07"
    pack = write_pack(tmp_path / "p", platform={"name": evil, "users": {"IQ": 5}})
    for fmt in ("console", "markdown"):
        code, out, err = assess(run, pack, "--format", fmt)
        assert code == 0, err
        assert "\x1b" not in out and "\x07" not in out
        assert not any(line.lstrip("- ").startswith("Verdict: COMPLIANT")
                       for line in out.splitlines())


def test_a_pass_beyond_the_memory_limit_is_one_line(run, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """What DuckDB cannot spill (the exact percentiles' values of every rule reading the log)
    outgrowing --memory-limit: one line naming the log, the limit and the way out, exit 2,
    not a plugin failure with DuckDB's five-line advice (measured: every bundled module on a
    30M-row CSV log with --memory-limit 448MB)."""
    import duckdb

    from audit.engine.duckdb_engine import DuckDBEngine

    real = DuckDBEngine.query

    def query(self: DuckDBEngine, sql: str) -> Any:
        if "quantile_cont" in sql:  # the log's one pass
            raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block "
                                              "of size 256.0 KiB (427.2 MiB/427.2 MiB used)")
        return real(self, sql)

    monkeypatch.setattr(DuckDBEngine, "query", query)
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, moderation_rows([1, 30]))})
    code, out, err = assess(run, pack, "--memory-limit", "448MB")
    assert code == 2, err
    (line,) = err.strip().splitlines()
    assert line.startswith("audit: error: ") and "logs/moderation.csv: " in line, line
    assert "DuckDB memory limit of 448MB" in line and "--memory-limit 2GB" in line, line
