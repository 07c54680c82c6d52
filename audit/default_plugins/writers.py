"""Registers the built-in report writers."""

from __future__ import annotations

from audit import hookimpl
from audit.registry import Registry


@hookimpl
def audit_register_writers(registry: Registry) -> None:
    # Imported here so that listing plugins does not import tabulate and the JSON machinery.
    from audit.reports.console import ConsoleWriter
    from audit.reports.html import HtmlWriter
    from audit.reports.jsonout import JsonWriter
    from audit.reports.junit import JunitWriter
    from audit.reports.markdown import MarkdownWriter
    from audit.reports.oscal import OscalResultsWriter
    from audit.reports.oscal_poam import OscalPoamWriter
    from audit.reports.remediation_plan import RemediationPlanWriter
    from audit.reports.xlsx import XlsxWriter

    for writer in (ConsoleWriter(), JsonWriter(), MarkdownWriter(), XlsxWriter(),
                   OscalResultsWriter(), OscalPoamWriter(), HtmlWriter(), JunitWriter(),
                   RemediationPlanWriter()):
        registry.add_writer(writer)
