"""The ``audit`` command line: the group, ``main()``, and the one place that turns errors
into messages and exit codes.

Each verb lives in its own module under ``audit/commands/``; this module only gathers them
(plugins add theirs through the ``audit_register_commands`` hook) and maps what they raise to
one line and an exit status.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import NoReturn

import click

from audit import __version__
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
