"""The OSCAL chain in compliance-trestle, as docs/oscal.md tells a GRC team to use it:
written with ``--oscal-hrefs trestle``, every document imported with ``trestle import``
(catalogs, profile, SSP, plan, results, POA&M, in that order), the workspace valid by
``trestle validate -a``, and the profile resolved by ``trestle author profile-resolve`` into
a catalog of exactly the controls assessed. compliance-trestle is a test extra."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _trestle(workspace: Path, *args: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("trestle", path=str(Path(sys.executable).parent)) or "trestle"
    return subprocess.run([exe, *args], cwd=workspace, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "NO_COLOR": "1"})


def _import_order(chain: Path, written: list[str]) -> list[Path]:
    return [chain / name for name in written]


def test_trestle_imports_validates_and_resolves_the_chain(run: Any, tmp_path: Path) -> None:
    from audit.reports.oscal_chain import trestle_name

    chain = tmp_path / "chain"
    code, _stdout, err = run("assess", EXAMPLES / "after-remediation", "-c", "eu.gdpr",
                             "-c", "iq.telegram-2023", "--oscal-dir", chain,
                             "--oscal-hrefs", "trestle", "-o", tmp_path / "r.json")
    assert code in (0, 1), err
    written = err.split("wrote the OSCAL chain to", 1)[1].split(": ", 1)[1].strip().split(", ")
    assert written[:2] == ["catalog-eu.gdpr.json", "catalog-iq.telegram-2023.json"]
    profile = json.loads((chain / "profile.json").read_text("utf-8"))["profile"]
    assert [i["href"] for i in profile["imports"]] == [
        "trestle://catalogs/catalog-eu_gdpr/catalog.json",
        "trestle://catalogs/catalog-iq_telegram-2023/catalog.json"]

    workspace = tmp_path / "workspace"
    workspace.mkdir()
    done = _trestle(workspace, "init")
    assert done.returncode == 0, done.stderr
    for path in _import_order(chain, written):
        done = _trestle(workspace, "import", "-f", str(path), "-o", trestle_name(path.name))
        assert done.returncode == 0, (path.name, done.stdout, done.stderr)
    done = _trestle(workspace, "validate", "-a")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("VALID: Model") == len(written)
    done = _trestle(workspace, "author", "profile-resolve", "-n", "profile", "-o", "resolved")
    assert done.returncode == 0, done.stdout + done.stderr
    resolved = json.loads((workspace / "catalogs" / "resolved" / "catalog.json")
                          .read_text("utf-8"))["catalog"]
    ids = {c["id"] for g in resolved.get("groups", []) for c in g.get("controls", [])}
    results = json.loads((chain / "assessment-results.json").read_text("utf-8"))
    targets = {f["target"]["target-id"]
               for f in results["assessment-results"]["results"][0]["findings"]}
    assert ids == targets
    assert {i.split("_", 1)[0] for i in ids} == {"eu.gdpr", "iq.telegram-2023"}


def test_relative_hrefs_are_what_trestle_cannot_import(run: Any, tmp_path: Path) -> None:
    """Without the option the chain links files beside each other (for every other tool);
    trestle then fails as the issue reported, which is why the option exists."""
    chain = tmp_path / "chain"
    code, _stdout, err = run("assess", EXAMPLES / "after-remediation", "-c", "eu.gdpr",
                             "--oscal-dir", chain, "-q", "-o", tmp_path / "r.json")
    assert code in (0, 1), err
    ssp = json.loads((chain / "ssp.json").read_text("utf-8"))["system-security-plan"]
    assert ssp["import-profile"]["href"] == "profile.json"
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    assert _trestle(workspace, "init").returncode == 0
    done = _trestle(workspace, "import", "-f", str(chain / "ssp.json"), "-o", "ssp")
    assert done.returncode != 0 and "Cache get failure for profile.json" in done.stdout + done.stderr


def test_trestle_hrefs_need_a_chain(run: Any, tmp_path: Path) -> None:
    code, _stdout, err = run("assess", EXAMPLES / "after-remediation", "-c", "eu.gdpr",
                             "--oscal-hrefs", "trestle")
    assert code == 2 and "--oscal-hrefs needs --oscal-dir" in err
