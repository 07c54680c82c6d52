"""Evidence loader for the EU DSA Transparency Database statements-of-reasons daily dumps.

A dump CSV (one row per statement of reasons, header row, UTF-8; plain or ``.csv.gz``) found
under a pack's ``logs/`` is recognised by its header and mapped into the standard
``moderation`` log with one SQL ``SELECT`` (``LogEngine.load(transform=...)``). The file is read
by the run's engine (``pack.logs.read_source``: DuckDB, or Spark), and every SQL text here is
one both engines run, so the loader never asks which one it is on. Mapping (see the plugin
README for the full table):

- ``request_id`` = ``uuid`` (text; duplicates of a uuid are collapsed, keeping the latest
  ``created_at``); ``platform_uid`` stays text, so ids with leading zeros survive;
- ``actioned_at`` = ``application_date``; ``submitted_at`` = ``created_at`` (when the statement
  reached the database); ``content_at`` = ``content_date``; ``received_at`` = ``content_date``
  when it is not after ``application_date``, else ``application_date`` (the dump has no time a
  notice was received: this is the earliest moment the platform could have known);
- DSA times are UTC; a value without an offset is read as UTC, a date alone as midnight UTC;
- ``category`` is mapped to the project's categories (``CATEGORY_MAP``, refined by some
  ``category_specification`` keywords) and the original kept in ``dsa_category``, with renamed
  categories normalised to their current name in ``dsa_category_current``;
- ``requester`` from ``source_type``; ``action`` from the decision columns; ``country`` from
  ``territorial_scope`` (one code, ``EU`` when every EU member state is covered, else
  ``multiple``); JSON-list cells (``["AT","BE"]``) are parsed and joined with commas;
- ``statement_complete`` (yes/no) and ``missing_fields`` say whether the Art. 17(3) fields are
  filled.

Vocabulary: values of the coded columns are checked against the official vocabulary
(``audit_dsa_transparency/vocabulary.py``); ``content_language`` is not checked. Columns this
loader does not know (added by later dump versions) are ignored; optional columns that an
older dump lacks are read as empty. A light dump (no long free-text fields, no
``territorial_scope``) gives no ``statement_complete``: see ``absent_columns``.
"""

from __future__ import annotations

import csv
import gzip
import zlib
from pathlib import Path

from audit.engine.base import Connection
from audit.evidence.pack import EvidencePack
from audit.logs.sources import Source

from audit_dsa_transparency.sql import (
    case_map,
    ident,
    lambda_fn,
    list_expr,
    lit,
    ts_text,
    varchar_array,
)
from audit_dsa_transparency.vocabulary import check_vocabulary, renamed

TABLE = "moderation"

# A header must have all of these to be taken for a statements-of-reasons dump.
SIGNATURE = frozenset({"uuid", "decision_visibility", "decision_ground", "category",
                       "application_date", "created_at", "source_type", "platform_name"})

EU27 = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE",
        "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK")

CATEGORY_MAP = {
    "STATEMENT_CATEGORY_ANIMAL_WELFARE": "animal_welfare",
    "STATEMENT_CATEGORY_CONSUMER_INFORMATION": "consumer_information",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE": "cyber_abuse",
    "STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN": "cyber_abuse",
    "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS": "personal_data_leak",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH": "hate_speech",
    "STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS": "copyright",
    "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS": "civic_discourse",
    "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE": "not_specified",
    "STATEMENT_CATEGORY_OTHER_VIOLATION_TC": "terms_violation",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS": "minor_protection",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY": "public_security",
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD": "fraud",
    "STATEMENT_CATEGORY_SELF_HARM": "self_harm",
    "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS": "unsafe_products",
    "STATEMENT_CATEGORY_VIOLENCE": "violence",
    # deleted from the vocabulary, still present in older statements
    "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR": "ncii",
    "STATEMENT_CATEGORY_PORNOGRAPHY_OR_SEXUALIZED_CONTENT": "sexual_content",
}
# A keyword in category_specification that pins the project's category more precisely.
SPECIFICATION_MAP = (
    ("KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL", "csam"),
    ("KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE", "csam"),
    ("KEYWORD_TERRORIST_CONTENT", "terrorist_content"),
    ("KEYWORD_NON_CONSENSUAL_IMAGE_SHARING", "ncii"),
    ("KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN", "ncii"),
)
REQUESTER_MAP = {
    "SOURCE_ARTICLE_16": "user",
    "SOURCE_TRUSTED_FLAGGER": "trusted_flagger",
    "SOURCE_TYPE_OTHER_NOTIFICATION": "other_notice",
    "SOURCE_VOLUNTARY": "own_initiative",
}
ACTION_MAP = (  # first match wins: content decisions, then account, service, money
    ("decision_visibility", "DECISION_VISIBILITY_CONTENT_REMOVED", "content_removed"),
    ("decision_visibility", "DECISION_VISIBILITY_CONTENT_DISABLED", "content_disabled"),
    ("decision_visibility", "DECISION_VISIBILITY_CONTENT_DEMOTED", "demoted"),
    ("decision_visibility", "DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED", "age_restricted"),
    ("decision_visibility", "DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED",
     "interaction_restricted"),
    ("decision_visibility", "DECISION_VISIBILITY_CONTENT_LABELLED", "labelled"),
    ("decision_visibility", "DECISION_VISIBILITY_OTHER", "visibility_restricted_other"),
    ("decision_account", "DECISION_ACCOUNT_TERMINATED", "account_terminated"),
    ("decision_account", "DECISION_ACCOUNT_SUSPENDED", "account_suspended"),
    ("decision_provision", "DECISION_PROVISION_TOTAL_TERMINATION", "service_terminated"),
    ("decision_provision", "DECISION_PROVISION_PARTIAL_TERMINATION", "service_terminated"),
    ("decision_provision", "DECISION_PROVISION_TOTAL_SUSPENSION", "service_suspended"),
    ("decision_provision", "DECISION_PROVISION_PARTIAL_SUSPENSION", "service_suspended"),
    ("decision_monetary", "DECISION_MONETARY_TERMINATION", "demonetised"),
    ("decision_monetary", "DECISION_MONETARY_SUSPENSION", "demonetised"),
    ("decision_monetary", "DECISION_MONETARY_OTHER", "demonetised"),
)

SOURCE_TOKEN = "\x00source\x00"


def read_header(path: Path) -> list[str] | None:
    try:
        if path.name.lower().endswith(".gz"):  # one gzipped part, read as DuckDB will
            with gzip.open(path, "rt", encoding="utf-8-sig", newline="") as fh:
                first = fh.readline(1 << 16)
        else:
            with path.open(encoding="utf-8-sig", newline="") as fh:
                first = fh.readline(1 << 16)
    except (OSError, EOFError, UnicodeDecodeError, zlib.error):
        return None
    try:
        return [c.strip() for c in next(csv.reader([first]))]
    except (StopIteration, csv.Error):
        return None


def source_of(path: Path, header: list[str]) -> Source:
    """The dump as the engine reads it: a CSV file (plain or ``.csv.gz``), every value text.

    The header is declared (read here, as the CSV reader reads it), so no engine sniffs the
    dialect. The engine turns this into its own relation (``LogEngine.read_source``): a DuckDB
    table function or a Spark view, and this loader never names either.
    """
    return Source((str(path),), "csv", header=tuple(header))


# Text compares byte by byte on both engines; NULL as '' so no engine's NULL order matters.
TIE_BREAK = ", ".join(
    [f"COALESCE({c}, '')" for c in ("_applied", "_content", "_category_current", "_action",
                                    "_source", "_ground", "_auto", "_auto_decision",
                                    "_platform", "_platform_uid", "_missing")]
    + [f"array_to_string({c}, ',')" for c in ("_scope", "_spec", "_visibility",
                                              "_content_type")])


# The columns whose filling decides statement_complete (the Art. 17(3) elements).
COMPLETENESS_INPUTS = ("decision_visibility", "decision_monetary", "decision_provision",
                       "decision_account", "territorial_scope", "decision_facts", "source_type",
                       "automated_detection", "automated_decision", "decision_ground",
                       "illegal_content_legal_ground", "illegal_content_explanation",
                       "incompatible_content_ground", "incompatible_content_explanation",
                       "category", "application_date")
COMPLETENESS_COLUMNS = ("statement_complete", "missing_fields")


def absent_columns(header: list[str]) -> dict[str, str]:
    """The moderation columns left out because the dump lacks what they are computed from.

    The database's light dumps leave out the long free-text fields (decision_facts and the
    two explanations) and territorial_scope: whether a statement has every Art. 17(3) element
    cannot be told from them, so ``statement_complete`` is absent (a rule asking for it has
    no evidence), never "no" for every row. The reason goes to ``LogInfo.extra["absent"]``."""
    lacking = [c for c in COMPLETENESS_INPUTS if c not in header]
    if not lacking:
        return {}
    why = (f"the dump has no {', '.join(lacking)} column{'s' if len(lacking) > 1 else ''}, "
           "as in the Transparency Database's light dumps; the full dump has them")
    return {c: why for c in COMPLETENESS_COLUMNS}


def transform_sql(header: list[str]) -> str:
    """The SELECT mapping a dump (``{source}``) into the moderation table."""
    present = set(header)

    def col(name: str) -> str:
        return ident(name) if name in present else "CAST(NULL AS VARCHAR)"

    def filled(name: str) -> str:
        return f"NULLIF(TRIM({col(name)}), '') IS NOT NULL"

    renames = renamed()
    category_current = case_map(col("category"), {k: v for k, v in renames.items()
                                               if k.startswith("STATEMENT_CATEGORY_")},
                             default=col("category"))
    spec_rule = " ".join(f"WHEN list_contains(_spec, {lit(k)}) THEN {lit(v)}"
                         for k, v in SPECIFICATION_MAP)
    category_ours = (f"(CASE {spec_rule} ELSE "
                     f"{case_map('_category_current', CATEGORY_MAP, default=chr(39) + 'other' + chr(39))}"
                     " END)")
    lists = {"decision_visibility": "_visibility", "category_specification": "_spec",
             "content_type": "_content_type", "territorial_scope": "_scope"}
    action_whens = []
    for column, value, ours in ACTION_MAP:
        test = (f"list_contains(_visibility, {lit(value)})" if column == "decision_visibility"
                else f"{col(column)} = {lit(value)}")
        action_whens.append(f"WHEN {test} THEN {lit(ours)}")
    action = f"(CASE {' '.join(action_whens)} ELSE NULL END)"
    restriction = (f"(array_length(_visibility) > 0 OR {filled('decision_monetary')} OR "
                   f"{filled('decision_provision')} OR {filled('decision_account')})")
    checks = [
        (restriction, "decision"),
        ("array_length(_scope) > 0", "territorial_scope"),
        (filled("decision_facts"), "decision_facts"),
        (filled("source_type"), "source_type"),
        (filled("automated_detection"), "automated_detection"),
        (filled("automated_decision"), "automated_decision"),
        (filled("decision_ground"), "decision_ground"),
        (f"{col('decision_ground')} IS DISTINCT FROM 'DECISION_GROUND_ILLEGAL_CONTENT' OR "
         f"({filled('illegal_content_legal_ground')} AND "
         f"{filled('illegal_content_explanation')})", "illegal_content_ground"),
        (f"{col('decision_ground')} IS DISTINCT FROM 'DECISION_GROUND_INCOMPATIBLE_CONTENT' OR "
         f"({filled('incompatible_content_ground')} AND "
         f"{filled('incompatible_content_explanation')})", "incompatible_content_ground"),
        (filled("category"), "category"),
        (filled("application_date"), "application_date"),
    ]
    # "a;b;": each missing field and a separator, the last one trimmed (concat_ws skips NULLs
    # on DuckDB, but SQLGlot has not always carried that over to Spark)
    missing = "rtrim(" + " || ".join(
        f"(CASE WHEN NOT ({test}) THEN {lit(name + ';')} ELSE '' END)" for test, name in checks
    ) + ", ';')"
    # every EU member state in scope: none of EU27 is missing from it (list_has_all is DuckDB's)
    outside = f"list_filter({varchar_array(EU27)}, {lambda_fn('NOT list_contains(_scope, x)')})"
    scope_country = (f"(CASE WHEN array_length(_scope) = 0 THEN NULL "
                     f"WHEN array_length(_scope) = 1 THEN _scope[1] "
                     f"WHEN array_length({outside}) = 0 THEN 'EU' ELSE 'multiple' END)")
    keywords = {k: v for k, v in renames.items() if k.startswith("KEYWORD_")}
    spec_current = f"list_transform(_spec, {lambda_fn(case_map('x', keywords, default='x'))})"
    inner = (
        f"SELECT {col('uuid')} AS _uuid, {ts_text(col('content_date'))} AS _content, "
        f"{ts_text(col('application_date'))} AS _applied, "
        f"{ts_text(col('created_at'))} AS _created, "
        f"{category_current} AS _category_current, "
        + ", ".join(f"{list_expr(col(c))} AS {alias}" for c, alias in lists.items())
        + f", {col('category')} AS _category, {col('source_type')} AS _source, "
        f"{col('automated_detection')} AS _auto, {col('automated_decision')} AS _auto_decision, "
        f"{col('decision_ground')} AS _ground, {col('platform_name')} AS _platform, "
        f"{col('platform_uid')} AS _platform_uid, {action} AS _action, "
        f"{missing} AS _missing "
        f"FROM {SOURCE_TOKEN}")
    sql = (
        "SELECT _uuid AS request_id, "
        "CASE WHEN TRY_CAST(_content AS TIMESTAMPTZ) <= TRY_CAST(_applied AS TIMESTAMPTZ) "
        "THEN _content ELSE _applied END AS received_at, "
        "_applied AS actioned_at, _created AS submitted_at, _content AS content_at, "
        f"{category_ours} AS category, _category AS dsa_category, "
        "_category_current AS dsa_category_current, "
        f"{case_map('_source', REQUESTER_MAP)} AS requester, _source AS source_type, "
        "_action AS action, "
        f"{scope_country} AS country, array_to_string(_scope, ',') AS territorial_scope, "
        "lower(_auto) AS automated_detection, _auto_decision AS automated_decision, "
        "_ground AS decision_ground, "
        "array_to_string(_visibility, ',') AS decision_visibility, "
        f"array_to_string({spec_current}, ',') AS category_specification, "
        "array_to_string(_content_type, ',') AS content_type, "
        "_platform AS platform_name, _platform_uid AS platform_uid"
        + ("" if absent_columns(header) else
           ", CASE WHEN _missing = '' THEN 'yes' ELSE 'no' END AS statement_complete, "
           "NULLIF(_missing, '') AS missing_fields")
        + f" FROM ({inner}) "
        # duplicates of one uuid: keep the latest submission (rows without uuid are kept, so
        # the store can report them); submitted at the same time, the first by their values,
        # so that every engine keeps the same one
        "QUALIFY _uuid IS NULL OR row_number() OVER (PARTITION BY _uuid "
        f"ORDER BY TRY_CAST(_created AS TIMESTAMPTZ) DESC NULLS LAST, {TIE_BREAK}) = 1")
    # LogEngine.load fills {source} with str.format: every other brace (regexes) is escaped
    return sql.replace("{", "{{").replace("}", "}}").replace(SOURCE_TOKEN, "{source}")


class StatementsOfReasonsLoader:
    """Reads a DSA Transparency Database daily-dump CSV into the moderation log."""

    id = "dsa-statements-of-reasons"
    kind = "log"
    # columns of the moderation log beyond the built-in table's (see the SELECT in this module)
    EXTRA_COLUMNS = ("submitted_at", "content_at", "dsa_category", "dsa_category_current",
                     "source_type", "territorial_scope", "automated_detection",
                     "automated_decision", "decision_ground", "decision_visibility",
                     "category_specification", "content_type", "platform_name", "platform_uid",
                     "statement_complete", "missing_fields")
    priority = 20  # before the built-in CSV reader (100), which would take it for a table
    description = ("a DSA Transparency Database statements-of-reasons CSV (daily dump) under "
                   "logs/, read as the moderation log")

    def matches(self, path: Path) -> bool:
        # a dump in several parts is one table: that takes a log mapping (files: ...-*.csv.gz)
        if not path.name.lower().endswith((".csv", ".csv.gz")):
            return False
        header = read_header(path)
        return header is not None and SIGNATURE <= set(header)

    # As the ``via`` of a log mapping (logs/*.mapping.yaml), the mapping selects the rows (a
    # dump in gzipped parts, a zip member, one platform) and this loader maps their columns.
    def mapping_transform(self, columns: list[str]) -> str:
        """The SELECT mapping dump rows (``{source}``) into the moderation table."""
        return transform_sql(columns)

    def absent_columns(self, columns: list[str]) -> dict[str, str]:
        """Moderation columns this dump cannot give, each with the reason (for the notes)."""
        return absent_columns(columns)

    def check_source(self, con: Connection, reader: str, columns: list[str], display: str
                     ) -> list[dict[str, object]]:
        """The vocabulary check, on the rows the mapping selected; returns the repeated
        uuids collapsed, for the row ledger."""
        return check_vocabulary(con, reader, columns, display)

    def load(self, path: Path, pack: EvidencePack) -> None:
        header = read_header(path) or []
        display = pack.display(path)
        reader = pack.logs.read_source(source_of(path, header), display)
        set_aside = check_vocabulary(pack.logs.con, reader, header, display)
        pack.add_log(TABLE, path, transform=transform_sql(header), reader=reader,
                     meta={"absent": absent_columns(header), "set_aside": set_aside})
