"""Nothing outside the pack is read unless the person running the audit allows it (issue 29):
links out of the pack at any level of a mapping's glob, evidence paths in a forged result,
data-lake locations, and the module paths of a pack's ``audit.yaml``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from packs import MODERATION, moderation_rows, write_pack
from test_hostile import CHECK, _result_bytes, digest, one_line_error, result_json  # noqa: F401 (fixtures)
from test_properties import invoke as run

MAPPING = {"table": "moderation", "columns": {c: c for c in MODERATION}}


def _outside(tmp_path: Path) -> Path:
    """Another system's moderation log, in a folder outside the pack."""
    folder = tmp_path / "elsewhere"
    write_pack(folder, logs={"moderation": (MODERATION, moderation_rows([1, 2]))})
    return folder / "logs"


def _pack_linking(tmp_path: Path, files: str) -> Path:
    pack = write_pack(tmp_path / "p")
    (pack / "logs").mkdir()
    (pack / "logs" / "ext").symlink_to(_outside(tmp_path), target_is_directory=True)
    (pack / "logs" / "moderation.mapping.yaml").write_text(
        yaml.safe_dump(dict(MAPPING, files=files), sort_keys=False), "utf-8")
    return pack


@pytest.mark.parametrize("files, shown", [
    ("ext/*.csv", "p/logs/ext/moderation.csv lies in a linked folder outside the pack"),
    ("ext", "p/logs/ext is a link to a folder outside the pack"),
    ("*/*.csv", "p/logs/ext/moderation.csv lies in a linked folder outside the pack"),
])
def test_a_mapping_refuses_a_linked_folder_at_any_level_of_its_glob(
        tmp_path: Path, files: str, shown: str) -> None:
    pack = _pack_linking(tmp_path, files)
    before = digest(tmp_path)
    line = one_line_error(*run("assess", pack, *CHECK, "-o", tmp_path / "r.json")[::2])
    assert line == (f"p/logs/moderation.mapping.yaml:10: files: {shown}; data files must be "
                    "inside it")
    assert digest(tmp_path) == before and not (tmp_path / "r.json").exists()


def test_a_link_inside_the_pack_is_still_read(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p", logs={"moderation": (MODERATION, moderation_rows([1]))})
    (pack / "data").mkdir()
    (pack / "logs" / "moderation.csv").rename(pack / "data" / "moderation.csv")
    (pack / "logs" / "ext").symlink_to(pack / "data", target_is_directory=True)
    (pack / "logs" / "moderation.mapping.yaml").write_text(
        yaml.safe_dump(dict(MAPPING, files="ext/*.csv"), sort_keys=False), "utf-8")
    code, _out, err = run("assess", pack, *CHECK, "-q")
    assert code == 0, err


def test_a_mapping_file_linked_from_outside_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "their.mapping.yaml"
    elsewhere.write_text(yaml.safe_dump(dict(MAPPING, files="*.csv")), "utf-8")
    pack = write_pack(tmp_path / "p")
    (pack / "logs").mkdir()
    (pack / "logs" / "moderation.mapping.yaml").symlink_to(elsewhere)
    line = one_line_error(*run("assess", pack, *CHECK)[::2])
    assert line == ("p/logs/moderation.mapping.yaml: a link to a file outside the pack; "
                    "mappings must be files inside the pack directory")


def test_a_linked_logs_folder_is_refused_for_plain_logs_too(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "p")
    (pack / "logs").symlink_to(_outside(tmp_path), target_is_directory=True)
    line = one_line_error(*run("assess", pack, *CHECK)[::2])
    assert line.startswith("p/logs/moderation.csv: a link to a file outside the pack")


# -- audit verify: a forged result's paths ----------------------------------------------------

def _forge(result_json: Path, change: object) -> Path:
    data = json.loads(result_json.read_text("utf-8"))
    change(data)  # type: ignore[operator]
    forged = result_json.with_name("forged.json")
    forged.write_text(json.dumps(data), "utf-8")
    return forged


@pytest.mark.parametrize("path", ["p/../../../../../../etc/passwd", "/etc/passwd",
                                  "p/logs/../../outside.txt"])
def test_verify_refuses_an_evidence_path_out_of_the_pack_and_hashes_nothing(
        result_json: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, path: str) -> None:
    (tmp_path / "outside.txt").write_text("secret", "utf-8")
    forged = _forge(result_json, lambda d: d["evidence"].append(
        {"path": path, "role": "profile", "size": 1, "sha256": "0" * 64}))
    from audit import provenance

    hashed: list[Path] = []
    real = provenance._sha256
    monkeypatch.setattr(provenance, "_sha256", lambda p: hashed.append(p) or real(p))
    before = digest(tmp_path)
    line = one_line_error(*run("verify", forged, tmp_path / "p")[::2])
    index = len(json.loads(forged.read_text("utf-8"))["evidence"]) - 1
    assert line == (f"audit: error: {forged}: evidence[{index}].path: {path!r} is not a path "
                    "inside the pack; "
                    "refused (nothing outside the pack is read)")
    assert all(p.resolve().is_relative_to((tmp_path / "p").resolve()) for p in hashed)
    assert digest(tmp_path) == before


def test_verify_refuses_a_link_in_the_pack_that_leads_out(result_json: Path,
                                                           tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("secret", "utf-8")
    (tmp_path / "p" / "x").symlink_to(tmp_path, target_is_directory=True)
    forged = _forge(result_json, lambda d: d["evidence"].append(
        {"path": "p/x/outside.txt", "role": "profile", "size": 1, "sha256": "0" * 64}))
    line = one_line_error(*run("verify", forged, tmp_path / "p")[::2])
    assert line.endswith("evidence[1].path: 'p/x/outside.txt' is not a path inside the pack; refused (nothing "
                         "outside the pack is read)")


@pytest.mark.parametrize("change, place", [
    (lambda d: d["evidence"][0].update(path=5), "evidence[0].path: expected text, got int 5"),
    (lambda d: d["evidence"][0].update(sha256=[1]), "evidence[0].sha256: expected text, got "
                                                    "list [1]"),
    (lambda d: d["evidence"].append(7), "evidence[1]: expected an object, got int"),
    (lambda d: d["provenance"]["checklists"][0].update(sha256=3),
     "provenance.checklists[0].sha256: expected text or null, got int 3"),
    (lambda d: d["provenance"].update(inputs=[{"path": 1.5, "sha256": None}]),
     "provenance.inputs[0].path: expected text, got float 1.5"),
    (lambda d: d["provenance"]["plugins"].append({"name": 1, "version": "1"}),
     "provenance.plugins[0].name: expected text, got int 1"),
    (lambda d: d.update(logs={"t": {"mappings": [{"file": "m", "files": [2]}]}}),
     "logs.t.mappings[0].files: expected a list of text, got list [2]"),
])
def test_verify_refuses_values_of_the_wrong_type_located(result_json: Path, tmp_path: Path,
                                                         change: object, place: str) -> None:
    forged = _forge(result_json, lambda d: (d["evidence"].__delitem__(slice(1, None)),
                                            change(d)))  # type: ignore[operator]
    line = one_line_error(*run("verify", forged, tmp_path / "p")[::2])
    assert line == f"audit: error: {forged}: {place}"


def test_verify_does_not_read_a_baseline_kept_outside_the_pack(result_json: Path,
                                                               tmp_path: Path) -> None:
    forged = _forge(result_json, lambda d: d["provenance"].update(inputs=[
        {"path": "/etc/passwd", "role": "baseline", "sha256": "0" * 64}]))
    code, out, err = run("verify", forged, tmp_path / "p")
    assert code == 0 and out.startswith("same:") and "passwd" not in out + err
