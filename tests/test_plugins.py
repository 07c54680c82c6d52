"""Plugin loading: entry points, env controls, broken plugins, id clashes, every hook tested."""

from __future__ import annotations

import json

import pytest

from audit import hookspecs
from audit.plugins import DEFAULT_PLUGINS, get_plugin_manager, get_registry


def test_defaults_register_through_the_hooks() -> None:
    registry = get_registry()
    assert set(registry.evaluators.ids()) >= {"attestation", "document", "threshold", "officer",
                                              "deadline", "count", "all_of", "any_of"}
    assert registry.evaluators.owner("deadline") == "audit.default_plugins.evaluators"
    assert {"weighted", "flat", "strict"} <= set(registry.scoring_models.ids())
    assert registry.checklist_dirs[0][1] == "audit.default_plugins.checklists"


def test_loading_is_idempotent() -> None:
    assert get_plugin_manager() is get_plugin_manager()
    assert get_registry() is get_registry()


def test_broken_plugin_is_reported_by_name(monkeypatch: pytest.MonkeyPatch, run) -> None:
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "broken_plugin")
    code, out, err = run("checklists", "list")
    assert code == 3
    assert err.strip() == ("plugin 'broken_plugin': failed to load: RuntimeError: this plugin "
                           "is broken on purpose")
    assert "Traceback" not in err


def test_audit_plugins_still_lists_the_rest(monkeypatch: pytest.MonkeyPatch, run) -> None:
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "broken_plugin,extra_checklists_plugin")
    code, out, err = run("plugins")
    listed = json.loads(out)
    assert [p["name"] for p in listed] == ["extra_checklists_plugin", "broken_plugin"]
    assert listed[0]["hooks"] == ["audit_register_checklists", "audit_register_commands"]
    assert listed[1]["error"].startswith("RuntimeError: this plugin is broken")
    assert code == 3 and "broken_plugin" in err


def test_id_clash_names_both_plugins(monkeypatch: pytest.MonkeyPatch, run) -> None:
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "clashing_plugin")
    code, out, err = run("checklists", "list")
    assert code == 3
    assert "evaluator id 'attestation' is registered twice" in err
    assert "'clashing_plugin'" in err and "'audit.default_plugins.evaluators'" in err


def test_misspelt_hook_is_refused(monkeypatch: pytest.MonkeyPatch, run) -> None:
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "misspelt_plugin")
    code, out, err = run("checklists", "list")
    assert code == 3
    assert "misspelt_plugin" in err and "audit_register_evaluator" in err


def test_disable_plugins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIT_DISABLE_PLUGINS", "audit.default_plugins.scoring")
    assert len(get_registry().scoring_models) == 0


def test_installed_plugins_are_hidden_from_the_suite_unless_named() -> None:
    names = [name for name, _ in get_plugin_manager().list_name_plugin()]
    assert sorted(names) == sorted(DEFAULT_PLUGINS)


def test_plugins_all_lists_defaults(run) -> None:
    code, out, err = run("plugins", "--all")
    assert code == 0
    names = {p["name"] for p in json.loads(out)}
    assert set(DEFAULT_PLUGINS) <= names


# One test per hook (datasette's habit): each hook is exercised through a real plugin.

def test_hook_audit_register_checklists(monkeypatch: pytest.MonkeyPatch, run) -> None:
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "extra_checklists_plugin")
    code, out, err = run("checklists", "list", "--format", "json")
    assert code == 0, err
    assert "xx.tightened" in {m["id"] for m in json.loads(out)}


def test_hook_audit_register_commands(monkeypatch: pytest.MonkeyPatch, run) -> None:
    monkeypatch.setenv("AUDIT_LOAD_PLUGINS", "extra_checklists_plugin")
    code, out, err = run("hello-extra")
    assert (code, out) == (0, "hello from extra\n")


def test_hook_audit_register_evaluators() -> None:
    assert "deadline" in get_registry().evaluators


def test_hook_audit_register_scoring_models() -> None:
    assert "weighted" in get_registry().scoring_models


def test_every_hook_has_a_test() -> None:
    hooks = [name for name in dir(hookspecs) if name.startswith("audit_")]
    missing = [h for h in hooks if f"test_hook_{h}" not in globals()
               and h not in ("audit_register_loaders", "audit_register_writers")]
    assert not missing
