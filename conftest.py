"""Root conftest: a thin shim that loads the spec's pytest plugin."""

pytest_plugins = ["spec.plugin"]
