#!/usr/bin/env bash
# The project's test command (the README's second command; CI runs it through .ci/run):
# installs the services the tests need, the package with its dev tools, then runs the gates.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '==> %s\n' "$*" >&2; }

step "services (PostgreSQL, Prometheus, OpenSSH, MariaDB, RabbitMQ)"
bash .ci/install-services.sh

step "virtualenv and package"
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
.venv/bin/python -m pip install --quiet --upgrade pip uv
.venv/bin/uv pip install --quiet --python .venv/bin/python -e '.[dev]'

step "lint, format, types, layers"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports

step "tests"
# pytest exits 5 when it collected nothing: with `set -e` that fails the run, as it must.
.venv/bin/python -m pytest -p no:cacheprovider "$@"
