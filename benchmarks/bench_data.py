"""The benchmark's inputs, generated once and cached in benchmarks/.data/: seeded moderation
logs (values depend only on the row number), the packs around them, the workbook's log.

Two log shapes: ``one`` (the columns the single-rule case reads: IQ leak orders among four
other countries) and ``all`` (adds ``urgency`` and spreads rows over every country, category
and requester the bundled modules' moderation rules select, for the multi-rule case).
"""

from __future__ import annotations

import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / ".data"
CHECKLISTS = HERE.parent / "checklists"

PROFILE = """\
name: Benchmark Messenger
users: {IQ: 9000000}
representatives:
  - {name: Bench Contact, role: authority_contact_iq, country: IQ, contact: b@example.org}
"""

ONE = {"category": ["personal_data_leak", "illegal_content", "spam", "terrorist_content"],
       "requester": ["authority", "user", "trusted_flagger"],
       "country": ["IQ", "DE", "IN", "TR", "BR"]}
ALL = {"category": ["personal_data_leak", "illegal_content", "spam", "terrorist_content",
                    "csam", "ncii", "cyber_abuse", "hate_speech", "court_order",
                    "government_order"],
       "requester": ["authority", "user", "trusted_flagger", "court"],
       "country": ["IQ", "DE", "IN", "TR", "BR", "AU", "ID", "JP", "KZ", "NG", "PK", "VN",
                   "FR", "US", "GB", "AT"],
       "urgency": ["normal", "emergency"]}


def bundled_modules() -> list[str]:
    """Every bundled checklist module id (translations, ``<id>.<lang>.yaml``, left out)."""
    ids = []
    for path in sorted(CHECKLISTS.glob("*/*.yaml")):
        found = re.search(r"^id:\s*(\S+)", path.read_text(encoding="utf-8"), re.M)
        if found and path.name == f"{found.group(1)}.yaml":
            ids.append(found.group(1))
    return ids


def everywhere_profile() -> str:
    """A platform with 20 million users in every jurisdiction a bundled module names."""
    codes = sorted({m for p in CHECKLISTS.glob("*/*.yaml") for m in re.findall(
        r"platform\.users\.([A-Z][A-Z-]*[A-Z])", p.read_text(encoding="utf-8"))})
    users = ", ".join(f"{c}: 20000000" for c in codes)
    return PROFILE.replace("users: {IQ: 9000000}", f"users: {{{users}}}")


def _pick(values: list[str], salt: int) -> str:
    items = ", ".join(f"'{v}'" for v in values)
    return f"[{items}][1 + CAST((h // {salt}) % {len(values)} AS BIGINT)]"


def generate(rows: int, fmt: str, shape: str = "one") -> Path:
    """The pack holding a seeded moderation log of ``rows`` rows (``csv`` or ``parquet``)."""
    import duckdb

    pack = DATA / (f"pack-{rows}-{fmt}" if shape == "one" else f"pack-all-{rows}-{fmt}")
    target = pack / "logs" / f"moderation.{fmt}"
    if target.exists():
        return pack
    (pack / "logs").mkdir(parents=True, exist_ok=True)
    (pack / "platform.yaml").write_text(PROFILE if shape == "one" else everywhere_profile(),
                                        encoding="utf-8")
    span = 500 * 24 * 3600  # 500 days from 2023-08-20, so every event is under the 24 h rule
    values = ONE if shape == "one" else ALL
    extra = f", {_pick(values['urgency'], 13)} AS urgency" if "urgency" in values else ""
    select = f"""
        SELECT 'R' || lpad(CAST(i AS VARCHAR), 10, '0') AS request_id,
               strftime(ts, '%Y-%m-%dT%H:%M:%S') || '+03:00' AS received_at,
               CASE WHEN h % 100 < 3 THEN NULL
                    ELSE strftime(ts + to_seconds(CAST((h // 100) % 172800 AS BIGINT)), '%Y-%m-%dT%H:%M:%S')
                         || '+03:00' END AS actioned_at,
               ['{"', '".join(values["category"])}'][1 + CAST(h % {len(values["category"])} AS BIGINT)]
                   AS category,
               {_pick(values['requester'], 7)} AS requester,
               'channel_closed' AS action,
               {_pick(values['country'], 11)} AS country{extra}
        FROM (SELECT i, hash(i) AS h,
                     TIMESTAMP '2023-08-20 00:00:00' + to_seconds(CAST(i * {span} / {rows} AS BIGINT)) AS ts
              FROM range({rows}) t(i))
        ORDER BY i"""
    option = "(HEADER, DELIMITER ',')" if fmt == "csv" else "(FORMAT parquet)"
    if fmt == "parquet":  # Parquet exports carry typed timestamps, as real ones do
        select = (f"SELECT * REPLACE (CAST(received_at AS TIMESTAMPTZ) AS received_at, "
                  f"CAST(actioned_at AS TIMESTAMPTZ) AS actioned_at) FROM ({select})")
    con = duckdb.connect()
    tmp = target.with_suffix(".tmp")
    con.execute(f"COPY ({select}) TO '{tmp}' {option}")
    tmp.rename(target)
    return pack


def lake_pack(pack: Path) -> Path:
    """A pack whose moderation log is the Parquet folder of ``pack`` named as a ``file://``
    location (what ``s3a://`` or ``hdfs://`` would be on a cluster), mapped with keep: true."""
    lake = pack.with_name(pack.name + "-lake")
    (lake / "logs").mkdir(parents=True, exist_ok=True)
    (lake / "platform.yaml").write_text(PROFILE, encoding="utf-8")
    (lake / "logs" / "moderation.mapping.yaml").write_text(
        "schema_version: 1\ntable: moderation\nformat: parquet\nkeep: true\n"
        f"files: {(pack / 'logs').resolve().as_uri()}\n", encoding="utf-8")
    return lake


def workbook_pack(detail: int, rows: int) -> Path:
    """A Parquet pack of ``rows`` rows of which ``detail`` (spread evenly) are IQ leak orders
    handled 30-79 hours late: the gap workbook's detail sheet gets ``detail`` rows, read from
    a log of ``rows`` (bench_workbook.py then reads the sheet's cells back for raw openpyxl)."""
    import duckdb

    pack = DATA / f"workbook-{detail}-of-{rows}"
    log = pack / "logs" / "moderation.parquet"
    if log.exists():
        return pack
    (pack / "logs").mkdir(parents=True, exist_ok=True)
    (pack / "platform.yaml").write_text(PROFILE, encoding="utf-8")
    every = max(rows // detail, 1)
    select = f"""
        SELECT 'R' || lpad(CAST(i AS VARCHAR), 10, '0') AS request_id,
               timezone('Asia/Baghdad', ts) AS received_at,
               timezone('Asia/Baghdad', ts) + CASE WHEN late THEN to_hours(30 + i % 50)
                    ELSE to_seconds(CAST(hash(i) % 3600 AS BIGINT)) END AS actioned_at,
               CASE WHEN late THEN 'personal_data_leak' ELSE 'spam' END AS category,
               'authority' AS requester, 'channel_closed' AS action, 'IQ' AS country
        FROM (SELECT i, i % {every} = 0 AND i // {every} < {detail} AS late,
                     TIMESTAMP '2024-01-01 00:00:00' + to_seconds(CAST(i * 25000000 / {rows} AS BIGINT)) AS ts
              FROM range({rows}) t(i))"""
    tmp = log.with_suffix(".tmp")
    duckdb.connect().execute(f"COPY ({select}) TO '{tmp}' (FORMAT parquet)")
    tmp.rename(log)
    return pack
