"""What every test of the repository shares, the plugins' tests (plugins/*/tests) included:
each JSON result a test produces is validated against the result JSON Schema the package
ships (audit/schemas/result.schema.json, docs/reference/result-schema.md)."""

from __future__ import annotations

import io
import json
from typing import Any

import jsonschema
import pytest

import audit.testing
from audit.reports.jsonout import JsonWriter
from audit.schemas.result import result_json_schema


class _ResultSchema:
    """The shipped schema's validator, and how many results the run checked against it (the
    terminal summary says)."""

    validator: Any = None  # a jsonschema validator: the library publishes no type for it
    checked = 0


def _check(result: object) -> None:
    if _ResultSchema.validator is None:
        _ResultSchema.validator = jsonschema.Draft202012Validator(
            result_json_schema(), format_checker=jsonschema.FormatChecker())
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in _ResultSchema.validator.iter_errors(result)]
    assert not errors, f"the JSON result does not match its schema: {errors[:5]}"
    _ResultSchema.checked += 1


@pytest.fixture(autouse=True)
def every_json_result_matches_the_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every JSON result a test produces goes through ``JsonWriter.write`` (the CLI, the
    Python API) or ``audit.testing``'s ``as_json`` (plugin authors' tests): what either gives
    is validated against the shipped schema, and a result that does not match fails the test
    that produced it."""
    original_write = JsonWriter.write
    original_dict = audit.testing.assessment_dict

    def write(self: JsonWriter, assessment: Any, stream: Any, output: Any = None) -> None:
        buffer = io.StringIO()
        original_write(self, assessment, buffer, output)
        _check(json.loads(buffer.getvalue()))
        stream.write(buffer.getvalue())

    def as_dict(assessment: Any) -> dict[str, Any]:
        result = original_dict(assessment)
        _check(json.loads(json.dumps(result, default=str)))
        return result

    monkeypatch.setattr(JsonWriter, "write", write)
    monkeypatch.setattr(audit.testing, "assessment_dict", as_dict)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """A pytest-xdist worker hands its count to the controller, which prints the summary."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output["result_schema_checked"] = _ResultSchema.checked


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: the suite runs on two workers
def pytest_testnodedown(node: Any, error: object) -> None:
    _ResultSchema.checked += int(getattr(node, "workeroutput", {}).get("result_schema_checked", 0))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _ResultSchema.checked:
        terminalreporter.write_line(f"result JSON Schema: {_ResultSchema.checked} JSON result(s) "
                                    "produced by the tests validated")
