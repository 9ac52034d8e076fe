#!/bin/bash
# mem.sh - RSS per lab service (process group from $OSLAB_DIR/run/*.pid) and the total, in MiB.
# RSS double-counts pages shared by forked workers (uwsgi); PSS would be lower.
set -euo pipefail
O=$(realpath -m "${OSLAB_DIR:-$PWD/.oslab}")
shopt -s nullglob
tot=0
for f in "$O"/run/*.pid; do
  n=$(basename "$f" .pid); p=$(cat "$f")
  # by session id: rabbitmq's beam/erl_child_setup stay in the session started by setsid
  kb=$(ps -eo sid=,rss= | awk -v g="$p" '$1==g{s+=$2} END{print s+0}')
  printf '%-18s %7d MiB\n' "$n" $((kb / 1024))
  tot=$((tot + kb))
done
printf '%-18s %7d MiB\n' TOTAL $((tot / 1024))
