"""``audit history`` as a table (the console's, and the workbook's and the HTML page's
columns) or as the ``platform-audit/history`` JSON document."""

from __future__ import annotations

import json
from typing import IO

from tabulate import tabulate

from audit.history import HistoryRow
from audit.i18n import _
from audit.labels import verdict_label

Cell = str | int | float | None


def table(rows: list[HistoryRow], label_verdict: bool = True
          ) -> tuple[list[str], list[list[Cell]]]:
    """Key figures, then one column per area and per jurisdiction (percent); the verdict as a
    label (the HTML page labels the token itself, in its own sentence case)."""
    areas = sorted({a for r in rows for a in r["by_area"]})
    jurs = sorted({j for r in rows for j in r["by_jurisdiction"]})
    headers = [_("as of"), _("verdict"), _("score %"), _("gaps"), _("critical gaps"),
               _("waived"), _("stale"), *[a.replace("_", " ") for a in areas], *jurs]
    body: list[list[Cell]] = [
        [r["as_of"], verdict_label(r["verdict"]) if label_verdict else r["verdict"],
         r["score"], r["gaps"], r["critical_gaps"], r["waived"],
         r["stale"], *[r["by_area"].get(a) for a in areas],
         *[r["by_jurisdiction"].get(j) for j in jurs]] for r in rows]
    return headers, body


def write_table(rows: list[HistoryRow], stream: IO[str]) -> None:
    headers, body = table(rows)
    stream.write(tabulate(body, headers=headers) + "\n")


def write_json(rows: list[HistoryRow], stream: IO[str]) -> None:
    json.dump({"schema": "platform-audit/history", "results": rows}, stream, indent=2,
              ensure_ascii=False)
    stream.write("\n")
