"""The DSA Transparency Database's vocabulary, and the check of a dump's coded values.

Values of the coded columns are checked against the official vocabulary shipped in
``statements_vocabulary.json`` (current, new, renamed and deleted values are all accepted)
plus ``SUPPLEMENT`` (values the database accepts that the file does not list, such as the
``*_OTHER`` codes and EEA countries). Any other value is an error naming the file, the column,
the value and the first data rows. The same aggregate scan counts the rows repeating a uuid,
which the loader's mapping collapses (the row ledger reads that count).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from audit.engine.base import Connection
from audit.errors import EvidenceError, Problem
from audit_dsa_transparency.sql import ident, is_json_list, lambda_fn, list_expr, varchar_array

MAX_ROWS_SHOWN = 5

# Values the database accepts that statements_vocabulary.json does not list.
SUPPLEMENT: dict[str, tuple[str, ...]] = {
    "decision_visibility": ("DECISION_VISIBILITY_OTHER",),
    "decision_monetary": ("DECISION_MONETARY_OTHER",),
    "content_type": ("CONTENT_TYPE_OTHER",),
    "category_specification": ("KEYWORD_OTHER",),
    "territorial_scope": ("IS", "LI", "NO"),  # EEA states outside the EU
    "source_type": ("SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER",
                    "SOURCE_TYPE_OTHER_NOTIFICATION", "SOURCE_VOLUNTARY"),
    "automated_detection": ("Yes", "No"),
    "automated_decision": ("AUTOMATED_DECISION_FULLY", "AUTOMATED_DECISION_PARTIALLY",
                           "AUTOMATED_DECISION_NOT_AUTOMATED"),
}
SCALAR_CHECKED = ("category", "decision_ground", "decision_monetary", "decision_provision",
                  "decision_account", "account_type", "source_type", "automated_detection",
                  "automated_decision")
LIST_CHECKED = ("decision_visibility", "category_specification", "content_type",
                "territorial_scope")


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, tuple[str, ...]]:
    """Accepted values per column: the official vocabulary (with renamed and deleted values)
    plus ``SUPPLEMENT``."""
    raw = json.loads((Path(__file__).parent / "statements_vocabulary.json").read_text("utf-8"))
    out: dict[str, set[str]] = {k: set(v) for k, v in raw.items()
                                if isinstance(v, list) and all(isinstance(x, str) for x in v)}
    out["category"] = (set(raw["categories"]) | set(raw["new_categories"])
                       | set(raw["deleted_categories"])
                       | {name for pair in raw["renamed_categories"] for name in pair})
    out["category_specification"] = (
        set(raw["category_specification"]) | set(raw["new_category_specifications"])
        | set(raw["deleted_category_specifications"])
        | {name for pair in raw["renamed_category_specifications"] for name in pair})
    for column, extra in SUPPLEMENT.items():
        out.setdefault(column, set()).update(extra)
    return {k: tuple(sorted(v)) for k, v in out.items()}


@lru_cache(maxsize=1)
def renamed() -> dict[str, str]:
    raw = json.loads((Path(__file__).parent / "statements_vocabulary.json").read_text("utf-8"))
    return {old: new for old, new in raw["renamed_categories"]
            + raw["renamed_category_specifications"]}


def check_vocabulary(con: Connection, reader: str, header: list[str], display: str
                     ) -> list[dict[str, object]]:
    """One aggregate scan counting values outside the vocabulary, per checked column, and
    the rows repeating a uuid (collapsed by the mapping into the moderation table); the file
    is rescanned with row numbers only when there is something to report. Returns what the
    collapse sets aside, for the row ledger (``LogInfo.extra["set_aside"]``)."""
    vocab = vocabulary()
    tests: list[tuple[str, str, str]] = []  # (column, bad-row test, first bad value)
    for column in SCALAR_CHECKED:
        if column not in header or column not in vocab:
            continue
        value = f"NULLIF(TRIM({ident(column)}), '')"
        tests.append((column, f"{value} IS NOT NULL AND NOT list_contains("
                              f"{varchar_array(vocab[column])}, {value})", value))
    for column in LIST_CHECKED:
        if column not in header or column not in vocab:
            continue
        text = f"NULLIF(TRIM({ident(column)}), '')"
        parsed = list_expr(ident(column))
        known = varchar_array(vocab[column])
        unknown = f"list_filter({parsed}, {lambda_fn(f'NOT list_contains({known}, x)')})"
        bad_json = f"(starts_with({text}, '[') AND NOT {is_json_list(text)})"
        tests.append((column, f"{text} IS NOT NULL AND ({bad_json} OR "
                              f"array_length({unknown}) > 0)",
                      f"CASE WHEN {bad_json} THEN {text} ELSE {unknown}[1] END"))
    uuid = f"NULLIF(TRIM({ident('uuid')}), '')" if "uuid" in header else "NULL"
    found = con.execute("SELECT " + ", ".join(
        [f"count({uuid})", f"count(DISTINCT {uuid})"]
        + [f"count(*) FILTER (WHERE {t})" for _c, t, _v in tests])
        + f" FROM {reader}").fetchone() or (0, 0)
    keyed, distinct, counts = int(found[0] or 0), int(found[1] or 0), found[2:]
    problems = []
    for (column, test, value), count in zip(tests, counts, strict=False):
        if not count:
            continue
        con.execute("SET preserve_insertion_order = true")
        try:
            rows = con.execute(
                f"SELECT r, v FROM (SELECT row_number() OVER () AS r, ({test}) AS hit, "
                f"CAST({value} AS VARCHAR) AS v FROM {reader}) WHERE hit ORDER BY r "
                f"LIMIT {MAX_ROWS_SHOWN}").fetchall()
        finally:
            con.execute("SET preserve_insertion_order = false")
        examples = ", ".join(dict.fromkeys(repr(v) for _r, v in rows))
        problems.append(Problem(
            display, f"column {column}",
            f"{count:,} value(s) not in the DSA Transparency Database vocabulary (e.g. "
            f"{examples}); first at data row(s) {', '.join(str(r) for r, _v in rows)}"))
    if problems:
        raise EvidenceError(problems=problems)
    return [{"stage": "duplicate", "detail": "uuid", "rows": keyed - distinct,
             "first_rows": []}] if "uuid" in header else []
