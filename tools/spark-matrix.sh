#!/usr/bin/env bash
# The Spark test files on PySpark 3.5 (EMR 7, Databricks LTS runtimes), beside the 4.x of CI.
#
# Creates (once) a virtual environment with PySpark 3.5.x and this checkout installed in it,
# then runs the Spark test files there. CI stays on the default extras (PySpark 4.x); this is
# the second column of the matrix, run by hand before a release or a change to the Spark path.
#
#   tools/spark-matrix.sh                 # the Spark test files and the lake verify tests
#   tools/spark-matrix.sh tests/test_spark_parity.py -k partition   # chosen tests, pytest args
#
# SPARK_MATRIX_VENV: where the environment lives (default .venv-spark35 in the checkout);
# SPARK_MATRIX_PYSPARK: the requirement (default "pyspark[connect]>=3.5,<3.6").
# Needs Java 17 and network access to PyPI the first time (the PySpark wheel, ~300 MB).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${SPARK_MATRIX_VENV:-$root/.venv-spark35}"
want="${SPARK_MATRIX_PYSPARK:-pyspark[connect]>=3.5,<3.6}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
# the checkout with its test and Spark extras, then PySpark held to the 3.5 line; PySpark 3.5
# needs NumPy below 2, which pyarrow 26 and later refuse at import (25 is the last that takes it)
"$venv/bin/pip" install -q -e "$root[test,spark,spark-connect]" -e "$root/plugins/dsa-transparency" \
    -e "$root/plugins/iq-leaks" "$want" "pyarrow<26"
"$venv/bin/python" -c 'import pyspark, sys; print("pyspark", pyspark.__version__, "python",
sys.version.split()[0])'

cd "$root"
if [ "$#" -eq 0 ]; then
    # every Spark test file; of the Connect tests only those needing no server: the 3.5 wheel
    # has no Spark Connect server (it comes from Maven), 4.x's has, so CI runs them there
    set --
    for file in tests/test_spark_*.py; do
        [ "$file" = tests/test_spark_connect.py ] || set -- "$@" "$file"
    done
    set -- "$@" tests/test_spark_connect.py::test_unreachable_server_is_one_line \
        tests/test_verify_lake.py
fi
exec "$venv/bin/python" -m pytest -q -p no:cacheprovider "$@"
