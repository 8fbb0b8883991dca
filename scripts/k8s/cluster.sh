#!/usr/bin/env bash
# A real single-node Kubernetes on 127.0.0.1 for the tests, built here (scripts/k8s/build.sh):
# etcd, kube-apiserver (Node,RBAC authorization, a static admin token, openssl-made
# certificates), kube-controller-manager, kube-scheduler, and a node: a private containerd
# (Debian's containerd + runc, the bridge plugin of containernetworking-plugins), kubelet and
# kube-proxy (iptables mode: Service ClusterIPs answer from this machine; NodePorts are not opened).
# The pod sandbox image is built here from pause/pause.c and pushed to the test registry, which
# containerd reaches through an HTTP mirror. Idempotent, like scripts/services.sh.
#
#   scripts/k8s/cluster.sh start    build (cached), start what is not running, wait for a Ready node
#   scripts/k8s/cluster.sh stop     stop everything this script started (data is kept)
#   scripts/k8s/cluster.sh status   show each part; non-zero if one is down
#   scripts/k8s/cluster.sh env      print the variables for services.env
#
# Needs (as root): go (build), openssl, curl, containerd, runc, containernetworking-plugins,
# gcc + libc6-dev (the pause program), and the test dockerd + registry (scripts/services.sh)
# for the pause image. Everything listens on 127.0.0.1 only.
# Overridable: GWDEPLOY_STATE_DIR, GWDEPLOY_RUN_DIR, GWDEPLOY_K8S_APISERVER_PORT (16443),
# GWDEPLOY_K8S_ETCD_PORT (12379; peer port +1), GWDEPLOY_TEST_REGISTRY (127.0.0.1:5000),
# GWDEPLOY_CNI_BIN (/usr/lib/cni), plus build.sh's variables.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="${GWDEPLOY_STATE_DIR:-/var/lib/gwdeploy-test}/k8s"
RUN="${GWDEPLOY_RUN_DIR:-/run/gwdeploy-test}/k8s"
API_PORT="${GWDEPLOY_K8S_APISERVER_PORT:-16443}"
ETCD_PORT="${GWDEPLOY_K8S_ETCD_PORT:-12379}"
ETCD_PEER_PORT="$((ETCD_PORT + 1))"
REGISTRY="${GWDEPLOY_TEST_REGISTRY:-127.0.0.1:5000}"
CNI_BIN="${GWDEPLOY_CNI_BIN:-/usr/lib/cni}"
# The node's name doubles as its Hostname address: the API server reaches kubelet at 127.0.0.1.
NODE=127.0.0.1
SERVICE_CIDR=10.96.0.0/24
POD_CIDR=10.88.0.0/16
CNI_BRIDGE=gwd-cni0
PAUSE_IMAGE="$REGISTRY/gwdeploy-test/pause:1"
PKI="$STATE/pki"
LOGS="$STATE/logs"
CONTAINERD_SOCK="$RUN/containerd.sock"
API="https://127.0.0.1:$API_PORT"
ADMIN_KUBECONFIG="$STATE/admin.kubeconfig"
PARTS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy)

log() { printf '[k8s] %s\n' "$*" >&2; }
die() {
  printf '[k8s] ERROR: %s\n' "$*" >&2
  exit 1
}
pid_alive() { [[ -f "$RUN/$1.pid" ]] && kill -0 "$(cat "$RUN/$1.pid")" 2>/dev/null; }
wait_for() { # seconds command...
  local timeout="$1" i
  shift
  for ((i = 0; i < timeout * 5; i++)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}
admin_token() { cat "$STATE/admin-token" 2>/dev/null; }
api_get() { curl -sf --max-time 3 --cacert "$PKI/ca.crt" -H "Authorization: Bearer $(admin_token)" "$API$1"; }

# Starts one daemon in its own session, logging to $LOGS/NAME.log; the pid goes to $RUN/NAME.pid.
launch() { # name command...
  local name="$1"
  shift
  log "starting $name"
  setsid "$@" >"$LOGS/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN/$name.pid"
}
fail_with_log() { # name message
  tail -n 30 "$LOGS/$1.log" >&2 || true
  die "$2 (log: $LOGS/$1.log)"
}

# ---------------------------------------------------------------- certificates and credentials

sign() { # name subject extensions [ca-key-usage]
  local name="$1" subject="$2" ext="$3"
  openssl req -newkey rsa:2048 -nodes -subj "$subject" -keyout "$name.key" -out "$name.csr"
  printf '%s\n' "$ext" >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -extfile "$name.ext" -out "$name.crt"
  rm -f "$name.csr" "$name.ext"
}

make_pki() {
  [[ -f "$PKI/done" ]] && return
  command -v openssl >/dev/null || die "openssl not installed (apt-get install openssl)"
  log "making certificates and tokens in $PKI"
  local tmp="$PKI.new"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  if ! (
    umask 077 && cd "$tmp" &&
      openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=gwdeploy-test kubernetes CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign,digitalSignature" \
        -keyout ca.key -out ca.crt &&
      sign apiserver "/CN=kube-apiserver" "subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local
extendedKeyUsage=serverAuth" &&
      sign apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "extendedKeyUsage=clientAuth" &&
      sign kubelet-client "/O=system:nodes/CN=system:node:$NODE" "extendedKeyUsage=clientAuth" &&
      sign kubelet-serving "/CN=$NODE" "subjectAltName=IP:127.0.0.1
extendedKeyUsage=serverAuth" &&
      openssl genrsa -out sa.key 2048 && openssl rsa -in sa.key -pubout -out sa.pub &&
      rm -f ca.srl
  ) >"$STATE/pki.log" 2>&1; then
    tail -n 20 "$STATE/pki.log" >&2
    die "openssl could not make the certificates (log: $STATE/pki.log)"
  fi
  # Static tokens, one per component identity (their bootstrap RBAC bindings come with Kubernetes).
  local token name user group
  while read -r name user group; do
    token="$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
    (
      umask 077
      echo "$token,$user,$user,$group" >>"$tmp/tokens.csv"
      echo "$token" >"$tmp/$name-token"
    )
  done <<EOF
admin admin system:masters
controller-manager system:kube-controller-manager system:kube-controller-manager
scheduler system:kube-scheduler system:kube-scheduler
kube-proxy system:kube-proxy system:node-proxier
EOF
  date -u +%FT%TZ >"$tmp/done"
  rm -rf "$PKI"
  mv "$tmp" "$PKI"
}

# kubeconfig NAME with a token or a client certificate.
write_kubeconfig() { # file user token|cert:NAME
  local file="$1" user="$2" cred="$3" auth
  if [[ "$cred" == cert:* ]]; then
    auth="    client-certificate: $PKI/${cred#cert:}.crt
    client-key: $PKI/${cred#cert:}.key"
  else
    auth="    token: $cred"
  fi
  (
    umask 077
    cat >"$file" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: gwdeploy-test
  cluster:
    server: $API
    certificate-authority: $PKI/ca.crt
users:
- name: $user
  user:
$auth
contexts:
- name: gwdeploy-test
  context:
    cluster: gwdeploy-test
    user: $user
current-context: gwdeploy-test
EOF
  )
}

write_kubeconfigs() {
  cp "$PKI/admin-token" "$STATE/admin-token"
  chmod 600 "$STATE/admin-token"
  write_kubeconfig "$ADMIN_KUBECONFIG" admin "$(cat "$PKI/admin-token")"
  write_kubeconfig "$STATE/controller-manager.kubeconfig" system:kube-controller-manager "$(cat "$PKI/controller-manager-token")"
  write_kubeconfig "$STATE/scheduler.kubeconfig" system:kube-scheduler "$(cat "$PKI/scheduler-token")"
  write_kubeconfig "$STATE/kube-proxy.kubeconfig" system:kube-proxy "$(cat "$PKI/kube-proxy-token")"
  write_kubeconfig "$STATE/kubelet.kubeconfig" "system:node:$NODE" cert:kubelet-client
}

# ---------------------------------------------------------------- control plane

etcd_ready() { [[ "$(curl -s --max-time 2 "http://127.0.0.1:$ETCD_PORT/health")" == *'"health":"true"'* ]]; }
apiserver_ready() { [[ "$(api_get /readyz)" == ok ]]; }
healthz() { [[ "$(curl -sk --max-time 2 "https://127.0.0.1:$1/healthz")" == ok ]]; }

start_etcd() {
  if etcd_ready; then
    log "etcd already running on 127.0.0.1:$ETCD_PORT"
    return
  fi
  mkdir -p "$STATE/etcd"
  chmod 700 "$STATE/etcd"
  launch etcd "$BIN/etcd" --name gwdeploy-test --data-dir "$STATE/etcd" \
    --listen-client-urls "http://127.0.0.1:$ETCD_PORT" --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster "gwdeploy-test=http://127.0.0.1:$ETCD_PEER_PORT" \
    --listen-metrics-urls "" --quota-backend-bytes 2147483648 --log-level warn
  wait_for 60 etcd_ready || fail_with_log etcd "etcd did not become healthy on 127.0.0.1:$ETCD_PORT"
}

# Every request made by a ServiceAccount outside kube-system, at Metadata level: the tests read
# it to prove the shipped Role both sufficient (nothing forbidden) and minimal (every verb used).
write_audit_policy() {
  cat >"$STATE/audit-policy.yaml" <<EOF
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived, ResponseStarted]
rules:
  - level: None
    userGroups: ["system:serviceaccounts:kube-system"]
  - level: Metadata
    userGroups: ["system:serviceaccounts"]
  - level: None
EOF
}

start_apiserver() {
  if apiserver_ready; then
    log "kube-apiserver already running at $API"
    return
  fi
  launch kube-apiserver "$BIN/kube-apiserver" \
    --bind-address 127.0.0.1 --secure-port "$API_PORT" --advertise-address 127.0.0.1 \
    --endpoint-reconciler-type none \
    --etcd-servers "http://127.0.0.1:$ETCD_PORT" \
    --tls-cert-file "$PKI/apiserver.crt" --tls-private-key-file "$PKI/apiserver.key" \
    --client-ca-file "$PKI/ca.crt" --token-auth-file "$PKI/tokens.csv" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction --anonymous-auth=false \
    --service-account-issuer https://kubernetes.default.svc --service-account-key-file "$PKI/sa.pub" \
    --service-account-signing-key-file "$PKI/sa.key" \
    --kubelet-client-certificate "$PKI/apiserver-kubelet-client.crt" --kubelet-client-key "$PKI/apiserver-kubelet-client.key" \
    --kubelet-certificate-authority "$PKI/ca.crt" --kubelet-preferred-address-types Hostname,InternalIP \
    --service-cluster-ip-range "$SERVICE_CIDR" --service-node-port-range 30000-32767 \
    --audit-policy-file "$STATE/audit-policy.yaml" --audit-log-path "$LOGS/audit.log" \
    --audit-log-maxsize 100 --audit-log-maxbackup 1 \
    --allow-privileged=false --profiling=false --v 1
  wait_for 120 apiserver_ready || fail_with_log kube-apiserver "kube-apiserver did not become ready at $API"
}

start_controller_manager() {
  if healthz 10257; then
    log "kube-controller-manager already running"
    return
  fi
  launch kube-controller-manager "$BIN/kube-controller-manager" \
    --bind-address 127.0.0.1 --secure-port 10257 \
    --kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$STATE/controller-manager.kubeconfig" \
    --use-service-account-credentials --service-account-private-key-file "$PKI/sa.key" \
    --root-ca-file "$PKI/ca.crt" --service-cluster-ip-range "$SERVICE_CIDR" \
    --leader-elect=false --profiling=false --v 1
  wait_for 60 healthz 10257 || fail_with_log kube-controller-manager "kube-controller-manager did not become healthy"
}

start_scheduler() {
  if healthz 10259; then
    log "kube-scheduler already running"
    return
  fi
  launch kube-scheduler "$BIN/kube-scheduler" \
    --bind-address 127.0.0.1 --secure-port 10259 \
    --kubeconfig "$STATE/scheduler.kubeconfig" \
    --authentication-kubeconfig "$STATE/scheduler.kubeconfig" \
    --authorization-kubeconfig "$STATE/scheduler.kubeconfig" \
    --leader-elect=false --profiling=false --v 1
  wait_for 60 healthz 10259 || fail_with_log kube-scheduler "kube-scheduler did not become healthy"
}

# ---------------------------------------------------------------- node

# The sandbox ("pause") image: a static C program FROM scratch, in the test registry.
ensure_pause_image() {
  local digest
  digest="$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$REGISTRY/v2/gwdeploy-test/pause/manifests/1" || true)"
  [[ "$digest" == 200 ]] && return
  command -v gcc >/dev/null || die "gcc not installed (apt-get install gcc libc6-dev): needed for the pause image"
  command -v docker >/dev/null || die "docker CLI not installed (apt-get install docker.io)"
  [[ -n "${DOCKER_HOST:-}" ]] || die "DOCKER_HOST is not set: run scripts/services.sh start first (the pause image is built with the test dockerd)"
  log "building the pause image $PAUSE_IMAGE"
  local ctx="$STATE/pause-build"
  rm -rf "$ctx"
  mkdir -p "$ctx"
  gcc -static -Os -s -o "$ctx/pause" "$HERE/pause/pause.c"
  printf 'FROM scratch\nCOPY pause /pause\nUSER 65535:65535\nENTRYPOINT ["/pause"]\n' >"$ctx/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q -t "$PAUSE_IMAGE" "$ctx" >"$LOGS/pause-build.log" 2>&1 ||
    fail_with_log pause-build "docker build of the pause image failed"
  docker push "$PAUSE_IMAGE" >>"$LOGS/pause-build.log" 2>&1 ||
    fail_with_log pause-build "docker push $PAUSE_IMAGE failed (is the test registry up?)"
}

write_node_config() {
  mkdir -p "$STATE/cni/net.d" "$STATE/containerd" "$STATE/kubelet"
  cat >"$STATE/cni/net.d/10-gwdeploy.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "gwdeploy-test",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$CNI_BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{ "subnet": "$POD_CIDR" }]],
        "routes": [{ "dst": "0.0.0.0/0" }],
        "dataDir": "$STATE/cni/ipam"
      }
    },
    { "type": "loopback" }
  ]
}
EOF
  cat >"$STATE/containerd.toml" <<EOF
version = 2
root = "$STATE/containerd"
state = "$RUN/containerd"
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$RUN/containerd.sock.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$STATE/cni/net.d"
  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."$REGISTRY"]
    endpoint = ["http://$REGISTRY"]
EOF
  cat >"$STATE/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: 10250
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: 10248
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: false}
  x509: {clientCAFile: $PKI/ca.crt}
authorization: {mode: AlwaysAllow}
tlsCertFile: $PKI/kubelet-serving.crt
tlsPrivateKeyFile: $PKI/kubelet-serving.key
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
clusterDomain: cluster.local
resolvConf: /etc/resolv.conf
serializeImagePulls: false
maxPods: 40
podPidsLimit: 4096
evictionHard: {memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%}
imageGCHighThresholdPercent: 95
imageGCLowThresholdPercent: 90
EOF
  # No sysctl changes (conntrack limits, route_localnet) and no NodePorts: only ClusterIPs.
  cat >"$STATE/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $STATE/kube-proxy.kubeconfig}
hostnameOverride: "$NODE"
mode: iptables
clusterCIDR: $POD_CIDR
bindAddress: 127.0.0.1
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
# An address no interface has (TEST-NET-1): no NodePort rules at all.
nodePortAddresses: ["192.0.2.1/32"]
iptables: {localhostNodePorts: false, masqueradeAll: false}
conntrack: {maxPerCore: 0, min: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
}

containerd_ready() { [[ -S "$CONTAINERD_SOCK" ]] && ctr --address "$CONTAINERD_SOCK" version >/dev/null 2>&1; }
kubelet_ready() { [[ "$(curl -s --max-time 2 http://127.0.0.1:10248/healthz)" == ok ]]; }
kubelet_ready_or_exited() { kubelet_ready || ! pid_alive kubelet; }
node_ready() {
  api_get "/api/v1/nodes/$NODE" | grep -q '"type":"Ready","status":"True"' ||
    api_get "/api/v1/nodes/$NODE" | tr -d ' \n' | grep -q '"type":"Ready","status":"True"'
}

start_containerd() {
  if containerd_ready; then
    log "containerd already running at $CONTAINERD_SOCK"
    return
  fi
  command -v containerd >/dev/null || die "containerd not installed (apt-get install containerd runc)"
  [[ -x "$CNI_BIN/bridge" && -x "$CNI_BIN/host-local" && -x "$CNI_BIN/loopback" ]] ||
    die "CNI plugins missing in $CNI_BIN (apt-get install containernetworking-plugins)"
  rm -f "$CONTAINERD_SOCK"
  # containerd makes each image layer's directory with the umask it inherits and copies the base
  # layer's mode to every layer above: under 077 the containers' root is 0700 and a non-root
  # process cannot even find its binary ("exec: node: executable file not found in $PATH").
  (
    umask 022
    launch containerd containerd --config "$STATE/containerd.toml"
  )
  wait_for 60 containerd_ready || fail_with_log containerd "containerd did not answer on $CONTAINERD_SOCK"
}

start_kubelet() {
  if kubelet_ready; then
    log "kubelet already running"
  else
    # containerd answers before its CRI service is initialized; kubelet then exits at once with
    # "server is not initialized yet". Relaunch it while that is the reason.
    local attempt
    for attempt in 1 2 3 4 5 6; do
      launch kubelet "$BIN/kubelet" --config "$STATE/kubelet.yaml" --kubeconfig "$STATE/kubelet.kubeconfig" \
        --root-dir "$STATE/kubelet" --hostname-override "$NODE" --v 1
      wait_for 60 kubelet_ready_or_exited
      kubelet_ready && break
      grep -q 'not initialized yet' "$LOGS/kubelet.log" 2>/dev/null || break
      log "kubelet: containerd's CRI service not initialized yet (attempt $attempt), retrying"
      sleep 2
    done
    kubelet_ready || fail_with_log kubelet "kubelet did not become healthy"
  fi
  wait_for 120 node_ready || fail_with_log kubelet "node $NODE did not become Ready"
  log "node $NODE Ready"
}

proxy_ready() { [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 http://127.0.0.1:10256/healthz)" == 200 ]]; }

start_kube_proxy() {
  if proxy_ready; then
    log "kube-proxy already running"
    return
  fi
  command -v iptables >/dev/null || die "iptables not installed (apt-get install iptables): kube-proxy needs it"
  launch kube-proxy "$BIN/kube-proxy" --config "$STATE/kube-proxy.yaml" --v 1
  wait_for 60 proxy_ready || fail_with_log kube-proxy "kube-proxy did not become healthy"
}

# ---------------------------------------------------------------- commands

cmd_env() {
  echo "export GWDEPLOY_TEST_KUBECONFIG=$ADMIN_KUBECONFIG"
  echo "export GWDEPLOY_TEST_KUBE_NODE=$NODE"
  echo "export GWDEPLOY_TEST_KUBE_AUDIT_LOG=$LOGS/audit.log"
}

# Packets for the cluster's private ranges must never leave this machine. Service IPs are routed to
# an empty bridge (this kernel has no dummy driver; a bridge without ports delivers nowhere):
# kube-proxy's DNAT in the OUTPUT chain re-routes them to a pod on the pod bridge. A packet that no
# Service rule rewrote (a ClusterIP kube-proxy has not programmed yet) is refused in filter OUTPUT,
# as kube-proxy's nftables mode does: sent to the sink instead, its SYN would fail only after ARP
# gives up (3 s), and its conntrack entry — created without NAT, kept 120 s in SYN_SENT — would
# capture any later connection that reuses the source port, after the Service works, and send it to
# the sink too. Refused before conntrack confirms it, no such entry is left. Pod IPs go to a
# blackhole whenever the pod bridge's own route is absent.
SERVICE_SINK=gwd-kube-svc
UNPROGRAMMED_SERVICE_RULES=(
  "OUTPUT -d $SERVICE_CIDR -p tcp -m comment --comment gwdeploy-test:unprogrammed-service -j REJECT --reject-with tcp-reset"
  "OUTPUT -d $SERVICE_CIDR -m comment --comment gwdeploy-test:unprogrammed-service -j REJECT --reject-with icmp-port-unreachable"
)
contain_network() {
  ip link show "$SERVICE_SINK" >/dev/null 2>&1 || ip link add "$SERVICE_SINK" type bridge
  ip link set "$SERVICE_SINK" up
  ip route replace "$SERVICE_CIDR" dev "$SERVICE_SINK"
  ip route show type blackhole | grep -q "^blackhole $POD_CIDR " ||
    ip route add blackhole "$POD_CIDR" metric 4096
  command -v iptables >/dev/null || die "iptables not installed (apt-get install iptables): the test network needs it"
  local rule
  for rule in "${UNPROGRAMMED_SERVICE_RULES[@]}"; do
    # shellcheck disable=SC2086 # a rule is words
    iptables -w -C $rule 2>/dev/null || iptables -w -A $rule
  done
}
uncontain_network() {
  ip link del "$SERVICE_SINK" 2>/dev/null || true
  ip route del blackhole "$POD_CIDR" metric 4096 2>/dev/null || true
  local rule
  for rule in "${UNPROGRAMMED_SERVICE_RULES[@]}"; do
    # shellcheck disable=SC2086
    while iptables -w -C $rule 2>/dev/null; do iptables -w -D $rule; done
  done
}

cmd_start() {
  [[ "$(id -u)" == 0 ]] || die "must run as root (kubelet and containerd)"
  contain_network
  BIN="$(bash "$HERE/build.sh")"
  mkdir -p "$STATE" "$RUN" "$LOGS"
  echo "$BIN" >"$STATE/bin-dir"
  make_pki
  write_kubeconfigs
  write_audit_policy
  start_etcd
  start_apiserver
  start_controller_manager
  start_scheduler
  ensure_pause_image
  write_node_config
  start_containerd
  start_kubelet
  start_kube_proxy
  log "ready: KUBECONFIG=$ADMIN_KUBECONFIG ($API)"
}

stop_part() {
  local name="$1" pid i
  pid_alive "$name" || {
    rm -f "$RUN/$name.pid"
    return 0
  }
  pid="$(cat "$RUN/$name.pid")"
  log "stopping $name ($pid)"
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$RUN/$name.pid"
}

# Pod volumes (kubelet) and container root filesystems (containerd) stay mounted after both stop.
unmount_leftovers() {
  local mnt
  findmnt -rn -o TARGET | grep -E "^($STATE|$RUN)/" | sort -r | while read -r mnt; do
    umount -l "$mnt" 2>/dev/null || true
  done
}

cmd_stop() {
  local i
  for ((i = ${#PARTS[@]} - 1; i >= 0; i--)); do
    stop_part "${PARTS[i]}"
    # kube-proxy's iptables rules outlive it: remove them.
    if [[ "${PARTS[i]}" == kube-proxy && -x "$(cat "$STATE/bin-dir" 2>/dev/null)/kube-proxy" ]]; then
      "$(cat "$STATE/bin-dir")/kube-proxy" --cleanup --config "$STATE/kube-proxy.yaml" >/dev/null 2>&1 || true
    fi
    # Pods keep running under their shims when containerd stops: stop them with it. A killed task's
    # shim stays until the task is deleted: delete it too (force: it may not have exited yet).
    if [[ "${PARTS[i]}" == kubelet ]] && containerd_ready; then
      ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks ls -q 2>/dev/null | while read -r task; do
        ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks kill -s SIGKILL "$task" >/dev/null 2>&1 || true
        timeout 10 ctr --address "$CONTAINERD_SOCK" -n k8s.io tasks delete -f "$task" >/dev/null 2>&1 || true
      done
    fi
  done
  unmount_leftovers
  uncontain_network
}

cmd_status() {
  local ok=0
  row() { if "$2" "${@:3}" >/dev/null 2>&1; then printf '%-24s up\n' "$1"; else printf '%-24s DOWN\n' "$1"; ok=1; fi; }
  row etcd etcd_ready
  row kube-apiserver apiserver_ready
  row kube-controller-manager healthz 10257
  row kube-scheduler healthz 10259
  row containerd containerd_ready
  row kubelet kubelet_ready
  row "node $NODE Ready" node_ready
  row kube-proxy proxy_ready
  return "$ok"
}

cmd="${1:-}"
case "$cmd" in
start) cmd_start ;;
stop) cmd_stop ;;
status) cmd_status ;;
env) cmd_env ;;
*)
  echo "usage: $0 start|stop|status|env" >&2
  exit 2
  ;;
esac
