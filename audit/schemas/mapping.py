"""The cerberus schema of a log mapping file (``logs/<name>.mapping.yaml``).

One schema serves validation, the JSON Schema export (``audit mapping schema``) and the
reference table in docs/bringing-your-own-data.md, so they cannot disagree.
"""

from __future__ import annotations

from typing import Any

NAME = r"^[a-z_][a-z0-9_]*$"
SCALAR = ["string", "number", "boolean"]

COLUMN: dict[str, Any] = {
    "from": {"type": "string", "empty": False, "excludes": ["value", "template"],
             "meta": {"doc": "Source column to read (its exact header text)."}},
    "value": {"type": SCALAR, "excludes": ["from", "template"],
              "meta": {"doc": "A constant for every row."}},
    "template": {"type": "string", "excludes": ["from", "value"],
                 "meta": {"doc": "Text with `{Source column}` placeholders, e.g. "
                                 "`orders/{Member State}` (builds ids from several columns)."}},
    "type": {"type": "string", "allowed": ["text", "integer", "number", "timestamp", "date"],
             "meta": {"doc": "Result type; default `timestamp` for `*_at` targets with a "
                             "`format`, else `text`. Numbers honour `decimal`/`thousands`. "
                             "A typed Parquet or Delta column keeps its type without one "
                             "(an `*_at` target is a timestamp) and is converted, not parsed, "
                             "with one."}},
    "format": {"type": ["string", "list"], "schema": {"type": "string"},
               "meta": {"doc": "strptime format(s) of a date or time, e.g. `%m/%d/%Y`, "
                               "`%Y%m%d`; the first that parses wins. A date alone is the "
                               "start of that day in the mapping's time zone."}},
    "timezone": {"type": "string", "check_with": "timezone",
                 "meta": {"doc": "Time zone of this column's local times (overrides the "
                                 "mapping's): text without an offset, and a typed TIMESTAMP "
                                 "without a zone or DATE. An instant (TIMESTAMPTZ, Spark's "
                                 "TimestampType) needs none."}},
    "map": {"type": "dict", "keysrules": {"type": "string"}, "valuesrules": {"type": SCALAR},
            "meta": {"doc": "Value map, source value -> value, e.g. "
                            "`{Hacking/IT Incident: cyber}`."}},
    "unmapped": {"type": "string", "allowed": ["error", "keep", "null"], "excludes": "default",
                 "meta": {"doc": "What a value missing from `map` becomes: `error` (default: "
                                 "the load stops naming the value and row), `keep`, `null`."}},
    "default": {"type": SCALAR, "excludes": "unmapped",
                "meta": {"doc": "Value for source values missing from `map`."}},
}

MAPPING: dict[str, Any] = {
    "schema_version": {"type": "integer", "allowed": [1],
                       "meta": {"doc": "Format version of this file (1)."}},
    "table": {"type": "string", "regex": NAME,
              "meta": {"expect": "a table name such as breaches",
                       "doc": "The log table fed (moderation, breaches, reported, ...); "
                              "default: the file name before `.mapping.yaml`."}},
    "description": {"type": "string", "meta": {"doc": "Free text for the report."}},
    "files": {"type": ["string", "list"], "required": True, "schema": {"type": "string"},
              "excludes": "catalog_table",
              "meta": {"doc": "File name(s) or glob(s), relative to the mapping file; all "
                              "matches form one table (parts of a dump, daily files). `.gz` "
                              "and `.zip` are read as they are. A folder is every data file "
                              "below it (`key=value` sub-folders become columns). A location "
                              "such as `s3a://bucket/statements/` or `hdfs://...` is read "
                              "where it lies, by `--engine spark` only (docs/spark.md)."}},
    "catalog_table": {"type": "string", "required": True, "excludes": "files",
                      "regex": r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+){0,2}$",
                      "meta": {"expect": "a table name such as lake.moderation.events",
                               "doc": "Instead of `files`: a table of the Spark cluster's "
                                      "catalog (Hive metastore, Unity, Glue; Delta, Iceberg), "
                                      "read by `--engine spark` (docs/spark-platforms.md)."}},
    "version": {"type": "integer", "min": 0, "excludes": "timestamp",
                "meta": {"doc": "Delta (or Iceberg) table: read it as of this version "
                                "(`versionAsOf`); recorded in the result."}},
    "timestamp": {"type": "string", "excludes": "version",
                  "regex": r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2})?)?$",
                  "meta": {"expect": "a time such as 2024-06-30 00:00:00",
                           "doc": "Delta (or Iceberg) table: read it as it was at this time "
                                  "(`timestampAsOf`); recorded in the result."}},
    "member": {"type": "string", "excludes": "members",
               "meta": {"doc": "Member to read inside a `.zip` (needed when it holds several "
                               "files)."}},
    "members": {"type": ["string", "list"], "schema": {"type": "string"}, "excludes": "member",
                "meta": {"doc": "Glob(s) of the members to read inside a `.zip`, all as one "
                                "table, e.g. `\"*.csv\"` for a dump in parts; a zip inside "
                                "the zip is opened (one level) and its members matched as "
                                "`inner.zip/part.csv` (`*` also matches `/`)."}},
    "format": {"type": "string", "allowed": ["csv", "json", "jsonl", "parquet", "delta"],
               "meta": {"doc": "File format; default from the file name (a folder holding "
                               "`_delta_log/` is `delta`). Give it for a location. `delta` is "
                               "read by Spark's Delta Lake reader (`--engine spark`)."}},
    "records": {"type": "string", "regex": r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$",
                "meta": {"expect": "a dotted path such as data.items",
                         "doc": "JSON: path to the list of records inside each document."}},
    "delimiter": {"type": "string", "minlength": 1, "maxlength": 1,
                  "meta": {"doc": "CSV field separator (default `,`)."}},
    "encoding": {"type": "string", "allowed": ["utf-8", "utf-16", "latin-1"],
                 "meta": {"doc": "CSV text encoding (default utf-8)."}},
    "skip": {"type": "integer", "min": 0, "meta": {"doc": "CSV lines to skip before the header."}},
    "timezone": {"type": "string", "check_with": "timezone",
                 "meta": {"doc": "Time zone of local times and dates (default: the pack's)."}},
    "decimal": {"type": "string", "allowed": [".", ","],
                "meta": {"doc": "Decimal separator of numbers (default `.`)."}},
    "thousands": {"type": "string", "allowed": [",", ".", " ", "'", "\u00a0", "\u202f"],
                  "meta": {"doc": "Thousands separator of numbers, removed before reading."}},
    "where": {"type": "dict", "keysrules": {"type": "string"},
              "valuesrules": {"type": ["string", "number", "boolean", "list", "dict"]},
              "meta": {"doc": "Row filter on source columns, as a rule's `where` (value, list "
                              "of values, or `{op: value}`), e.g. `{platform_name: TikTok}`. "
                              "A compared number is read with `thousands`/`decimal`, a "
                              "compared date (`{gte: 2024-01-01}`) with the `format` of the "
                              "column mapped from it; rows left out are counted by reason."}},
    "columns": {"type": "dict", "keysrules": {"type": "string", "regex": NAME},
                "valuesrules": {"type": "dict", "schema": COLUMN},
                "meta": {"doc": "Target column -> source column name, or a column spec "
                                "(below)."}},
    "keep": {"type": "boolean",
             "meta": {"doc": "Also keep every source column not mapped, under its own name "
                             "(default false)."}},
    "deduplicate": {"type": "dict", "schema": {
        "key": {"type": "string", "regex": NAME, "required": True},
        "latest": {"type": "string", "regex": NAME}},
        "meta": {"doc": "Keep one row per `key` (target column): the one with the latest "
                        "`latest`."}},
    "via": {"type": "string", "excludes": ["columns", "keep", "deduplicate"],
            "meta": {"doc": "Id of an installed log loader that maps the selected rows "
                            "itself (e.g. `dsa-statements-of-reasons`)."}},
}
