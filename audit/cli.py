"""The ``audit`` command line: the group, ``main()``, and the one place that turns errors
into messages and exit codes.

Each verb lives in its own module under ``audit/commands/``; this module only gathers them
(plugins add theirs through the ``audit_register_commands`` hook) and maps what they raise to
one line and an exit status.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback

import click

from audit import __version__, scratch
from audit.commands.assess import assess
from audit.commands.checklists import checklists
from audit.commands.compare import compare
from audit.commands.diff import diff
from audit.commands.history import history
from audit.commands.mappings import mappings
from audit.commands.new_plugin import new_plugin
from audit.commands.notices import notices
from audit.commands.oscal import oscal
from audit.commands.plugins import plugins
from audit.commands.template import template
from audit.commands.verify import verify
from audit.errors import AuditError, ExitCode
from audit.plugins import get_plugin_manager

EXIT_CODES_HELP = """\b
Exit codes:
  0   ran, and every gate (--fail-under, --fail-on, --strict, diff
      --fail-on-regression, verify) passed
  1   ran, and a gate failed (one line per failed gate on stderr), or verify
      found a difference or could not check an input (a data-lake location)
  2   usage or input error (bad option, malformed checklist or evidence)
  3   plugin error (a plugin failed to load or register, or an id clash)
  70  internal error (a bug: rerun with --debug and report it)
  130 interrupted (Ctrl-C); 143 stopped by SIGTERM
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


# the built-in verbs, in the order `audit --help` lists them after sorting
for _command in (checklists, mappings, assess, plugins, template, diff, compare, new_plugin,
                 oscal, verify, history, notices):
    cli.add_command(_command)


def _register_plugin_commands() -> None:
    get_plugin_manager().hook.audit_register_commands(cli=cli)


def _interrupted() -> tuple[list[str], int]:
    """Ctrl-C or SIGTERM, however it surfaced (a KeyboardInterrupt, DuckDB's "Query
    interrupted", a library's error while unwinding): one line and 128 + the signal."""
    signum = scratch.stopped_by() or signal.SIGINT
    return [f"audit: {scratch.stop_word(signum)}"], scratch.exit_status(signum)


def _outcome(args: list[str]) -> tuple[list[str], int]:
    """Run the CLI: the lines to print on standard error and the exit status."""
    try:
        _register_plugin_commands()
        rv = cli.main(args=args, prog_name="audit", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return [], exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt, scratch.Stopped):
        return _interrupted()
    except click.ClickException as exc:
        # usage errors: click's own wording, exit 2
        # one line, like every other error; the usage is one --help away
        return [f"audit: error: {exc.format_message()}"], ExitCode.INPUT_ERROR
    except AuditError as exc:
        if scratch.stopped_by():
            return _interrupted()
        if _State.debug:
            traceback.print_exc()
        return (exc.lines if exc.problems else [f"audit: error: {exc.message}"]), exc.exit_code
    except BrokenPipeError:
        return [], 0
    except Exception as exc:
        if scratch.stopped_by():
            return _interrupted()
        if _State.debug:
            raise
        return [f"audit: internal error: {type(exc).__name__}: {exc} (rerun with --debug for "
                "the traceback, and please report it)"], ExitCode.INTERNAL_ERROR
    return [], rv if isinstance(rv, int) else 0


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI in its own temporary folder (removed however the run ends),
    mapping every error to one line per problem and an exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    # --debug is accepted anywhere, since the error message suggests adding it to any command
    _State.debug = "--debug" in args or bool(os.environ.get("AUDIT_DEBUG"))
    args = [a for a in args if a != "--debug"]
    with scratch.quiet_unraisable(_State.debug), scratch.run_folder():
        try:
            lines, code = _outcome(args)
        except scratch.Stopped:  # another Ctrl-C while the first was being reported
            lines, code = _interrupted()
    for line in lines:
        click.echo(line, err=True)
    sys.exit(code)
