"""The single-file HTML report (``-o report.html``): what a regulator or a board opens.

One self-contained file rendered with Jinja2 (autoescaping on) from the one ``Assessment``:
inline CSS, inline SVG charts, a few lines of script for filter and search that the page does
not need. Every string a reader sees goes through ``audit.i18n``; evidence text is escaped,
its bidirectional-override characters are made visible, and only http(s) links are links.
Offending events are capped per requirement; with ``-o`` the full list is written beside the
report as CSV. See docs/html-report.md.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any, Callable
from urllib.parse import urlsplit

from audit.assessment import Assessment
from audit.i18n import _, current_language, is_rtl, ngettext, use_language
from audit.labels import scoring_model_label
from audit.reports.base import WriterBase
from audit.reports.bidi import isolate, ltr_spans
from audit.reports.html_text import neutralise
from audit.reports.html_view import view
from audit.reports.oscal_common import token
from audit.reports.safe_csv import write_rows
from audit.reports.summary import formula_text

SAMPLE_CAP = 25  # offending events shown per requirement; the rest are in the CSV beside it
TEXT_CAP = 4000  # characters of one evidence-derived text (a finding, an answer)
def clip(value: object, limit: int = TEXT_CAP) -> str:
    """At most ``limit`` characters of one text, marked when cut."""
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[:limit] + " […]"


def safe_url(url: object) -> str | None:
    """The URL when it is an absolute http(s) address, else None (rendered as plain text)."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


EVENTS_CSV = ".events.csv"  # how every event list beside a report ends


def csv_name(output: Path, full_id: str) -> str:
    """The offending-event CSV written beside ``output`` for one requirement."""
    return f"{output.stem}.{token(full_id)}{EVENTS_CSV}"


_PLACEHOLDER = re.compile(r"(\{\w+\})")


def _placeholders(params: dict[str, Any]) -> dict[str, str]:
    return {k: "{" + k + "}" for k in params}


def fill_placeholders(text: str, params: dict[str, Any]) -> Any:
    """The translated sentence escaped, each parameter escaped, neutralised and isolated in
    ``<bdi>`` so a date or a number keeps its own direction inside an Arabic sentence (and its
    left-to-right runs marked as such, :func:`ltr_runs`)."""
    from markupsafe import Markup, escape

    isolated = {k: Markup("<bdi>{}</bdi>").format(ltr_runs(str(v))) for k, v in params.items()}
    parts = []
    for piece in _PLACEHOLDER.split(text):
        name = piece[1:-1]
        if piece.startswith("{") and name in isolated:
            parts.append(isolated[name])
        else:  # the sentence's own words: a Latin name in an Arabic sentence isolated too
            parts.append(escape(ltr_runs(piece.replace("{{", "{").replace("}}", "}"))))
    return Markup("").join(parts)


def plain_text(value: object) -> Any:  # Any: markupsafe's Markup, untyped
    """Text for an element that holds no markup (``<title>``): escaped, neutralised, with
    the Unicode isolates (not ``<bdi>``) around its left-to-right runs on a right-to-left
    page."""
    from markupsafe import Markup, escape

    text = str(neutralise(str(value)))
    return Markup(escape(isolate(text) if is_rtl(current_language()) else text))


def ltr_runs(value: object, lang: str = "en") -> Any:  # Any: markupsafe's Markup, untyped
    """Text for the page, neutralised; on a right-to-left page each left-to-right run (an
    English module text, an id, a URL, the score equation) in ``<bdi dir="ltr" lang=...>``,
    so it keeps its order and a screen reader reads it in its own language
    (audit/reports/bidi.py)."""
    from markupsafe import Markup, escape

    if not isinstance(value, str) or isinstance(value, Markup):
        return value
    text = str(neutralise(value))
    spans = ltr_spans(text) if is_rtl(current_language()) else []
    if not spans:
        return text  # escaped by the template's autoescape
    parts, at = [], 0
    for start, end in spans:
        parts += [escape(text[at:start]), Markup('<bdi dir="ltr" lang="{}">').format(lang),
                  escape(text[start:end]), Markup("</bdi>")]
        at = end
    parts.append(escape(text[at:]))
    return Markup("").join(parts)


def html_gettext(message: str, **params: object) -> Any:
    """audit.i18n's ``_`` for the template: the same catalogue entry, parameters isolated."""
    return fill_placeholders(_(message, **_placeholders(params)), params)


def html_ngettext(singular: str, plural: str, n: int, **params: object) -> Any:
    return fill_placeholders(ngettext(singular, plural, n, **_placeholders(params)), params)


def template_environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    env = Environment(loader=PackageLoader("audit.reports", "templates"), autoescape=True,
                      undefined=StrictUndefined, finalize=neutralise,
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    # Not "newstyle": the template calls audit.i18n's _() with {named} parameters, so a message
    # has the same form (and the same catalogue entry) in Python code and in the template.
    env.install_gettext_callables(html_gettext, html_ngettext,  # type: ignore[attr-defined]
                                  newstyle=False)
    env.filters["clip"] = clip
    env.filters["ltr"] = ltr_runs
    env.filters["plain"] = plain_text
    env.globals["safe_url"] = safe_url

    env.globals["model_label"] = scoring_model_label
    env.globals["formula_text"] = formula_text
    return env


class HtmlWriter(WriterBase):
    id = "html"
    description = "Single-file HTML report (inline CSS and SVG, readable without script)"
    extensions = (".html", ".htm")
    binary = False
    sibling_suffix = EVENTS_CSV

    def write(self, assessment: Assessment, stream: IO[Any], output: Path | None = None) -> None:
        with use_language(assessment.language):
            names = ({fid: csv_name(output, fid) for fid in assessment.details}
                     if output is not None else {})
            context = view(assessment, names, SAMPLE_CAP)
            template = template_environment().get_template("report.html.j2")
            for chunk in template.generate(a=assessment, v=context,
                                           rtl=is_rtl(assessment.language),
                                           lang=assessment.language):
                stream.write(chunk)

    def siblings(self, assessment: Assessment,
                 output: Path) -> list[tuple[Path, Callable[[IO[Any]], None]]]:
        """One CSV per requirement with offending events: the full list the page caps."""
        out = []
        for full_id in assessment.details:
            if assessment.detail_count(full_id):
                out.append((output.with_name(csv_name(output, full_id)),
                            _csv_writer(assessment, full_id)))
        return out


def _csv_writer(assessment: Assessment, full_id: str) -> Callable[[IO[Any]], None]:
    def render(fh: IO[Any]) -> None:
        write_rows(fh, assessment.details[full_id].columns, assessment.detail_rows(full_id))

    return render
