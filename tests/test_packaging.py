"""The wheel carries the package and the bundled checklists (built once, inspected)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir",
                    str(out), str(ROOT)], check=True, capture_output=True)
    (found,) = out.glob("platform_audit-*.whl")
    return found


def test_wheel_ships_every_bundled_checklist(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = sorted(p.relative_to(ROOT / "checklists").as_posix()
                     for p in (ROOT / "checklists").rglob("*.yaml"))
    assert bundled
    for rel in bundled:
        assert f"audit/_bundled_checklists/{rel}" in names


def test_wheel_ships_the_html_report_template(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = sorted(p.name for p in (ROOT / "audit" / "reports" / "templates").iterdir())
    assert templates == ["history.html.j2", "page.css", "report.html.j2"]
    for name in templates:
        assert f"audit/reports/templates/{name}" in names


def test_wheel_ships_the_report_catalogues(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for lang in ("ar", "tr"):
        assert f"audit/locale/{lang}/LC_MESSAGES/audit.mo" in names
        assert f"audit/locale/{lang}/LC_MESSAGES/audit.po" in names
    assert "audit/_bundled_checklists/iq/iq.law.ar.yaml" in names


def test_wheel_ships_the_result_json_schema(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        assert "audit/schemas/result.schema.json" in zf.namelist()


def test_wheel_declares_the_console_script_and_entry_point_group(wheel: Path) -> None:
    zf = zipfile.ZipFile(wheel)
    (ep,) = [n for n in zf.namelist() if n.endswith("entry_points.txt")]
    text = zf.read(ep).decode()
    assert "audit = audit.launch:main" in text  # signals handled before the CLI loads


def test_python_dash_m_audit() -> None:
    proc = subprocess.run([sys.executable, "-m", "audit", "--version"], capture_output=True,
                          text=True)
    assert proc.returncode == 0
    assert proc.stdout.startswith("audit (platform-audit) ")
