#!/bin/bash
# up.sh - install, configure and start a throwaway OpenStack lab on 127.0.0.1:
# keystone, placement, glance, neutron (ML2, a port-binding fake, no agents), nova (two
# nova-compute hosts with the fake virt driver), cinder (two fake backends with a configured
# capacity) on MariaDB + RabbitMQ, plus a topology (aggregates, a zone, networks, a router,
# volume types: lib/topology.py -> $OSLAB_DIR/topology.json). All state lives in $OSLAB_DIR;
# the Python venv and the uv/pip caches live in $OSLAB_CACHE_DIR so later runs reuse them.
#
#   up.sh                 install if needed, configure, start, wait until ready
#   up.sh --install-only  only create/refresh the cached venv (for CI pre-warming)
#
# Environment:
#   OSLAB_DIR        run directory (default ./.oslab); clouds.yaml (cloud "oslab") is written here
#   OSLAB_CACHE_DIR  default ${XDG_CACHE_HOME:-$HOME/.cache}/govcloud-oslab
#   OSLAB_PORT_BASE  first of 10 consecutive TCP ports (default 16000): +0 mariadb, +1 amqp,
#                    +2 epmd, +3 erlang dist, +4 keystone, +5 placement, +6 glance,
#                    +7 neutron, +8 nova, +9 cinder
#   OSLAB_PYTHON     interpreter for the lab venv (default python3)
#   OSLAB_UV         uv binary to use (default: uv on PATH, else pip-installed into the venv)
#   OSLAB_VERBOSE=1  print progress stamps to stderr (always written to $OSLAB_DIR/logs/up.log)
#   OSLAB_READY_TIMEOUT  seconds to wait for the services after start (default 300)
# Quiet on success; on failure prints the failing step and the tail of its log to stderr.
# Stop with down.sh (same OSLAB_DIR).
set -Eeuo pipefail

case "${1:-}" in
  "" | --install-only) ;;
  *) echo "oslab up.sh: ERROR: unknown argument: $1 (usage: up.sh [--install-only])" >&2; exit 2 ;;
esac
HERE=$(cd "$(dirname "$0")" && pwd)
O=$(realpath -m "${OSLAB_DIR:-$PWD/.oslab}")
CACHE=$(realpath -m "${OSLAB_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/govcloud-oslab}")
LAB_PY=${OSLAB_PYTHON:-python3}
PKGS="keystone openstack-placement nova glance cinder neutron openstacksdk uwsgi pymysql"
# the ML2 driver that binds every port (installed for its entry point; part of the venv key)
FAKEMECH=$HERE/lib/fakemech
BASE=${OSLAB_PORT_BASE:-16000}
P_DB=$BASE P_AMQP=$((BASE + 1)) P_EPMD=$((BASE + 2)) P_DIST=$((BASE + 3))
P_KS=$((BASE + 4)) P_PL=$((BASE + 5)) P_GL=$((BASE + 6)) P_NET=$((BASE + 7))
P_NOVA=$((BASE + 8)) P_CIN=$((BASE + 9))
KS_URL=http://127.0.0.1:$P_KS/v3

mkdir -p "$CACHE"
if [ "${1:-}" = --install-only ]; then
  LOG=$CACHE/install-only.log
else
  mkdir -p "$O"/{etc,data,logs,run}
  LOG=$O/logs/up.log
fi
: > "$LOG"
T0=$SECONDS
STEP=start STEP_LOG=$LOG
step() {
  STEP=$1 STEP_LOG=${2:-$LOG}
  printf '[%4ds] %s\n' $((SECONDS - T0)) "$STEP" >> "$LOG"
  if [ "${OSLAB_VERBOSE:-0}" = 1 ]; then printf 'oslab [%4ds] %s\n' $((SECONDS - T0)) "$STEP" >&2; fi
}
die() { echo "oslab up.sh: ERROR: $*" >&2; exit 1; }
on_err() {
  local rc=$?
  trap - ERR
  {
    echo "oslab up.sh: FAILED (exit $rc, line $1) during step: $STEP"
    echo "oslab up.sh: logs in $O/logs; last lines of $STEP_LOG:"
    tail -n 25 "$STEP_LOG" 2>/dev/null | sed 's/^/    /'
  } >&2
  exit "$rc"
}
trap 'on_err $LINENO' ERR
# drop eventlet deprecation chatter from setup logs
quiet() { grep -v -E -i 'eventlet|^\s*$|framework|migration\.html' || true; }

# ---------------------------------------------------------------- 1. python packages (cached)
command -v "$LAB_PY" >/dev/null || die "python interpreter '$LAB_PY' not found"
KEY=$({ cat "$HERE/constraints.txt" "$FAKEMECH"/pyproject.toml "$FAKEMECH"/*.py; echo "$PKGS"; "$LAB_PY" -c 'import sys; print(sys.version, sys.base_prefix)'; } \
      | sha256sum | cut -c1-12)
V=$CACHE/venv-$KEY
PY=$V/bin/python
export UV_CACHE_DIR=${UV_CACHE_DIR:-$CACHE/uv} PIP_CACHE_DIR=${PIP_CACHE_DIR:-$CACHE/pip}
install_venv() {
  step "python packages: installing into $V" "$CACHE/install.log"
  rm -rf "$V"
  "$LAB_PY" -m venv "$V"
  local uv=${OSLAB_UV:-$(command -v uv || true)}
  if [ -z "$uv" ] || [ ! -x "$uv" ]; then
    "$V/bin/pip" install -q -c "$HERE/constraints.txt" uv
    uv=$V/bin/uv
  fi
  # shellcheck disable=SC2086 # PKGS is a word list
  "$uv" pip install --python "$PY" -c "$HERE/constraints.txt" $PKGS
  # built from a copy: a build in the source tree would leave build/ and *.egg-info there
  cp -r "$FAKEMECH" "$V/src-fakemech"
  "$uv" pip install --python "$PY" -c "$HERE/constraints.txt" --build-constraint "$HERE/constraints.txt" \
    "$V/src-fakemech"
  touch "$V/.complete"
}
if [ ! -e "$V/.complete" ]; then
  # another session may be installing the same venv: serialise on a lock file
  exec 9> "$CACHE/install.lock"
  flock 9
  if [ ! -e "$V/.complete" ]; then install_venv > "$CACHE/install.log" 2>&1; fi
  flock -u 9
fi
step "python packages ready ($V)"
if [ "${1:-}" = --install-only ]; then exit 0; fi

# ---------------------------------------------------------------- 2. mariadb + rabbitmq
MARIADBD=$(command -v mariadbd || echo /usr/sbin/mariadbd)
RABBIT=/usr/lib/rabbitmq/bin/rabbitmq-server
[ -x "$MARIADBD" ] || die "mariadbd not found: run .ci/install-services.sh"
[ -x "$RABBIT" ] || die "$RABBIT not found: run .ci/install-services.sh"

# start a daemon in its own session/process group; pid file = process group id
daemon() {
  local name=$1; shift
  setsid "$@" > "$O/logs/$name.out" 2>&1 < /dev/null &
  echo $! > "$O/run/$name.pid"
}
uwsgi_app() { # NAME PORT MODULE [ENV=VAL...]
  local name=$1 port=$2 module=$3; shift 3
  daemon "$name" env "$@" "$V/bin/uwsgi" --http-socket "127.0.0.1:$port" --module "$module" \
    --virtualenv "$V" --master --processes 1 --threads 4 --enable-threads --die-on-term \
    --need-app --buffer-size 65535 --lazy-apps --add-header "Connection: close" \
    ${UWSGI_EXTRA:+"$UWSGI_EXTRA"}
}
AUTH() { cat <<EOF
auth_url = $KS_URL
auth_type = password
user_domain_name = Default
project_domain_name = Default
project_name = service
region_name = RegionOne
username = $1
password = secret
EOF
}
KSAUTH() { echo "www_authenticate_uri = $KS_URL"; AUTH "$1"; }
DB() { echo "mysql+pymysql://os:secret@127.0.0.1:$P_DB/$1?charset=utf8"; }
wait_port() { # PORT SECONDS
  local i
  for i in $(seq 1 $(($2 * 4))); do
    if (exec 3<> "/dev/tcp/127.0.0.1/$1") 2> /dev/null; then return 0; fi
    sleep 0.25
  done
  echo "timeout waiting for port $1" >> "$STEP_LOG"; return 1
}

# remembered for down.sh
cat > "$O/run/env.sh" <<EOF
export RABBITMQ_NODENAME=oslab$BASE@localhost ERL_EPMD_PORT=$P_EPMD ERL_EPMD_ADDRESS=127.0.0.1
EOF
# shellcheck source=/dev/null
. "$O/run/env.sh"

step "mariadb: init + start" "$O/logs/mysqld.log"
mkdir -p "$O/etc/mysql" "$O/data/mysql" "$O/data/rabbitmq" "$O/logs/rabbitmq"
cat > "$O/etc/mysql/my.cnf" <<EOF
[mysqld]
user = $(id -un)
datadir = $O/data/mysql
socket = $O/run/mysqld.sock
pid-file = $O/run/mysqld.pidfile
bind-address = 127.0.0.1
port = $P_DB
skip-name-resolve
skip-log-bin
performance_schema = OFF
innodb_buffer_pool_size = 128M
innodb_log_file_size = 32M
innodb_flush_log_at_trx_commit = 0
innodb_doublewrite = 0
max_connections = 1000
character-set-server = utf8mb4
collation-server = utf8mb4_general_ci
log-error = $O/logs/mysqld.log
EOF
if [ ! -d "$O/data/mysql/mysql" ]; then
  STEP_LOG=$O/logs/mysql-install.log
  mariadb-install-db --defaults-file="$O/etc/mysql/my.cnf" --auth-root-authentication-method=normal \
    --skip-test-db > "$STEP_LOG" 2>&1
  STEP_LOG=$O/logs/mysqld.log
fi
daemon mysqld "$MARIADBD" --defaults-file="$O/etc/mysql/my.cnf"

step "rabbitmq: start" "$O/logs/rabbitmq.out"
export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$P_AMQP RABBITMQ_DIST_PORT=$P_DIST \
  RABBITMQ_MNESIA_BASE=$O/data/rabbitmq/mnesia RABBITMQ_LOG_BASE=$O/logs/rabbitmq \
  RABBITMQ_ENABLED_PLUGINS_FILE=$O/data/rabbitmq/enabled_plugins \
  RABBITMQ_CONFIG_FILE=$O/etc/rabbitmq RABBITMQ_PID_FILE=$O/run/rabbitmq.pidfile \
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
echo '[].' > "$O/data/rabbitmq/enabled_plugins"
daemon rabbitmq "$RABBIT"

step "mariadb: create databases" "$O/logs/mysqld.log"
for _ in $(seq 1 120); do
  if mariadb -S "$O/run/mysqld.sock" -uroot -e 'select 1' > /dev/null 2>&1; then break; fi
  sleep 0.25
done
DBS="keystone placement glance nova_api nova_cell0 nova cinder neutron"
mariadb -S "$O/run/mysqld.sock" -uroot -e "CREATE USER IF NOT EXISTS 'os'@'127.0.0.1' IDENTIFIED BY 'secret';
  GRANT ALL ON *.* TO 'os'@'127.0.0.1'; $(for d in $DBS; do echo "CREATE DATABASE IF NOT EXISTS $d;"; done)"

# ---------------------------------------------------------------- 3. keystone (in background)
step "keystone: db sync + bootstrap"
mkdir -p "$O/etc/keystone"
cat > "$O/etc/keystone/keystone.conf" <<EOF
[DEFAULT]
log_file = $O/logs/keystone.log
[database]
connection = $(DB keystone)
[token]
provider = fernet
[fernet_tokens]
key_repository = $O/etc/keystone/fernet-keys
[fernet_receipts]
key_repository = $O/etc/keystone/fernet-keys
[credential]
key_repository = $O/etc/keystone/credential-keys
EOF
KM="$V/bin/keystone-manage --config-file $O/etc/keystone/keystone.conf"
{ $KM db_sync
  $KM fernet_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
  $KM credential_setup --keystone-user "$(id -un)" --keystone-group "$(id -gn)"
  $KM bootstrap --bootstrap-password secret --bootstrap-region-id RegionOne \
    --bootstrap-admin-url "$KS_URL" --bootstrap-public-url "$KS_URL" \
    --bootstrap-internal-url "$KS_URL"; } 2>&1 | quiet > "$O/logs/keystone-setup.log" &
KS_SETUP=$!

# ---------------------------------------------------------------- 4. configs for the rest
HOSTS="compute1 compute2"
mkdir -p "$O"/etc/{placement,glance,nova,cinder,neutron} "$O"/data/glance/{images,staging,tasks} \
  "$O"/data/nova/locks "$O/data/cinder/locks" "$O/data/neutron/locks"
for h in $HOSTS; do mkdir -p "$O/data/nova/$h/instances"; done
cat > "$O/etc/placement/placement.conf" <<EOF
[DEFAULT]
log_file = $O/logs/placement.log
[api]
auth_strategy = keystone
[placement_database]
connection = $(DB placement)
[keystone_authtoken]
$(KSAUTH placement)
EOF
cp "$V/etc/glance/glance-api-paste.ini" "$O/etc/glance/"
cat > "$O/etc/glance/glance-api.conf" <<EOF
[DEFAULT]
log_file = $O/logs/glance-api.log
enabled_backends = fs:file
[database]
connection = $(DB glance)
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $O/data/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $O/data/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $O/data/glance/tasks
[paste_deploy]
flavor = keystone
config_file = $O/etc/glance/glance-api-paste.ini
[keystone_authtoken]
$(KSAUTH glance)
EOF
cp "$V/etc/nova/api-paste.ini" "$O/etc/nova/"
# nova.conf: shared by all nova services (nova-compute reads only this one: no DB access)
cat > "$O/etc/nova/nova.conf" <<EOF
[DEFAULT]
transport_url = rabbit://guest:guest@127.0.0.1:$P_AMQP/
compute_driver = fake.FakeDriverWithoutFakeNodes
host = control1
# start periodic tasks (e.g. scheduler discover_hosts) at once, not after a random 0-60 s delay
periodic_fuzzy_delay = 0
my_ip = 127.0.0.1
state_path = $O/data/nova
instances_path = $O/data/nova/instances
log_dir = $O/logs
[api]
auth_strategy = keystone
[keystone_authtoken]
$(KSAUTH nova)
[placement]
$(AUTH placement)
[neutron]
$(AUTH neutron)
[glance]
$(AUTH nova)
[conductor]
workers = 1
[scheduler]
workers = 1
discover_hosts_in_cells_interval = 2
[oslo_concurrency]
lock_path = $O/data/nova/locks
[vnc]
enabled = false
[oslo_messaging_notifications]
driver = noop
[service_user]
send_service_user_token = true
$(AUTH nova)
EOF
# each nova-compute: its own host name and state_path (FakeDriverWithoutFakeNodes keeps its
# node uuid there: two hosts sharing one would be one node) and its own log file
for h in $HOSTS; do
  printf '[DEFAULT]\nhost = %s\nstate_path = %s\ninstances_path = %s\nlog_file = %s\n' "$h" \
    "$O/data/nova/$h" "$O/data/nova/$h/instances" "$O/logs/nova-compute-$h.log" \
    > "$O/etc/nova/nova-compute-$h.conf"
done
cat > "$O/etc/nova/nova-db.conf" <<EOF
[api_database]
connection = $(DB nova_api)
[database]
connection = $(DB nova)
EOF
printf '[DEFAULT]\nlog_file = %s/logs/nova-api.log\n' "$O" > "$O/etc/nova/nova-api.conf"
cp "$V/etc/cinder/api-paste.ini" "$V/etc/cinder/resource_filters.json" "$O/etc/cinder/"
cat > "$O/etc/cinder/cinder.conf" <<EOF
[DEFAULT]
transport_url = rabbit://guest:guest@127.0.0.1:$P_AMQP/
auth_strategy = keystone
host = volume1
my_ip = 127.0.0.1
state_path = $O/data/cinder
log_dir = $O/logs
api_paste_config = $O/etc/cinder/api-paste.ini
resource_query_filters_file = $O/etc/cinder/resource_filters.json
enabled_backends = fast,bulk
# publish backend stats (capacity, allocated) every 10 s instead of every minute
backend_stats_polling_interval = 10
periodic_interval = 10
glance_api_servers = http://127.0.0.1:$P_GL
[database]
connection = $(DB cinder)
[keystone_authtoken]
$(KSAUTH cinder)
[nova]
$(AUTH nova)
[oslo_concurrency]
lock_path = $O/data/cinder/locks
[oslo_messaging_notifications]
driver = noop
# lib/fakecap: fake backends that report a capacity (volume types ssd -> fast, sata -> bulk)
[fast]
volume_driver = fakecap.FakeCapacityDriver
volume_backend_name = fast
fake_total_capacity_gb = 2000
fake_thin = false
max_over_subscription_ratio = 1.0
reserved_percentage = 10
[bulk]
volume_driver = fakecap.FakeCapacityDriver
volume_backend_name = bulk
fake_total_capacity_gb = 10000
fake_thin = true
max_over_subscription_ratio = 2.0
reserved_percentage = 5
EOF
cp "$V/etc/neutron/api-paste.ini" "$O/etc/neutron/"
cat > "$O/etc/neutron/neutron.conf" <<EOF
[DEFAULT]
log_file = $O/logs/neutron-api.log
core_plugin = ml2
# router: routers + floating IPs; port_forwarding: its DB model must be loaded or GET /ports 500s
service_plugins = router,port_forwarding
auth_strategy = keystone
transport_url = rabbit://guest:guest@127.0.0.1:$P_AMQP/
api_paste_config = $O/etc/neutron/api-paste.ini
state_path = $O/data/neutron
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
[database]
connection = $(DB neutron)
[keystone_authtoken]
$(KSAUTH neutron)
[nova]
$(AUTH nova)
[oslo_concurrency]
lock_path = $O/data/neutron/locks
[oslo_messaging_notifications]
driver = noop
[ml2]
type_drivers = local,flat
tenant_network_types = local
# lib/fakemech: binds every port, no agent needed
mechanism_drivers = fakebind
extension_drivers = port_security
[ml2_type_flat]
flat_networks = *
[securitygroup]
firewall_driver = noop
EOF
printf '[DEFAULT]\nlog_file = %s/logs/cinder-api.log\n' "$O" > "$O/etc/cinder/cinder-api.conf"
NM="$V/bin/nova-manage --config-file $O/etc/nova/nova.conf --config-file $O/etc/nova/nova-db.conf"

# DB schema syncs in parallel with the keystone bootstrap
{ "$V/bin/placement-manage" --config-file "$O/etc/placement/placement.conf" db sync; } 2>&1 \
  | quiet > "$O/logs/placement-setup.log" &
P_PLACEMENT=$!
{ "$V/bin/glance-manage" --config-file "$O/etc/glance/glance-api.conf" db_sync; } 2>&1 \
  | quiet > "$O/logs/glance-setup.log" &
P_GLANCE=$!
step "rabbitmq: wait for port $P_AMQP" "$O/logs/rabbitmq.out"
wait_port "$P_AMQP" 60
{ $NM api_db sync
  $NM cell_v2 map_cell0 --database_connection "$(DB nova_cell0)"
  $NM cell_v2 create_cell --name cell1 || $NM cell_v2 list_cells | grep -q " cell1 "  # rerun
  $NM db sync; } 2>&1 | quiet > "$O/logs/nova-setup.log" &
P_NOVASETUP=$!
{ "$V/bin/cinder-manage" --config-file "$O/etc/cinder/cinder.conf" db sync; } 2>&1 \
  | quiet > "$O/logs/cinder-setup.log" &
P_CINDER=$!
{ "$V/bin/neutron-db-manage" --config-file "$O/etc/neutron/neutron.conf" upgrade heads; } 2>&1 \
  | quiet > "$O/logs/neutron-setup.log" &
P_NEUTRON=$!

# ---------------------------------------------------------------- 5. start the services
step "keystone: db sync + bootstrap" "$O/logs/keystone-setup.log"
wait $KS_SETUP
uwsgi_app keystone "$P_KS" keystone.wsgi.api:application "OS_KEYSTONE_CONFIG_DIR=$O/etc/keystone"
cat > "$O/clouds.yaml" <<EOF
clouds:
  oslab:
    auth:
      auth_url: $KS_URL
      username: admin
      password: secret
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    identity_api_version: 3
EOF
export OS_CLIENT_CONFIG_FILE=$O/clouds.yaml
step "keystone: wait for API" "$O/logs/keystone.out"
"$PY" "$HERE/lib/wait_ready.py" http 60 "$KS_URL" >> "$O/logs/keystone.out" 2>&1
"$PY" "$HERE/lib/register.py" "placement=http://127.0.0.1:$P_PL" "nova=http://127.0.0.1:$P_NOVA/v2.1" \
  "glance=http://127.0.0.1:$P_GL" "neutron=http://127.0.0.1:$P_NET" \
  "cinder=http://127.0.0.1:$P_CIN/v3" 2>&1 | quiet > "$O/logs/register.log" &
P_REGISTER=$!

step "placement: db sync" "$O/logs/placement-setup.log"
wait $P_PLACEMENT
uwsgi_app placement "$P_PL" placement.wsgi.api:application "OS_PLACEMENT_CONFIG_DIR=$O/etc/placement"
step "glance: db sync" "$O/logs/glance-setup.log"
wait $P_GLANCE
uwsgi_app glance-api "$P_GL" glance.wsgi.api:application "OS_GLANCE_CONFIG_DIR=$O/etc/glance"
step "neutron: db sync" "$O/logs/neutron-setup.log"
wait $P_NEUTRON
uwsgi_app neutron-api "$P_NET" neutron.wsgi.api:application "OS_NEUTRON_CONFIG_DIR=$O/etc/neutron" \
  "OS_NEUTRON_CONFIG_FILES=neutron.conf"
step "keystone: register services" "$O/logs/register.log"
wait $P_REGISTER
step "nova: db sync + cells" "$O/logs/nova-setup.log"
wait $P_NOVASETUP
NOVA_CONF=(--config-file "$O/etc/nova/nova.conf")
daemon nova-conductor "$V/bin/nova-conductor" "${NOVA_CONF[@]}" --config-file "$O/etc/nova/nova-db.conf"
daemon nova-scheduler "$V/bin/nova-scheduler" "${NOVA_CONF[@]}" --config-file "$O/etc/nova/nova-db.conf"
for h in $HOSTS; do
  daemon "nova-compute-$h" "$V/bin/nova-compute" "${NOVA_CONF[@]}" \
    --config-file "$O/etc/nova/nova-compute-$h.conf"
done
uwsgi_app nova-api "$P_NOVA" nova.wsgi.osapi_compute:application "OS_NOVA_CONFIG_DIR=$O/etc/nova" \
  "OS_NOVA_CONFIG_FILES=api-paste.ini;nova.conf;nova-db.conf;nova-api.conf"
step "cinder: db sync" "$O/logs/cinder-setup.log"
wait $P_CINDER
daemon cinder-scheduler "$V/bin/cinder-scheduler" --config-file "$O/etc/cinder/cinder.conf"
daemon cinder-volume env "PYTHONPATH=$HERE/lib/fakecap" "$V/bin/cinder-volume" \
  --config-file "$O/etc/cinder/cinder.conf"
# cinder's wsgi app parses sys.argv for its config files -> --pyargv
UWSGI_EXTRA="--pyargv=--config-file=$O/etc/cinder/cinder.conf --config-file=$O/etc/cinder/cinder-api.conf" \
  uwsgi_app cinder-api "$P_CIN" cinder.wsgi.api:application

# ready = all APIs answer, both compute hosts are 'up' hypervisors and Placement providers,
# both cinder backends are 'up' and known to the scheduler
step "wait until ready" "$O/logs/ready.log"
"$PY" "$HERE/lib/wait_ready.py" all "${OSLAB_READY_TIMEOUT:-300}" "${HOSTS// /,}" fast,bulk \
  "http://127.0.0.1:$P_PL/" "http://127.0.0.1:$P_GL/" "http://127.0.0.1:$P_NET/" \
  "http://127.0.0.1:$P_NOVA/" "http://127.0.0.1:$P_CIN/" > "$O/logs/ready.log" 2>&1
step "topology: aggregates, zone, networks, router, volume types" "$O/logs/topology.log"
"$PY" "$HERE/lib/topology.py" "$O/topology.json" 2>&1 | quiet > "$O/logs/topology.log"
step "READY"
