"""``audit new-plugin``: scaffold a ready-to-install plugin distribution ``audit-NAME``.

The generated project is what docs/plugins/writing-a-plugin.md builds by hand: a
``platform_audit`` entry point, a module with hook implementations registering a checklist
directory and an example rule type, one example checklist module, an example evidence pack, a
test that passes as generated (through the ``audit.testing`` fixtures) and a README. The
templates live in this module (no data files to ship); only click is imported at module level,
so registering the command keeps ``audit --help`` fast.
"""

from __future__ import annotations

import re
import shutil
import string
import tempfile
from pathlib import Path

import click

NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class Names:
    """The spellings of one plugin name: ``iq-kri`` -> ``audit-iq-kri``, ``audit_iq_kri``."""

    def __init__(self, raw: str) -> None:
        from audit.errors import UsageError

        slug = re.sub(r"[^a-z0-9]+", "-", raw.strip().lower()).strip("-")
        slug = re.sub(r"^audit-", "", slug)
        if not NAME_RE.match(slug):
            raise UsageError(f"plugin name {raw!r} is not usable: give letters, digits and "
                             "hyphens, starting with a letter (e.g. iq-kri)")
        self.slug = slug
        self.dist = f"audit-{slug}"
        self.entry_point = slug.replace("-", "_")
        self.module = f"audit_{self.entry_point}"
        self.checklist_id = f"example.{slug}"
        self.rule_type = f"{self.entry_point}_profile_fact"


def files_for(names: Names) -> dict[str, str]:
    """Relative path -> content of every generated file."""
    from audit import __version__

    values = {"slug": names.slug, "dist": names.dist, "ep": names.entry_point,
              "module": names.module, "checklist_id": names.checklist_id,
              "rule_type": names.rule_type, "audit_version": __version__,
              "audit_major": __version__.split(".")[0]}
    out = {}
    for path, template in TEMPLATES.items():
        out[string.Template(path).substitute(values)] = string.Template(template).substitute(values)
    return out


def scaffold(name: str, directory: Path) -> Path:
    """Create ``directory/audit-NAME``; refuse (``UsageError``) when it exists."""
    from audit.errors import UsageError

    names = Names(name)
    target = directory / names.dist
    if target.exists() or target.is_symlink():
        raise UsageError(f"{target} already exists; not overwriting it (choose another name "
                         "or --dir)")
    if not directory.is_dir():
        raise UsageError(f"{directory} is not a directory")
    # written beside the target, then renamed: an interrupted run leaves no half project
    staging = Path(tempfile.mkdtemp(prefix=f".{names.dist}-", dir=directory))
    try:
        for rel, content in files_for(names).items():
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


@click.command("new-plugin")
@click.argument("name")
@click.option("--dir", "directory", default=".", show_default=True,
              type=click.Path(file_okay=False, path_type=Path),
              help="Directory in which to create audit-NAME/.")
def new_plugin_cmd(name: str, directory: Path) -> None:
    """Create a plugin project audit-NAME to start from (a jurisdiction, rules, loaders).

    NAME is lowercased; the distribution is audit-NAME and the module audit_NAME (hyphens
    become underscores). The project holds the entry point, an example checklist module and
    rule type, an example evidence pack and a passing test. An existing directory is never
    overwritten (exit 2).
    """
    target = scaffold(name, directory)
    names = Names(name)
    click.echo(f"created {target}")
    click.echo(f"next: pip install -e {target} && cd {target} && pytest")
    click.echo(f"      audit assess {target / 'example-pack'} --checklist {names.checklist_id}")


TEMPLATES: dict[str, str] = {}

TEMPLATES["pyproject.toml"] = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "$dist"
version = "0.1.0"
description = "platform-audit plugin: $slug (replace with what it audits)."
readme = "README.md"
requires-python = ">=3.10"
dependencies = ["platform-audit>=$audit_version"]

[project.optional-dependencies]
test = ["pytest>=8"]

# platform-audit finds the plugin through this entry point; the name is what
# AUDIT_LOAD_PLUGINS and `audit plugins` show.
[project.entry-points.platform_audit]
$ep = "$module"

[tool.setuptools]
packages = ["$module"]

[tool.setuptools.package-data]
$module = ["checklists/*.yaml"]

[tool.pytest.ini_options]
testpaths = ["tests"]
"""

TEMPLATES["README.md"] = """\
# $dist

A [platform-audit](https://pypi.org/project/platform-audit/) plugin. Generated by
`audit new-plugin $slug`: everything marked EXAMPLE is a placeholder to replace.

## Install and try

```sh
pip install -e .
audit plugins                       # lists $ep
audit checklists show $checklist_id
audit assess example-pack --checklist $checklist_id
```

## Test

```sh
pip install -e ".[test]"
pytest
```

`tests/test_plugin.py` uses the fixtures platform-audit installs for pytest (`audit.testing`):
it checks that the plugin is installed, that its checklists validate, and assesses
`example-pack/`.

## Layout

```
pyproject.toml                  entry point: [project.entry-points.platform_audit]
$module/__init__.py       hook implementations
$module/evaluators.py     an example rule type ($rule_type); delete if unused
$module/checklists/       checklist modules (YAML), one file per module
example-pack/                   evidence the tests assess
tests/test_plugin.py
```

## Next steps

1. Rename the checklist module (`id`, `jurisdiction`, the file name) and replace its sources
   with the instruments you encode: every requirement cites an article.
2. Replace the example requirements; check them with `audit checklists validate $module/checklists`.
3. Update `example-pack/` and the expected findings in `tests/test_plugin.py`.

See the platform-audit docs: docs/plugins/writing-a-plugin.md, docs/plugins/hooks.md,
docs/plugins/testing.md and docs/reference/checklist-format.md.
"""

TEMPLATES["$module/__init__.py"] = '''\
"""platform-audit plugin $dist: registers its checklist modules and an example rule type."""

from __future__ import annotations

from pathlib import Path

from audit import hookimpl

__version__ = "0.1.0"


@hookimpl
def audit_register_checklists(registry):
    """Every *.yaml file under checklists/ is one checklist module."""
    registry.add_checklists(Path(__file__).parent / "checklists")


@hookimpl
def audit_register_evaluators(registry):
    """EXAMPLE rule type; delete this hook (and evaluators.py) if the built-in types suffice."""
    from $module.evaluators import ProfileFactEvaluator

    registry.add_evaluator(ProfileFactEvaluator())
'''

TEMPLATES["$module/evaluators.py"] = '''\
"""EXAMPLE rule type ``$rule_type``: a fact in platform.yaml has the expected value.

A rule type is an ``audit.Evaluator`` subclass: ``id`` is the ``rule.type`` checklists use,
``params_schema`` (cerberus) validates the rule's parameters when checklists load, and
``evaluate`` returns an ``audit.Finding``. Evaluators read only the evidence pack they are given;
event logs are measured with SQL through ``context.evidence.logs`` (see the built-in ``share``
and ``deadline`` rule types), never row by row in Python.
"""

from __future__ import annotations

from typing import Any, ClassVar, Mapping

from audit import Evaluator, Finding, Status


class ProfileFactEvaluator(Evaluator):
    id = "$rule_type"
    summary = "A fact in platform.yaml (a dotted path) equals the expected value."
    params_schema: ClassVar[Mapping[str, Any]] = {
        "field": {"type": "string", "required": True, "regex": r"^[a-z_][a-z0-9_.]*$$",
                  "meta": {"doc": "Dotted path in platform.yaml, e.g. features.public_channels."}},
        "equals": {"type": ["string", "number", "boolean"], "required": True,
                   "meta": {"doc": "The value the law expects."}},
    }

    def evaluate(self, requirement, rule, context) -> Finding:
        params = rule.params
        value: Any = context.evidence.profile
        for part in params["field"].split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if value is None:
            return Finding(requirement.full_id, Status.NO_EVIDENCE, 0.0,
                           f"platform.yaml does not give {params['field']}")
        if value == params["equals"]:
            return Finding(requirement.full_id, Status.MET, 1.0,
                           f"{params['field']} is {value!r}", {"value": value})
        return Finding(requirement.full_id, Status.NOT_MET, 0.0,
                       f"{params['field']} is {value!r}, expected {params['equals']!r}",
                       {"value": value})
'''

TEMPLATES["$module/checklists/$checklist_id.yaml"] = """\
# EXAMPLE checklist module generated by `audit new-plugin`: replace every source, requirement
# and figure with the law you encode. Reference: docs/reference/checklist-format.md.
schema_version: 1
id: $checklist_id
jurisdiction: XX            # EXAMPLE: an ISO 3166 code such as IQ, IQ-KRI, EU
title: "EXAMPLE: replace with the title of what this module encodes"
description: >-
  EXAMPLE module: an attested policy, a moderation clock measured on the moderation log, and a
  platform fact checked by this plugin's own rule type. Not law: replace it.
version: 1
status: draft               # in_force | draft | practice | proposal | superseded
language: en
provider: $dist authors
sources:
  - id: example-law
    title: "EXAMPLE: Act No. 1 of 2024 on Online Platforms (replace)"
    url: https://example.org/replace-with-the-official-text
    note: EXAMPLE source; cite the official text of the instrument.
requirements:
  - id: example-contact-policy
    area: governance
    title: "EXAMPLE: publish how authorities can contact the platform"
    citation: {source: example-law, article: "Art. 1"}
    severity: medium
    question: Does the platform publish a contact point for the authorities?
    rule: {type: attestation}
    remediation: EXAMPLE remediation. Publish a contact point and keep it staffed.
  - id: example-takedown-clock
    area: moderation
    title: "EXAMPLE: act on authority takedown requests within 48 hours"
    citation: {source: example-law, article: "Art. 2(1)"}
    severity: high
    confidence: low
    note: EXAMPLE figures; confidence low marks a yardstick that is not the law's own figure.
    rule:
      type: deadline
      log: moderation
      where: {requester: authority}
      start: received_at
      end: actioned_at
      events: authority takedown requests
      done: actioned
      versions:
        - {from: 2024-01-01, within: 48h, target: 0.9}
    remediation: EXAMPLE remediation. Staff a queue for authority requests.
  - id: example-public-channels
    area: moderation
    title: "EXAMPLE: declare whether the service has public channels"
    citation: {source: example-law, article: "Art. 3"}
    severity: low
    rule: {type: $rule_type, field: features.public_channels, equals: true}
    remediation: EXAMPLE remediation. Declare the features in platform.yaml.
"""

TEMPLATES["example-pack/platform.yaml"] = """\
# EXAMPLE evidence pack (fictional) for $dist; see docs/evidence-format.md.
name: Example Messenger
users: {XX: 250000}
features: {public_channels: true}
as_of: 2024-06-30
"""

TEMPLATES["example-pack/answers.yaml"] = """\
example-contact-policy:
  answer: yes
  by: Head of Trust and Safety
  date: 2024-05-02
"""

TEMPLATES["example-pack/logs/moderation.csv"] = """\
request_id,received_at,actioned_at,category,requester,action,country
EX-0001,2024-02-01T09:00:00+00:00,2024-02-01T20:00:00+00:00,illegal_content,authority,content_removed,XX
EX-0002,2024-03-04T10:30:00+00:00,2024-03-05T08:00:00+00:00,personal_data_leak,authority,channel_closed,XX
EX-0003,2024-04-10T16:00:00+00:00,2024-04-14T09:00:00+00:00,illegal_content,authority,content_removed,XX
EX-0004,2024-05-20T07:45:00+00:00,2024-05-20T12:00:00+00:00,hate_speech,authority,content_removed,XX
EX-0005,2024-06-02T11:00:00+00:00,2024-06-03T09:00:00+00:00,spam,user,account_suspended,XX
"""

TEMPLATES["tests/test_plugin.py"] = '''\
"""$dist: the plugin is installed, its checklists validate, its example pack assesses.

The fixtures come from platform-audit's pytest plugin (``audit.testing``), which pytest loads
automatically once platform-audit is installed.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

import pytest

from audit.testing import assert_checklists_valid

PLUGIN = "$ep"
PACK = Path(__file__).parent.parent / "example-pack"


@pytest.fixture
def audit_plugin_under_test() -> str:
    """Tells the audit_* fixtures which plugin to load (with the built-in defaults)."""
    return PLUGIN


def test_plugin_is_installed(audit_plugin_manager) -> None:
    names = {ep.name for ep in metadata.entry_points(group="platform_audit")}
    assert PLUGIN in names, "pip install -e . first"
    assert audit_plugin_manager.get_plugin(PLUGIN) is not None


def test_checklists_validate() -> None:
    assert assert_checklists_valid(PLUGIN) == ["$checklist_id"]


def test_example_pack(audit_assess) -> None:
    result = audit_assess(PACK, "$checklist_id")
    statuses = {r.requirement.id: r.status.value for r in result.results}
    assert statuses == {
        "example-contact-policy": "met",
        "example-takedown-clock": "partial",  # 3 of 4 within 48 h, target 90 %
        "example-public-channels": "met",
    }
    report = audit_assess(PACK, "$checklist_id", as_json=True)
    assert report["checklists"][0]["id"] == "$checklist_id"
'''
