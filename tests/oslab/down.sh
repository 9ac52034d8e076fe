#!/bin/bash
# down.sh - stop everything up.sh started (process groups from $OSLAB_DIR/run/*.pid).
#   down.sh [--purge]   --purge also deletes $OSLAB_DIR (the cached venv is kept)
# Quiet on success; exits non-zero if a service group survived SIGKILL.
set -euo pipefail
O=$(realpath -m "${OSLAB_DIR:-$PWD/.oslab}")
[ -d "$O" ] || exit 0
shopt -s nullglob

# any process other than a zombie left in process group $1?
alive() { ps -eo pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ {f = 1} END {exit !f}'; }
pids=()
for f in "$O"/run/*.pid; do
  p=$(cat "$f")
  [[ $p =~ ^[0-9]+$ ]] || continue
  if alive "$p"; then pids+=("$p"); fi
done

if [ -f "$O/run/env.sh" ]; then
  # shellcheck source=/dev/null
  . "$O/run/env.sh"
  # rabbitmq shuts down cleanly (and fast) through its own control command
  if [ -f "$O/run/rabbitmq.pid" ] && alive "$(cat "$O/run/rabbitmq.pid")"; then
    timeout 20 /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBITMQ_NODENAME" stop > /dev/null 2>&1 || true
  fi
fi
for p in "${pids[@]}"; do kill -TERM -- "-$p" 2> /dev/null || true; done
for _ in $(seq 1 40); do
  left=0
  for p in "${pids[@]}"; do if alive "$p"; then left=1; fi; done
  [ $left = 0 ] && break
  sleep 0.25
done
for p in "${pids[@]}"; do if alive "$p"; then kill -KILL -- "-$p" 2> /dev/null || true; fi; done
# epmd daemonizes out of rabbitmq's process group: stop our private one via its port
if [ -n "${ERL_EPMD_PORT:-}" ] && command -v epmd > /dev/null; then
  epmd -port "$ERL_EPMD_PORT" -kill > /dev/null 2>&1 || true
fi
sleep 0.2
survivors=()
for p in "${pids[@]}"; do if alive "$p"; then survivors+=("$p"); fi; done
if [ ${#survivors[@]} -gt 0 ]; then
  echo "oslab down.sh: process groups still alive after SIGKILL: ${survivors[*]}" >&2
  exit 1
fi
rm -f "$O"/run/*.pid
if [ "${1:-}" = --purge ]; then rm -rf "$O"; fi
