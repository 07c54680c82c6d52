"""A few bytes of mapping cannot hang the run or exhaust memory (issue 29): each count, list
and map a mapping declares, and each compressed data file, is refused before work starts,
in a real ``audit`` process measured for time and memory, with one located line."""

from __future__ import annotations

import gzip
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from audit import limits
from audit.logs.mapping_limits import gzip_problem, mapping_limit_problems

GIB = 1 << 30


# ``audit`` run as ``python -m audit`` does, writing its own peak resident memory at exit.
# The kernel's ru_maxrss of a child starts at its parent's resident size at fork, and the test
# process grows large over a whole suite; VmHWM is the peak of the child's own memory since exec.
PEAK_CODE = """
import atexit, runpy, sys
where = sys.argv[1]
def peak():
    with open("/proc/self/status") as fh:
        hwm = next(line for line in fh if line.startswith("VmHWM:"))
    with open(where, "w") as out:
        out.write(str(int(hwm.split()[1]) * 1024))
atexit.register(peak)
sys.argv = ["audit", *sys.argv[2:]]
runpy.run_module("audit", run_name="__main__", alter_sys=True)
"""


def measured(*args: object, cwd: Path) -> tuple[int, str, float, int]:
    """(exit status, stderr, seconds, peak resident bytes) of one ``audit`` process."""
    err, peak = cwd / "stderr.txt", cwd / "peak.txt"
    started = time.perf_counter()
    with err.open("wb") as fh:
        code = subprocess.call([sys.executable, "-c", PEAK_CODE, str(peak), *map(str, args)],
                               cwd=cwd, stdout=subprocess.DEVNULL, stderr=fh)
    return code, err.read_text("utf-8"), time.perf_counter() - started, int(peak.read_text())


def one_line(code: int, err: str, seconds: float, peak: int) -> str:
    assert code == 2, err
    assert "Traceback" not in err and "internal error" not in err, err
    assert seconds < 10 and peak < GIB, (seconds, peak)
    (line,) = err.strip().splitlines()
    return line


def pack_with(tmp_path: Path, mapping: dict, files: dict[str, bytes]) -> Path:
    pack = tmp_path / "pack"
    (pack / "logs").mkdir(parents=True)
    (pack / "platform.yaml").write_text("name: P\n", "utf-8")
    (pack / "logs" / "t.mapping.yaml").write_text(yaml.safe_dump(mapping, sort_keys=False),
                                                 "utf-8")
    for name, content in files.items():
        (pack / "logs" / name).write_bytes(content)
    return pack


def assess(tmp_path: Path, pack: Path) -> str:
    before = {p: p.read_bytes() for p in pack.rglob("*") if p.is_file()}
    line = one_line(*measured("assess", pack, "-c", "iq.telegram-2023", "-o",
                              tmp_path / "r.json", cwd=tmp_path))
    assert {p: p.read_bytes() for p in pack.rglob("*") if p.is_file()} == before
    assert not (tmp_path / "r.json").exists()
    return line


CSV = {"t.csv": b"id,k\n1,v1\n"}


@pytest.mark.parametrize("skip", [1_000_000_000, 10**26])
def test_a_huge_skip_is_refused_at_once(tmp_path: Path, skip: int) -> None:
    pack = pack_with(tmp_path, {"table": "things", "files": "t.csv", "skip": skip,
                                "columns": {"id": "id"}}, CSV)
    assert assess(tmp_path, pack) == (f"pack/logs/t.mapping.yaml:3: skip: {skip:,} lines to "
                                      f"skip; at most 1,000 (docs/limits.md)")


def test_a_value_map_beyond_the_limit_is_refused(tmp_path: Path) -> None:
    big = {f"v{i}": "w" for i in range(limits.MAX_VALUE_MAP_ENTRIES + 1)}
    pack = pack_with(tmp_path, {"table": "things", "files": "t.csv",
                                "columns": {"id": "id", "kind": {"from": "k", "map": big}}}, CSV)
    assert assess(tmp_path, pack) == ("pack/logs/t.mapping.yaml:8: columns.kind.map: 10,001 "
                                      "value map entries; a mapping may give at most 10,000 "
                                      "(docs/limits.md)")


@pytest.mark.parametrize("where, place", [
    ({"k": [f"v{i}" for i in range(1001)]}, "where.k"),
    ({"k": {"in": [f"v{i}" for i in range(1001)]}}, "where.k.in"),
])
def test_a_where_list_beyond_the_limit_is_refused(tmp_path: Path, where: dict,
                                                  place: str) -> None:
    pack = pack_with(tmp_path, {"table": "things", "files": "t.csv", "where": where,
                                "columns": {"id": "id"}}, CSV)
    line = assess(tmp_path, pack)
    assert line.endswith(f": {place}: 1,001 values in one list; a mapping may give at most "
                         "1,000 (docs/limits.md)")


def test_a_400000_entry_map_is_refused_by_the_file_size(tmp_path: Path) -> None:
    """The issue's case: 400,000 entries reached DuckDB's out-of-memory at 2.9 GB."""
    pack = pack_with(tmp_path, {"table": "things", "files": "t.csv",
                                "columns": {"id": "id", "kind": {"from": "k"}}}, CSV)
    with (pack / "logs" / "t.mapping.yaml").open("a", encoding="utf-8") as fh:
        fh.write("    map:\n" + "".join(f"      value-{i}: w{i}\n" for i in range(400_000)))
    size = (pack / "logs" / "t.mapping.yaml").stat().st_size
    assert assess(tmp_path, pack) == (f"pack/logs/t.mapping.yaml: file is {size:,} bytes; a "
                                      "mapping is limited to 1,048,576 (docs/limits.md)")


def _newline_bomb(path: Path, forged_size: int | None = None) -> None:
    """A single-member gzip of 1 GiB of newlines (about 1 MB), built from one compressed
    16 MiB block repeated, so the test does not spend seconds compressing."""
    chunk = b"\n" * (1 << 24)
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = deflate.compress(chunk) + deflate.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    with path.open("wb") as fh:
        fh.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff")
        for _ in range(64):
            fh.write(block)
            crc = zlib.crc32(chunk, crc)
        fh.write(b"\x03\x00")  # the final, empty block
        fh.write(struct.pack("<II", crc, GIB % (1 << 32) if forged_size is None
                             else forged_size))


@pytest.mark.parametrize("forged", [None, 5000])
def test_a_gzip_bomb_is_refused_fast(tmp_path: Path, forged: int | None) -> None:
    pack = pack_with(tmp_path, {"table": "things", "files": "*.csv.gz",
                                "columns": {"id": "id"}}, {})
    bomb = pack / "logs" / "part-0.csv.gz"
    _newline_bomb(bomb, forged)
    assert bomb.stat().st_size < 1_100_000
    if forged is None:
        with gzip.open(bomb) as fh:  # a valid gzip: the bytes are what they claim
            assert fh.read(10) == b"\n" * 10
    line = assess(tmp_path, pack)
    assert line.startswith("pack/logs/part-0.csv.gz: compressed ")
    assert line.endswith(":1, more than 1,000:1; refused as a possible decompression bomb "
                         "(docs/limits.md)")


def test_an_ordinary_gzip_passes_the_ratio_check(tmp_path: Path) -> None:
    rows = b"".join(b"%d,2024-01-%02dT10:00:00Z,kind-%d\n" % (i, i % 28 + 1, i % 7)
                    for i in range(200_000))
    path = tmp_path / "ok.csv.gz"
    path.write_bytes(gzip.compress(b"id,at,kind\n" + rows))
    assert gzip_problem(path) is None
    twice = tmp_path / "two.csv.gz"  # two members, as `cat a.gz b.gz` makes
    twice.write_bytes(path.read_bytes() * 2)
    assert gzip_problem(twice) is None


def test_a_bomb_hidden_in_a_second_member_is_found(tmp_path: Path) -> None:
    small = gzip.compress(b"id\n1\n")
    bomb = gzip.compress(b"\n" * (64 << 20), 9)
    path = tmp_path / "two.csv.gz"
    path.write_bytes(small + bomb[:-4] + struct.pack("<I", 10))  # its size forged small
    assert gzip_problem(path) is not None


@given(st.dictionaries(st.sampled_from(["skip", "files", "columns", "where", "table"]),
                       st.recursive(st.none() | st.integers() | st.text(max_size=5),
                                    lambda inner: st.lists(inner, max_size=4)
                                    | st.dictionaries(st.text(max_size=3), inner, max_size=4),
                                    max_leaves=20)))
def test_the_limit_check_takes_any_shape(data: dict) -> None:
    """It runs before the schema, so nothing a YAML file holds may make it raise."""
    for key, message in mapping_limit_problems(data):
        assert isinstance(key, tuple) and "(docs/limits.md)" in message


@given(st.binary(max_size=2000), st.booleans())
def test_the_gzip_check_never_raises_and_passes_plain_gzip(data: bytes, wrap: bool) -> None:
    """Any bytes named .gz: a verdict or None (the engine names what is unreadable), never an
    exception; a gzip of ordinary-sized data is never a bomb."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.csv.gz"
        path.write_bytes(gzip.compress(data) if wrap else data)
        verdict = gzip_problem(path)
        assert verdict is None if wrap else verdict is None or "decompression bomb" in verdict
