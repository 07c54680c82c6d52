"""``audit plugins``: the installed plugins, the hooks each implements, its evidence loaders."""

from __future__ import annotations

import json

import click

from audit.evidence.loaders import loader_kinds
from audit.plugins import get_registry, list_plugins, raise_if_broken


def _loaders_by_plugin() -> dict[str, list[dict[str, object]]]:
    """Each plugin's evidence loaders with where they are asked (``kind``) and their order."""
    out: dict[str, list[dict[str, object]]] = {}
    registry = get_registry()
    for loader_id, loader in registry.loaders.items():
        out.setdefault(registry.loaders.owner(loader_id), []).append(
            {"id": loader_id, "kind": " and ".join(loader_kinds(loader)),
             "priority": getattr(loader, "priority", 50)})
    return out


@click.command("plugins")
@click.option("--all", "show_all", is_flag=True, help="Include the built-in default plugins.")
def plugins(show_all: bool) -> None:
    """List installed plugins (JSON), the hooks each implements and its evidence loaders."""
    infos = list_plugins(include_defaults=show_all)
    loaders = _loaders_by_plugin() if not any(i.error for i in infos) else {}
    out = [{"name": i.name, "version": i.version, "hooks": list(i.hooks),
            **({"loaders": loaders[i.name]} if i.name in loaders else {}),
            **({"default": True} if i.default else {}), **({"error": i.error} if i.error else {})}
           for i in infos]
    click.echo(json.dumps(out, indent=2))
    if any(i.error for i in infos):
        raise_if_broken()  # the same lines every other command prints
