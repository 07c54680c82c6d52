"""`audit new-plugin`: names, refusal to overwrite, and (slow) the generated project installed
into a fresh virtual environment, where its own test suite must pass as generated."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audit.cli import cli
from audit.commands.new_plugin import new_plugin as new_plugin_cmd
from audit.scaffold import Names, files_for

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def command_registered(monkeypatch: pytest.MonkeyPatch) -> None:
    # audit.cli registers new_plugin_cmd; keep these tests independent of that line
    monkeypatch.setitem(cli.commands, "new-plugin", new_plugin_cmd)


@pytest.mark.parametrize("raw, dist, module, ep", [
    ("iq", "audit-iq", "audit_iq", "iq"),
    ("IQ-KRI", "audit-iq-kri", "audit_iq_kri", "iq_kri"),
    ("my_plugin", "audit-my-plugin", "audit_my_plugin", "my_plugin"),
    ("audit-tr", "audit-tr", "audit_tr", "tr"),
])
def test_names(raw: str, dist: str, module: str, ep: str) -> None:
    names = Names(raw)
    assert (names.dist, names.module, names.entry_point) == (dist, module, ep)
    assert module.isidentifier()


def test_unusable_name_is_a_usage_error(run, tmp_path: Path) -> None:
    code, out, err = run("new-plugin", "9lives", "--dir", tmp_path)
    assert code == 2
    assert err.strip().startswith("audit: error: plugin name '9lives' is not usable")
    assert list(tmp_path.iterdir()) == []


def test_generates_the_project(run, tmp_path: Path) -> None:
    code, out, err = run("new-plugin", "xx-demo", "--dir", tmp_path)
    assert code == 0, err
    root = tmp_path / "audit-xx-demo"
    assert out.splitlines()[0] == f"created {root}"
    found = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert found == sorted(files_for(Names("xx-demo")))
    pyproject = (root / "pyproject.toml").read_text()
    assert '[project.entry-points.platform_audit]\nxx_demo = "audit_xx_demo"' in pyproject
    assert '"platform-audit' in pyproject
    assert "EXAMPLE" in (root / "audit_xx_demo/checklists/example.xx-demo.yaml").read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_generated_checklist_validates(run, tmp_path: Path, monkeypatch) -> None:
    run("new-plugin", "xx-demo", "--dir", tmp_path)
    root = tmp_path / "audit-xx-demo"
    # load the generated module by path, as an uninstalled plugin under development
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "audit_xx_demo")
    try:
        code, out, err = run("checklists", "validate", root / "audit_xx_demo" / "checklists")
        assert code == 0, err
        code, out, err = run("assess", root / "example-pack", "--checklist",
                             "example.xx-demo", "--format", "json")
        assert code == 0, err
    finally:
        for name in ("audit_xx_demo", "audit_xx_demo.evaluators"):
            sys.modules.pop(name, None)


def test_refuses_to_overwrite(run, tmp_path: Path) -> None:
    (tmp_path / "audit-xx-demo").mkdir()
    (tmp_path / "audit-xx-demo" / "keep.txt").write_text("mine")
    code, out, err = run("new-plugin", "xx-demo", "--dir", tmp_path)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "already exists; not overwriting it" in err
    assert [p.name for p in (tmp_path / "audit-xx-demo").iterdir()] == ["keep.txt"]


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


@pytest.mark.slow
def test_generated_plugin_installs_and_its_tests_pass(run, tmp_path: Path) -> None:
    """Done-when criterion of issue 7: fresh venv (no system site-packages), the project and
    the scaffolded plugin installed from local paths, the plugin's own pytest passes."""
    started = time.monotonic()
    code, out, err = run("new-plugin", "xx-demo", "--dir", tmp_path)
    assert code == 0, err
    plugin = tmp_path / "audit-xx-demo"
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = str(_venv_python(venv))
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    for var in ("AUDIT_LOAD_PLUGINS", "AUDIT_DISABLE_PLUGINS", "PYTHONPATH", "VIRTUAL_ENV"):
        env.pop(var, None)
    has_build_tools = subprocess.run(
        [python, "-c", "import setuptools, wheel; assert int(setuptools.__version__.split('.')[0]) >= 68"],
        capture_output=True).returncode == 0
    pip = [python, "-m", "pip", "install", "-q"] + (["--no-build-isolation"]
                                                    if has_build_tools else [])
    done = subprocess.run(pip + [str(ROOT), str(plugin), "pytest"], env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    # The pytest11 entry point makes audit.testing a pytest plugin; until the installed
    # platform-audit declares it, name the module explicitly (loading it twice would fail).
    registered = subprocess.run(
        [python, "-c", "from importlib import metadata; import sys; sys.exit(0 if any("
                       "e.value == 'audit.testing' for e in metadata.entry_points("
                       "group='pytest11')) else 1)"], env=env).returncode == 0
    args = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if not registered:
        args += ["-p", "audit.testing"]
    tested = subprocess.run(args, cwd=plugin, env=env, capture_output=True, text=True)
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert "3 passed" in tested.stdout
    listed = subprocess.run([str(venv / "bin" / "audit"), "plugins"], env=env,
                            capture_output=True, text=True)
    assert '"name": "xx_demo"' in listed.stdout, listed.stdout + listed.stderr
    elapsed = time.monotonic() - started
    print(f"scaffold venv test: {elapsed:.1f} s")
    assert elapsed < 300
