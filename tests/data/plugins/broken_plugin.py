"""A plugin that fails on import, as a third-party plugin with a bug would."""

raise RuntimeError("this plugin is broken on purpose")
