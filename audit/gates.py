"""``assess --fail-on``: gates on the verdict, critical gaps, regressions and stale evidence.

Each gate is a pure function of the ``Assessment``; the CLI exits 1 when any chosen gate (or
``--fail-under``) fails and prints one line per failed gate. docs/cli.md lists them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from audit.assessment import Assessment
from audit.baseline import NEW_GAP, WAS_MET, WORSE, baseline_of
from audit.i18n import _
from audit.labels import status_label

GATES = ("non-compliant", "critical", "regression", "stale")


def _non_compliant(a: Assessment) -> str | None:
    if a.verdict.value == "non_compliant":
        return _("verdict is NON-COMPLIANT")
    return None


def _critical(a: Assessment) -> str | None:
    """Each gap is listed with its status: a "partially met" requirement is not "not met"."""
    items = [_("{requirement} ({status})", requirement=r.requirement.full_id,
               status=status_label(r.status))
             for r in a.results if r.requirement.severity.value == "critical" and r.status.is_gap]
    if items:
        return _("{n} critical requirement(s) not fully met: {items}", n=len(items),
                 items=", ".join(items))
    return None


def _regression(a: Assessment) -> str | None:
    base = baseline_of(a)
    if base is None:
        return _("--fail-on regression needs a JSON result or gap workbook as --baseline")
    ids = sorted(rid for rid, label in base.labels.items() if label in (WAS_MET, NEW_GAP, WORSE))
    if ids:
        return _("{n} requirement(s) worse than the baseline: {ids}", n=len(ids),
                 ids=", ".join(ids))
    return None


def _stale(a: Assessment) -> str | None:
    ids = sorted(i.requirement for i in a.freshness if i.state == "stale")
    if ids:
        return _("{n} requirement(s) rest on stale evidence: {ids}", n=len(ids),
                 ids=", ".join(ids))
    return None


CHECKS: dict[str, Callable[[Assessment], str | None]] = {
    "non-compliant": _non_compliant, "critical": _critical, "regression": _regression,
    "stale": _stale}


def gated_requirements(a: Assessment, gates: Sequence[str]) -> dict[str, list[str]]:
    """The requirements each chosen gate fails on, by full id (a gate on the whole run,
    ``non-compliant``, names every gap when it fails). What the JUnit report marks as
    failures when ``--fail-on`` is given."""
    gaps = [r.requirement.full_id for r in a.results if r.status.is_gap]
    named: dict[str, list[str]] = {}
    for gate in dict.fromkeys(gates):
        if gate == "non-compliant":
            ids = gaps if _non_compliant(a) else []
        elif gate == "critical":
            ids = [r.requirement.full_id for r in a.results
                   if r.requirement.severity.value == "critical" and r.status.is_gap]
        elif gate == "regression":
            base = baseline_of(a)
            ids = [] if base is None else [rid for rid, label in base.labels.items()
                                           if label in (WAS_MET, NEW_GAP, WORSE)]
        else:  # stale
            ids = [i.requirement for i in a.freshness if i.state == "stale"]
        for rid in ids:
            named.setdefault(rid, []).append(gate)
    return named


def failed(a: Assessment, gates: Sequence[str]) -> list[str]:
    """One message per failed gate, in the order given (each gate once)."""
    out = []
    for gate in dict.fromkeys(gates):
        message = CHECKS[gate](a)
        if message is not None:
            out.append(f"--fail-on {gate}: {message}")
    return out
