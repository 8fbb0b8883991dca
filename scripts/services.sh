#!/usr/bin/env bash
# Test services for gwdeploy: a private dockerd (unix socket, and tcp+TLS on 127.0.0.1 with
# throw-away certificates made by openssl when dockerd starts), two docker registries (one with
# htpasswd auth), moto_server, RabbitMQ, NATS and a single-node KRaft Kafka, all on 127.0.0.1. Idempotent.
#
#   scripts/services.sh start [NAME...]
#                                start whatever is not running (default: all; names as for stop),
#                                wait until ready, write the env file
#   scripts/services.sh stop [dockerd registry auth-registry moto rabbitmq nats kafka]
#                                stop those (default: all) that this script started
#   scripts/services.sh status   show each service and exit non-zero if one is down
#
# `start` also builds (cached machine-wide) and starts the test Kubernetes, scripts/k8s/cluster.sh
# (GWDEPLOY_K8S=0 leaves it out); `stop k8s` stops it.
# Afterwards: `source .ci/state/services.env` (DOCKER_HOST, GWDEPLOY_TEST_* variables).
# Service state (data, logs, registry credentials) is machine-wide in $GWDEPLOY_STATE_DIR
# (default /var/lib/gwdeploy-test) so every checkout on the machine shares the same services;
# the env file is written there and to this checkout's .ci/state/services.env.
# With GWDEPLOY_SERVICES_STARTED_FILE set, `start` appends the names of the services it
# actually started (so CI stops only those).
# Overridable: GWDEPLOY_STATE_DIR, GWDEPLOY_RUN_DIR, GWDEPLOY_DOCKER_DATA, GWDEPLOY_REGISTRY_PORT,
# GWDEPLOY_AUTH_REGISTRY_PORT, GWDEPLOY_MOTO_PORT, GWDEPLOY_DOCKER_TLS_PORT, GWDEPLOY_AMQP_PORT,
# GWDEPLOY_NATS_PORT, GWDEPLOY_KAFKA_PORT (its controller listens on the next port), GWDEPLOY_KAFKA_LIBS.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${GWDEPLOY_STATE_DIR:-/var/lib/gwdeploy-test}"
RUN_DIR="${GWDEPLOY_RUN_DIR:-/run/gwdeploy-test}"
DOCKER_DATA="${GWDEPLOY_DOCKER_DATA:-/var/lib/gwdeploy-docker}"
REGISTRY_PORT="${GWDEPLOY_REGISTRY_PORT:-5000}"
AUTH_REGISTRY_PORT="${GWDEPLOY_AUTH_REGISTRY_PORT:-5001}"
MOTO_PORT="${GWDEPLOY_MOTO_PORT:-5002}"
DOCKER_TLS_PORT="${GWDEPLOY_DOCKER_TLS_PORT:-5003}"
AMQP_PORT="${GWDEPLOY_AMQP_PORT:-5672}"
NATS_PORT="${GWDEPLOY_NATS_PORT:-4222}"
KAFKA_PORT="${GWDEPLOY_KAFKA_PORT:-9092}"
KAFKA_LIBS="${GWDEPLOY_KAFKA_LIBS:-$(bash "$ROOT/scripts/kafka/fetch.sh" --dir)}"
DOCKER_SOCK="$RUN_DIR/docker.sock"
DOCKER_TLS_DIR="$STATE_DIR/docker-tls"
BRIDGE="${GWDEPLOY_DOCKER_BRIDGE:-gwd-docker0}"
BRIDGE_CIDR="${GWDEPLOY_DOCKER_BRIDGE_CIDR:-172.31.250.1/24}"
ENV_FILE="$ROOT/.ci/state/services.env"
STARTED_FILE="${GWDEPLOY_SERVICES_STARTED_FILE:-/dev/null}"

log() { printf '[services] %s\n' "$*" >&2; }
die() {
  printf '[services] ERROR: %s\n' "$*" >&2
  exit 1
}

pid_alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

wait_for() { # name timeout-seconds command...
  local name="$1" timeout="$2" i
  shift 2
  for ((i = 0; i < timeout * 5; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

http_code() { curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$1" || true; }

# ---------------------------------------------------------------- dockerd

docker_ping() { [[ "$(curl -s --max-time 2 --unix-socket "$DOCKER_SOCK" http://localhost/_ping)" == OK ]]; }

# The client side of the TLS listener, laid out like DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem).
docker_tls_ping() {
  local c="$DOCKER_TLS_DIR/client"
  [[ "$(curl -s --max-time 2 --cacert "$c/ca.pem" --cert "$c/cert.pem" --key "$c/key.pem" \
    "https://127.0.0.1:$DOCKER_TLS_PORT/_ping")" == OK ]]
}

# A fresh CA, a server certificate for 127.0.0.1 and a client certificate (made each time
# dockerd starts; nothing else trusts them).
make_docker_tls() {
  command -v openssl >/dev/null || die "openssl not installed (apt-get install openssl)"
  local d="$DOCKER_TLS_DIR" tmp="$DOCKER_TLS_DIR.new" days=825
  rm -rf "$tmp"
  mkdir -p "$tmp/client"
  if ! (
    umask 077 && cd "$tmp" &&
      openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj "/CN=gwdeploy-test docker CA" \
        -keyout ca-key.pem -out ca.pem &&
      openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server-key.pem -out server.csr &&
      printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >server.ext &&
      openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days "$days" \
        -extfile server.ext -out server-cert.pem &&
      openssl req -newkey rsa:2048 -nodes -subj "/CN=gwdeploy-test client" -keyout client/key.pem -out client.csr &&
      printf 'extendedKeyUsage=clientAuth\n' >client.ext &&
      openssl x509 -req -in client.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days "$days" \
        -extfile client.ext -out client/cert.pem &&
      cp ca.pem client/ca.pem &&
      rm -f ./*.csr ./*.ext ca.srl
  ) >"$STATE_DIR/docker-tls.log" 2>&1; then
    tail -n 20 "$STATE_DIR/docker-tls.log" >&2 || true
    die "openssl could not make the dockerd TLS certificates (log: $STATE_DIR/docker-tls.log)"
  fi
  rm -rf "$d"
  mv "$tmp" "$d"
}

start_dockerd() {
  if docker_ping; then
    log "dockerd already running at unix://$DOCKER_SOCK"
    docker_tls_ping || log "WARNING: that dockerd has no TLS listener on 127.0.0.1:$DOCKER_TLS_PORT (started by an older services.sh): \`$0 stop dockerd && $0 start\` adds it"
    return
  fi
  command -v dockerd >/dev/null || die "dockerd not installed (apt-get install docker.io)"
  mkdir -p "$RUN_DIR" "$DOCKER_DATA" "$STATE_DIR"
  rm -f "$DOCKER_SOCK"
  make_docker_tls
  local args=(
    --host "unix://$DOCKER_SOCK"
    --host "tcp://127.0.0.1:$DOCKER_TLS_PORT"
    --tlsverify
    --tlscacert "$DOCKER_TLS_DIR/ca.pem"
    --tlscert "$DOCKER_TLS_DIR/server-cert.pem"
    --tlskey "$DOCKER_TLS_DIR/server-key.pem"
    --data-root "$DOCKER_DATA"
    --exec-root "$RUN_DIR/docker-exec"
    --pidfile "$RUN_DIR/dockerd.pid"
    --containerd-namespace gwdeploy-test
    --containerd-plugins-namespace gwdeploy-test-plugins
  )
  # No NAT: iptables is not needed (and often not usable in sandboxes). Containers sit on a
  # private bridge; published ports go through docker-proxy (userland proxy), which is all
  # the tests need (they publish on 127.0.0.1 only).
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
  args+=(--iptables=false --ip6tables=false --ip-masq=false --bridge "$BRIDGE")
  log "starting dockerd (unix://$DOCKER_SOCK and tcp+TLS 127.0.0.1:$DOCKER_TLS_PORT, data $DOCKER_DATA)"
  setsid dockerd "${args[@]}" >"$STATE_DIR/dockerd.log" 2>&1 </dev/null &
  if ! wait_for dockerd 60 docker_ping; then
    tail -n 30 "$STATE_DIR/dockerd.log" >&2 || true
    die "dockerd did not become ready within 60s (log: $STATE_DIR/dockerd.log)"
  fi
  if ! wait_for dockerd-tls 10 docker_tls_ping; then
    tail -n 30 "$STATE_DIR/dockerd.log" >&2 || true
    die "dockerd answers on unix://$DOCKER_SOCK but not on tcp+TLS 127.0.0.1:$DOCKER_TLS_PORT (log: $STATE_DIR/dockerd.log)"
  fi
  log "dockerd ready"
  echo dockerd >>"$STARTED_FILE"
}

stop_dockerd() {
  local pidfile="$RUN_DIR/dockerd.pid"
  if pid_alive "$pidfile"; then
    local pid
    pid="$(cat "$pidfile")"
    log "stopping dockerd ($pid)"
    kill "$pid" 2>/dev/null || true
    wait_for dockerd-exit 30 bash -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
  fi
}

# ---------------------------------------------------------------- registries

registry_config() { # port auth(0|1) dir
  local port="$1" auth="$2" dir="$3"
  cat <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
  secret: gwdeploy-test-$port
EOF
  if [[ "$auth" == 1 ]]; then
    cat <<EOF
auth:
  htpasswd:
    realm: gwdeploy-test
    path: $dir/htpasswd
EOF
  fi
}

ensure_credentials() {
  local dir="$STATE_DIR/registry-$AUTH_REGISTRY_PORT"
  mkdir -p "$dir"
  if [[ ! -s "$dir/password" ]]; then
    # In a subshell: a umask left at 077 here reached every service started after it (containerd
    # then made image layers only root can enter, and no non-root pod could start).
    (
      umask 077
      head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$dir/password"
      echo gwdeploy-test >"$dir/user"
    )
  fi
  if [[ ! -s "$dir/htpasswd" ]]; then
    command -v htpasswd >/dev/null || die "htpasswd not installed (apt-get install apache2-utils)"
    htpasswd -Bbn "$(cat "$dir/user")" "$(cat "$dir/password")" >"$dir/htpasswd" 2>/dev/null
  fi
}

start_registry() { # port auth
  local port="$1" auth="$2" dir="$STATE_DIR/registry-$1"
  local expect=200
  [[ "$auth" == 1 ]] && expect=401
  if [[ "$(http_code "http://127.0.0.1:$port/v2/")" == "$expect" ]]; then
    log "registry already running on 127.0.0.1:$port"
    return
  fi
  command -v docker-registry >/dev/null || die "docker-registry not installed (apt-get install docker-registry)"
  mkdir -p "$dir/data"
  registry_config "$port" "$auth" "$dir" >"$dir/config.yml"
  log "starting registry on 127.0.0.1:$port$([[ "$auth" == 1 ]] && echo ' (htpasswd auth)')"
  setsid docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
  echo $! >"$dir/registry.pid"
  if [[ "$auth" == 1 ]]; then echo auth-registry >>"$STARTED_FILE"; else echo registry >>"$STARTED_FILE"; fi
  if ! wait_for "registry-$port" 30 bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$port/v2/) == $expect ]]"; then
    tail -n 20 "$dir/registry.log" >&2 || true
    die "registry on 127.0.0.1:$port did not become ready (log: $dir/registry.log)"
  fi
}

stop_pidfile() { # name pidfile
  if pid_alive "$2"; then
    log "stopping $1 ($(cat "$2"))"
    kill "$(cat "$2")" 2>/dev/null || true
  fi
  rm -f "$2"
}

# ---------------------------------------------------------------- moto

start_moto() {
  local dir="$STATE_DIR/moto"
  if [[ "$(http_code "http://127.0.0.1:$MOTO_PORT/moto-api/")" == 200 ]]; then
    log "moto_server already running on 127.0.0.1:$MOTO_PORT"
    return
  fi
  command -v moto_server >/dev/null || die "moto_server not installed (pip install 'moto[server]')"
  mkdir -p "$dir"
  log "starting moto_server on 127.0.0.1:$MOTO_PORT"
  # moto's Lambda runs each function in a container of the private dockerd (started before moto).
  DOCKER_HOST="unix://$DOCKER_SOCK" setsid moto_server -H 127.0.0.1 -p "$MOTO_PORT" >"$dir/moto.log" 2>&1 </dev/null &
  echo $! >"$dir/moto.pid"
  echo moto >>"$STARTED_FILE"
  if ! wait_for moto 60 bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$MOTO_PORT/moto-api/) == 200 ]]"; then
    tail -n 20 "$dir/moto.log" >&2 || true
    die "moto_server did not become ready (log: $dir/moto.log)"
  fi
}

# ---------------------------------------------------------------- rabbitmq, nats

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# RabbitMQ as Debian's rabbitmq user, everything on 127.0.0.1 (AMQP, epmd, Erlang distribution),
# its data under $STATE_DIR/rabbitmq; the default guest user may connect from loopback only.
start_rabbitmq() {
  local dir="$STATE_DIR/rabbitmq"
  if port_open "$AMQP_PORT"; then
    log "something already listens on 127.0.0.1:$AMQP_PORT (RabbitMQ)"
    return
  fi
  [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || die "rabbitmq-server not installed (apt-get install rabbitmq-server)"
  mkdir -p "$dir"
  chown rabbitmq:rabbitmq "$dir"
  log "starting RabbitMQ on 127.0.0.1:$AMQP_PORT"
  (cd /var/lib/rabbitmq && exec setsid su rabbitmq -s /bin/sh -c "HOME=/var/lib/rabbitmq \
    RABBITMQ_NODENAME=gwdeploy@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$AMQP_PORT \
    RABBITMQ_DIST_PORT=$((AMQP_PORT + 20000)) ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}' \
    RABBITMQ_MNESIA_BASE=$dir/mnesia RABBITMQ_LOG_BASE=$dir/log RABBITMQ_PID_FILE=$dir/rabbitmq.pid \
    RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins exec /usr/lib/rabbitmq/bin/rabbitmq-server") \
    >"$dir/rabbitmq.out" 2>&1 </dev/null &
  echo rabbitmq >>"$STARTED_FILE"
  if ! wait_for rabbitmq 120 port_open "$AMQP_PORT"; then
    tail -n 30 "$dir/rabbitmq.out" >&2 || true
    die "RabbitMQ did not listen on 127.0.0.1:$AMQP_PORT within 120s (logs: $dir)"
  fi
}

stop_rabbitmq() {
  local pidfile="$STATE_DIR/rabbitmq/rabbitmq.pid" pid
  if pid_alive "$pidfile"; then
    pid="$(cat "$pidfile")"
    stop_pidfile RabbitMQ "$pidfile"
    wait_for rabbitmq-exit 30 bash -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
  fi
  # Erlang's port mapper, started by RabbitMQ, outlives it (it refuses to stop while a node is up).
  epmd -kill >/dev/null 2>&1 || true
}

start_nats() {
  local dir="$STATE_DIR/nats"
  if port_open "$NATS_PORT"; then
    log "something already listens on 127.0.0.1:$NATS_PORT (NATS)"
    return
  fi
  command -v nats-server >/dev/null || die "nats-server not installed (apt-get install nats-server)"
  mkdir -p "$dir"
  log "starting NATS on 127.0.0.1:$NATS_PORT"
  setsid nats-server -a 127.0.0.1 -p "$NATS_PORT" -P "$dir/nats.pid" >"$dir/nats.log" 2>&1 </dev/null &
  echo nats >>"$STARTED_FILE"
  if ! wait_for nats 30 port_open "$NATS_PORT"; then
    tail -n 20 "$dir/nats.log" >&2 || true
    die "NATS did not listen on 127.0.0.1:$NATS_PORT within 30s (log: $dir/nats.log)"
  fi
}

# ---------------------------------------------------------------- kafka

# Kafka's ApiVersions request (v0, correlation id 1, no client id): a broker answers with the same
# correlation id and error code 0 once it serves clients (a bare open port is not enough).
kafka_ping() {
  local reply
  reply="$(timeout 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$KAFKA_PORT &&
    printf '\\x00\\x00\\x00\\x0a\\x00\\x12\\x00\\x00\\x00\\x00\\x00\\x01\\xff\\xff' >&3 &&
    head -c 10 <&3 | od -An -tx1" 2>/dev/null | tr -d ' \n')" || return 1
  [[ "$reply" =~ ^[0-9a-f]{8}000000010000$ ]]
}

# A single-node KRaft Kafka (broker and controller in one JVM, bounded heap), both listeners on
# 127.0.0.1, its data under $STATE_DIR/kafka; the jars come from scripts/kafka/fetch.sh.
start_kafka() {
  local dir="$STATE_DIR/kafka" controller=$((KAFKA_PORT + 1))
  if kafka_ping; then
    log "Kafka already running on 127.0.0.1:$KAFKA_PORT"
    return
  fi
  if port_open "$KAFKA_PORT"; then die "something that does not answer as Kafka listens on 127.0.0.1:$KAFKA_PORT"; fi
  command -v java >/dev/null || die "java not installed (apt-get install openjdk-17-jre-headless)"
  compgen -G "$KAFKA_LIBS/kafka_2.13-*.jar" >/dev/null || die "no Kafka jars in $KAFKA_LIBS (run scripts/kafka/fetch.sh)"
  mkdir -p "$dir/data"
  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
  local java=(java -Xms128m -Xmx512m -XX:+UseSerialGC -Djava.awt.headless=true -cp "$KAFKA_LIBS/*")
  if [[ ! -f "$dir/data/meta.properties" ]]; then
    log "formatting Kafka's storage in $dir/data"
    local id
    id="$(timeout 120 "${java[@]}" kafka.tools.StorageTool random-uuid 2>"$dir/format.log")" ||
      die "kafka-storage random-uuid failed (log: $dir/format.log)"
    if ! timeout 120 "${java[@]}" kafka.tools.StorageTool format --ignore-formatted -t "$id" \
      -c "$dir/server.properties" >>"$dir/format.log" 2>&1; then
      tail -n 20 "$dir/format.log" >&2 || true
      die "kafka-storage format failed (log: $dir/format.log)"
    fi
  fi
  log "starting Kafka on 127.0.0.1:$KAFKA_PORT (controller 127.0.0.1:$controller)"
  setsid "${java[@]}" kafka.Kafka "$dir/server.properties" >"$dir/kafka.log" 2>&1 </dev/null &
  echo $! >"$dir/kafka.pid"
  echo kafka >>"$STARTED_FILE"
  if ! wait_for kafka 120 kafka_ping; then
    tail -n 30 "$dir/kafka.log" >&2 || true
    die "Kafka did not answer on 127.0.0.1:$KAFKA_PORT within 120s (log: $dir/kafka.log)"
  fi
}

stop_kafka() {
  local pidfile="$STATE_DIR/kafka/kafka.pid" pid
  if pid_alive "$pidfile"; then
    pid="$(cat "$pidfile")"
    stop_pidfile Kafka "$pidfile"
    wait_for kafka-exit 60 bash -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
  fi
}

# ---------------------------------------------------------------- env file

write_env() (
  local dir="$STATE_DIR/registry-$AUTH_REGISTRY_PORT"
  local tmp="$STATE_DIR/services.env.tmp"
  umask 077
  {
    echo "# written by scripts/services.sh; source it to talk to the test services"
    echo "export DOCKER_HOST=unix://$DOCKER_SOCK"
    echo "export GWDEPLOY_TEST_DOCKER_HOST=unix://$DOCKER_SOCK"
    echo "export GWDEPLOY_TEST_DOCKER_TLS_HOST=tcp://127.0.0.1:$DOCKER_TLS_PORT"
    echo "export GWDEPLOY_TEST_DOCKER_CERT_PATH=$DOCKER_TLS_DIR/client"
    echo "export GWDEPLOY_TEST_REGISTRY=127.0.0.1:$REGISTRY_PORT"
    echo "export GWDEPLOY_TEST_AUTH_REGISTRY=127.0.0.1:$AUTH_REGISTRY_PORT"
    echo "export GWDEPLOY_TEST_REGISTRY_USER=$(cat "$dir/user")"
    echo "export GWDEPLOY_TEST_REGISTRY_PASSWORD=$(cat "$dir/password")"
    echo "export GWDEPLOY_TEST_MOTO_ENDPOINT=http://127.0.0.1:$MOTO_PORT"
    echo "export GWDEPLOY_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:$AMQP_PORT"
    echo "export GWDEPLOY_TEST_NATS_URL=nats://127.0.0.1:$NATS_PORT"
    echo "export GWDEPLOY_TEST_KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT"
    echo "export GWDEPLOY_TEST_BASE_IMAGE=${GWDEPLOY_TEST_BASE_IMAGE:-gwdeploy-test/node:24-slim}"
    [[ "${GWDEPLOY_K8S:-1}" == 0 ]] || bash "$ROOT/scripts/k8s/cluster.sh" env
  } >"$tmp"
  mkdir -p "$(dirname "$ENV_FILE")"
  cp "$tmp" "$ENV_FILE"
  mv "$tmp" "$STATE_DIR/services.env"
  log "wrote $ENV_FILE"
)

# ---------------------------------------------------------------- commands

cmd_start() {
  mkdir -p "$STATE_DIR"
  ensure_credentials
  if (($#)); then
    local name
    for name in "$@"; do
      case "$name" in
      dockerd | moto | rabbitmq | nats | kafka | k8s) "start_$name" ;;
      registry) start_registry "$REGISTRY_PORT" 0 ;;
      auth-registry) start_registry "$AUTH_REGISTRY_PORT" 1 ;;
      *) die "unknown service: $name" ;;
      esac
    done
    write_env
    return
  fi
  start_dockerd
  start_registry "$REGISTRY_PORT" 0
  start_registry "$AUTH_REGISTRY_PORT" 1
  start_moto
  start_rabbitmq
  start_nats
  start_kafka
  start_k8s
  write_env
}

# ---------------------------------------------------------------- kubernetes (scripts/k8s)

start_k8s() {
  [[ "${GWDEPLOY_K8S:-1}" == 0 ]] && return
  bash "$ROOT/scripts/k8s/cluster.sh" status >/dev/null 2>&1 || echo k8s >>"$STARTED_FILE"
  DOCKER_HOST="unix://$DOCKER_SOCK" GWDEPLOY_TEST_REGISTRY="127.0.0.1:$REGISTRY_PORT" \
    bash "$ROOT/scripts/k8s/cluster.sh" start
}

cmd_stop() {
  local names=("$@")
  ((${#names[@]})) || names=(k8s kafka nats rabbitmq moto auth-registry registry dockerd)
  local name
  for name in "${names[@]}"; do
    case "$name" in
    k8s) bash "$ROOT/scripts/k8s/cluster.sh" stop ;;
    moto) stop_pidfile moto_server "$STATE_DIR/moto/moto.pid" ;;
    rabbitmq) stop_rabbitmq ;;
    nats) stop_pidfile nats-server "$STATE_DIR/nats/nats.pid" ;;
    kafka) stop_kafka ;;
    auth-registry) stop_pidfile "registry :$AUTH_REGISTRY_PORT" "$STATE_DIR/registry-$AUTH_REGISTRY_PORT/registry.pid" ;;
    registry) stop_pidfile "registry :$REGISTRY_PORT" "$STATE_DIR/registry-$REGISTRY_PORT/registry.pid" ;;
    dockerd) stop_dockerd ;;
    *) die "unknown service: $name" ;;
    esac
  done
}

cmd_status() {
  local ok=0
  if docker_ping; then echo "dockerd      up    unix://$DOCKER_SOCK"; else echo "dockerd      DOWN  unix://$DOCKER_SOCK"; ok=1; fi
  if docker_tls_ping; then echo "dockerd+tls  up    tcp://127.0.0.1:$DOCKER_TLS_PORT"; else echo "dockerd+tls  DOWN  tcp://127.0.0.1:$DOCKER_TLS_PORT"; ok=1; fi
  local code
  code="$(http_code "http://127.0.0.1:$REGISTRY_PORT/v2/")"
  if [[ "$code" == 200 ]]; then echo "registry     up    127.0.0.1:$REGISTRY_PORT"; else echo "registry     DOWN  127.0.0.1:$REGISTRY_PORT"; ok=1; fi
  code="$(http_code "http://127.0.0.1:$AUTH_REGISTRY_PORT/v2/")"
  if [[ "$code" == 401 ]]; then echo "registry+auth up   127.0.0.1:$AUTH_REGISTRY_PORT"; else echo "registry+auth DOWN 127.0.0.1:$AUTH_REGISTRY_PORT"; ok=1; fi
  code="$(http_code "http://127.0.0.1:$MOTO_PORT/moto-api/")"
  if [[ "$code" == 200 ]]; then echo "moto_server  up    http://127.0.0.1:$MOTO_PORT"; else echo "moto_server  DOWN  http://127.0.0.1:$MOTO_PORT"; ok=1; fi
  if port_open "$AMQP_PORT"; then echo "rabbitmq     up    127.0.0.1:$AMQP_PORT"; else echo "rabbitmq     DOWN  127.0.0.1:$AMQP_PORT"; ok=1; fi
  if port_open "$NATS_PORT"; then echo "nats         up    127.0.0.1:$NATS_PORT"; else echo "nats         DOWN  127.0.0.1:$NATS_PORT"; ok=1; fi
  if kafka_ping; then echo "kafka        up    127.0.0.1:$KAFKA_PORT"; else echo "kafka        DOWN  127.0.0.1:$KAFKA_PORT"; ok=1; fi
  if [[ "${GWDEPLOY_K8S:-1}" != 0 ]]; then bash "$ROOT/scripts/k8s/cluster.sh" status || ok=1; fi
  return "$ok"
}

cmd="${1:-}"
shift || true
case "$cmd" in
start) cmd_start "$@" ;;
stop) cmd_stop "$@" ;;
status) cmd_status ;;
restart)
  cmd_stop
  cmd_start
  ;;
*)
  echo "usage: $0 start|stop|status|restart" >&2
  exit 2
  ;;
esac
