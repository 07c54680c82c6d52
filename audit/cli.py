"""The ``audit`` command line: the only place that turns errors into messages and exit codes.

Imports here are kept light (click only at module level) so ``audit --help`` starts fast;
each command imports what it needs.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from audit import __version__
from audit.errors import AuditError, ExitCode
from audit.commands.options import checked_language

EXIT_CODES_HELP = """\b
Exit codes:
  0   ran, and every gate (--fail-under, --fail-on, --strict, diff
      --fail-on-regression, verify) passed
  1   ran, and a gate failed (one line per failed gate on stderr), or verify
      found a difference or could not check an input (a data-lake location)
  2   usage or input error (bad option, malformed checklist or evidence)
  3   plugin error (a plugin failed to load or register, or an id clash)
  70  internal error (a bug: rerun with --debug and report it)
"""


class _State:
    debug = False


@click.group(epilog=EXIT_CODES_HELP, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="audit",
                      message="%(prog)s (platform-audit) %(version)s")
@click.option("--debug", is_flag=True, envvar="AUDIT_DEBUG",
              help="Show tracebacks for errors (for bug reports).")
def cli(debug: bool) -> None:
    """Audit a messaging platform's evidence against national data-protection and content laws.

    Checklist modules encode the law, each requirement cited; `audit assess` scores a
    platform's evidence pack against them and writes the gap report.
    """
    _State.debug = debug or _State.debug


def _echo_table(rows: list[dict[str, Any]], headers: list[str]) -> None:
    from tabulate import tabulate

    click.echo(tabulate([[r.get(h, "") for h in headers] for r in rows], headers=headers))


@cli.group()
def checklists() -> None:
    """List, show, validate checklist modules, or export their schema."""


@checklists.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def checklists_list(fmt: str) -> None:
    """List every checklist module the installed plugins provide (and AUDIT_CHECKLIST_PATH)."""
    from audit.checklists import load_library
    from audit.plugins import get_registry

    import datetime as dt

    from audit.i18n import _, ngettext
    from audit.legal_review import review_due
    from audit.translations import coverage

    library = load_library(get_registry())
    today = dt.date.today()
    rows: list[dict[str, Any]] = [{"id": c.id, "jurisdiction": c.jurisdiction, "title": c.title,
             "status": c.status.value, "version": c.version,
             "requirements": len(c.requirements), "extends": c.extends or "",
             "owner": c.owner, "path": c.path,  # owner "local": a user's own file
             "reviewed": c.reviewed.isoformat() if c.reviewed else "",
             "review_due": review_due(c.reviewed, today),
             "translations": {lang: round(share, 3) for lang, share in coverage(c).items()}}
            for c in library.all()]
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for row in rows:
            row["review"] = _("review due") if row["review_due"] else ""
            row["translations"] = ", ".join(f"{lang} {share:.0%}" for lang, share
                                            in row["translations"].items())
        _echo_table(rows, ["id", "jurisdiction", "title", "status", "version", "requirements",
                           "reviewed", "review", "translations"])
        due = sum(1 for row in rows if row["review_due"])
        if due:
            click.echo(ngettext("{count} module was not reviewed in the last 12 months.",
                                "{count} modules were not reviewed in the last 12 months.",
                                due, count=due))


@checklists.command("show")
@click.argument("module_id")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
def checklists_show(module_id: str, fmt: str) -> None:
    """Show a module's resolved requirements (after extends, overrides, unselect).

    MODULE_ID is a module id, or a module file or folder of your own.
    """
    from audit.checklist_paths import select_checklists
    from audit.plugins import get_registry
    from audit.serialize import checklist_to_dict

    _library, chosen = select_checklists([module_id], get_registry())
    if fmt == "json":
        data = [checklist_to_dict(c) for c in chosen]
        click.echo(json.dumps(data[0] if len(data) == 1 else data, indent=2,
                              ensure_ascii=False))
        return
    for i, checklist in enumerate(chosen):
        if i:
            click.echo()
        _show_table(checklist)


def _show_table(checklist: Any) -> None:
    click.echo(f"{checklist.id} v{checklist.version}: {checklist.title}")
    click.echo(f"jurisdiction {checklist.jurisdiction}, status {checklist.status.value}"
               + (f", extends {checklist.extends}" if checklist.extends else ""))
    if checklist.reviewed:
        import datetime as dt

        from audit.i18n import _
        from audit.legal_review import review_due

        due = review_due(checklist.reviewed, dt.date.today())
        click.echo(_("last legal review {date}; review due", date=checklist.reviewed.isoformat())
                   if due else _("last legal review {date}", date=checklist.reviewed.isoformat()))
    click.echo()
    rows = [{"id": r.id, "area": r.area.value, "severity": r.severity.value,
             "rule": r.rule.type, "title": r.title,
             "citation": r.citation.render(checklist.sources),
             "status": r.status.value if r.status != checklist.status else ""}
            for r in checklist.requirements]
    _echo_table(rows, ["id", "area", "severity", "rule", "title", "citation", "status"])
    for u in checklist.unselected:
        click.echo(f"unselected {u.id}: {u.reason}")


@checklists.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def checklists_validate(paths: tuple[Path, ...]) -> None:
    """Check checklist files (or directories of them) and print every problem found."""
    from audit.checklists import validate_files
    from audit.errors import ChecklistError
    from audit.plugins import get_registry

    from audit.translations import is_translation_file, translation_problems

    registry = get_registry()
    modules = tuple(p for p in paths if not (p.is_file() and is_translation_file(p)))
    problems = validate_files(modules, registry) if modules else []
    if problems:
        raise ChecklistError(problems=problems)
    problems = translation_problems(paths, registry)
    if problems:
        raise ChecklistError(problems=problems)
    click.echo(f"ok: {', '.join(str(p) for p in paths)}")


@checklists.command("schema")
@click.option("--format", "fmt", type=click.Choice(["json", "markdown"]), default="json",
              show_default=True, help="JSON Schema (for editors) or the Markdown reference.")
def checklists_schema(fmt: str) -> None:
    """Print the checklist format as JSON Schema, or as the reference page in docs/."""
    from audit.schemas.export import checklist_json_schema, checklist_markdown
    from audit.plugins import get_registry

    registry = get_registry()
    if fmt == "json":
        click.echo(json.dumps(checklist_json_schema(registry), indent=2))
    else:
        click.echo(checklist_markdown(registry), nl=False)


@cli.group()
def mappings() -> None:
    """Check log mappings (logs/*.mapping.yaml) or export their schema."""


@mappings.command("schema")
@click.option("--format", "fmt", type=click.Choice(["json", "markdown"]), default="json",
              show_default=True, help="JSON Schema (for editors) or the Markdown reference.")
def mappings_schema(fmt: str) -> None:
    """Print the log mapping format as JSON Schema, or as the reference page in docs/."""
    from audit.schemas.export import mapping_json_schema, mapping_markdown

    if fmt == "json":
        click.echo(json.dumps(mapping_json_schema(), indent=2))
    else:
        click.echo(mapping_markdown(), nl=False)


def _engine_flags(command: Any) -> Any:
    """``--engine``, ``--spark-master``, ``--spark-remote``: the same on every command that
    reads logs (assess, mappings check)."""
    for option in reversed([
            click.option("--engine", type=click.Choice(["duckdb", "spark"]), default="duckdb",
                         show_default=True, help="Where the rules run over the logs; spark "
                         "needs the spark extra and Java (docs/spark.md)."),
            click.option("--spark-master", default=None, help="Spark master URL for --engine "
                         "spark, e.g. spark://host:7077 (default local[*])."),
            click.option("--spark-remote", default=None, help="Spark Connect URL for --engine "
                         "spark, e.g. sc://host:15002.")]):
        command = option(command)
    return command


def _engine_options(engine: str, master: str | None, remote: str | None) -> dict[str, Any]:
    """Options for ``audit.engine.create_engine``; Spark's only with --engine spark."""
    if engine != "spark":
        if master or remote:
            raise click.UsageError("--spark-master and --spark-remote need --engine spark")
        return {}
    if master and remote:
        raise click.UsageError("give --spark-master or --spark-remote, not both")
    return {"engine": "spark", "spark_master": master, "spark_remote": remote}


@mappings.command("check")
@click.argument("pack", type=click.Path(path_type=Path, exists=True, file_okay=False))
@_engine_flags
def mappings_check(pack: Path, engine: str = "duckdb", spark_master: str | None = None,
                   spark_remote: str | None = None) -> None:
    """Read a pack's profile and logs, mapped ones included, and print each table's rows.

    With --engine spark, a mapping that names a data-lake location (s3a://, hdfs://) is
    checked where the data lies, before an assessment."""
    from audit.engine.settings import EngineSettings
    from audit.evidence.loaders import load_evidence
    from audit.plugins import get_registry

    loaded = load_evidence([pack], get_registry(), engine=EngineSettings(
                           **_engine_options(engine, spark_master, spark_remote)))
    for name, info in loaded.logs.logs.items():
        mapped = ", ".join(m["file"] for m in info.extra.get("mappings", [])) or "no mapping"
        click.echo(f"{name}: {info.rows:,} row(s), columns {', '.join(info.columns)} "
                   f"({mapped})")
        for found in info.extra.get("mappings", []):
            located = found.get("locations")
            if located:
                click.echo(f"  read in place: {', '.join(located['paths'])} "
                           f"({located['files_listed']:,} file(s) listed, listing SHA-256 "
                           f"{located['listing_sha256'][:16]})")


def _memory(value: str | None) -> str | None:
    """A DuckDB size such as 768MB or 2GB; at least 64 MB, or DuckDB cannot load anything."""
    import re

    if value is None:
        return None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*", value,
                     flags=re.I)
    if not m:
        raise click.BadParameter(f"expected a size such as 768MB or 2GB, got {value!r}",
                                 param_hint="--memory-limit")
    scale = {"kb": 1e3, "mb": 1e6, "gb": 1e9, "tb": 1e12, "kib": 2**10, "mib": 2**20,
             "gib": 2**30, "tib": 2**40}[m.group(2).lower()]
    if float(m.group(1)) * scale < 64e6:
        raise click.BadParameter(f"{value} is too small; give at least 64MB",
                                 param_hint="--memory-limit")
    return f"{m.group(1)}{m.group(2)}"


def _parse_date(value: str | None) -> Any:
    import datetime as dt

    if value is None:
        return None
    from audit.limits import date_problem

    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected a date YYYY-MM-DD, got {value!r}",
                                 param_hint="--as-of") from None
    if why := date_problem(day):
        raise click.BadParameter(why, param_hint="--as-of")
    return day


@cli.command("assess")
@click.argument("evidence", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--checklist", "-c", "checklist_ids", multiple=True, required=True,
              help="Checklist module id, or a module file or folder of your own (repeat for "
                   "several jurisdictions).")
@click.option("--as-of", "as_of", help="Date to assess on (YYYY-MM-DD); default: the pack's "
                                       "as_of, else today. Rule versions and waivers use it.")
@click.option("--scoring", default="weighted", show_default=True,
              help="Scoring model: weighted, flat, strict, or one from a plugin.")
@click.option("--format", "fmt", help="console, json, markdown, xlsx, html, oscal, oscal-poam, "
                                      "or a plugin's format; default "
                                      "from the -o extension, else console.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the report to this file (atomically); '-' writes a text format to "
                   "standard output.")
@click.option("--fail-under", type=click.FloatRange(0, 100),
              help="Exit 1 when the score (percent, with waivers) is below this.")
@click.option("--strict", is_flag=True,
              help="Exit 1 when the report carries a data-quality warning (docs/data-quality.md).")
@click.option("--memory-limit", default=None, callback=lambda c, p, v: _memory(v),
              help="DuckDB memory limit for logs, e.g. 2GB "
                                                   "(default 768MB; larger logs spill to disk).")
@click.option("--temp-dir", type=click.Path(path_type=Path, exists=True, file_okay=False,
                                          writable=True), default=None,
              help="Where DuckDB spills when a log exceeds --memory-limit (default: a "
                   "temporary directory).")
@click.option("--unique-ids", type=click.Choice(["judged", "log"]), default="judged",
              show_default=True,
              help="Where event ids must be unique: among the events each rule judges, or "
                   "across the whole log (one more distinct count per log).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no 'wrote' line.")
@_engine_flags
@click.option("--baseline", "baselines", multiple=True, type=click.Path(path_type=Path),
              help="An earlier JSON result or gap workbook (mark each gap new, worse, "
                   "improved or unchanged; docs/diff.md), or remediation.yaml: owner, due "
                   "date, tracking and comments are carried forward (docs/over-time.md). "
                   "Repeatable.")
@click.option("--reviews", "reviews", multiple=True, type=click.Path(path_type=Path),
              help="Auditor decisions (reviews.yaml or a workbook's Reviews sheet); a pack's "
                   "own reviews.yaml is read too. Repeatable.")
@click.option("--fail-on", "fail_on", multiple=True,
              type=click.Choice(["non-compliant", "critical", "regression", "stale"]),
              help="Exit 1 when the verdict is non-compliant, a critical requirement is not "
                   "met, anything regressed since --baseline, or evidence is stale. "
                   "Repeatable; combines with --fail-under.")
@click.option("--oscal-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Also write the whole OSCAL chain into this directory: a catalog per "
                   "checklist module, the profile, a system security plan, the assessment "
                   "plan, the results and the POA&M, each importing the one before; see "
                   "docs/oscal.md.")
@click.option("--lang", "lang", callback=lambda c, p, v: checked_language(v),
              help="Report language (en, ar, tr); default: the pack's language when a "
                   "catalogue exists for it, else the modules' common language, else en.")
def assess_cmd(evidence: tuple[Path, ...], checklist_ids: tuple[str, ...], as_of: str | None,
               scoring: str, fmt: str | None, output: Path | None, fail_under: float | None,
               memory_limit: str | None, temp_dir: Path | None, quiet: bool,
               baselines: tuple[Path, ...] = (), reviews: tuple[Path, ...] = (),
               fail_on: tuple[str, ...] = (), strict: bool = False,
               unique_ids: str = "judged", lang: str | None = None, engine: str = "duckdb",
               spark_master: str | None = None, spark_remote: str | None = None,
               oscal_dir: Path | None = None) -> None:
    """Assess an evidence pack against checklist modules and report the gaps.

    EVIDENCE is a pack directory (platform.yaml, answers.yaml, documents/, logs/, waivers.yaml)
    or another input a loader reads; several may be given and are merged.
    """
    from audit.api import prepare, run
    from audit.reports.base import (is_stdout, refuse_overwriting_inputs, write_report,
                                    writer_for)

    # everything that can be checked before the (possibly long) log loading is checked first
    prepared = prepare(evidence, checklist_ids, scoring, memory_limit=memory_limit,
                       temp_directory=str(temp_dir) if temp_dir else None,
                       unique_ids=unique_ids,
                       **_engine_options(engine, spark_master, spark_remote))
    registry = prepared.registry
    # checklist files, baselines and review files given by path are inputs too
    input_paths = [*evidence, *baselines, *reviews,
                   *(Path(c) for c in checklist_ids if Path(c).exists())]
    refuse_overwriting_inputs(output, input_paths)
    refuse_overwriting_inputs(oscal_dir, input_paths)
    writer = writer_for(registry, fmt, None if is_stdout(output) else output)
    if getattr(writer, "binary", False) and (output is None or is_stdout(output)):
        raise click.UsageError(f"the {writer.id} format is a binary workbook: it needs an "
                               "output file (-o FILE), not standard output")
    from audit.progress import progress_for

    # read first: a bad baseline or review file fails before the long part
    from audit.process import load_inputs

    inputs = load_inputs(baselines, reviews, evidence)
    if "regression" in fail_on and inputs.result is None and inputs.workbook_result is None:
        raise click.UsageError("--fail-on regression needs a JSON result or gap workbook as "
                               "--baseline")
    result = run(prepared, _parse_date(as_of), progress=progress_for(quiet), language=lang)
    from audit.i18n import use_language

    with use_language(result.language):  # decisions and tracking speak the report language
        inputs.apply(result, prepared.library, registry)
    if output is not None:
        write_report(writer, result, output, input_paths, sys.stdout)
        if not quiet and not is_stdout(output):
            # the auditor sees the summary on screen and hands over the file
            if writer.id != "console":
                registry.writers.get("console").write(result, sys.stdout)
                click.echo()
            # status on stderr: stdout carries only the report
            click.echo(f"wrote {output} ({writer.id}): verdict {result.verdict.value}, "
                       f"score {result.score.percent}, {len(result.gaps())} gap(s)", err=True)
    else:
        writer.write(result, sys.stdout)
    if oscal_dir is not None:
        from audit.reports.oscal_chain import write_chain

        written = write_chain(result, prepared.checklists, oscal_dir,
                              refuse=lambda p: refuse_overwriting_inputs(p, input_paths))
        if not quiet:
            click.echo(f"wrote the OSCAL chain to {oscal_dir}: {', '.join(written)}", err=True)
    gate_failed = False
    if fail_under is not None:
        score = result.score.score
        if score is None or score * 100 < fail_under:
            shown = "n/a (nothing scored)" if score is None else f"{score * 100:.3f} %"
            click.echo(f"audit: gate failed: score {shown} is under --fail-under "
                       f"{fail_under:g}", err=True)
            gate_failed = True
    if strict:
        from audit.quality import warnings_of

        warned = warnings_of(result)
        if warned:
            click.echo(f"audit: gate failed: --strict and {len(warned)} data-quality "
                       f"warning(s), first: {warned[0].message}", err=True)
            gate_failed = True
    if fail_on:
        from audit.gates import failed

        for message in failed(result, fail_on):
            click.echo(f"audit: gate failed: {message}", err=True)
            gate_failed = True
    if gate_failed:
        raise click.exceptions.Exit(1)


def _loaders_by_plugin() -> dict[str, list[dict[str, Any]]]:
    """Each plugin's evidence loaders with where they are asked (``kind``) and their order."""
    from audit.evidence.loaders import loader_kinds
    from audit.plugins import get_registry

    out: dict[str, list[dict[str, Any]]] = {}
    registry = get_registry()
    for loader_id, loader in registry.loaders.items():
        out.setdefault(registry.loaders.owner(loader_id), []).append(
            {"id": loader_id, "kind": " and ".join(loader_kinds(loader)),
             "priority": getattr(loader, "priority", 50)})
    return out


@cli.command("plugins")
@click.option("--all", "show_all", is_flag=True, help="Include the built-in default plugins.")
def plugins_cmd(show_all: bool) -> None:
    """List installed plugins (JSON), the hooks each implements and its evidence loaders."""
    from audit.plugins import list_plugins

    infos = list_plugins(include_defaults=show_all)
    loaders = _loaders_by_plugin() if not any(i.error for i in infos) else {}
    out = [{"name": i.name, "version": i.version, "hooks": list(i.hooks),
            **({"loaders": loaders[i.name]} if i.name in loaders else {}),
            **({"default": True} if i.default else {}), **({"error": i.error} if i.error else {})}
           for i in infos]
    click.echo(json.dumps(out, indent=2))
    if any(i.error for i in infos):
        from audit.plugins import raise_if_broken

        raise_if_broken()  # the same lines every other command prints


from audit.commands.template import template as template_cmd  # noqa: E402

cli.add_command(template_cmd)

from audit.commands.diff import diff as diff_cmd  # noqa: E402

cli.add_command(diff_cmd)

from audit.commands.new_plugin import new_plugin as new_plugin_cmd  # noqa: E402

cli.add_command(new_plugin_cmd)

from audit.commands.oscal import oscal  # noqa: E402

cli.add_command(oscal)

from audit.commands.verify import verify as verify_cmd  # noqa: E402

cli.add_command(verify_cmd)

from audit.commands.history import history as history_cmd  # noqa: E402

cli.add_command(history_cmd)


def _register_plugin_commands() -> None:
    from audit.plugins import get_plugin_manager

    get_plugin_manager().hook.audit_register_commands(cli=cli)


def _fail(lines: list[str], code: int) -> NoReturn:
    for line in lines:
        click.echo(line, err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, mapping every error to one line per problem and an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    # --debug is accepted anywhere, since the error message suggests adding it to any command
    _State.debug = "--debug" in args or bool(os.environ.get("AUDIT_DEBUG"))
    args = [a for a in args if a != "--debug"]
    try:
        _register_plugin_commands()
        rv = cli.main(args=args, prog_name="audit", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _fail(["audit: aborted"], 130)
    except click.ClickException as exc:
        # usage errors: click's own wording, exit 2
        # one line, like every other error; the usage is one --help away
        _fail([f"audit: error: {exc.format_message()}"], ExitCode.INPUT_ERROR)
    except AuditError as exc:
        if _State.debug:
            import traceback

            traceback.print_exc()
        _fail(exc.lines if exc.problems else [f"audit: error: {exc.message}"], exc.exit_code)
    except KeyboardInterrupt:
        _fail(["audit: interrupted"], 130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:
        if _State.debug:
            raise
        _fail([f"audit: internal error: {type(exc).__name__}: {exc} (rerun with --debug for "
               "the traceback, and please report it)"], ExitCode.INTERNAL_ERROR)
    sys.exit(rv if isinstance(rv, int) else 0)
