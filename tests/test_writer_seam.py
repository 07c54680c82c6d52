"""The report-writer seam (audit/reports/base.py): a plugin's writers registered through the
hook are found by ``writer_for`` and written by ``write_report`` exactly as the built-in ones,
with no DuckDB, openpyxl or real assessment involved. The plugin is
tests/data/plugins/fake_writer_plugin.py."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from audit.errors import OutputError
from audit.plugins import get_registry
from audit.registry import Registry
from audit.reports.adapter import AdaptedWriter
from audit.reports.base import ReportWriter, write_report, writer_for
from audit.reports.console import ConsoleWriter

# write_report and the fake writers read nothing else of an assessment
ASSESSMENT = SimpleNamespace(verdict="compliant")


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> Registry:
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "fake_writer_plugin")
    return get_registry()


def test_minimal_writer_is_adapted_once_and_chosen_by_extension(registry: Registry,
                                                                 tmp_path: Path) -> None:
    writer = writer_for(registry, None, tmp_path / "r.fake")
    assert isinstance(writer, AdaptedWriter) and writer.id == "fake"
    assert registry.writers.owner("fake") == "fake_writer_plugin"
    assert writer.siblings(ASSESSMENT, tmp_path / "r.fake") == []
    out = tmp_path / "r.fake"
    # the minimal write() takes no output: the adapter does not pass it one
    write_report(writer, ASSESSMENT, out, [], io.StringIO())
    assert out.read_text("utf-8") == "verdict compliant\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.fake"]


def test_built_in_writers_register_as_themselves(registry: Registry) -> None:
    console: ReportWriter = registry.writers.get("console")
    assert isinstance(console, ConsoleWriter)
    assert writer_for(registry, None, None) is console


@pytest.mark.parametrize("output", [None, Path("-")])
def test_no_file_goes_to_stdout(registry: Registry, output: Path | None) -> None:
    stdout = io.StringIO()
    write_report(writer_for(registry, "fake", None), ASSESSMENT, output, [],
                 stdout)
    assert stdout.getvalue() == "verdict compliant\n"


def test_output_path_and_siblings(registry: Registry, tmp_path: Path) -> None:
    out = tmp_path / "r.fake.txt"
    writer = writer_for(registry, None, out)
    assert writer.id == "fake-siblings"
    stdout = io.StringIO()
    write_report(writer, ASSESSMENT, out, [tmp_path / "evidence"], stdout)
    assert out.read_text("utf-8") == "report at r.fake.txt; see notes\n"
    assert (tmp_path / "r.fake.notes.txt").read_text("utf-8") == "notes for compliant\n"
    assert stdout.getvalue() == ""


def test_siblings_go_nowhere_on_stdout(registry: Registry) -> None:
    stdout = io.StringIO()
    write_report(writer_for(registry, "fake-siblings", None), ASSESSMENT, Path("-"), [],
                 stdout)
    assert stdout.getvalue() == "report at -; see notes\n"


def test_a_sibling_over_an_input_is_refused_before_anything_is_written(
        registry: Registry, tmp_path: Path) -> None:
    out = tmp_path / "r.fake.txt"
    victim = tmp_path / "r.fake.notes.txt"
    victim.write_text("keep me\n", "utf-8")
    with pytest.raises(OutputError, match="is one of the inputs"):
        write_report(writer_for(registry, None, out), ASSESSMENT, out, [victim],
                     io.StringIO())
    assert victim.read_text("utf-8") == "keep me\n"
    assert not out.exists()


def test_binary_report_needs_a_file(registry: Registry, tmp_path: Path) -> None:
    writer = writer_for(registry, "fake-bin", None)
    with pytest.raises(OutputError, match="binary"):
        write_report(writer, ASSESSMENT, Path("-"), [], io.StringIO())
    out = tmp_path / "r.fakebin"
    write_report(writer, ASSESSMENT, out, [], io.StringIO())
    assert out.read_bytes() == b"\x00fake"


def test_unknown_format_and_extension_are_refused(registry: Registry, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="unknown format 'nope'.*fake-bin"):
        writer_for(registry, "nope", None)
    with pytest.raises(OutputError, match="no report format writes '.zzz' files"):
        writer_for(registry, None, tmp_path / "r.zzz")


def test_the_seam_needs_no_heavy_library() -> None:
    code = ("import io, sys, types; from pathlib import Path; "
            "from audit.plugins import get_registry; "
            "from audit.reports.base import write_report, writer_for; "
            "r = get_registry(); out = io.StringIO(); "
            "write_report(writer_for(r, 'fake', None), types.SimpleNamespace(verdict='x'), "
            "None, [], out); "
            "print(out.getvalue().strip(), [m for m in ('openpyxl', 'duckdb', 'jinja2', "
            "'babel') if m in sys.modules])")
    env_plugins = str(Path(__file__).parent / "data" / "plugins")
    done = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, "
                           f"{env_plugins!r}); {code}"], capture_output=True, text=True,
                          check=True, env={**os.environ,
                                           "AUDIT_LOAD_PLUGINS": "fake_writer_plugin"})
    assert done.stdout.splitlines() == ["verdict x []"]
