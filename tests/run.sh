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
# compiled as pip would: these machines set PYTHONDONTWRITEBYTECODE, so an uncompiled install
# would compile SQLAlchemy afresh in every process (docs/benchmarks.md, "Read commands")
.venv/bin/uv pip install --quiet --compile-bytecode --python .venv/bin/python -e '.[dev]'

step "lint, format, types, layers"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/lint-imports

soak_pid=""
if [ "${CI:-}" = "true" ] || [ -n "${GOVCLOUD_AGENT_SOAK:-}" ]; then
  # The agent's 30-minute soak (RSS growth < 5 %) runs in the background during the suite.
  soak_log=$(mktemp)
  step "agent soak, ${GOVCLOUD_AGENT_SOAK_MINUTES:-30} min, in the background"
  .venv/bin/python benchmarks/agent_soak.py --minutes "${GOVCLOUD_AGENT_SOAK_MINUTES:-30}" \
    >"$soak_log" 2>&1 &
  soak_pid=$!
fi

step "tests"
# pytest exits 5 when it collected nothing: that fails the run, as it must.
status=0
.venv/bin/python -m pytest -p no:cacheprovider "$@" || status=$?

if [ -n "$soak_pid" ]; then
  if [ "$status" -ne 0 ]; then kill "$soak_pid" 2>/dev/null || true; fi
  step "agent soak result"
  soak_status=0
  wait "$soak_pid" || soak_status=$?
  cat "$soak_log" >&2
  rm -f "$soak_log"
  if [ "$status" -eq 0 ]; then status=$soak_status; fi
fi
exit "$status"
