"""The event-log tables an evidence pack may carry, with the columns each must have.

Columns ending in ``_at`` are timestamps (ISO 8601 with an offset). Other columns are text;
extra columns are kept and may be used in rule filters. Logs not listed here are accepted with
whatever columns they have, so plugins can measure their own logs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LogTable:
    name: str
    id_column: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    description: str = ""
    # (start, end) pairs where end must not precede start
    ordered: tuple[tuple[str, str], ...] = ()
    # counts: a rule comparing one as a number refuses a negative value (audit.logs.numbers)
    counts: tuple[str, ...] = ()


KNOWN_LOGS: dict[str, LogTable] = {t.name: t for t in (
    LogTable("moderation", "request_id",
             ("request_id", "received_at", "actioned_at", "category", "requester", "action",
              "country"),
             ("urgency", "channel_id", "decided_by"),
             "Takedown and moderation requests: one row per request.",
             (("received_at", "actioned_at"),)),
    LogTable("breaches", "incident_id",
             ("incident_id", "occurred_at", "detected_at", "authority_notified_at",
              "users_notified_at", "records_affected", "data_categories", "countries"),
             ("high_risk", "report_completed_at", "cert_notified_at", "aware_at",
              "determined_at", "assessed_at", "handled_at", "unlawful_act"),
             "Personal-data breaches and security incidents: one row per incident. Start "
             "events other than detection (awareness, the determination that a breach "
             "occurred, the notifiability assessment, the end of handling) have their own "
             "columns; people affected in one jurisdiction go in affected_<code> columns "
             "(affected_us_tx).",
             (("occurred_at", "detected_at"), ("detected_at", "authority_notified_at")),
             ("records_affected",)),
    LogTable("data_requests", "request_id",
             ("request_id", "received_at", "completed_at", "kind", "outcome"),
             ("country", "extended"),
             "Data-subject requests (access, erasure, ...): one row per request.",
             (("received_at", "completed_at"),)),
    LogTable("authority_requests", "request_id",
             ("request_id", "authority", "country", "received_at", "responded_at", "kind",
              "legal_basis", "outcome"),
             (),
             "Requests from authorities for user data or action: one row per request.",
             (("received_at", "responded_at"),)),
    LogTable("reported", "figure_id",
             ("figure_id", "period_start", "period_end", "measure", "value"),
             ("country", "category", "unit", "source", "note", "count"),
             "Aggregate figures as published by the platform (a transparency report): one row "
             "per figure, e.g. the median hours to act on orders from FR in H1 2024, with the "
             "number of orders behind it (`count`). Judged by `reported` rules, never taken "
             "for measured events."),
)}

LOG_SUFFIXES = (".csv", ".parquet", ".jsonl", ".ndjson")


def log_name(path: Path) -> str:
    """``logs/moderation.csv`` -> ``moderation``."""
    return re.sub(r"[^a-z0-9_]", "_", path.stem.lower())
