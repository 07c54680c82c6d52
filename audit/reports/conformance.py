"""The built-in writers, each typed as :class:`ReportWriter`: mypy --strict fails here when a
writer drifts from the interface the rest of the code calls it through.

``audit.default_plugins.writers`` registers exactly this list, so the writers checked are the
writers run."""

from __future__ import annotations

from audit.reports.base import ReportWriter
from audit.reports.console import ConsoleWriter
from audit.reports.csv_export import CsvGapsWriter, CsvRequirementsWriter
from audit.reports.html import HtmlWriter
from audit.reports.jsonout import JsonWriter
from audit.reports.junit import JunitWriter
from audit.reports.markdown import MarkdownWriter
from audit.reports.oscal import OscalResultsWriter
from audit.reports.oscal_poam import OscalPoamWriter
from audit.reports.remediation_plan import RemediationPlanWriter
from audit.reports.xlsx import XlsxWriter


def built_in_writers() -> tuple[ReportWriter, ...]:
    """One instance of each built-in writer, in the order ``audit plugins`` lists them."""
    return (ConsoleWriter(), JsonWriter(), MarkdownWriter(), XlsxWriter(), OscalResultsWriter(),
            OscalPoamWriter(), HtmlWriter(), JunitWriter(), RemediationPlanWriter(),
            CsvRequirementsWriter(), CsvGapsWriter())
