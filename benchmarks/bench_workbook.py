"""The workbook case: the gap workbook's detail sheet of ``detail`` offending rows drawn from
a Parquet log of ``rows`` rows, against raw openpyxl write-only of the same cells (read back
from the tool's own workbook once, when the pack is generated). Each contender prints the
wall and CPU seconds of its timed part only: the tool's writing of the workbook (which reads
the detail rows the assessment's one pass over the log listed, docs/performance.md),
openpyxl's writing of cells already in memory. The assessment (the pass that lists the rows)
is not timed here: benchmarks/results.md gives its cost beside. Both contenders import
openpyxl before their timed part (the tool imports it when it writes its first workbook)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

RULE = "iq.telegram-2023:leak-takedown"

WORKBOOK_CODE = r'''
import json, sys, time
from pathlib import Path
pack, detail, out, mode = Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
if mode == "raw":
    from openpyxl import Workbook
    head, rows = json.loads((pack / "expected.json").read_text(encoding="utf-8"))
    t, c = time.perf_counter(), time.process_time()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("D leak-takedown")
    ws.append(head)
    for r in rows:
        ws.append(r)
    wb.save(out)
else:
    import openpyxl  # imported before the timed part, as the raw contender does
    from audit import api
    from audit.reports import xlsx
    a = api.assess(pack, ["iq.telegram-2023"], as_of="2024-12-31")
    xlsx.DETAIL_CAP = detail
    t, c = time.perf_counter(), time.process_time()
    api.write(a, out, "xlsx")
print(json.dumps([time.perf_counter() - t, time.process_time() - c]))
'''


def expected_cells(pack: Path, detail: int) -> None:
    """The detail sheet's column names and rows, as the tool wrote them, for raw openpyxl."""
    from openpyxl import load_workbook

    from audit import api
    from audit.reports import xlsx

    a = api.assess(pack, ["iq.telegram-2023"], as_of="2024-12-31")
    xlsx.DETAIL_CAP = detail
    book = pack / "tool.xlsx"
    api.write(a, book, "xlsx")
    wb = load_workbook(book, read_only=True)
    sheet = next(wb[n] for n in wb.sheetnames if n.startswith("D "))
    rows = [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    head, body = rows[0], [r for r in rows[1:] if any(v is not None for v in r)]
    if len(body) != detail:
        raise SystemExit(f"workbook pack: {len(body)} detail rows, expected {detail}")
    (pack / "expected.json").write_text(json.dumps([head, body], default=str), encoding="utf-8")
    book.unlink()


if __name__ == "__main__":
    expected_cells(Path(sys.argv[1]), int(sys.argv[2]))
