#!/bin/bash
# Install the Debian packages the integration tests need (idempotent).
# Services are never auto-started: the test fixtures start private instances themselves.
# Not root -> report what is missing and exit 0 (the fixtures then skip, or fail under
# GOVCLOUD_REQUIRE_SERVICES=1).
set -euo pipefail

PKGS=(postgresql prometheus prometheus-node-exporter openssh-server openssh-client
      mariadb-server rabbitmq-server
      chromium chromium-driver fonts-noto-cjk)

log() { echo "install-services: $*" >&2; }

installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]; }

missing=()
for p in "${PKGS[@]}"; do installed "$p" || missing+=("$p"); done

if [ ${#missing[@]} -eq 0 ]; then
  log "all ${#PKGS[@]} packages present, skipping apt"
  exit 0
fi
log "missing: ${missing[*]}"

if [ "$(id -u)" -ne 0 ]; then
  log "not root: cannot install; tests needing these services will skip"
  exit 0
fi

# policy-rc.d exit 101 = "do not start services from maintainer scripts"
created_policy=0
cleanup() { if [ $created_policy = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  created_policy=1
fi

export DEBIAN_FRONTEND=noninteractive
apt_log=$(mktemp -t install-services.XXXXXX.log)
run_apt() {
  # retry while another apt/dpkg holds the lock
  local i
  for i in $(seq 1 60); do
    if "$@" >>"$apt_log" 2>&1; then return 0; fi
    if grep -q -E 'Could not get lock|dpkg frontend lock|is another process using it' "$apt_log"; then
      : >"$apt_log"; sleep 5; continue
    fi
    log "FAILED: $* (log follows)"; tail -n 30 "$apt_log" >&2; return 1
  done
  log "FAILED: apt lock still busy after 5 minutes"; return 1
}

log "apt-get update"
run_apt apt-get update -q
log "apt-get install ${missing[*]}"
run_apt apt-get install -y -q --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
rm -f "$apt_log"
log "installed ${#missing[@]} packages"
