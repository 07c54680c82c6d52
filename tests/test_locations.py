"""Data-lake locations come from the person running the audit, never from the pack alone
(issue 29): ``--allow-location`` prefixes, their environment variable and the Python API."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from audit.engine.settings import settings_for
from audit.errors import UsageError
from audit.logs.locations import is_allowed, location_problem, prefix_problem
from packs import write_pack
from test_hostile import one_line_error
from test_properties import invoke as run


@pytest.mark.parametrize("location, allowed", [
    ("s3a://lake/statements/", True),
    ("s3a://lake/statements", True),
    ("s3a://lake/statements/2024/part-0.parquet", True),
    ("S3A://LAKE/statements/2024/", True),  # scheme and host in any case
    ("s3a://lake/statements-old/", False),
    ("s3a://lake/", False),
    ("s3a://other/statements/", False),
    ("hdfs://lake/statements/", False),
    ("s3a://lake/statements/../finance/", False),
    ("s3a://lake/statements/%2e%2e/finance/", False),
    ("s3a://lake/statements/./x", False),
    ("s3a://lake/statements/a%2Fb", False),
    ("file:///etc/passwd", False),
])
def test_a_location_is_allowed_only_under_a_prefix(location: str, allowed: bool) -> None:
    assert is_allowed(location, ["s3a://lake/statements/"]) is allowed
    assert (location_problem(location, ["s3a://lake/statements/"]) is None) is allowed


def test_file_prefixes_follow_folders_not_characters() -> None:
    assert is_allowed("file:///shared/audit/logs/", ["file:///shared/audit"])
    assert not is_allowed("file:///shared/auditor/", ["file:///shared/audit"])
    assert not is_allowed("file:///etc/", [])


SEGMENT = st.text("abcxyz.-_%2eE", min_size=1, max_size=5)


@given(st.sampled_from(["s3a", "hdfs", "file"]), st.sampled_from(["lake", "", "nn:8020"]),
       st.lists(SEGMENT, max_size=4), st.lists(SEGMENT, max_size=4))
def test_an_allowed_location_never_climbs_out_of_its_prefix(scheme: str, host: str,
                                                            prefix: list[str],
                                                            rest: list[str]) -> None:
    """Whatever the segments, an allowed location lies textually under the prefix once
    decoded, and no allowed location holds a '.' or '..' segment."""
    from urllib.parse import unquote

    base = f"{scheme}://{host}/" + "/".join(prefix)
    location = base + ("" if base.endswith("/") else "/") + "/".join(rest)
    if prefix_problem(base) is not None:
        return
    if is_allowed(location, [base]):
        decoded = [unquote(s) for s in location.split("://", 1)[1].split("/")[1:] if s]
        assert "." not in decoded and ".." not in decoded
        assert decoded[:len([s for s in prefix if s])] == [unquote(s) for s in prefix if s]
    elif not any(unquote(s) in (".", "..") or "/" in unquote(s) for s in [*prefix, *rest]):
        pytest.fail(f"{location} should be under {base}")


@pytest.mark.parametrize("prefix", ["lake/statements", "/local/path", "s3a://lake/../x", ""])
def test_a_prefix_must_be_a_location(prefix: str) -> None:
    with pytest.raises(UsageError) as exc:
        settings_for("spark", allow_locations=[prefix])
    assert str(exc.value).startswith("allow_locations: ")
    code, _out, err = run("assess", "nowhere", "-c", "eu.gdpr", "--allow-location", prefix)
    assert code == 2 and "--allow-location: " in err and "Traceback" not in err


def test_settings_carry_the_prefixes_as_a_frozen_tuple() -> None:
    settings = settings_for("spark", allow_locations=["s3a://a/", "s3a://b/", "s3a://a/"])
    assert settings.allow_locations == ("s3a://a/", "s3a://b/")
    assert settings_for("spark", allow_locations="s3a://a/").allow_locations == ("s3a://a/",)
    assert settings_for().allow_locations == ()


def _lake_pack(root: Path, location: str) -> Path:
    pack = write_pack(root)
    (pack / "logs").mkdir()
    (pack / "logs" / "moderation.mapping.yaml").write_text(yaml.safe_dump(
        {"table": "moderation", "files": location, "format": "csv", "keep": True}), "utf-8")
    return pack


SPARK = ["--engine", "spark", "--spark-master", "local[1]"]


def test_a_pack_cannot_make_spark_read_a_local_file(tmp_path: Path) -> None:
    """Refused while the mapping is resolved: Spark is never asked to read it."""
    pack = _lake_pack(tmp_path / "p", "file:///etc/")
    started = time.perf_counter()
    line = one_line_error(*run("assess", pack, "-c", "iq.telegram-2023", *SPARK)[::2])
    assert line == ("p/logs/moderation.mapping.yaml:1: files: file:///etc/ is not under a "
                    "location the person running the audit allowed: only they can, with "
                    "--allow-location PREFIX (or AUDIT_ALLOW_LOCATIONS) (docs/spark.md)")
    line = one_line_error(*run("assess", pack, "-c", "iq.telegram-2023", *SPARK,
                               "--allow-location", "s3a://lake/")[::2])
    assert line.endswith("(or AUDIT_ALLOW_LOCATIONS); allowed now: s3a://lake/ "
                         "(docs/spark.md)")
    assert time.perf_counter() - started < 10


def test_the_environment_variable_allows_as_the_option_does(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pack = _lake_pack(tmp_path / "p", "file:///etc/")
    monkeypatch.setenv("AUDIT_ALLOW_LOCATIONS", "s3a://lake/ hdfs://nn/data/")
    line = one_line_error(*run("mappings", "check", pack, *SPARK)[::2])
    assert line.endswith("allowed now: s3a://lake/, hdfs://nn/data/ (docs/spark.md)")


def test_the_python_api_takes_allow_locations(tmp_path: Path) -> None:
    import audit

    pack = _lake_pack(tmp_path / "p", "file:///etc/")
    with pytest.raises(audit.AuditError) as exc:
        audit.assess(pack, ["iq.telegram-2023"], engine="spark", spark_master="local[1]",
                     allow_locations=["s3a://lake/"])
    assert exc.value.lines[0].endswith("allowed now: s3a://lake/ (docs/spark.md)")


def test_duckdb_still_names_the_spark_engine_for_a_location(tmp_path: Path) -> None:
    pack = _lake_pack(tmp_path / "p", "s3a://lake/statements/")
    line = one_line_error(*run("assess", pack, "-c", "iq.telegram-2023")[::2])
    assert "--engine spark" in line and "DuckDB does not read" in line
