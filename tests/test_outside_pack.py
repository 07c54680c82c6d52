"""Nothing outside the pack is read unless the person running the audit allows it (issue 29):
links out of the pack at any level of a mapping's glob, evidence paths in a forged result,
data-lake locations, and the module paths of a pack's ``audit.yaml``."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from packs import MODERATION, moderation_rows, write_pack
from test_hostile import CHECK, digest, one_line_error
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
