"""Every input limit in one place, so each check and docs/limits.md read the same numbers.

A limit is checked before the expensive work starts (parsing, loading, measuring), and a
refusal is an ``AuditError``: exit 2, one line naming the file and the place. The numbers are
generous for real evidence and small enough that a hostile file cannot exhaust a laptop.
"""

from __future__ import annotations

import datetime as dt

# -- YAML (checklists, platform.yaml, answers, documents.yaml, waivers) -------------------------
MAX_YAML_BYTES = 10 * 1024 * 1024  # one YAML file on disk
MAX_YAML_NODES = 1_000_000  # values after alias expansion (alias bombs)
MAX_NESTING = 100  # mappings/lists inside each other, in YAML and JSON alike
MAX_INT_DIGITS = 30  # an integer literal; larger ones are refused before conversion

# -- dates ---------------------------------------------------------------------------------------
MIN_YEAR = 1900  # every date and timestamp a user gives (as_of, answers, waivers, logs)
MAX_YEAR = 2200
MIN_DATE = dt.date(MIN_YEAR, 1, 1)
MAX_DATE = dt.date(MAX_YEAR, 12, 31)

MAX_DURATION_YEARS = 100  # a legal clock, max_age or lookback in a checklist

# -- logs ------------------------------------------------------------------------------------------
MAX_CSV_HEADER_BYTES = 1024 * 1024  # the header line of a CSV log
MAX_LOG_COLUMNS = 2000  # columns of one log (CSV header, Parquet or JSON Lines schema)

# -- workbooks (filled templates) -----------------------------------------------------------------
MAX_WORKBOOK_BYTES = 20 * 1024 * 1024  # the .xlsx on disk
MAX_WORKBOOK_MEMBERS = 1000  # files inside the zip container
MAX_WORKBOOK_UNCOMPRESSED = 200 * 1024 * 1024  # all members together, once inflated
MAX_COMPRESSION_RATIO = 100  # per member above 1 MB
MAX_LOG_ZIP_RATIO = 1000  # a mapping's zipped log member above 1 MB (dumps: ~20-50:1)
MAX_SHEET_ROWS = 20_000  # rows of one sheet
MAX_SHEET_COLUMNS = 64  # columns of one sheet (the template uses 10)
MAX_SHEET_CELLS = 500_000  # rows x columns a sheet declares in its <dimension>

# -- previous results (audit diff, --baseline) ---------------------------------------------------
MAX_RESULT_BYTES = 50 * 1024 * 1024  # a JSON result file

# -- log mappings (logs/<name>.mapping.yaml): every count, list and map one declares -------------
MAX_MAPPING_BYTES = 1024 * 1024  # one mapping file (real ones: a few KB; YAML parses slowly)
MAX_MAPPING_SKIP = 1000  # `skip`: CSV lines before the header (a preamble, not a file)
MAX_MAPPING_PATTERNS = 1000  # entries of `files`
MAX_MAPPING_FILES = 100_000  # data files the `files` entries select together
MAX_DATE_FORMATS = 20  # strptime formats of one column (`format: [...]`)
MAX_VALUE_MAP_ENTRIES = 10_000  # entries of one column's value `map`
MAX_WHERE_COLUMNS = 100  # columns a `where` filters on
MAX_WHERE_VALUES = 1000  # values of one `where` list (`[a, b]`, `in`, `contains_any`)
MAX_GZIP_RATIO = MAX_LOG_ZIP_RATIO  # a `.gz` data file above 1 MB inflated, as a zip member
MAX_GZIP_PROBE_BYTES = 8 * 1024 * 1024  # of a `.gz` inflated to measure its ratio before use

# -- a pack's audit.yaml and the checklist module files and folders it names -------------------
MAX_CHECKLIST_PATHS = 100  # entries of `checklist_path`
MAX_MODULE_DEPTH = 8  # folder levels walked below a module folder
MAX_MODULE_FOLDER_ENTRIES = 10_000  # files and folders looked at below one module folder


def year_range() -> str:
    """The accepted years, for messages: ``1900-2200``."""
    return f"{MIN_YEAR}-{MAX_YEAR}"


def date_problem(value: dt.date) -> str | None:
    """Why ``value`` is outside the accepted range, or None when it is inside."""
    if MIN_DATE <= value <= MAX_DATE:
        return None
    return f"date {value.isoformat()} is outside the accepted years {year_range()}"
