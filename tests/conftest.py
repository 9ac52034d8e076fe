pytest_plugins = ["tests.services.plugin"]
